"""Logging that carries no personal data: messages name counts, ids and types, never values."""

from __future__ import annotations

import logging
import sys


def configure(service: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter(
        f"%(asctime)s {service} %(levelname)s %(name)s: %(message)s"
    ))
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Request bodies are never logged; access lines show method, path and status only.
    # Drivers log SQL parameters (which may be identities) at DEBUG: never let them.
    for noisy in ("nats", "aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
