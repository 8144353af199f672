"""Files people open in a spreadsheet: every cell that a spreadsheet would run as a
formula is escaped.

A name, a justification or an evidence reference starting with ``=``, ``+``, ``-`` or
``@`` (or a tab or carriage return, or their full-width forms) is run as a formula by
Excel, LibreOffice and Google Sheets when the file is opened: ``=HYPERLINK(...)`` in a
justification would reach whoever reads the export. Such a cell is written with a
leading apostrophe, which the spreadsheet shows as text and does not display (the OWASP
advice for CSV injection).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: Any) -> Any:
    """The value as a spreadsheet should receive it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set):
        value = " ".join(str(v) for v in value)
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def csv_text(rows: Iterable[Mapping[str, Any]], columns: list[str] | None = None) -> str:
    rows = list(rows)
    columns = columns or sorted({k for row in rows for k in row})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore",
                            lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(row.get(k)) for k in columns})
    return out.getvalue()
