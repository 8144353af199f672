"""Row validation and normalisation. Error messages are fixed texts: never the value."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any, get_args

from gateway import schemas
from services.common import messages as m
from services.common.clock import today as england_today

# A CSV of persons has these columns; a row may leave some of them empty, as long as two
# identifiers remain (a missing name or date of birth is common in partner data, and the
# linkage model treats a missing value as no evidence either way). A full address (line
# and postcode) counts as one of the two, never as both: a row still needs a name, a date
# of birth or an NHS number.
PERSON_COLUMNS = ("local_id", "given_name", "family_name", "date_of_birth")
PERSON_IDENTIFIERS = ("given_name", "family_name", "date_of_birth", "nhs_number")
MIN_IDENTIFIERS = 2
PLACE = ("address", "postcode")
IDENTIFIERS_NEEDED = ("at least two of given_name, family_name, date_of_birth and "
                      "nhs_number are required (address with postcode counts as one)")
PERSON_ONLY = ("given_name", "family_name", "date_of_birth", "sex", "nhs_number")
PROPERTY_ANY = ("address", "postcode", "uprn")
IDENTITY_FIELDS = m.IDENTITY_FIELDS
EVENT_FIELDS = tuple(schemas.EventRow.model_fields)
EVENT_REQUIRED = ("local_id", "code", "occurred_on")
OPTOUT_FIELDS = tuple(schemas.OptOutRow.model_fields)
STATUSES = get_args(schemas.OptOutRow.model_fields["status"].annotation)

EARLIEST = date(1900, 1, 1)
MAX_LEN = {**m.max_lengths(schemas.OptOutRow), **m.max_lengths(schemas.EventRow)}
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}|GIR0AA)$")
UPRN = re.compile(r"^\d{1,12}$")
NHS = re.compile(r"^\d{10}$")
SCOPE = re.compile(r"^(?:all|partner:[A-Za-z0-9._-]{1,100}|purpose:[A-Za-z0-9._-]{1,100})$")
SEX = {"m": "M", "male": "M", "1": "M", "f": "F", "female": "F", "2": "F",
       "u": "U", "unknown": "U", "not known": "U", "0": "U", "9": "U", "not specified": "U",
       "x": "U", "i": "U", "o": "U", "other": "U", "indeterminate": "U"}


FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,49}$")
# Bytes the decoder could not read (kept as surrogate escapes), and control characters
# (NUL and friends; tab, CR and LF are allowed, as in a multi-line address cell).
UNDECODABLE = re.compile("[\ud800-\udfff]")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Free text compared across partners: one Unicode form (NFC), whatever the sender used.
NFC_FIELDS = frozenset({"given_name", "family_name", "address", "address_line_2", "locality",
                        "evidence"})
# In that free text, no invisible formatting characters (Unicode category Cf: bidi controls
# such as U+202E, zero-width characters, the soft hyphen): they let one name look like
# another on a caseworker's screen. A byte-order mark starting the body is dropped before
# the rows are read; inside a value it is one of these.
INVISIBLE = ("must not contain invisible formatting characters (bidi controls, zero-width "
             "characters, soft hyphens)")
MAX_UNKNOWN = 5  # unknown fields named per row; the rest are counted


class MalformedRow:
    """A CSV line that could not be read as a row (its cells are not kept)."""

    def __init__(self, message: str):
        self.message = message


class RowError(Exception):
    def __init__(self, field_name: str, message: str):
        self.field, self.message = field_name, message


@dataclass
class Checked:
    """Valid rows (with their 0-based index) and, per rejected row, its errors."""

    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


def text(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RowError(name, "must be a string")
    out = str(value).strip()
    if not out:
        return None
    if UNDECODABLE.search(out):
        raise RowError(name, "is not valid text in the body's encoding (UTF-8 unless a "
                             "charset is declared)")
    if CONTROL.search(out):
        raise RowError(name, "must not contain control characters")
    if name in NFC_FIELDS:
        out = unicodedata.normalize("NFC", out)
    if len(out) > MAX_LEN.get(name, 100):
        raise RowError(name, f"must be at most {MAX_LEN.get(name, 100)} characters")
    if name in NFC_FIELDS and not out.isascii() and any(
            unicodedata.category(c) == "Cf" for c in out):
        raise RowError(name, INVISIBLE)
    return out


def iso_date(value: str, name: str, today: date) -> date:
    try:
        if not ISO_DATE.match(value):
            raise ValueError
        day = date.fromisoformat(value)
    except ValueError:
        raise RowError(name, "must be a date in ISO format (YYYY-MM-DD)") from None
    if day > today:
        raise RowError(name, "must not be in the future")
    if day < EARLIEST:
        raise RowError(name, "must not be before 1900-01-01")
    return day


def nhs_valid(digits: str) -> bool:
    total = sum(int(d) * (10 - i) for i, d in enumerate(digits[:9]))
    check = 11 - total % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(digits[9])


def _normalise(name: str, value: str, today: date) -> Any:
    if name in ("date_of_birth", "occurred_on", "decided_on"):
        return iso_date(value, name, today)
    if name == "sex":
        sex = SEX.get(value.lower())
        if sex is None:
            raise RowError(name, "must be M, F or U")
        return sex
    if name == "postcode":
        compact = re.sub(r"\s+", "", value).upper()
        if not POSTCODE.match(compact):
            raise RowError(name, "must be a UK postcode")
        return f"{compact[:-3]} {compact[-3:]}"
    if name == "nhs_number":
        digits = re.sub(r"[\s-]", "", value)
        if not NHS.match(digits) or not nhs_valid(digits):
            raise RowError(name, "must be 10 digits with a valid check digit")
        return digits
    if name == "uprn":
        if not UPRN.match(value):
            raise RowError(name, "must be 1 to 12 digits")
        return value
    if name == "scope":
        if not SCOPE.match(value):
            raise RowError(name, "must be 'all', 'partner:<id>' or 'purpose:<name>'")
        return value
    if name == "status":
        if value not in STATUSES:
            raise RowError(name, "must be one of opt_out, consent, withdrawn")
        return value
    return value


def _check_row(raw: Any, allowed: tuple[str, ...], level: str, kind: str,
               codes: frozenset[str], today: date) -> tuple[dict[str, Any], list[dict]]:
    if isinstance(raw, MalformedRow):
        return {}, [{"field": "row", "message": raw.message}]
    if not isinstance(raw, dict):
        return {}, [{"field": "row", "message": "must be an object"}]
    errors: list[dict] = []
    out: dict[str, Any] = {}
    unknown = [key for key in raw if key not in allowed]
    for key in unknown[:MAX_UNKNOWN]:
        name = key if isinstance(key, str) and FIELD_NAME.match(key) else "(unnamed)"
        errors.append({"field": name, "message": "unknown field"})
    if len(unknown) > MAX_UNKNOWN:
        errors.append({"field": "row", "message": f"has {len(unknown) - MAX_UNKNOWN} "
                                                  "more unknown fields"})
    for name in allowed:
        try:
            value = text(raw.get(name), name)
            out[name] = None if value is None else _normalise(name, value, today)
        except RowError as err:
            errors.append({"field": err.field, "message": err.message})
            out[name] = None
    failed = {e["field"] for e in errors}
    if kind == "events":
        required = EVENT_REQUIRED
        if out.get("code") is not None and out["code"] not in codes:
            errors.append({"field": "code", "message": "is not a code of this dataset"})
    elif level == "person":
        required = ("local_id",)
        present = [n for n in PERSON_IDENTIFIERS if out.get(n) is not None or n in failed]
        # a full address (line and postcode) places the person: it counts as one
        placed = all(out.get(n) is not None or n in failed for n in PLACE)
        if present and len(present) + placed < MIN_IDENTIFIERS:
            missing = next(n for n in PERSON_IDENTIFIERS if n not in present)
            errors.append({"field": missing, "message": IDENTIFIERS_NEEDED})
        elif not present:
            errors.append({"field": PERSON_IDENTIFIERS[0], "message": IDENTIFIERS_NEEDED})
    else:
        required = ("local_id",)
        for name in PERSON_ONLY:
            if raw.get(name) not in (None, "") and name not in failed:
                errors.append({"field": name,
                               "message": "is not allowed in a property-level dataset"})
        if not any(out.get(n) for n in PROPERTY_ANY) and not failed & set(PROPERTY_ANY):
            errors.append({"field": "address",
                           "message": "one of address, postcode or uprn is required"})
    for name in required:
        if out.get(name) is None and name not in failed:
            errors.append({"field": name, "message": "is required"})
    return out, errors


def check_rows(records: list[Any], *, kind: str, level: str, codes: frozenset[str] = frozenset(),
               today: date | None = None) -> Checked:
    """kind: identities | events | optouts; level: person | property."""
    today = today or england_today()
    allowed = {"identities": IDENTITY_FIELDS, "events": EVENT_FIELDS,
               "optouts": OPTOUT_FIELDS}[kind]
    checked = Checked()
    for index, raw in enumerate(records):
        row, errors = _check_row(raw, allowed, level, kind, codes, today)
        if errors:
            checked.rejected.append({"row": index, "errors": errors})
        else:
            checked.rows.append((index, row))
    return checked


def required_columns(kind: str, level: str) -> tuple[str, ...]:
    if kind == "events":
        return EVENT_REQUIRED
    return PERSON_COLUMNS if level == "person" else ("local_id",)


def allowed_columns(kind: str) -> tuple[str, ...]:
    return {"identities": IDENTITY_FIELDS, "events": EVENT_FIELDS, "optouts": OPTOUT_FIELDS}[kind]
