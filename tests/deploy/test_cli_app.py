"""`tessera`'s command line: the README shows its help as it is, and the mistakes a
newcomer makes end in one line and a documented exit code, never a traceback."""

from __future__ import annotations

import base64
import json
import os
import re
import subprocess
import sys

import pytest
from typer.testing import CliRunner

from deploy.cli import app
from deploy.cli.context import Exit
from deploy.federation import REPO
from deploy.keys import ensure_keys
from deploy.layout import Layout
from deploy.natsserver import free_port
from deploy.running import RunLock

runner = CliRunner()


def tessera(*args: str):
    result = runner.invoke(app, list(args), prog_name="tessera")
    assert "Traceback" not in result.output, result.output
    return result


def help_text(*args: str, width: int = 100) -> str:
    """`tessera ... --help` as a pipe gets it, at a fixed width, trailing blanks gone."""
    env = {**os.environ, "TERMINAL_WIDTH": str(width), "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "deploy", *args, "--help"], env=env,
                          cwd=REPO, capture_output=True, text=True, check=True)
    return "\n".join(line.rstrip() for line in done.stdout.splitlines()).strip("\n")


def test_the_readme_shows_the_help_as_it_is():
    readme = (REPO / "README.md").read_text()
    shown = re.search(r"`\.venv/bin/tessera --help`:\n\n```\n(.*?)\n```", readme, re.S)
    assert shown is not None
    assert shown.group(1) == help_text()


def test_every_command_the_brief_names_is_there():
    listed = help_text()
    for command in ("run", "token", "keys", "demo", "registry", "agreements", "train",
                    "relink", "review", "verify-log", "calibration", "compliance",
                    "decommission", "subject-access", "linkage", "encrypt-key",
                    "nats-config", "provision", "jetstream-rekey", "--install-completion"):
        assert re.search(rf"│ {re.escape(command)}\s", listed), command


def test_a_token_before_the_keys_exist_says_how_to_make_them(tmp_path):
    result = tessera("--var", str(tmp_path / "var"), "token", "gateway")
    assert result.exit_code == Exit.STATE
    assert "no development keys" in result.output and "make run" in result.output


def test_a_token_carries_the_claims_asked_for(tmp_path):
    ensure_keys(Layout(tmp_path / "var"))
    result = tessera("--var", str(tmp_path / "var"), "token", "reidentify", "--role",
                     "caseworker", "--district", "OL1", "--district", "OL4")
    assert result.exit_code == 0
    body = result.output.strip().split(".")[1]
    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    assert claims["aud"] == "tessera-reidentify" and claims["roles"] == ["caseworker"]
    assert claims["districts"] == ["OL1", "OL4"]
    assert tessera("--var", str(tmp_path / "var"), "token", "nowhere").exit_code == Exit.USAGE


def test_nothing_running_says_where_it_looked_and_how_to_start(tmp_path):
    ensure_keys(Layout(tmp_path / "var"))
    port = free_port()
    result = tessera("--var", str(tmp_path / "var"), "agreements", "list",
                     f"--port=gateway={port}")
    assert result.exit_code == Exit.UNREACHABLE
    assert f"nothing answers at http://127.0.0.1:{port}" in result.output
    assert "make run" in result.output


@pytest.mark.parametrize("args", [
    ["registry", "partner", "p1"],  # no --name
    ["agreements", "show"],  # no id
    ["agreements", "list", "--url", "nowhere=https://x"],
    ["agreements", "list", "--token", "t", "--token-file", "f"],
    ["calibration", "--out", "chart.jpg"],
    ["review", "list", "--limit", "500"],
    ["provision", "--url", "nats://x:4222"],  # neither credential
    ["nats-config", "--out", "o", "--secrets", "s", "--nodes", "a,b"],
])
def test_a_wrong_command_line_is_a_usage_error(tmp_path, args):
    ensure_keys(Layout(tmp_path / "var"))
    assert tessera("--var", str(tmp_path / "var"), *args).exit_code == Exit.USAGE


def test_relink_refuses_while_the_federation_runs(tmp_path):
    var = tmp_path / "var"
    with RunLock(var, {"gateway": free_port()}):
        result = tessera("--var", str(var), "relink")
    assert result.exit_code == Exit.STATE and "stop it first" in result.output


def test_the_pseudonymiser_lists_its_own_commands():
    done = subprocess.run([sys.executable, "-m", "services.pseudonymiser", "--help"],
                          cwd=REPO, capture_output=True, text=True, check=True)
    assert re.search(r"^\s+train\s", done.stdout, re.M)
    assert re.search(r"^\s+relink\s", done.stdout, re.M)


def test_completion_is_offered_for_the_shell():
    result = tessera("--show-completion", "bash")
    assert result.exit_code == 0 and "_TESSERA_COMPLETE" in result.output
