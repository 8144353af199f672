"""HTTP response models of the linker (aggregates only: no pseudonyms, no codes)."""

from __future__ import annotations

from pydantic import BaseModel

from services.common.disclosure import DisclosureNote


class AreaDemand(BaseModel):
    area: str | None
    dataset: str
    events: int | None
    persons: int | None
    suppressed: bool


class Concentration(BaseModel):
    persons: int | None
    events: int | None
    top_1_percent: float | None
    top_5_percent: float | None
    top_10_percent: float | None
    suppressed: bool


class DemandReport(BaseModel):
    areas: list[AreaDemand]
    concentration: Concentration
    disclosure: DisclosureNote
