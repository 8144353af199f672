"""Builds households (adults, children, twins), one children's home and NHS numbers."""

from __future__ import annotations

import random
from datetime import date

import jellyfish
from faker import Faker

from synthetic.names import NameSource, nickname_equivalent
from synthetic.people import (
    DISTRICTS,
    HIGH,
    MODERATE,
    NONE,
    AddressBook,
    Household,
    Institution,
    Person,
    Population,
    birth_date,
    nhs_check_digit,
)

KINDS = ("single", "couple", "couple_kids", "single_parent", "multigen", "sharers")
KIND_WEIGHTS = (27, 23, 28, 12, 6, 4)
COMPLEXITY_WEIGHTS = {"single_parent": (58, 28, 14), "couple_kids": (74, 18, 8),
                      "multigen": (72, 20, 8)}
OTHER_COMPLEXITY = (86, 11, 3)
TENANT_P = (0.2, 0.45, 0.75)


def distinct_twin_names(a: str, b: str) -> bool:
    return (not nickname_equivalent(a, b)
            and jellyfish.levenshtein_distance(a.casefold(), b.casefold()) >= 3)


class Builder:
    def __init__(self, rng: random.Random, faker: Faker, as_of: date):
        self.rng = rng
        self.as_of = as_of
        self.names = NameSource(rng, faker)
        self.book = AddressBook(rng)
        self.people: dict[str, Person] = {}
        self.households: dict[str, Household] = {}
        self.institutions: dict[str, Institution] = {}
        self.twins: list[tuple[str, str]] = []

    # --- people ---------------------------------------------------------------------

    def person(self, hh: Household | None, given: str, family: str, sex: str, age: int,
               address_id: str, complexity: int) -> Person:
        p = Person(f"P{len(self.people) + 1:06d}", given, family, sex,
                   birth_date(self.rng, self.as_of, age), address_id,
                   hh.id if hh else None, complexity=complexity)
        self.people[p.id] = p
        if hh is not None:
            hh.person_ids.append(p.id)
        return p

    def member_complexity(self, hh: Household) -> int:
        level = hh.complexity
        if level > NONE and self.rng.random() < 0.25:
            level -= 1
        return level

    def adult(self, hh: Household, family: str, sex: str, age: int) -> Person:
        given = self.unique_given(hh, hh.culture, sex)
        return self.person(hh, given, family, sex, age, hh.address_id,
                           self.member_complexity(hh))

    def unique_given(self, hh: Household, culture: str, sex: str) -> str:
        taken = {self.people[i].given_name for i in hh.person_ids}
        while True:
            name = self.names.given(culture, sex)
            if name not in taken:
                return name

    def sex(self) -> str:
        return self.rng.choice("FM")

    def children(self, hh: Household, family: str, mother_age: int, count: int) -> None:
        low, high = max(0, mother_age - 44), min(17, mother_age - 18)
        if high < low:
            return
        twins_at = self.rng.randrange(count) if self.rng.random() < 0.03 else -1
        for i in range(count):
            sex = self.sex()
            child = self.adult(hh, self.names.child_family(hh.culture, family, sex), sex,
                               self.rng.randint(low, high))
            if i == twins_at:
                self.add_twin(hh, child)

    def add_twin(self, hh: Household, child: Person) -> Person:
        # gendered surnames (Kowalski/Kowalska) would differ; keep twins' surname equal
        sex = child.sex if hh.culture == "polish" else self.sex()
        while True:
            given = self.unique_given(hh, hh.culture, sex)
            if distinct_twin_names(given, child.given_name):
                break
        twin = self.person(hh, given, child.family_name, sex, 0, hh.address_id,
                           child.complexity)
        twin.date_of_birth = child.date_of_birth
        self.twins.append((child.id, twin.id))
        return twin

    # --- households -----------------------------------------------------------------

    def household(self) -> Household:
        kind = self.rng.choices(KINDS, KIND_WEIGHTS)[0]
        culture = self.names.culture()
        if culture == "pakistani" and kind in ("single", "sharers") and self.rng.random() < 0.5:
            kind = "multigen"
        weights = COMPLEXITY_WEIGHTS.get(kind, OTHER_COMPLEXITY)
        complexity = self.rng.choices((NONE, MODERATE, HIGH), weights)[0]
        address = self.book.new()
        hh = Household(f"H{len(self.households) + 1:05d}", address.id, kind, culture,
                       complexity, self.rng.random() < TENANT_P[complexity])
        if self.rng.random() < 0.06:  # moved in from another part of the borough
            elsewhere = [d for d in DISTRICTS if d != address.district]
            hh.previous_address_id = self.book.new(self.rng.choice(elsewhere)).id
        self.households[hh.id] = hh
        getattr(self, f"_{kind}")(hh)
        return hh

    def _single(self, hh: Household) -> None:
        sex = self.sex()
        self.adult(hh, self.names.family(hh.culture, sex), sex, self.rng.randint(18, 90))

    def _couple(self, hh: Household, young: bool = False) -> tuple[Person, int]:
        age = self.rng.randint(22, 50) if young else self.rng.randint(20, 88)
        family = self.names.family(hh.culture, "M")
        if self.rng.random() < 0.97:
            first_sex, second_sex = "F", "M"
        else:
            first_sex = second_sex = self.sex()
        mother = self.adult(hh, self.names.child_family(hh.culture, family, first_sex),
                            first_sex, age)
        partner_age = max(18, age + self.rng.randint(-3, 7))
        self.adult(hh, self.names.spouse_family(hh.culture, family, second_sex),
                   second_sex, partner_age)
        return mother, age

    def _couple_kids(self, hh: Household) -> None:
        _, age = self._couple(hh, young=True)
        family = self.people[hh.person_ids[1]].family_name
        self.children(hh, family, age, self.rng.choices((1, 2, 3, 4), (35, 38, 18, 9))[0])
        if age >= 40 and self.rng.random() < 0.2:
            sex = self.sex()
            self.adult(hh, self.names.child_family(hh.culture, family, sex), sex,
                       self.rng.randint(18, min(24, age - 18)))

    def _single_parent(self, hh: Household) -> None:
        sex = "F" if self.rng.random() < 0.86 else "M"
        age = self.rng.randint(19, 50)
        parent = self.adult(hh, self.names.family(hh.culture, sex), sex, age)
        self.children(hh, parent.family_name, age, self.rng.choices((1, 2, 3), (45, 38, 17))[0])

    def _multigen(self, hh: Household) -> None:
        self._couple_kids(hh)
        mother_age = self.people[hh.person_ids[0]].age(self.as_of)
        family = self.people[hh.person_ids[1]].family_name
        for _ in range(self.rng.choice((1, 1, 2))):
            sex = self.sex()
            self.adult(hh, self.names.child_family(hh.culture, family, sex), sex,
                       min(95, mother_age + self.rng.randint(20, 34)))

    def _sharers(self, hh: Household) -> None:
        for _ in range(self.rng.choice((2, 2, 3))):
            sex = self.sex()
            culture = self.names.culture()
            self.adult(hh, self.names.family(culture, sex), sex, self.rng.randint(18, 38))

    # --- the children's home ----------------------------------------------------------

    def childrens_home(self) -> Institution:
        address = self.book.new(line="Laurel House Children's Home", institution=True)
        home = Institution("I001", "Laurel House Children's Home", address.id)
        self.institutions[home.id] = home
        surnames: set[str] = set()
        for _ in range(self.rng.randint(6, 10)):
            sex, culture = self.sex(), self.names.culture()
            while True:
                family = self.names.family(culture, sex)
                if family not in surnames:
                    surnames.add(family)
                    break
            child = self.person(None, self.names.given(culture, sex), family, sex,
                                self.rng.randint(8, 17), address.id,
                                self.rng.choice((MODERATE, HIGH)))
            child.institution_id = home.id
            home.person_ids.append(child.id)
        return home

    # --- finishing --------------------------------------------------------------------

    def ensure_twins(self) -> None:
        if self.twins:
            return
        for hh in self.households.values():
            kids = [self.people[i] for i in hh.person_ids if self.people[i].age(self.as_of) < 16]
            if kids:
                self.add_twin(hh, kids[-1])
                return

    def movers(self) -> None:
        for hh in self.households.values():
            for pid in hh.person_ids:
                self.people[pid].previous_address_id = hh.previous_address_id

    def nhs_numbers(self) -> None:
        used: set[str] = set()
        for p in self.people.values():
            while True:
                nine = f"{self.rng.randint(4, 7)}{self.rng.randrange(10**8):08d}"
                check = nhs_check_digit(nine)
                if check is not None and nine + str(check) not in used:
                    p.nhs_number = nine + str(check)
                    used.add(p.nhs_number)
                    break

    def population(self) -> Population:
        return Population(self.book.addresses, self.people, self.households,
                          self.institutions, self.twins)


def build_population(rng: random.Random, faker: Faker, households: int,
                     as_of: date) -> Population:
    builder = Builder(rng, faker, as_of)
    for _ in range(households):
        builder.household()
    builder.childrens_home()
    builder.ensure_twins()
    builder.movers()
    builder.nhs_numbers()
    return builder.population()
