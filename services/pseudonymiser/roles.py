"""A pseudonymiser replica's roles and the routes only the linkage writer serves.

Declared here once: a standby answers these routes 503 (api.only_the_writer), the
OpenAPI document says so, and `tessera run --replicas` sends them to the replica whose
``/readyz`` names it the writer (deploy/balancer.py).
"""

from __future__ import annotations

import json

WRITER = "writer"
STANDBY = "standby"

# (method, path as the API declares it): what changes the linkage or reads the writer's
# own model and training state
WRITER_ROUTES: tuple[tuple[str, str], ...] = (
    ("POST", "/v1/review/{pair_id}"),
    ("GET", "/v1/linkage/model"),
    ("POST", "/v1/linkage/model/train"),
    ("POST", "/v1/retention/sweep"),
    ("PUT", "/v1/geography/postcodes"),
)


def writer_ready_mark() -> str:
    """What the writer's ``/readyz`` body holds and a standby's does not (the body is
    compact JSON, as Starlette renders it)."""
    return json.dumps({"role": WRITER}, separators=(",", ":"))[1:-1]
