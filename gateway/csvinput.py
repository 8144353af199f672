"""Request bodies to a list of records: JSON {"records"|"events": [...]} or text/csv.

Bytes are decoded once, here. UTF-8 is the default; a byte-order mark (UTF-8 or UTF-16)
is honoured, and a ``charset`` parameter on the Content-Type may name another supported
encoding. Bytes that are not valid in the encoding are kept as escapes, so the row and
field they sit in are rejected by the validator while the rest of the upload goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from typing import Any

from gateway.validation import FIELD_NAME, MalformedRow, allowed_columns, required_columns
from services.common.problems import Problem

BODY_KEY = {"identities": "records", "events": "events", "optouts": "records"}
# Encodings a partner may declare (by their codec names; aliases resolve to these).
CHARSETS = frozenset({"utf-8", "utf-16", "utf-16-le", "utf-16-be", "iso8859-1", "cp1252",
                      "ascii"})
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def unparseable(detail: str) -> Problem:
    return Problem(422, "Request body could not be read", detail)


def too_deep() -> Problem:
    """JSON nested deeper than the parser recurses (it raises RecursionError, not a
    decoding error): no record is that deep, so the body is refused as a whole."""
    return Problem(400, "Bad request", "the body is nested too deeply")


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


def charset(content_type: str | None) -> str | None:
    """The codec named by a ``charset`` parameter, or None; unsupported ones get 415."""
    for param in (content_type or "").split(";")[1:]:
        key, _, value = param.partition("=")
        if key.strip().lower() != "charset":
            continue
        try:
            name = codecs.lookup(value.strip().strip('"')).name
        except LookupError:
            name = ""
        if name not in CHARSETS:
            raise Problem(415, "Unsupported media type",
                          "charset must be one of utf-8, utf-16, utf-16le, utf-16be, "
                          "iso-8859-1, windows-1252, us-ascii")
        return name
    return None


def decode(body: bytes, declared: str | None, what: str) -> str:
    """Text from bytes: declared charset, else BOM, else UTF-8. Undecodable UTF-8 or
    single-byte input becomes surrogate escapes (rejected per field by the validator)."""
    encoding = declared
    if encoding in (None, "utf-8") and body.startswith(codecs.BOM_UTF8):
        body, encoding = body[len(codecs.BOM_UTF8):], "utf-8"
    elif encoding in (None, "utf-16") and body.startswith(UTF16_BOMS):
        encoding = "utf-16"
    encoding = encoding or "utf-8"
    if encoding.startswith("utf-16"):
        try:
            return body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise unparseable(f"the {what} body is not valid UTF-16 "
                              f"(at byte {exc.start})") from None
    return body.decode(encoding, "surrogateescape")


def parse_json(body: bytes, kind: str, max_rows: int, content_type: str | None = None
               ) -> list[Any]:
    key = BODY_KEY[kind]
    text = decode(body, charset(content_type), "JSON")
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise unparseable(f"the body is not valid JSON (line {exc.lineno}, "
                          f"column {exc.colno}): {exc.msg}") from None
    except ValueError:
        raise unparseable("the body is not valid JSON") from None
    except RecursionError:
        raise too_deep() from None
    if not isinstance(doc, dict) or key not in doc:
        raise unparseable(f"the body must be an object with a '{key}' list")
    if len(doc) > 1:
        extra = next(k for k in doc if k != key)
        name = extra if FIELD_NAME.match(extra) else "(unnamed)"
        problem = unparseable(f"unknown field '{name}': the body must have '{key}' as its "
                              "only field")
        problem.extra["errors"] = [{"loc": [name], "msg": "unknown field",
                                    "type": "extra_forbidden"}]
        raise problem
    records = doc[key]
    if not isinstance(records, list):
        raise unparseable(f"'{key}' must be a list")
    if len(records) > max_rows:
        raise too_many(max_rows)
    if not records:
        raise unparseable(f"'{key}' is empty")
    return records


def parse_csv(body: bytes, kind: str, level: str, max_rows: int,
              content_type: str | None = None) -> list[Any]:
    """Rows as dicts keyed by the (lower-cased) header; empty cells become None.

    A data row with the wrong number of cells becomes a MalformedRow, which the
    validator rejects for that row alone. Blank lines are skipped.
    """
    declared = charset(content_type)
    text = decode(body, declared, "CSV")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
        if not header:
            raise unparseable("the CSV body has no header row")
        columns = [h.strip().lower() for h in header]
        _check_columns(columns, kind, level, utf16_hint=declared is None and "\x00" in
                       "".join(header))
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


def _check_columns(columns: list[str], kind: str, level: str, utf16_hint: bool = False) -> None:
    allowed = allowed_columns(kind)
    seen: set[str] = set()
    # A column is named only when it is a known one: a file sent without its header
    # row would otherwise have its first data row echoed back.
    for position, c in enumerate(columns, start=1):
        if c not in allowed:
            hint = (" (the body looks like UTF-16 without a byte-order mark: declare "
                    "charset=utf-16le or utf-16be)") if utf16_hint else ""
            raise unparseable(f"unknown CSV column at position {position} "
                              f"(allowed: {', '.join(allowed)}){hint}")
        if c in seen:
            raise unparseable(f"CSV column '{c}' appears twice")
        seen.add(c)
    missing = [c for c in required_columns(kind, level) if c not in seen]
    if missing:
        raise unparseable(f"missing CSV column(s): {', '.join(missing)}")
