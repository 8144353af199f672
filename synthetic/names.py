"""Name pools: Faker en_GB plus Welsh, Polish and Pakistani (Urdu-transliterated) names,
apostrophe and hyphenated names, and the nickname table used for errors and twins."""

from __future__ import annotations

import functools
import random

from faker import Faker

WELSH_MALE = ["Rhys", "Dafydd", "Gethin", "Iwan", "Owain", "Emyr", "Gareth", "Ieuan",
              "Aled", "Huw", "Tomos", "Osian", "Llŷr", "Bryn"]
WELSH_FEMALE = ["Cerys", "Angharad", "Seren", "Ffion", "Bethan", "Carys", "Eleri",
                "Lowri", "Mared", "Siân", "Elin", "Nerys", "Gwenllian"]
WELSH_SURNAMES = ["Jones", "Davies", "Evans", "Roberts", "Hughes", "Llewellyn", "Lloyd",
                  "Vaughan", "Powell", "Pugh", "Parry", "Pritchard", "Griffiths", "Prosser"]

POLISH_MALE = ["Jakub", "Kacper", "Mateusz", "Piotr", "Tomasz", "Krzysztof", "Paweł",
               "Łukasz", "Michał", "Wojciech", "Marek", "Szymon"]
POLISH_FEMALE = ["Zofia", "Agnieszka", "Katarzyna", "Magdalena", "Joanna", "Aleksandra",
                 "Małgorzata", "Natalia", "Ewa", "Zuzanna", "Wiktoria", "Dorota"]
# masculine form; feminine is derived for -ski/-cki/-dzki
POLISH_SURNAMES = ["Kowalski", "Wiśniewski", "Lewandowski", "Zieliński", "Kamiński",
                   "Dąbrowski", "Kozłowski", "Jankowski", "Nowak", "Wójcik", "Kowalczyk",
                   "Mazur", "Krawczyk", "Szymański", "Woźniak", "Sadowski"]

PAK_MALE = ["Muhammad", "Mohammed", "Ahmed", "Bilal", "Imran", "Tariq", "Usman", "Zain",
            "Hamza", "Asif", "Adeel", "Faisal", "Shahid", "Ibrahim", "Yusuf", "Zubair",
            "Waqas", "Kashif"]
PAK_FEMALE = ["Ayesha", "Fatima", "Zainab", "Maryam", "Hina", "Sana", "Amina", "Nadia",
              "Samina", "Rubina", "Iqra", "Khadija", "Aleena", "Noor", "Shazia", "Mehwish"]
PAK_SURNAMES = ["Khan", "Hussain", "Akhtar", "Iqbal", "Rehman", "Ahmed", "Mahmood", "Shah",
                "Butt", "Chaudhry", "Malik", "Qureshi", "Rashid", "Riaz", "Nawaz", "Aslam"]
PAK_WIVES = ["Bibi", "Begum", "Akhtar", "Kausar", "Parveen"]

APOSTROPHE_SURNAMES = ["O'Brien", "O'Connor", "O'Neill", "O'Sullivan", "O'Reilly",
                       "D'Souza", "O'Hara", "O'Donnell", "O'Rourke"]
HYPHEN_GIVEN_FEMALE = ["Lily-Mae", "Ella-Rose", "Mia-Rose", "Lacey-Mae", "Mary-Jane",
                       "Evie-Grace", "Sophie-Louise"]
HYPHEN_GIVEN_MALE = ["Jean-Paul", "Alfie-James", "Tommy-Lee", "Jay-Jay"]

# formal name -> nicknames. Used to inject nickname errors and to keep twins apart.
NICKNAMES: dict[str, list[str]] = {
    "Robert": ["Bob", "Rob", "Bobby"], "William": ["Bill", "Will", "Billy"],
    "Elizabeth": ["Liz", "Beth", "Lizzie"], "Margaret": ["Maggie", "Peggy"],
    "Catherine": ["Kate", "Cathy", "Katie"], "Katherine": ["Kate", "Kathy", "Katie"],
    "James": ["Jim", "Jimmy", "Jamie"], "Thomas": ["Tom", "Tommy"],
    "Michael": ["Mike", "Mick"], "Richard": ["Rich", "Richie", "Dick"],
    "Joseph": ["Joe", "Joey"], "Daniel": ["Dan", "Danny"], "Christopher": ["Chris"],
    "Matthew": ["Matt"], "Anthony": ["Tony"], "Andrew": ["Andy", "Drew"],
    "Edward": ["Ed", "Eddie", "Ted"], "Jonathan": ["Jon"], "Nicholas": ["Nick"],
    "Samuel": ["Sam", "Sammy"], "Benjamin": ["Ben", "Benny"], "Alexander": ["Alex"],
    "Rebecca": ["Becky"], "Jennifer": ["Jenny", "Jen"], "Victoria": ["Vicky", "Tori"],
    "Susan": ["Sue"], "Patricia": ["Pat", "Trish"], "Deborah": ["Debbie", "Debs"],
    "Samantha": ["Sam", "Sammy"], "Charlotte": ["Charlie", "Lottie"],
    "Jessica": ["Jess"], "Stephen": ["Steve"], "Steven": ["Steve"], "David": ["Dave"],
    "Peter": ["Pete"], "Kenneth": ["Ken"], "Gregory": ["Greg"], "Timothy": ["Tim"],
    "Abigail": ["Abby"], "Alexandra": ["Alex", "Lexi"], "Eleanor": ["Ellie", "Nell"],
    "Joshua": ["Josh"], "Frederick": ["Fred", "Freddie"], "Henry": ["Harry"],
    "Nathan": ["Nate"], "Zachary": ["Zac"], "Jacqueline": ["Jackie"],
    "Christine": ["Chris"], "Kimberley": ["Kim"], "Natalie": ["Nat"],
    "Muhammad": ["Mo"], "Mohammed": ["Mo"], "Jakub": ["Kuba"], "Aleksandra": ["Ola"],
    "Katarzyna": ["Kasia"], "Małgorzata": ["Gosia"], "Dafydd": ["Dai"],
    "Gwenllian": ["Gwen"], "Ibrahim": ["Ibby"],
}
FORMAL_MALE = ["Robert", "William", "James", "Thomas", "Michael", "Richard", "Joseph",
               "Daniel", "Christopher", "Matthew", "Anthony", "Andrew", "Edward",
               "Jonathan", "Nicholas", "Samuel", "Benjamin", "Alexander", "Stephen",
               "David", "Peter", "Joshua", "Frederick", "Henry", "Nathan", "Zachary"]
