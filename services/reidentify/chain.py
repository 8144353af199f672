"""The access log's hash chain (services.common.chain): which fields an entry's hash covers."""

from __future__ import annotations

from typing import Any

from services.common.chain import GENESIS, canonical_at, link

__all__ = ["GENESIS", "canonical_at", "entry_hash", "row_fields"]

FIELDS = ("seq", "at", "sub", "org", "pseudonym", "rule_id", "purpose", "justification",
          "outcome", "reason")
# Covered by the hash when set; an entry without them hashes exactly as before they existed.
# action: what kind of access (None: an unlock); ref: the entry this one follows up (an
# authorised release that did not happen); case_id and slice: a subject access release
OPTIONAL = ("action", "ref", "case_id", "slice")


def _covered(fields: dict[str, Any]) -> dict[str, Any]:
    data = {k: fields.get(k) for k in FIELDS}
    data.update({k: fields[k] for k in OPTIONAL if fields.get(k) is not None})
    return data


def entry_hash(prev_hash: str, fields: dict[str, Any]) -> str:
    return link(prev_hash, _covered(fields))


def row_fields(row: Any) -> dict[str, Any]:
    return {k: getattr(row, k, None) for k in FIELDS + OPTIONAL}
