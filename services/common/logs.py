"""Logging that carries no personal data: messages name counts, ids and types, never values.

Each line is one JSON object (python-json-logger): time, level, service, logger and
message, and, when the line is written while serving a request or applying a message,
its request id and the W3C trace and span ids (services.common.tracing), so one request
can be followed through every service it reached."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

from services.common import tracing

FIELDS = "%(levelname)s %(name)s %(message)s"
RENAMED = {"levelname": "level", "name": "logger"}


class Context(logging.Filter):
    """Adds the current request id and trace context to each record that has them."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in tracing.log_fields().items():
            setattr(record, key, value)
        return True


def formatter(service: str) -> logging.Formatter:
    # timestamp: ISO 8601 in UTC to the microsecond, under "time"
    return JsonFormatter(FIELDS, rename_fields=RENAMED, static_fields={"service": service},
                         timestamp="time")


def configure(service: str, level: str = "INFO") -> None:
    root = logging.getLogger()
    for h in list(root.handlers):
        root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(service))
    handler.addFilter(Context())
    root.addHandler(handler)
    root.setLevel(level.upper())
    # Request bodies are never logged; access lines (services.common.observe) show the
    # method, the route's template (never the path: it may hold a pseudonym) and status.
    # Drivers log SQL parameters (which may be identities) at DEBUG: never let them.
    for noisy in ("nats", "aiosqlite", "asyncpg", "sqlalchemy.engine", "sqlalchemy.pool"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