FORMAL_FEMALE = ["Elizabeth", "Margaret", "Catherine", "Katherine", "Rebecca", "Jennifer",
                 "Victoria", "Susan", "Patricia", "Deborah", "Samantha", "Charlotte",
                 "Jessica", "Abigail", "Alexandra", "Eleanor", "Jacqueline", "Christine",
                 "Kimberley", "Natalie"]

@functools.cache
def _groups() -> dict[str, frozenset[int]]:
    """A read-only lookup (name -> nickname groups); holds no generator state."""
    groups: dict[str, set[int]] = {}
    for i, (formal, nicks) in enumerate(NICKNAMES.items()):
        for name in [formal, *nicks]:
            groups.setdefault(name.casefold(), set()).add(i)
    return {k: frozenset(v) for k, v in groups.items()}


def nickname_equivalent(a: str, b: str) -> bool:
    """True when the names are equal or share a nickname group (Robert ~ Bob)."""
    a, b = a.casefold(), b.casefold()
    if a == b:
        return True
    ga, gb = _groups().get(a, frozenset()), _groups().get(b, frozenset())
    return bool(ga & gb)


def feminine_polish(surname: str) -> str:
    for suffix in ("ski", "cki", "dzki"):
        if surname.endswith(suffix):
            return surname[:-1] + "a"
    return surname


CULTURES = ["british", "welsh", "polish", "pakistani"]
CULTURE_WEIGHTS = [70, 7, 7, 16]


class NameSource:
    """Draws names for one generator run; all randomness from the given rng and Faker."""

    def __init__(self, rng: random.Random, faker: Faker):
        self.rng = rng
        self.faker = faker

    def culture(self) -> str:
        return self.rng.choices(CULTURES, CULTURE_WEIGHTS)[0]

    def given(self, culture: str, sex: str) -> str:
        r = self.rng.random()
        male = sex == "M"
        if culture == "welsh" and r < 0.7:
            return self.rng.choice(WELSH_MALE if male else WELSH_FEMALE)
        if culture == "polish" and r < 0.9:
            return self.rng.choice(POLISH_MALE if male else POLISH_FEMALE)
        if culture == "pakistani" and r < 0.95:
            return self.rng.choice(PAK_MALE if male else PAK_FEMALE)
        r = self.rng.random()
        if r < 0.04:
            return self.rng.choice(HYPHEN_GIVEN_MALE if male else HYPHEN_GIVEN_FEMALE)
        if r < 0.34:
            return self.rng.choice(FORMAL_MALE if male else FORMAL_FEMALE)
        return self.faker.first_name_male() if male else self.faker.first_name_female()

    def family(self, culture: str, sex: str = "M") -> str:
        if culture == "welsh" and self.rng.random() < 0.7:
            return self.rng.choice(WELSH_SURNAMES)
        if culture == "polish":
            name = self.rng.choice(POLISH_SURNAMES)
            return feminine_polish(name) if sex == "F" else name
        if culture == "pakistani":
            return self.rng.choice(PAK_SURNAMES)
        r = self.rng.random()
        if r < 0.05:
            return self.rng.choice(APOSTROPHE_SURNAMES)
        if r < 0.10:
            first, second = self.faker.last_name(), self.faker.last_name()
            if first != second:
                return f"{first}-{second}"
        return self.faker.last_name()

    def spouse_family(self, culture: str, family: str, sex: str) -> str:
        """A partner's surname: mostly shared, sometimes kept."""
        if culture == "polish":
            base = family[:-1] + "i" if family.endswith(("ska", "cka")) else family
            return feminine_polish(base) if sex == "F" else base
        if culture == "pakistani" and sex == "F" and self.rng.random() < 0.4:
            return self.rng.choice(PAK_WIVES)
        if self.rng.random() < 0.15:
            return self.family(culture, sex)
        return family

    def child_family(self, culture: str, family: str, sex: str) -> str:
        if culture == "polish":
            base = family[:-1] + "i" if family.endswith(("ska", "cka")) else family
            return feminine_polish(base) if sex == "F" else base
        return family
