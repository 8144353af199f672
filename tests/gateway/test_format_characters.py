"""Invisible formatting characters (Unicode category Cf: bidi controls, zero-width
characters, the soft hyphen) in names, addresses and evidence reject their field, so a
name cannot look like another on a caseworker's screen. The rest of the upload goes on.
"""

from __future__ import annotations

import codecs
import json
import unicodedata

import pytest

from gateway.validation import NFC_FIELDS, check_rows
from services.common import subjects
from tests.gateway.conftest import GP, person

MESSAGE = ("must not contain invisible formatting characters (bidi controls, zero-width "
           "characters, soft hyphens)")
BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068",
        "\u2069", "\u200e", "\u200f", "\u061c"]
ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
INVISIBLE = BIDI + ZERO_WIDTH + ["\u00ad"]
FREE_TEXT = ("given_name", "family_name", "address", "address_line_2", "locality")
HEADER = "local_id,given_name,family_name,date_of_birth,address,address_line_2,locality\n"


def row_errors(reply: dict) -> dict[int, dict[str, str]]:
    return {e["row"]: {x["field"]: x["message"] for x in e["errors"]}
            for e in reply["rejected"]}


async def published(env, channel, service: str, batch_id: str, want: int = 1) -> list:
    got = await env.read(channel, service, want=want)
    return [row for _, _, msg in got if msg.batch_id == batch_id
            for row in getattr(msg, "rows", None) or getattr(msg, "items", None)]


def test_the_listed_characters_are_all_format_characters():
    assert {unicodedata.category(c) for c in INVISIBLE} == {"Cf"}


@pytest.mark.parametrize("char", INVISIBLE, ids=lambda c: f"U+{ord(c):04X}")
@pytest.mark.parametrize("name", sorted(NFC_FIELDS))
def test_every_free_text_field_refuses_invisible_characters(name, char):
    row = {"local_id": "L1", "given_name": "Ada", "family_name": "King",
           "date_of_birth": "1985-12-10", "scope": "all", name: f"Ad{char}a"}
    checked = check_rows([row], kind="optouts", level="person")
    assert checked.rows == []
    assert checked.rejected == [{"row": 0, "errors": [{"field": name, "message": MESSAGE}]}]


def test_visible_text_in_many_scripts_is_still_accepted():
    row = {"local_id": "L1", "given_name": "Gwenllïan", "family_name": "Krzyżanowska",
           "date_of_birth": "1985-12-10", "address": "ʿAbd al-Raḥmān House, Nʼdiaye Way",
           "locality": "محمد", "scope": "all", "evidence": "form OF-7 – signed"}
    assert check_rows([row], kind="optouts", level="person").rejected == []


async def test_json_identities_with_invisible_characters_reject_their_rows(env):
    spoofs = {"given_name": "Ada\u202e", "family_name": "Ki\u200bng",
              "address": "12 Mill\u2066 Lane", "address_line_2": "Flat\u00ad 2",
              "locality": "\ufeffOldham"}
    records = [person(f"CF-J{i}", **{name: value}) for i, (name, value) in
               enumerate(spoofs.items())] + [person("CF-J-OK", given_name="Grace")]
    r = await env.post(*GP, "identities", {"records": records})
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 1
    assert row_errors(reply) == {i: {name: MESSAGE} for i, name in enumerate(spoofs)}
    assert "Mill" not in r.text and "Flat" not in r.text and "Oldham" not in r.text
    rows = await published(env, subjects.IDENTITY, "pseudonymiser", reply["batch_id"])
    assert [row.local_id for row in rows] == ["CF-J-OK"]


async def test_csv_identities_with_invisible_characters_reject_their_rows(env):
    good = {"given_name": "Ada", "family_name": "King", "date_of_birth": "1985-12-10",
            "address": "12 Mill Lane", "address_line_2": "Flat 2", "locality": "Oldham"}
    rows = [("CF-C-OK", good)] + [
        (f"CF-C{i}", {**good, name: good[name][:2] + INVISIBLE[i * 3] + good[name][2:]})
        for i, name in enumerate(FREE_TEXT)]
    csv = HEADER + "".join(f"{local_id}," + ",".join(cells.values()) + "\n"
                           for local_id, cells in rows)
    r = await env.post(*GP, "identities", csv=csv)
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 1
    assert row_errors(reply) == {i + 1: {name: MESSAGE} for i, name in enumerate(FREE_TEXT)}
    rows = await published(env, subjects.IDENTITY, "pseudonymiser", reply["batch_id"])
    assert [(row.local_id, row.given_name) for row in rows] == [("CF-C-OK", "Ada")]


async def test_a_bom_starts_the_body_but_not_a_name(env):
    """A byte-order mark at the very start of a body is read as one (and dropped); the
    same character inside a cell is an invisible character like any other."""
    csv = HEADER + ("CF-BOM-1,Ada,King,1985-12-10,12 Mill Lane,,\n"
                    "CF-BOM-2,\ufeffAda,King,1985-12-10,12 Mill Lane,,\n")
    r = await env.post(*GP, "identities", csv=codecs.BOM_UTF8.decode() + csv)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 1
    assert row_errors(r.json()) == {1: {"given_name": MESSAGE}}
    body = codecs.BOM_UTF8 + json.dumps({"records": [person("CF-BOM-3")]}).encode()
    r = await env.client.post(f"/v1/datasets/{GP[1]}/identities", content=body,
                              headers={**env.auth(), "Content-Type": "application/json"})
    assert r.status_code == 202 and r.json()["accepted"] == 1, r.text
    await env.read(subjects.IDENTITY, "pseudonymiser", want=2)


async def test_optouts_refuse_invisible_characters_in_names_and_evidence(env):
    records = [person("CF-O1", scope="all", evidence="form OF-7\u202e7-FO"),
               person("CF-O2", scope="all", family_name="Love\u200dlace"),
               person("CF-O3", scope="all", evidence="form OF-8")]
    r = await env.post(*GP, "optouts", {"records": records})
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 1
    assert row_errors(reply) == {0: {"evidence": MESSAGE}, 1: {"family_name": MESSAGE}}
    assert "OF-7" not in r.text
    ids = await published(env, subjects.OPTOUTS, "pseudonymiser", reply["batch_id"])
    items = await published(env, subjects.CONSENT_REQUESTS, "consent", reply["batch_id"])
    assert [row.local_id for row in ids] == ["CF-O3"]
    assert [item.evidence for item in items] == ["form OF-8"]


async def test_csv_optouts_refuse_invisible_characters(env):
    csv = ("local_id,given_name,family_name,date_of_birth,scope,evidence\n"
           "CF-OC1,Ada,King,1985-12-10,all,letter\u2067 dated 1 May\n"
           "CF-OC2,Ada,King,1985-12-10,all,letter dated 2 May\n")
    r = await env.post(*GP, "optouts", csv=csv)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 1
    assert row_errors(r.json()) == {0: {"evidence": MESSAGE}}
    items = await published(env, subjects.CONSENT_REQUESTS, "consent", r.json()["batch_id"])
    assert [item.evidence for item in items] == ["letter dated 2 May"]
    await env.read(subjects.OPTOUTS, "pseudonymiser")
