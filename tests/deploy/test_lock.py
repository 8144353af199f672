"""requirements.lock pins what is installed: make installs with it as constraints, so the
environment the tests run in holds exactly the locked versions."""

from __future__ import annotations

import importlib.metadata

from deploy.lock import LOCK, read, render

# installers, not dependencies: a virtual environment brings its own
TOOLS = {"pip", "setuptools", "wheel"}


def installed() -> dict[str, str]:
    found = {}
    for dist in importlib.metadata.distributions():
        name = dist.metadata["Name"].lower().replace("_", "-")
        if not name.startswith("tessera") and name not in TOOLS:
            found[name] = dist.version
    return found


def test_every_installed_distribution_is_the_locked_version():
    pins = read()
    unpinned = {n: v for n, v in installed().items() if n not in pins}
    differs = {n: (v, pins[n]) for n, v in installed().items() if n in pins and pins[n] != v}
    assert unpinned == {} and differs == {}


def test_the_lock_is_written_in_one_order_with_its_header():
    assert LOCK.read_text() == render(read())
