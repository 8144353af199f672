"""The borough's geography, as a council would supply it: a postcode lookup in the shape of
the ONS Postcode Directory (postcode to LSOA, ward and locality) and the resident population
of each LSOA; with the true demand of each area, to check rates against.

LSOAs here are the postcodes of one postcode sector on streets of one locality, wards are
the localities of the address book and the council's localities group wards, so every LSOA
lies in one ward and every ward in one locality (as ONS best-fit lookups make them).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from synthetic.people import Population

# the council's localities, each a group of wards (the address book's localities)
LOCALITY_OF_WARD = {
    "Oldham": "Oldham Central", "Shaw": "North", "Royton": "North", "Lees": "East",
    "Springhead": "East", "Grotton": "East", "Hathershaw": "South", "Limeside": "South",
    "Chadderton": "West",
}
LOOKUP_COLUMNS = ("pcds", "lsoa21cd", "lsoa21nm", "wd24cd", "wd24nm", "locality")
POPULATION_COLUMNS = ("lsoa21cd", "population")


@dataclass(frozen=True)
class Geography:
    lsoa_of_postcode: dict[str, str]
    ward_of_lsoa: dict[str, str]  # ward code
    ward_names: dict[str, str]
    locality_of_ward: dict[str, str]
    lsoa_names: dict[str, str]
    population: dict[str, int]  # residents per LSOA

    def area_of(self, lsoa: str, level: str) -> str:
        """The LSOA's area at `level` (lsoa, ward or locality)."""
        if level == "lsoa":
            return lsoa
        ward = self.ward_of_lsoa[lsoa]
        return ward if level == "ward" else self.locality_of_ward[ward]

    def residents(self, level: str) -> dict[str, int]:
        out: Counter = Counter()
        for lsoa, n in self.population.items():
            out[self.area_of(lsoa, level)] += n
        return dict(out)

    def lookup_csv(self) -> str:
        """The postcode lookup, one row per postcode, as ONSPD columns plus the locality."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(LOOKUP_COLUMNS)
        for pc in sorted(self.lsoa_of_postcode):
            lsoa = self.lsoa_of_postcode[pc]
            ward = self.ward_of_lsoa[lsoa]
            writer.writerow((pc, lsoa, self.lsoa_names[lsoa], ward, self.ward_names[ward],
                             self.locality_of_ward[ward]))
        return buf.getvalue()

    def population_csv(self) -> str:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(POPULATION_COLUMNS)
        writer.writerows(sorted(self.population.items()))
        return buf.getvalue()


def build_geography(pop: Population) -> Geography:
    """Codes are given in sorted order of what they stand for, so they are the same for the
    same borough."""
    groups: dict[str, tuple[str, str]] = {}  # postcode -> (sector, ward name)
    for address in pop.addresses.values():
        groups[address.postcode] = (address.postcode[:-2], address.locality)
    wards = sorted({w for _, w in groups.values()})
    ward_code = {w: f"E05{9000 + i:06d}" for i, w in enumerate(wards)}
    keys = sorted(set(groups.values()))
    lsoa_code = {key: f"E01{9000 + i:06d}" for i, key in enumerate(keys)}
    lsoa_of_postcode = {pc: lsoa_code[key] for pc, key in groups.items()}
    residents: Counter = Counter()
    for person in pop.people.values():
        residents[lsoa_of_postcode[pop.addresses[person.address_id].postcode]] += 1
    return Geography(
        lsoa_of_postcode=lsoa_of_postcode,
        ward_of_lsoa={lsoa_code[k]: ward_code[k[1]] for k in keys},
        ward_names={c: w for w, c in ward_code.items()},
        locality_of_ward={c: LOCALITY_OF_WARD[w] for w, c in ward_code.items()},
        lsoa_names={lsoa_code[k]: f"{k[1]} {k[0]}" for k in keys},
        population={lsoa: residents.get(lsoa, 0) for lsoa in lsoa_code.values()})


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def true_demand(borough, level: str, exclude: Iterable[str] = ()) -> Counter:
    """Events per (area at `level`, month): each person's events at their current address,
    each property's call-outs at its address; `exclude`: person ids left out (opted out)."""
    geo, pop, truth = borough.geography, borough.population, borough.truth
    excluded = set(exclude)
    out: Counter = Counter()

    def add(address_id: str, events) -> None:
        area = geo.area_of(geo.lsoa_of_postcode[pop.addresses[address_id].postcode], level)
        for e in events:
            out[(area, month_of(e.occurred_on))] += 1

    for pid, events in truth.person_events.items():
        if pid not in excluded:
            add(pop.people[pid].address_id, events)
    for owner, events in truth.property_events.items():
        place = pop.households.get(owner) or pop.institutions[owner]
        add(place.address_id, events)
    return out
