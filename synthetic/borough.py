"""generate_borough: the one synthetic borough, deterministic for a seed."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from faker import Faker

from synthetic.errors import Corruptor
from synthetic.events import CODE_RULES, Calendar, Event, person_events, property_events
from synthetic.geography import Geography, build_geography
from synthetic.partners import (
    CSC,
    GP,
    HOUSING,
    SCHOOL,
    DatasetBuilder,
    PartnerDataset,
    true_identity,
)
from synthetic.people import MODERATE, Population
from synthetic.population import build_population
from synthetic.trajectories import follow_up
from synthetic.truth import OldhamRule, Truth

CSC_P = (0.03, 0.5, 0.9)


@dataclass
class Borough:
    seed: int
    as_of: date
    population: Population
    datasets: list[PartnerDataset]
    truth: Truth

    def uploads(self) -> Iterator[tuple[str, str, str, list[dict]]]:
        """(partner, dataset, kind, rows), identities before events before opt-outs."""
        for ds in self.datasets:
            for kind in ("identities", "events", "optouts"):
                rows = getattr(ds, kind)
                if rows:
                    yield ds.partner, ds.dataset, kind, [dict(r) for r in rows]

    @cached_property
    def geography(self) -> Geography:
        """The postcode lookup and population per LSOA a council would supply."""
        return build_geography(self.population)

    def dataset(self, dataset: str) -> PartnerDataset:
        return next(d for d in self.datasets if d.dataset == dataset)

    def identity(self, person_id: str) -> dict:
        person = self.population.people[person_id]
        return true_identity(person, self.population.addresses[person.address_id])


def _enrol(rng: random.Random, pop: Population, as_of: date,
           gp_coverage: float) -> dict[str, list[str]]:
    enrol: dict[str, list[str]] = {}
    for pid, person in pop.people.items():
        age, cared = person.age(as_of), person.institution_id is not None
        out = []
        if cared or rng.random() < gp_coverage:
            out.append(GP)
        if 4 <= age <= 16 and rng.random() < 0.98:
            out.append(SCHOOL)
        if age <= 17 and (cared or rng.random() < CSC_P[person.complexity]):
            out.append(CSC)
        hh = pop.households.get(person.household_id or "")
        if hh is not None and hh.social_tenant and age >= 18 and rng.random() < 0.95:
            out.append(HOUSING)
        enrol[pid] = out
    return enrol


def generate_borough(seed: int, households: int, as_of: date, *, error_rate: float = 0.15,
                     noise_rate: float = 0.1, gp_coverage: float = 0.97,
                     optout_rate: float = 0.015, move_share: float = 0.6,
                     margin_days: int = 3, follow_up_months: int = 0,
                     follow_up_until: date | None = None) -> Borough:
    """Build a borough of `households` households plus one children's home.

    Independent random streams (population, events, errors) are derived from `seed`, so
    changing the error rate does not change who lives where or what happened to them.
    With `follow_up_months`, each household with demand gets a trajectory after as_of
    (synthetic/trajectories.py) and its events over those months (none after
    `follow_up_until`, such as today: partners send no future events); the borough up to
    as_of is the same.
    """
    rng_pop = random.Random(f"{seed}:population")
    rng_events = random.Random(f"{seed}:events")
    rng_data = random.Random(f"{seed}:datasets")
    faker = Faker("en_GB")
    faker.seed_instance(seed)
    pop = build_population(rng_pop, faker, households, as_of)
    cal = Calendar(as_of, margin_days)

    enrol = _enrol(rng_events, pop, as_of, gp_coverage)
    events: dict[str, dict[str, list[Event]]] = {}
    for pid, person in pop.people.items():
        events[pid] = person_events(rng_events, cal, enrol[pid], person.age(as_of),
                                    person.complexity)
    prop: dict[str, list[Event]] = {}
    for hid, hh in pop.households.items():
        if found := property_events(rng_events, cal, hh.complexity):
            prop[hid] = found
    for iid in pop.institutions:
        if found := property_events(rng_events, cal, MODERATE):
            prop[iid] = found

    moved_in: dict[str, str] = {}
    for pid in sorted(pop.people):
        person = pop.people[pid]
        others = [d for d in enrol[pid] if d != GP]
        if person.previous_address_id and others and rng_data.random() < move_share:
            moved_in[pid] = rng_data.choice(others)

    builder = DatasetBuilder(rng_data, pop, Corruptor(rng_data, error_rate, noise_rate))
    datasets = [builder.person_dataset(ds, [p for p in pop.people if ds in enrol[p]],
                                       events, moved_in)
                for ds in (GP, SCHOOL, CSC, HOUSING)]
    datasets.append(builder.police(prop))

    truth = Truth(
        as_of=as_of, records=builder.records,
        household_of={pid: p.household_id for pid, p in pop.people.items()},
        institutions={iid: list(i.person_ids) for iid, i in pop.institutions.items()},
        optouts=set(),
        person_events={pid: sorted(e for evs in per.values() for e in evs)
                       for pid, per in events.items()},
        property_events=prop, twins=list(pop.twins))
    truth.optouts = _choose_optouts(rng_data, truth, [p for p in pop.people if GP in enrol[p]],
                                    optout_rate)
    builder.optouts(datasets[0], truth.optouts)
    if follow_up_months:
        _follow(truth, datasets, pop, seed, follow_up_months, follow_up_until)
    return Borough(seed, as_of, pop, datasets, truth)


def _follow(truth: Truth, datasets: list[PartnerDataset], pop: Population, seed: int,
            months: int, until: date | None) -> None:
    """The months after as_of, added after everything up to as_of is drawn and written, so
    that part (records, errors, opt-outs) is the same as without them."""
    members: dict[str, list[str]] = {}
    for pid, person in pop.people.items():
        if person.household_id is not None:
            members.setdefault(person.household_id, []).append(pid)
    more = follow_up(random.Random(f"{seed}:follow-up"), truth.as_of, months, until,
                     members, {pid: _by_dataset(truth, pid) for pid in truth.person_events},
                     truth.property_events)
    truth.trajectories = more.trajectories
    local = {(r.person_id if r.level == "person" else r.household_id, dataset): lid
             for (_, dataset, lid), r in sorted(truth.records.items())}
    for ds in datasets:
        rows = []
        if ds.level == "person":
            for pid, per in sorted(more.person_events.items()):
                rows += [(local[(pid, ds.dataset)], e) for e in per.get(ds.dataset, [])]
        else:
            for hid, events in sorted(more.property_events.items()):
                rows += [(local[(hid, ds.dataset)], e) for e in events]
        prefix = ds.dataset.split("-")[0].upper()
        for n, (lid, event) in enumerate(sorted(rows), start=len(ds.events) + 1):
            ds.events.append({"local_id": lid, "code": event.code,
                              "occurred_on": event.occurred_on.isoformat(),
                              "event_id": f"{prefix}-E{n:07d}"})
    for pid, per in more.person_events.items():
        truth.person_events[pid] = sorted(
            [*truth.person_events[pid], *(e for evs in per.values() for e in evs)])
    for hid, events in more.property_events.items():
        truth.property_events[hid] = sorted([*truth.property_events[hid], *events])


def _choose_optouts(rng: random.Random, truth: Truth, gp_people: list[str],
                    rate: float) -> set[str]:
    """About `rate` of the GP list; one of them would otherwise be flagged, so the
    exclusion is exercised whenever anyone is flagged."""
    count = max(1, round(rate * len(gp_people)))
    would_flag = sorted(truth.flagged(OldhamRule()) & set(gp_people))
    chosen = {rng.choice(would_flag)} if would_flag else set()
    rest = sorted(set(gp_people) - chosen)
    chosen.update(rng.sample(rest, min(len(rest), count - len(chosen))))
    return chosen



def _by_dataset(truth: Truth, pid: str) -> dict[str, list[Event]]:
    """A person's true events per dataset (each code belongs to one dataset)."""
    out: dict[str, list[Event]] = {}
    for e in truth.person_events.get(pid, ()):
        dataset = next(d for d, rules in CODE_RULES.items() if any(r.code == e.code
                                                                   for r in rules))
        out.setdefault(dataset, []).append(e)
    return out
