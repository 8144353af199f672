"""Request bodies to a list of records: JSON {"records"|"events": [...]} or text/csv."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from gateway.validation import MalformedRow, allowed_columns, required_columns
from services.common.problems import Problem

BODY_KEY = {"identities": "records", "events": "events", "optouts": "records"}


def unparseable(detail: str) -> Problem:
    return Problem(422, "Request body could not be read", detail)


def too_many(max_rows: int) -> Problem:
    return Problem(413, "Request too large", f"a request may carry at most {max_rows} rows")


def media_type(content_type: str | None) -> str:
    """'json' or 'csv'; anything else is refused with 415."""
    mt = (content_type or "").split(";")[0].strip().lower()
    if mt == "application/json" or (mt.startswith("application/") and mt.endswith("+json")):
        return "json"
    if mt in ("text/csv", "application/csv"):
        return "csv"
    raise Problem(415, "Unsupported media type",
                  "send application/json or text/csv (with a header row)")


def parse_json(body: bytes, kind: str, max_rows: int) -> list[Any]:
    key = BODY_KEY[kind]
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise unparseable("the body is not valid UTF-8 JSON") from None
    if not isinstance(doc, dict) or key not in doc:
        raise unparseable(f"the body must be an object with a '{key}' list")
    if len(doc) > 1:
        raise unparseable(f"the body must have '{key}' as its only field")
    records = doc[key]
    if not isinstance(records, list):
        raise unparseable(f"'{key}' must be a list")
    if len(records) > max_rows:
        raise too_many(max_rows)
    if not records:
        raise unparseable(f"'{key}' is empty")
    return records


def parse_csv(body: bytes, kind: str, level: str, max_rows: int) -> list[Any]:
    """Rows as dicts keyed by the (lower-cased) header; empty cells become None.

    A data row with the wrong number of cells becomes a MalformedRow, which the
    validator rejects for that row alone. Blank lines are skipped.
    """
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unparseable("the CSV body is not UTF-8") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise unparseable("the CSV body has no header row")
        columns = [h.strip().lower() for h in header]
        _check_columns(columns, kind, level)
        records: list[Any] = []
        for cells in reader:
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(records) >= max_rows:
                raise too_many(max_rows)
            if len(cells) != len(columns):
                records.append(MalformedRow(f"has {len(cells)} cells, the header "
                                            f"has {len(columns)}"))
                continue
            records.append({c: (v if v.strip() else None) for c, v in zip(columns, cells,
                                                                            strict=True)})
    except csv.Error:
        raise unparseable(f"the CSV body could not be parsed at line {reader.line_num}") from None
    if not records:
        raise unparseable("the CSV body has no data rows")
    return records


def _check_columns(columns: list[str], kind: str, level: str) -> None:
    allowed = allowed_columns(kind)
    seen: set[str] = set()
    # A column is named only when it is a known one: a file sent without its header
    # row would otherwise have its first data row echoed back.
    for position, c in enumerate(columns, start=1):
        if c not in allowed:
            raise unparseable(f"unknown CSV column at position {position} "
                              f"(allowed: {', '.join(allowed)})")
        if c in seen:
            raise unparseable(f"CSV column '{c}' appears twice")
        seen.add(c)
    missing = [c for c in required_columns(kind, level) if c not in seen]
    if missing:
        raise unparseable(f"missing CSV column(s): {', '.join(missing)}")
