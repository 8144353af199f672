"""Hash chains over log entries: pure functions, no I/O.

Each entry's hash is SHA-256 over the previous entry's hash and the entry's fields as
canonical JSON (sorted keys, no whitespace, timestamps in UTC), so changing, removing
or reordering any entry changes every hash after it. Reidentify's access log and each
slice's security log chain their entries this way.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(data: dict[str, Any]) -> str:
    data = {k: canonical_at(v) if isinstance(v, datetime) else v for k, v in data.items()}
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, data: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(data)).encode()).hexdigest()
