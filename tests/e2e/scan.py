"""Secure-box scanning: find identity values or demand codes in databases and messages.

Hits are reported as (place, kind) only, never with the value found.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

# Whole words: a run of letters, digits, underscores or apostrophes, so that a base32
# token such as r_mark2q7 is one word and never matches the name "Mark".
WORD = re.compile(r"[\w']+")
CODE = re.compile(r"\b(?:GP|SCH|POL|CSC|HOU)\d+\b")


@dataclass
class Sensitive:
    names: set[str] = field(default_factory=set)      # casefolded words of names
    dobs: set[str] = field(default_factory=set)       # ISO dates, only where unambiguous
    postcodes: set[str] = field(default_factory=set)  # "OL4 2JT" and "OL42JT"
    local_ids: set[str] = field(default_factory=set)
    codes: set[str] = field(default_factory=set)

    def identity_hits(self, text: str) -> set[str]:
        kinds = set()
        words = {w.casefold() for w in WORD.findall(text)}
        if words & self.names:
            kinds.add("name")
        upper = text.upper()
        if any(p in upper for p in self.postcodes):
            kinds.add("postcode")
        if any(d in text for d in self.dobs):
            kinds.add("date_of_birth")
        if any(i in text for i in self.local_ids):
            kinds.add("local_id")
        return kinds

    def code_hits(self, text: str) -> set[str]:
        return {"code"} if set(CODE.findall(text)) & self.codes else set()


def program_vocabulary(root: Path) -> set[str]:
    """Words the program itself writes (its source and configuration): a name that is also
    one of these ("Max" in "Max Memory") cannot be told from the program's own text."""
    words: set[str] = set()
    for pattern in ("gateway/**/*.py", "services/**/*.py", "deploy/**/*.py", "**/*.yaml"):
        for path in root.glob(pattern):
            if ".venv" in path.parts:
                continue
            words.update(w.casefold() for w in WORD.findall(path.read_text(errors="replace")))
    return words


def sensitive_values(borough, registry_codes: set[str], vocabulary: set[str] = frozenset()
                     ) -> Sensitive:
    s = Sensitive(codes=set(registry_codes))
    # Event dates span the last 18 months: a date of birth inside that span cannot be told
    # from an event date, so only earlier dates of birth are searched for.
    event_span_start = borough.as_of - timedelta(days=600)
    for _, _, kind, rows in borough.uploads():
        for row in rows:
            s.local_ids.add(str(row["local_id"]))
            if kind == "events":
                continue
            for key in ("given_name", "family_name"):
                for word in WORD.findall(row.get(key) or ""):
                    if len(word) >= 3:
                        s.names.add(word.casefold())
            dob = row.get("date_of_birth")
            if dob and date.fromisoformat(dob) < event_span_start:
                s.dobs.add(dob)
            pc = (row.get("postcode") or "").strip().upper()
            if pc:
                s.postcodes.add(" ".join(pc.split()))
                s.postcodes.add(pc.replace(" ", ""))
    s.names -= vocabulary
    return s


def sqlite_texts(con):
    """Every text value in every table of a connection's database: (table.column, text);
    closes the connection."""
    try:
        tables = [r[0] for r in con.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        for table in tables:
            cols = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            for row in con.execute(f'SELECT * FROM "{table}"'):  # noqa: S608 - test code
                for col, value in zip(cols, row, strict=True):
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    if value is not None:
                        yield f"{table}.{col}", str(value)
    finally:
        con.close()
