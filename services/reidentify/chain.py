"""The access log's hash chain: pure functions, no I/O."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
FIELDS = ("seq", "at", "sub", "org", "pseudonym", "rule_id", "purpose", "justification",
          "outcome", "reason")
# Covered by the hash when set; an entry without them hashes exactly as before they existed.
# action: what kind of access (None: an unlock); ref: the entry this one follows up (an
# authorised release that did not happen); case_id and slice: a subject access release
OPTIONAL = ("action", "ref", "case_id", "slice")


def canonical_at(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def canonical(fields: dict[str, Any]) -> str:
    """The entry fields as canonical JSON: sorted keys, no whitespace, timestamps in UTC."""
    data = {k: fields.get(k) for k in FIELDS}
    data.update({k: fields[k] for k in OPTIONAL if fields.get(k) is not None})
    if isinstance(data["at"], datetime):
        data["at"] = canonical_at(data["at"])
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return hashlib.sha256((prev_hash + canonical(fields)).encode()).hexdigest()


def row_fields(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k, None) for k in FIELDS + OPTIONAL}
