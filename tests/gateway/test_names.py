"""Names in Welsh, Polish, Urdu transliteration, with apostrophes and hyphens: accepted by
the gateway as sent (in one Unicode form), and folded sensibly for matching."""

from __future__ import annotations

import unicodedata

import pytest

from services.common import subjects
from services.pseudonymiser import normalise
from tests.gateway.conftest import GP, person

NAMES = [
    ("Llŷr", "ap Rhys"),
    ("Siân", "Gwenllïan ap Rhys"),
    ("Gwenllïan", "Ffôn-Dafydd"),
    ("Łukasz", "Wójcik"),
    ("Małgorzata", "Krzyżanowska"),
    ("Muhammad", "Abdul-Rahman"),
    ("Bibi", "Bibi"),
    ("Seán", "O'Brien"),
    ("Denzil", "D\u2019Souza"),
    ("Mary-Jane", "Smith\u2011Jones"),
    ("Zoë", "N\u02bcDiaye"),
]


async def test_gateway_accepts_and_forwards_every_name_as_sent(env):
    records = [person(f"NAME-{i:03d}", given_name=g, family_name=f)
               for i, (g, f) in enumerate(NAMES)]
    r = await env.post(*GP, "identities", {"records": records})
    assert r.status_code == 202, r.text
    assert r.json() == {"batch_id": r.json()["batch_id"], "accepted": len(NAMES),
                        "rejected": []}
    got = await env.read(subjects.IDENTITY, "pseudonymiser", want=1)
    rows = [row for _, _, msg in got if msg.batch_id == r.json()["batch_id"]
            for row in msg.rows]
    assert [(row.given_name, row.family_name) for row in rows] == NAMES


async def test_decomposed_names_are_forwarded_composed(env):
    decomposed = unicodedata.normalize("NFD", "Siân Wójcik")
    assert decomposed != "Siân Wójcik"
    given, family = decomposed.split(" ")
    csv = ("local_id,given_name,family_name,date_of_birth\n"
           f"NFD-1,{given},{family},1990-01-01\n")
    r = await env.post(*GP, "identities", csv=csv)
    assert r.status_code == 202 and r.json()["accepted"] == 1, r.text
    got = await env.read(subjects.IDENTITY, "pseudonymiser", want=1)
    (row,) = [row for _, _, msg in got if msg.batch_id == r.json()["batch_id"]
              for row in msg.rows]
    assert (row.given_name, row.family_name) == ("Siân", "Wójcik")


@pytest.mark.parametrize(("raw", "expected"), [
    ("Llŷr", "LLYR"), ("Siân", "SIAN"), ("Gwenllïan ap Rhys", "GWENLLIANAPRHYS"),
    ("Ffôn-Dafydd", "FFONDAFYDD"), ("Łukasz", "LUKASZ"), ("Wójcik", "WOJCIK"),
    ("Krzyżanowska", "KRZYZANOWSKA"), ("Małgorzata", "MALGORZATA"), ("Źdźbło", "ZDZBLO"),
    ("Muhammad Abdul-Rahman", "MUHAMMADABDULRAHMAN"), ("Bibi", "BIBI"),
    ("\u02bfAbd al-Ra\u1e25m\u0101n", "ABDALRAHMAN"),
    ("O'Brien", "OBRIEN"), ("O\u2019Brien", "OBRIEN"), ("O\u2018Brien", "OBRIEN"),
    ("O\u02bcBrien", "OBRIEN"), ("O\u00b4Brien", "OBRIEN"), ("O`Brien", "OBRIEN"),
    ("D'Souza", "DSOUZA"), ("N\u02bcDiaye", "NDIAYE"),
    ("Smith-Jones", "SMITHJONES"), ("Smith\u2011Jones", "SMITHJONES"),
    ("Smith \u2013 Jones", "SMITHJONES"), ("smith jones", "SMITHJONES"),
    (unicodedata.normalize("NFD", "Siân"), "SIAN"),
])
def test_names_fold_for_matching(raw, expected):
    assert normalise.name(raw) == expected


@pytest.mark.parametrize(("a", "b"), [
    ("Abdul-Rahman", "Abdul Rahman"), ("Abdul-Rahman", "AbdulRahman"),
    ("O'Brien", "O\u2019Brien"), ("O'Brien", "OBrien"), ("Wójcik", "Wojcik"),
    ("Łukasz", "Lukasz"), ("Llŷr", "Llyr"), ("Siân", "SIAN"),
])
def test_spellings_of_one_name_compare_equal(a, b):
    assert normalise.name(a) == normalise.name(b)


@pytest.mark.parametrize(("raw", "expected"), [
    ("Mary-Jane", "MARYJANE"), ("Mary\u2011Jane", "MARYJANE"), ("Mary\u2013Jane", "MARYJANE"),
    ("Muhammad Abdul", "MUHAMMAD"), ("D\u02bcarcy Ann", "DARCY"), ("Llŷr", "LLYR"),
    ("\u02bfAbd al-Ra\u1e25m\u0101n", "ABD"),
])
def test_first_name_token(raw, expected):
    assert normalise.first_name_token(raw) == expected


def test_punctuation_only_and_other_scripts_fold_to_nothing():
    assert normalise.name("'\u2019-\u2013") is None
    assert normalise.first_name_token("\u2011") is None
    assert normalise.name("\u0645\u062d\u0645\u062f") is None  # Arabic script: no Latin form
