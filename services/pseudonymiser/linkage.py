"""Record linkage behind a small interface, so a probabilistic model can replace the rules.

A `Features` value is what matching sees of one identity record (normalised forms
only). A `Linker` says which dates of birth to block on and whether two records
belong to the same person. `DeterministicRules` links when sex is compatible and
at most one of given name, family name, date of birth and postcode deviates, each
deviation being of an allowed kind; two clearly different given names never link.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from services.pseudonymiser import nicknames


@dataclass(frozen=True)
class Features:
    given: str | None = None
    given_first: str | None = None
    family: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    postcode: str | None = None
    nhs_number: str | None = None


class Linker(Protocol):
    def blocking_dates(self, dob: date | None) -> list[date]: ...

    def is_match(self, new: Features, held: Features) -> bool: ...


class Agreement(enum.Enum):
    equal = 0
    close = 1  # an allowed deviation
    different = 2  # never link


def swap_day_month(d: date) -> date | None:
    if d.day == d.month or d.day > 12:
        return None
    try:
        return date(d.year, d.day, d.month)
    except ValueError:
        return None


def damerau_levenshtein(a: str, b: str) -> int:
    """Optimal string alignment distance (insert, delete, substitute, swap neighbours)."""
    if a == b:
        return 0
    rows = [list(range(len(b) + 1))]
    for i in range(1, len(a) + 1):
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(rows[i - 1][j] + 1, row[j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                row[j] = min(row[j], rows[i - 2][j - 2] + 1)
        rows.append(row)
    return rows[-1][-1]


_SOUNDEX = {**dict.fromkeys("BFPV", "1"), **dict.fromkeys("CGJKQSXZ", "2"),
            **dict.fromkeys("DT", "3"), "L": "4", **dict.fromkeys("MN", "5"), "R": "6"}


def soundex(value: str) -> str:
    """American Soundex of an upper-case, letters-only name."""
    if not value:
        return ""
    out = value[0]
    last = _SOUNDEX.get(value[0], "")
    for ch in value[1:]:
        code = _SOUNDEX.get(ch, "")
        if code and code != last:
            out += code
        if ch not in "HW":
            last = code
    return (out + "000")[:4]


def compare_given(a: Features, b: Features) -> Agreement:
    if not a.given or not b.given:
        return Agreement.close
    if a.given == b.given:
        return Agreement.equal
    x, y = a.given, b.given
    if nicknames.equivalent(x, y):
        return Agreement.close
    if a.given_first and b.given_first and (
        a.given_first == b.given_first or nicknames.equivalent(a.given_first, b.given_first)
    ):
        return Agreement.close  # "Mary Ann" and "Mary"
    if min(len(x), len(y)) >= 4 and damerau_levenshtein(x, y) == 1:
        return Agreement.close
    if (len(x) == 1 or len(y) == 1) and x[0] == y[0]:
        return Agreement.close  # an initial only
    return Agreement.different


def compare_family(a: Features, b: Features) -> Agreement:
    if not a.family or not b.family:
        return Agreement.close
    if a.family == b.family:
        return Agreement.equal
    if damerau_levenshtein(a.family, b.family) == 1 or soundex(a.family) == soundex(b.family):
        return Agreement.close
    return Agreement.different


def compare_dob(a: Features, b: Features) -> Agreement:
    if a.date_of_birth is None or b.date_of_birth is None:
        return Agreement.close
    if a.date_of_birth == b.date_of_birth:
        return Agreement.equal
    if swap_day_month(a.date_of_birth) == b.date_of_birth:
        return Agreement.close
    return Agreement.different


def compare_postcode(a: Features, b: Features) -> Agreement:
    if a.postcode and a.postcode == b.postcode:
        return Agreement.equal
    return Agreement.close  # different or missing: a mover, or a partner without it


def sex_compatible(a: Features, b: Features) -> bool:
    return a.sex is None or b.sex is None or a.sex == b.sex


class DeterministicRules:
    """At most one allowed deviation among given name, family name, dob and postcode."""

    max_deviations = 1

    def blocking_dates(self, dob: date | None) -> list[date]:
        if dob is None:
            return []
        swapped = swap_day_month(dob)
        return [dob, swapped] if swapped else [dob]

    def is_match(self, new: Features, held: Features) -> bool:
        if new.nhs_number and new.nhs_number == held.nhs_number:
            return True
        if new.date_of_birth is None or held.date_of_birth is None:
            return False  # without a date of birth only the NHS number links
        if not sex_compatible(new, held):
            return False
        deviations = 0
        for compare in (compare_given, compare_family, compare_dob, compare_postcode):
            agreement = compare(new, held)
            if agreement is Agreement.different:
                return False
            if agreement is Agreement.close:
                deviations += 1
                if deviations > self.max_deviations:
                    return False
        return True
