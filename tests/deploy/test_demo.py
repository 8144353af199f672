"""`make demo` without a running federation says what to do, not a traceback."""

from __future__ import annotations

from deploy.cli import main
from deploy.cli.context import Exit
from deploy.cli.demo import federation_here
from deploy.keys import ensure_keys
from deploy.layout import Layout
from deploy.natsserver import free_port


def test_demo_without_keys_asks_for_make_run(tmp_path, capsys):
    assert main(["--var", str(tmp_path / "var"), "demo"]) == Exit.STATE
    err = capsys.readouterr().err
    assert "no development keys" in err and "make run" in err
    assert "Traceback" not in err


def test_demo_needs_the_gateway_answering(tmp_path):
    layout = Layout(tmp_path / "var")
    ensure_keys(layout)
    reason = federation_here(layout, f"http://127.0.0.1:{free_port()}")
    assert reason is not None and "does not answer" in str(reason)
    assert reason.code == Exit.UNREACHABLE and "make run" in str(reason)
