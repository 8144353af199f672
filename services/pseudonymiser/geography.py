"""The council's postcode lookup: each postcode's LSOA, read from a CSV in the ONS Postcode
Directory's shape; households take the LSOA of their postcode, and assignments carry it so
the linker can profile demand by area finer than a postcode district (docs/outcomes.md)."""

from __future__ import annotations

import csv
import io

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import messages as m
from services.common.problems import Problem
from services.pseudonymiser import normalise
from services.pseudonymiser import repository as repo
from services.pseudonymiser.assignment import assign

POSTCODE = ("pcds", "pcd", "pcd2", "postcode")
LSOA = ("lsoa21cd", "lsoa21", "lsoa11cd", "lsoa11", "lsoa")
MAX_ERRORS = 50


def parse(body: bytes) -> list[dict]:
    """(postcode, LSOA) rows, postcodes normalised as records' are; other columns ignored."""
    try:
        reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    except UnicodeDecodeError as exc:
        raise Problem(400, "Unreadable CSV", "The body is not UTF-8 text.") from exc
    header = [(h or "").strip().lower() for h in reader.fieldnames or []]
    pc = next((h for h in POSTCODE if h in header), None)
    lsoa = next((h for h in LSOA if h in header), None)
    if pc is None or lsoa is None:
        raise Problem(422, "Invalid postcode lookup", "Required columns are missing.",
                      errors=[{"loc": ["body", "header", name], "msg": "missing column"}
                              for name, found in (("pcds", pc), ("lsoa21cd", lsoa))
                              if found is None])
    out: dict[str, str] = {}
    errors: list[dict] = []
    for i, raw in enumerate(reader):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        postcode, code = normalise.postcode(row.get(pc)), row.get(lsoa, "")
        if not postcode or " " not in postcode or len(postcode) > 10:
            errors.append({"loc": ["body", i, pc], "msg": "not a postcode"})
        if not code or len(code) > 12:
            errors.append({"loc": ["body", i, lsoa], "msg": "not an LSOA code"})
        if len(errors) >= MAX_ERRORS:
            break
        if postcode and code:
            out[postcode] = code
    if errors:
        raise Problem(422, "Invalid postcode lookup", f"{len(errors)} rows are invalid.",
                      errors=errors)
    return [{"postcode": k, "lsoa": v} for k, v in out.items()]


async def load(session: AsyncSession, rows: list[dict]) -> tuple[int, list[m.Assignment]]:
    """Replace the lookup and re-place every household; returns how many households moved
    to another LSOA and the re-assignments of their records (to publish in the same
    transaction)."""
    await repo.replace_postcode_areas(session, rows)
    moved = await repo.relocate_households(session)
    persons, tokens = await repo.living_in(session, moved)
    return len(moved), await assign(session, tokens, persons)
