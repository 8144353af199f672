"""The OpenAPI documents committed in docs/openapi/ and the Python SDK generated from them
in clients/python/ (docs/clients.md).

Each document is what the service's ``create_app()`` serves at /openapi.json with the
development defaults (bearer tokens; a deployment with its own issuer documents OpenID
Connect instead), so a client can be generated without running anything. The SDK is
openapi-python-client's output, one package per service under ``tessera_client``.

    python -m deploy.openapi            # write docs/openapi/*.json (make clients does both)
    python -m deploy.openapi --client   # and regenerate clients/python from them
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services.common.subjects import SERVICES

REPO = Path(__file__).resolve().parent.parent
SPECS = REPO / "docs" / "openapi"
CLIENT = REPO / "clients" / "python"
PACKAGE = "tessera_client"
GENERATOR_CONFIG = CLIENT / "generator.yaml"


@contextmanager
def development_defaults() -> Iterator[None]:
    """Settings as a fresh checkout has them, whatever this shell exports."""
    saved = dict(os.environ)
    for name in [n for n in os.environ if n.startswith("TESSERA_")]:
        del os.environ[name]
    os.environ["TESSERA_ENVIRONMENT"] = "development"
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def document(service: str) -> dict:
    package = "gateway" if service == "gateway" else f"services.{service}"
    with development_defaults():
        return importlib.import_module(f"{package}.app").create_app().openapi()


def render(doc: dict) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def write_specs(into: Path = SPECS) -> list[Path]:
    into.mkdir(parents=True, exist_ok=True)
    written = []
    for service in SERVICES:
        path = into / f"{service}.json"
        path.write_text(render(document(service)))
        written.append(path)
    return written


def generator() -> str:
    exe = Path(sys.executable).parent / "openapi-python-client"
    return str(exe) if exe.exists() else (shutil.which("openapi-python-client")
                                          or "openapi-python-client")


def generate(service: str, spec: Path, into: Path) -> str:
    """One service's package at ``into``; returns what the generator printed, which
    names every warning (a clean run prints none)."""
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "config.yaml"
        config.write_text(GENERATOR_CONFIG.read_text()
                          + f"package_name_override: {service}\n"
                          + f"project_name_override: {service}\n")
        done = subprocess.run(
            [generator(), "generate", "--path", str(spec), "--config", str(config),
             "--meta", "none", "--output-path", str(into), "--overwrite"],
            capture_output=True, text=True, check=False,
            # its formatting hooks run this environment's ruff
            env={**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                       f"{os.environ.get('PATH', '')}"})
    if done.returncode != 0:
        raise RuntimeError(f"{service}: {done.stdout}{done.stderr}")
    import_unset(into)
    return done.stdout + done.stderr


TYPES_IMPORT = re.compile(r"^(from \.+types import )(.+)$", re.M)


def import_unset(package: Path) -> None:
    """The generator writes ``| Unset`` for a required body offered in two media types
    without importing ``Unset`` (openapi-python-client issue 1451): add the import."""
    for module in package.rglob("*.py"):
        text = module.read_text()
        found = TYPES_IMPORT.search(text)
        if "| Unset" in text and found and "Unset" not in found.group(2).split(", "):
            module.write_text(TYPES_IMPORT.sub(lambda m: f"{m.group(1)}{m.group(2)}, Unset",
                                               text, count=1))


def generate_client(specs: Path = SPECS, into: Path = CLIENT / PACKAGE) -> dict[str, str]:
    """Every service's package under ``into`` (a namespace of them); service -> output."""
    into.mkdir(parents=True, exist_ok=True)
    return {service: generate(service, specs / f"{service}.json", into / service)
            for service in SERVICES}


def warnings(output: str) -> list[str]:
    return [line for line in output.splitlines()
            if "warning" in line.lower() or "unable to" in line.lower()]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client", action="store_true",
                        help="also regenerate clients/python from the documents")
    args = parser.parse_args(argv)
    for path in write_specs():
        print(path.relative_to(REPO))
    if args.client:
        found = {s: warnings(out) for s, out in generate_client().items()}
        for service, lines in found.items():
            print(f"{PACKAGE}.{service}: {len(lines)} warnings")
            for line in lines:
                print(f"  {line}")
        if any(found.values()):
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
