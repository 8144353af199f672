"""Partner datasets (ids, partners and levels as in deploy/config/registry.yaml) built
from the population, with errors in every partner copy except the GP list."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from synthetic.errors import Corruptor
from synthetic.events import Event
from synthetic.people import Address, Person, Population
from synthetic.truth import RecordTruth

GP, SCHOOL, POLICE, CSC, HOUSING = ("gp-p81001", "school-census", "police-callouts",
                                    "csc-contacts", "housing-tenancies")
PARTNER_OF = {GP: "gp-p81001", SCHOOL: "schools-la", POLICE: "police-gmp", CSC: "csc-la",
              HOUSING: "housing-fch"}
LEVEL_OF = {GP: "person", SCHOOL: "person", POLICE: "property", CSC: "person",
            HOUSING: "person"}
CODES_OF = {GP: tuple(f"GP{i}" for i in range(1, 9)),
            SCHOOL: tuple(f"SCH{i}" for i in range(1, 5)),
            POLICE: tuple(f"POL{i}" for i in range(1, 4)),
            CSC: tuple(f"CSC{i}" for i in range(1, 5)),
            HOUSING: tuple(f"HOU{i}" for i in range(1, 5))}
DATASETS = (GP, SCHOOL, CSC, HOUSING, POLICE)
# probability that a partner's copy carries the NHS number / the UPRN
NHS_P = {GP: 1.0, SCHOOL: 0.0, CSC: 0.6, HOUSING: 0.0}
UPRN_P = {GP: 0.35, SCHOOL: 0.0, CSC: 0.2, HOUSING: 1.0, POLICE: 0.4}
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"
NOTICE_VERSION = "gp-p81001-privacy-notice-v3"


@dataclass
class PartnerDataset:
    partner: str
    dataset: str
    level: str
    identities: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    optouts: list[dict] = field(default_factory=list)


def local_id(dataset: str, n: int, household_no: int = 0) -> str:
    if dataset == GP:
        return f"EMIS-{n:06d}"
    if dataset == SCHOOL:
        return f"{UPN_LETTERS[n % len(UPN_LETTERS)]}353{n:09d}"
    if dataset == CSC:
        return f"LCS{100000 + n}"
    if dataset == HOUSING:
        return f"FCH-T{household_no:05d}-{n:02d}"
    return f"GMP-PROP-{n:06d}"


def true_identity(person: Person, address: Address) -> dict:
    """The person's identity as the API.md identity row shape (no local_id)."""
    return {"given_name": person.given_name, "family_name": person.family_name,
            "date_of_birth": person.date_of_birth.isoformat(), "sex": person.sex,
            "address": address.text, "postcode": address.postcode}


class DatasetBuilder:
    def __init__(self, rng: random.Random, pop: Population, corruptor: Corruptor):
        self.rng = rng
        self.pop = pop
        self.corrupt = corruptor
        self.records: dict[tuple[str, str, str], RecordTruth] = {}

    def _row(self, dataset: str, lid: str, person: Person) -> dict:
        address = self.pop.addresses[person.address_id]
        row = {"local_id": lid, **true_identity(person, address)}
        if self.rng.random() < NHS_P[dataset]:
            row["nhs_number"] = person.nhs_number
        if address.uprn and self.rng.random() < UPRN_P[dataset]:
            row["uprn"] = address.uprn
        return row

    def _events(self, ds: PartnerDataset, pairs: list[tuple[str, Event]]) -> None:
        self.rng.shuffle(pairs)
        prefix = ds.dataset.split("-")[0].upper()
        for n, (lid, event) in enumerate(pairs, start=1):
            ds.events.append({"local_id": lid, "code": event.code,
                              "occurred_on": event.occurred_on.isoformat(),
                              "event_id": f"{prefix}-E{n:07d}"})

    def person_dataset(self, dataset: str, members: list[str],
                       events: dict[str, dict[str, list[Event]]],
                       moved_in: dict[str, str]) -> PartnerDataset:
        """`members`: person ids enrolled; `moved_in`: person id -> dataset with the old address."""
        partner = PARTNER_OF[dataset]
        ds = PartnerDataset(partner, dataset, "person")
        members = list(members)
        self.rng.shuffle(members)
        tenancy_no: dict[str, int] = {}
        tenancy_size: dict[str, int] = {}
        pairs: list[tuple[str, Event]] = []
        for n, pid in enumerate(members, start=1):
            person = self.pop.people[pid]
            if dataset == HOUSING:
                hh = person.household_id or ""
                tenancy_no.setdefault(hh, len(tenancy_no) + 1)
                tenancy_size[hh] = tenancy_size.get(hh, 0) + 1
                lid = local_id(dataset, tenancy_size[hh], tenancy_no[hh])
            else:
                lid = local_id(dataset, n)
            row = self._row(dataset, lid, person)
            error = None
            if dataset != GP:
                moved = None
                if moved_in.get(pid) == dataset:
                    old = self.pop.addresses[person.previous_address_id]
                    moved = (old.text, old.postcode)
                row, error = self.corrupt(row, moved, force_moved=moved is not None)
            ds.identities.append(row)
            self.records[(partner, dataset, lid)] = RecordTruth(
                "person", person_id=pid, household_id=person.household_id,
                institution_id=person.institution_id, error=error)
            pairs.extend((lid, e) for e in events.get(pid, {}).get(dataset, []))
        self._events(ds, pairs)
        return ds

    def police(self, property_events: dict[str, list[Event]]) -> PartnerDataset:
        """`property_events`: household or institution id -> call-outs at its address."""
        partner = PARTNER_OF[POLICE]
        ds = PartnerDataset(partner, POLICE, "property")
        owners = sorted(property_events)
        self.rng.shuffle(owners)
        pairs: list[tuple[str, Event]] = []
        for n, owner in enumerate(owners, start=1):
            lid = local_id(POLICE, n)
            if owner in self.pop.households:
                address_id, hh, inst = self.pop.households[owner].address_id, owner, None
            else:
                address_id, hh, inst = self.pop.institutions[owner].address_id, None, owner
            address = self.pop.addresses[address_id]
            row = {"local_id": lid, "address": address.text, "postcode": address.postcode}
            if address.uprn and self.rng.random() < UPRN_P[POLICE]:
                row["uprn"] = address.uprn
            if self.rng.random() < 0.1:
                row["address"] = row["address"].upper()
            ds.identities.append(row)
            self.records[(partner, POLICE, lid)] = RecordTruth(
                "property", household_id=hh, institution_id=inst)
            pairs.extend((lid, e) for e in property_events[owner])
        self._events(ds, pairs)
        return ds

    def optouts(self, gp: PartnerDataset, person_ids: set[str]) -> None:
        by_person = {rec.person_id: key[2] for key, rec in self.records.items()
                     if key[1] == GP}
        wanted = {by_person[pid] for pid in person_ids}
        for row in gp.identities:
            if row["local_id"] in wanted:
                gp.optouts.append({**row, "scope": "all",
                                   "evidence": f"Type 1 opt-out form, ref OF-{row['local_id'][5:]}",
                                   "notice_version": NOTICE_VERSION})
