"""HTTP response models of the linker (aggregates only: no pseudonyms, no codes)."""

from __future__ import annotations

from pydantic import BaseModel, Field

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


class GroupSeries(BaseModel):
    group: str = Field(description="'all', a category or a headline problem.")
    months: list[int | None] = Field(description="Events in each month asked for; null "
                                     "where hidden.")
    events: int | None = Field(description="Events over the months: their sum, null when "
                               "any month is hidden.")
    per_1000_residents: float | None = Field(description="Events over the months per 1,000 "
                                             "residents.")


class AreaSeries(BaseModel):
    area: str = Field(description="The area's code ('all': the whole council).")
    name: str | None
    population: int | None = Field(description="Residents, from the council's denominators.")
    groups: list[GroupSeries]


class AreaProfile(BaseModel):
    level: str
    by: str
    months: list[str] = Field(description="The months of every series, oldest first.")
    areas: list[AreaSeries]
    overall: AreaSeries
    disclosure: DisclosureNote = Field(description="The rule as applied to the month tables "
                                       "this response shows part of.")


class TopShare(BaseModel):
    residents_percent: float = Field(description="x: the x% of residents with most demand.")
    demand_share: float | None = Field(description="y: their share of all demand; null when "
                                       "fewer than k residents with demand would be described.")


class AreaConcentration(BaseModel):
    area: str
    name: str | None
    population: int | None
    persons_with_demand: int | None
    share_with_demand: float | None = Field(description="Residents with any demand, a share.")
    top: list[TopShare]
    lorenz: list[tuple[float, float]] = Field(description="The Lorenz curve: (share of "
                                              "residents, share of demand), least demand first.")
    gini: float | None
    suppressed: bool


class ConcentrationProfile(BaseModel):
    level: str
    areas: list[AreaConcentration]
    overall: AreaConcentration
    disclosure: DisclosureNote


class LookupLoaded(BaseModel):
    lsoas: int
    wards: int
    localities: int


class PopulationLoaded(BaseModel):
    lsoas: int
    residents: int
