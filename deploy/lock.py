"""Write requirements.lock: every third-party distribution the checkout installs, pinned.

pip resolves what `make` installs (every slice, the tooling, the dev extras) without
installing it (`pip install --dry-run --report`), and the pins are written one to a
line. `make` installs with the lock as constraints, and so does every image, so a
deployment runs the versions the tests ran. pip-tools would do the same but is one more
tool to install; pip's own report is enough.

    python -m deploy.lock            # or: make lock
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
LOCK = REPO / "requirements.lock"
HEADER = """\
# Every third-party distribution Tessera installs, pinned. `make` and every image install
# with this file as constraints. Regenerate with `make lock` after changing a
# pyproject.toml's dependencies, and commit it with them.
"""


def projects(repo: Path = REPO) -> list[Path]:
    """Every distribution in the checkout but the tooling (the repository's root): the
    floor, each slice, the generated SDK."""
    found = [repo / "services", repo / "gateway",
             *sorted(p.parent for p in (repo / "services").glob("*/pyproject.toml")),
             repo / "clients" / "python"]
    return [p for p in found if (p / "pyproject.toml").exists()]


def resolve(repo: Path = REPO) -> dict[str, str]:
    """name -> version of every distribution pip would install, Tessera's own left out."""
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.json"
        args = [a for p in projects(repo) for a in ("-e", str(p))]
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--dry-run",
                        "--ignore-installed", "--report", str(report), *args,
                        "-e", f"{repo}[dev]"], check=True)
        installed = json.loads(report.read_text())["install"]
    pins = {}
    for item in installed:
        name, version = item["metadata"]["name"], item["metadata"]["version"]
        if not name.lower().startswith("tessera"):
            pins[name.lower().replace("_", "-")] = version
    return pins


def render(pins: dict[str, str]) -> str:
    return HEADER + "".join(f"{name}=={pins[name]}\n" for name in sorted(pins))


def read(path: Path = LOCK) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, _, version = line.partition("==")
            pins[name.lower()] = version
    return pins


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.lock", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true",
                        help="say whether the lock matches a fresh resolution; write nothing")
    args = parser.parse_args(argv)
    text = render(resolve())
    if args.check:
        same = LOCK.exists() and LOCK.read_text() == text
        print("requirements.lock is current" if same else "requirements.lock differs")
        return 0 if same else 1
    LOCK.write_text(text)
    print(f"wrote {LOCK.name}: {text.count(chr(10)) - HEADER.count(chr(10))} pins")
    return 0


if __name__ == "__main__":
    sys.exit(main())
