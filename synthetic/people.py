"""The resident population of an Oldham-like borough: addresses, households, people,
one children's home. Pure data plus a builder driven by one random.Random and one Faker."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

DISTRICTS = ("OL1", "OL2", "OL4", "OL8", "OL9")
DISTRICT_WEIGHTS = (22, 17, 19, 21, 21)
SECTORS = {"OL1": (1, 2, 3, 4), "OL2": (5, 6, 7, 8), "OL4": (1, 2, 3, 4, 5),
           "OL8": (1, 2, 3, 4), "OL9": (6, 7, 8, 9)}
LOCALITIES = {"OL1": ("Oldham",), "OL2": ("Shaw", "Royton"),
              "OL4": ("Lees", "Springhead", "Grotton"), "OL8": ("Hathershaw", "Limeside"),
              "OL9": ("Chadderton",)}
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"
STREET_STEMS = (
    "Ashworth", "Union", "Ripponden", "Huddersfield", "Featherstall", "Coppice", "Werneth",
    "Glodwick", "Waterloo", "Derker", "Holts", "Hollins", "Fitton", "Copster", "Honeywell",
    "Alexandra", "Cromwell", "Granville", "Burnley", "Rochdale", "Middleton", "Abbey",
    "Birch", "Cedar", "Heather", "Moorside", "Pennine", "Tandle", "Thornham", "Crompton",
    "Wellington", "Victoria", "Albion", "Regent", "Chapel", "Mill", "Church", "Spring",
    "Lime", "Beech", "Rowan", "Sycamore", "Hawthorn", "Foxdenton", "Block", "Frederick",
    "Hartford", "Denton", "Edge", "Kirkbank", "Salmon Fields", "Greenacres", "Fields New",
    "Sholver", "Higginshaw", "Watersheddings", "Bullcote", "Broadway", "Bank", "Lowside",
)
STREET_SUFFIXES = ("Street", "Street", "Street", "Road", "Road", "Lane", "Avenue", "Close",
                   "Grove", "Way", "Drive", "Terrace", "Crescent")

NONE, MODERATE, HIGH = 0, 1, 2


@dataclass(frozen=True, slots=True)
class Address:
    id: str
    line: str
    locality: str
    postcode: str
    district: str
    uprn: str | None = None
    institution: bool = False

    @property
    def text(self) -> str:
        return f"{self.line}, {self.locality}"


@dataclass(slots=True)
class Person:
    id: str
    given_name: str
    family_name: str
    sex: str
    date_of_birth: date
    address_id: str
    household_id: str | None
    institution_id: str | None = None
    complexity: int = NONE
    previous_address_id: str | None = None
    nhs_number: str = ""

    def age(self, on: date) -> int:
        dob = self.date_of_birth
        return on.year - dob.year - ((on.month, on.day) < (dob.month, dob.day))


@dataclass(slots=True)
class Household:
    id: str
    address_id: str
    kind: str
    culture: str
    complexity: int
    social_tenant: bool
    person_ids: list[str] = field(default_factory=list)
    previous_address_id: str | None = None


@dataclass(slots=True)
class Institution:
    id: str
    name: str
    address_id: str
    person_ids: list[str] = field(default_factory=list)


@dataclass
class Population:
    addresses: dict[str, Address]
    people: dict[str, Person]
    households: dict[str, Household]
    institutions: dict[str, Institution]
    twins: list[tuple[str, str]]


def nhs_check_digit(nine: str) -> int | None:
    """Modulus 11 check digit for the first nine digits, or None when 10 (invalid)."""
    total = sum(int(d) * (10 - i) for i, d in enumerate(nine))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


def valid_nhs_number(value: str) -> bool:
    if len(value) != 10 or not value.isdigit():
        return False
    return nhs_check_digit(value[:9]) == int(value[9])


def birth_date(rng: random.Random, as_of: date, age: int) -> date:
    """A date of birth that makes the person exactly `age` on as_of."""
    year = as_of.year - age
    day = min(as_of.day, 28) if as_of.month == 2 else as_of.day
    anniversary = date(year, as_of.month, day)
    return anniversary - timedelta(days=rng.randint(0, 364))


class AddressBook:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.addresses: dict[str, Address] = {}
        self._postcodes: set[str] = set()
        self._streets: set[tuple[str, str]] = set()
        self._uprns: set[str] = set()
        self._open: dict[str, list] = {}

    def _postcode(self, district: str) -> str:
        while True:
            unit = "".join(self.rng.choice(UNIT_LETTERS) for _ in range(2))
            code = f"{district} {self.rng.choice(SECTORS[district])}{unit}"
            if code not in self._postcodes:
                self._postcodes.add(code)
                return code

    def _street(self, district: str) -> list:
        while True:
            name = f"{self.rng.choice(STREET_STEMS)} {self.rng.choice(STREET_SUFFIXES)}"
            locality = self.rng.choice(LOCALITIES[district])
            if (name, locality) not in self._streets:
                self._streets.add((name, locality))
                break
        # [name, locality, postcode, next number, numbers left, step]
        return [name, locality, self._postcode(district), self.rng.randint(1, 9),
                self.rng.randint(8, 30), self.rng.choice((1, 2, 2))]

    def _uprn(self) -> str:
        while True:
            uprn = f"4220{self.rng.randrange(10**8):08d}"
            if uprn not in self._uprns:
                self._uprns.add(uprn)
                return uprn

    def new(self, district: str | None = None, line: str | None = None,
            institution: bool = False) -> Address:
        district = district or self.rng.choices(DISTRICTS, DISTRICT_WEIGHTS)[0]
        street = self._open.get(district)
        if street is None or street[4] <= 0:
            street = self._open[district] = self._street(district)
        number = street[3]
        street[3] += street[5]
        street[4] -= 1
        if line is None:
            line = f"{number} {street[0]}"
            if self.rng.random() < 0.08:
                line = f"Flat {self.rng.randint(1, 12)}, {line}"
        else:
            line = f"{line}, {number} {street[0]}"
        uprn = self._uprn() if institution or self.rng.random() < 0.88 else None
        address = Address(f"A{len(self.addresses) + 1:06d}", line, street[1], street[2],
                          district, uprn, institution)
        self.addresses[address.id] = address
        return address
