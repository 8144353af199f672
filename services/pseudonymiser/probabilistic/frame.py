"""Identity rows to the Splink input frame (normalised values only, one row per record).

Every frame has the same columns (`COLUMNS`); a field a dataset lacks is null. Names use
the pseudonymiser's normalisation (letters only, upper case), plus derived columns the
comparisons need: the first given-name token, Soundex codes, nickname groups, the date of
birth as an 8-character YYYYMMDD string (kept even when it is not a valid date, so one
digit off still compares), the postcode area and the house number.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

import pandas as pd
from jellyfish import soundex  # American Soundex: H and W do not split a run of one code

from services.pseudonymiser import normalise
from services.pseudonymiser.nicknames import GROUPS

COLUMNS = ("unique_id", "given_name", "given_first", "given_soundex", "given_groups",
           "family_name", "family_soundex", "dob", "sex", "postcode", "postcode_area",
           "address", "house_number", "address_line_2", "locality", "nhs_number", "uprn")
# optional evidence: a comparison is only built when training data has some values
OPTIONAL = ("sex", "address_line_2", "locality", "nhs_number", "uprn")
_FLAT_WORDS = frozenset({"FLAT", "FLATS", "APT", "APARTMENT", "UNIT", "ROOM", "NO"})


def _group_index() -> dict[str, list[str]]:
    index: dict[str, list[str]] = {}
    for i, group in enumerate(GROUPS):
        for name in group:
            index.setdefault(name, []).append(f"g{i}")
    return index


def dob_string(value: date | str | None) -> str | None:
    """YYYYMMDD; ISO dates and 8-digit strings (valid or not) are accepted."""
    if value is None:
        return None
    if isinstance(value, date):
        return f"{value.year:04d}{value.month:02d}{value.day:02d}"
    digits = "".join(ch for ch in str(value) if ch.isdigit())
    return digits if len(digits) == 8 else None


# the words of a folded address (capitals, digits, single spaces) that hold a digit
_NUMBERED = re.compile(r"[A-Z0-9]*[0-9][A-Z0-9]*")


@lru_cache(maxsize=1 << 16)  # the members of a household share their address
def house_number(address: str | None) -> str | None:
    return "/".join(_NUMBERED.findall(normalise.fold(address))) or None


@lru_cache(maxsize=1 << 16)
def address_line(address: str | None) -> str | None:
    words = [w for w in normalise.fold(address).split() if w not in _FLAT_WORDS]
    return " ".join(words) or None


def _text(value: Any) -> str | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    text = str(value).strip()
    return text or None


def row_to_record(row: Mapping[str, Any], groups: dict[str, list[str]]) -> dict[str, Any]:
    """One identity (raw or already-normalised values; normalisation is idempotent)."""
    given = normalise.name(_text(row.get("given_name")))
    first = normalise.first_name_token(_text(row.get("given_name")))
    family = normalise.name(_text(row.get("family_name")))
    pc = normalise.postcode(_text(row.get("postcode")))
    address = _text(row.get("address"))
    found = sorted({g for n in (given, first) if n for g in groups.get(n, [])})
    return {
        "unique_id": str(row["record_id"]),
        "given_name": given,
        "given_first": first,
        "given_soundex": soundex(given) if given else None,
        "given_groups": found or None,
        "family_name": family,
        "family_soundex": soundex(family) if family else None,
        "dob": dob_string(row.get("date_of_birth")),
        "sex": normalise.sex(_text(row.get("sex"))),
        "postcode": pc.replace(" ", "") if pc else None,
        "postcode_area": normalise.outward(pc) if pc else None,
        "address": address_line(address),
        "house_number": _text(row.get("house_number")) or house_number(address),
        "address_line_2": address_line(_text(row.get("address_line_2"))),
        "locality": normalise.fold(_text(row.get("locality"))) or None,
        "nhs_number": normalise.nhs_number(_text(row.get("nhs_number"))),
        "uprn": normalise.uprn(_text(row.get("uprn"))),
    }


def to_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows with `record_id` plus any of given_name, family_name, date_of_birth, sex,
    address, address_line_2, house_number, locality, postcode, nhs_number, uprn."""
    groups = _group_index()
    records = [row_to_record(r, groups) for r in rows]
    frame = pd.DataFrame.from_records(records, columns=list(COLUMNS))
    if frame["unique_id"].duplicated().any():
        raise ValueError("record ids must be unique")
    return frame.astype(object).where(frame.notna(), None)


_RECORD_FIELDS = {"family_name": "norm_family", "sex": "norm_sex",
                  "postcode": "norm_postcode", "nhs_number": "norm_nhs",
                  "date_of_birth": "date_of_birth", "address": "address", "uprn": "uprn",
                  "address_line_2": "address_line_2", "locality": "locality"}


def frame_from_records(records: Iterable[Any], id_attr: str = "record_token") -> pd.DataFrame:
    """From objects shaped like the pseudonymiser's IdentityRecord (normalised columns)."""
    rows = []
    for rec in records:
        row = {key: getattr(rec, attr, None) for key, attr in _RECORD_FIELDS.items()}
        # the raw given name keeps the word boundary the first token needs
        row["given_name"] = getattr(rec, "given_name", None) or getattr(rec, "norm_given", None)
        row["record_id"] = getattr(rec, id_attr)
        rows.append(row)
    return to_frame(rows)
