"""The council's geography as the linker holds it: each LSOA's ward and locality, and its
residents; read from the CSV files a council uploads, every bad row named."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass, field

from services.common.problems import Problem

LEVELS = ("lsoa", "ward", "locality")
# the columns read from a postcode lookup in the ONS Postcode Directory's shape (other
# columns, the postcode itself included, are ignored): the LSOA's code and name, the
# ward's, and the council's locality
LOOKUP = {"lsoa": ("lsoa21cd", "lsoa11cd", "lsoa"), "lsoa_name": ("lsoa21nm", "lsoa11nm"),
          "ward": ("wd24cd", "wd23cd", "wd22cd", "osward", "ward"),
          "ward_name": ("wd24nm", "wd23nm", "wd22nm", "ward_name"), "locality": ("locality",)}
REQUIRED = ("lsoa", "ward", "locality")
MAX_ERRORS = 50
CODE_LENGTH = 12


@dataclass
class Geography:
    """LSOA -> ward -> locality, with names and residents."""

    ward_of: dict[str, str] = field(default_factory=dict)
    locality_of_ward: dict[str, str] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    population: dict[str, int] = field(default_factory=dict)  # per LSOA

    def area(self, lsoa: str, level: str) -> str:
        if level == "lsoa":
            return lsoa
        ward = self.ward_of[lsoa]
        return ward if level == "ward" else self.locality_of_ward[ward]

    def areas(self, level: str) -> list[str]:
        return sorted({self.area(lsoa, level) for lsoa in self.ward_of})

    def residents(self, level: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for lsoa, n in self.population.items():
            if lsoa in self.ward_of:
                key = self.area(lsoa, level)
                out[key] = out.get(key, 0) + n
        return out


def _rows(body: bytes) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise Problem(400, "Unreadable CSV", "The body is not UTF-8 text.") from exc
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise Problem(422, "Invalid CSV", "The body has no header row.",
                      errors=[{"loc": ["body", "header"], "msg": "missing"}])
    for i, row in enumerate(reader):
        yield i, {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}


def _column(header: set[str], names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in header), None)


def parse_lookup(body: bytes) -> list[dict]:
    """One row per LSOA: its ward is the ward of most of its postcodes (a best fit, as
    ONS's own LSOA-to-ward lookups are), its locality that ward's."""
    votes: dict[str, dict[tuple, int]] = {}
    errors: list[dict] = []
    columns: dict[str, str | None] | None = None
    for i, row in _rows(body):
        if columns is None:
            columns = {f: _column(set(row), names) for f, names in LOOKUP.items()}
            missing = [f for f in REQUIRED if columns[f] is None]
            if missing:
                raise Problem(422, "Invalid postcode lookup", "Required columns are missing.",
                              errors=[{"loc": ["body", "header", LOOKUP[f][0]],
                                       "msg": "missing column"} for f in missing])
        values = {f: row.get(c, "") if c else "" for f, c in columns.items()}
        before = len(errors)
        for f in REQUIRED:
            if not values[f]:
                errors.append({"loc": ["body", i, columns[f]], "msg": "empty"})
            elif f != "locality" and len(values[f]) > CODE_LENGTH:
                errors.append({"loc": ["body", i, columns[f]],
                               "msg": f"longer than {CODE_LENGTH} characters"})
        if len(errors) >= MAX_ERRORS:
            break
        if len(errors) > before:
            continue
        key = (values["ward"], values["ward_name"] or None, values["locality"][:200],
               values["lsoa_name"] or None)
        per = votes.setdefault(values["lsoa"], {})
        per[key] = per.get(key, 0) + 1
    if errors:
        raise Problem(422, "Invalid postcode lookup", f"{len(errors)} rows are invalid.",
                      errors=errors)
    if not votes:
        raise Problem(422, "Invalid postcode lookup", "The lookup has no rows.")
    out = []
    for lsoa, per in votes.items():
        ward, ward_name, locality, lsoa_name = max(per, key=lambda k: (per[k], k[0]))
        out.append({"lsoa": lsoa, "lsoa_name": lsoa_name, "ward": ward,
                    "ward_name": ward_name, "locality": locality})
    wards: dict[str, str] = {}
    for row in out:  # a ward in two localities would make the levels overlap
        if wards.setdefault(row["ward"], row["locality"]) != row["locality"]:
            raise Problem(422, "Invalid postcode lookup",
                          "A ward lies in more than one locality.",
                          errors=[{"loc": ["body", "locality"], "msg": "ward split"}])
    return out


def parse_population(body: bytes, known: set[str]) -> list[dict]:
    """Residents per LSOA (columns `lsoa21cd` or `lsoa`, and `population`); every LSOA
    must be in the lookup."""
    errors: list[dict] = []
    out: dict[str, int] = {}
    code = None
    for i, row in _rows(body):
        if code is None:
            code = _column(set(row), LOOKUP["lsoa"])
            if code is None or "population" not in row:
                raise Problem(422, "Invalid population", "Required columns are missing.",
                              errors=[{"loc": ["body", "header", c], "msg": "missing column"}
                                      for c in ("lsoa21cd", "population")
                                      if c not in row and not (c == "lsoa21cd" and code)])
        lsoa, value = row.get(code, ""), row.get("population", "")
        if lsoa not in known:
            errors.append({"loc": ["body", i, code], "msg": "not an LSOA of the lookup"})
        elif lsoa in out:
            errors.append({"loc": ["body", i, code], "msg": "repeated"})
        if not value.isdigit():
            errors.append({"loc": ["body", i, "population"],
                           "msg": "not a whole number of residents"})
        elif lsoa in known:
            out[lsoa] = int(value)
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise Problem(422, "Invalid population", f"{len(errors)} rows are invalid.",
                      errors=errors)
    return [{"lsoa": k, "population": v} for k, v in out.items()]
