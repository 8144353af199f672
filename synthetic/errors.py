"""Realistic errors in partner copies of an identity, and the check that each record
deviates from the true identity in at most one of: given name, family name, date of
birth, postcode/address. Casing and whitespace noise are free."""

from __future__ import annotations

import random
import string
from datetime import date

from synthetic.names import NICKNAMES

ERROR_KINDS = ("typo_given", "typo_family", "nickname", "dob_swap", "missing_postcode",
               "missing_sex", "moved")
ERROR_WEIGHTS = {"typo_given": 14, "typo_family": 14, "nickname": 16, "dob_swap": 10,
                 "missing_postcode": 14, "missing_sex": 10, "moved": 40}
FIELDS = ("given_name", "family_name", "date_of_birth", "address")


def typo(rng: random.Random, name: str) -> str:
    """One substitution, insertion or deletion of a letter (never the first character)."""
    positions = [i for i, ch in enumerate(name) if ch.isalpha() and i > 0]
    pos = rng.choice(positions)
    kind = rng.choice(("sub", "ins", "del"))
    if kind == "del":
        return name[:pos] + name[pos + 1:]
    letter = rng.choice(string.ascii_lowercase)
    if kind == "sub":
        while letter == name[pos].lower():
            letter = rng.choice(string.ascii_lowercase)
        letter = letter.upper() if name[pos].isupper() else letter
        return name[:pos] + letter + name[pos + 1:]
    return name[:pos] + letter + name[pos:]


def can_typo(name: str | None) -> bool:
    return bool(name) and sum(ch.isalpha() for ch in name) >= 4


def swap_day_month(day: date) -> date | None:
    if day.day > 12 or day.day == day.month:
        return None
    try:
        return date(day.year, day.day, day.month)
    except ValueError:
        return None


def applicable(row: dict, moved_address: tuple[str, str] | None) -> list[str]:
    out = []
    if can_typo(row.get("given_name")):
        out.append("typo_given")
    if can_typo(row.get("family_name")):
        out.append("typo_family")
    if row.get("given_name") in NICKNAMES:
        out.append("nickname")
    if swap_day_month(date.fromisoformat(row["date_of_birth"])):
        out.append("dob_swap")
    if row.get("postcode"):
        out.append("missing_postcode")
    if row.get("sex"):
        out.append("missing_sex")
    if moved_address is not None:
        out.append("moved")
    return out


def apply_error(rng: random.Random, row: dict, kind: str,
                moved_address: tuple[str, str] | None = None) -> dict:
    row = dict(row)
    if kind == "typo_given":
        row["given_name"] = typo(rng, row["given_name"])
    elif kind == "typo_family":
        row["family_name"] = typo(rng, row["family_name"])
    elif kind == "nickname":
        row["given_name"] = rng.choice(NICKNAMES[row["given_name"]])
    elif kind == "dob_swap":
        row["date_of_birth"] = swap_day_month(date.fromisoformat(row["date_of_birth"])).isoformat()
    elif kind == "missing_postcode":
        row["postcode"] = None
    elif kind == "missing_sex":
        row["sex"] = None
    elif kind == "moved":
        row["address"], row["postcode"] = moved_address
        row.pop("uprn", None)
    else:
        raise ValueError(kind)
    return row


def noise(rng: random.Random, row: dict) -> dict:
    """Casing and whitespace noise (free: it changes nothing after normalisation)."""
    row = dict(row)
    kind = rng.choice(("upper_family", "lower_names", "spaces", "postcode", "upper_all"))
    if kind == "upper_family" and row.get("family_name"):
        row["family_name"] = row["family_name"].upper()
    elif kind == "lower_names":
        for key in ("given_name", "family_name"):
            if row.get(key):
                row[key] = row[key].lower()
    elif kind == "spaces":
        for key in ("given_name", "family_name", "address"):
            if row.get(key):
                row[key] = f" {row[key].replace(' ', '  ', 1)} "
    elif kind == "postcode" and row.get("postcode"):
        pc = row["postcode"]
        row["postcode"] = rng.choice((pc.replace(" ", ""), pc.lower(), f"{pc} "))
    elif kind == "upper_all":
        for key in ("given_name", "family_name", "address", "postcode"):
            if row.get(key):
                row[key] = row[key].upper()
    return row


def normalise(value: str | None) -> str | None:
    if value is None:
        return None
    return " ".join(value.split()).casefold()


def normalise_postcode(value: str | None) -> str | None:
    return None if value is None else "".join(value.split()).upper()


def deviations(row: dict, truth: dict) -> set[str]:
    """Which identity fields of `row` differ from the true identity (after normalisation)."""
    out = set()
    for key in ("given_name", "family_name"):
        if normalise(row.get(key)) != normalise(truth.get(key)):
            out.add(key)
    if row.get("date_of_birth") != truth.get("date_of_birth"):
        out.add("date_of_birth")
    if (normalise(row.get("address")) != normalise(truth.get("address"))
            or normalise_postcode(row.get("postcode")) != normalise_postcode(truth.get("postcode"))):
        out.add("address")
    return out


class Corruptor:
    """Applies at most one error per record (rate `error_rate`) plus free noise."""

    def __init__(self, rng: random.Random, error_rate: float = 0.15, noise_rate: float = 0.1):
        self.rng = rng
        self.error_rate = error_rate
        self.noise_rate = noise_rate

    def __call__(self, row: dict, moved_address: tuple[str, str] | None = None,
                 force_moved: bool = False) -> tuple[dict, str | None]:
        kind = None
        if force_moved and moved_address is not None:
            kind = "moved"
        elif self.rng.random() < self.error_rate:
            kinds = applicable(row, moved_address)
            if kinds:
                kind = self.rng.choices(kinds, [ERROR_WEIGHTS[k] for k in kinds])[0]
        if kind is not None:
            row = apply_error(self.rng, row, kind, moved_address)
        if self.rng.random() < self.noise_rate:
            row = noise(self.rng, row)
        return row, kind
