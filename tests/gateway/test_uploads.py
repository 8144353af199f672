"""Uploads reach the right stream, tokenised, split and chunked; bad rows are reported."""

from __future__ import annotations

import json
import re

from services.common import messages as m
from services.common import subjects
from services.common.crypto import keyed_token
from services.common.settings import read_key
from tests.gateway.conftest import CHUNK_ROWS, GP, POLICE, person


def _key(env) -> bytes:
    return read_key(env.settings.hmac_key_path)


def _of(batch_id: str, read: list) -> list:
    return sorted((x for x in read if x[2].batch_id == batch_id), key=lambda x: x[2].chunk)


async def test_identities_json_reach_the_pseudonymiser_tokenised_and_chunked(env):
    partner, dataset = GP
    rows = [person(f"EMIS-{i:06d}") for i in range(CHUNK_ROWS + 2)]
    r = await env.post(partner, dataset, "identities", {"records": rows})
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == len(rows) and reply["rejected"] == []
    got = _of(reply["batch_id"], await env.read(subjects.IDENTITY, "pseudonymiser", want=2))
    assert [x[2].chunk for x in got] == [0, 1]
    assert [x[1]["Nats-Msg-Id"] for x in got] == [f"{reply['batch_id']}:0",
                                                   f"{reply['batch_id']}:1"]
    assert all(x[0] == subjects.IDENTITY.for_dataset(dataset) for x in got)
    batch = got[0][2]
    assert isinstance(batch, m.IdentityBatch)
    assert (batch.partner, batch.dataset, batch.level) == (partner, dataset, "person")
    assert batch.agreement == "isa-oldham-early-help-2026"
    row = batch.rows[0]
    assert row.local_id == "EMIS-000000"
    assert row.record_token == keyed_token(_key(env), partner, dataset, "EMIS-000000",
                                           prefix="r_")
    assert (row.sex, row.postcode, row.date_of_birth.isoformat()) == ("F", "OL1 1AA",
                                                                       "1985-12-10")
    text = json.dumps([x[2].model_dump(mode="json") for x in got])
    assert not re.search(r"\bGP\d\b", text) and '"code"' not in text


async def test_identities_csv_with_row_errors(env):
    partner, dataset = GP
    csv = ("local_id,given_name,family_name,date_of_birth,sex,postcode,nhs_number\n"
           "EMIS-100001,Grace,Hopper,1990-02-03,M,OL4 2JT,9434765919\n"
           "EMIS-100002,Alan,,1990-02-03,M,NOTAPOSTCODE,9434765918\n"
           "EMIS-100003,Mary,Somerville,2999-01-01,X,,\n"
           "EMIS-100004,Too,Few\n")
    r = await env.post(partner, dataset, "identities", csv=csv)
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 1
    errors = {e["row"]: {x["field"]: x["message"] for x in e["errors"]}
              for e in reply["rejected"]}
    assert set(errors) == {1, 2, 3}
    assert set(errors[1]) == {"postcode", "nhs_number"}  # a missing family name is allowed
    assert set(errors[2]) == {"date_of_birth"}
    assert set(errors[3]) == {"row"}
    for value in ("NOTAPOSTCODE", "9434765918", "2999-01-01", "Alan", "EMIS-100002"):
        assert value not in r.text
    got = _of(reply["batch_id"], await env.read(subjects.IDENTITY, "pseudonymiser"))
    assert [row.local_id for x in got for row in x[2].rows] == ["EMIS-100001"]
    assert got[0][2].rows[0].postcode == "OL4 2JT"


async def test_property_level_rows(env):
    partner, dataset = POLICE
    rows = [{"local_id": "GMP-PROP-000001", "address": "3 High St", "uprn": "12345"},
            {"local_id": "GMP-PROP-000002", "given_name": "Ann", "postcode": "OL1 1AA"},
            {"local_id": "GMP-PROP-000003"}]
    r = await env.post(partner, dataset, "identities", {"records": rows})
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 1
    fields = {e["row"]: [x["field"] for x in e["errors"]] for e in reply["rejected"]}
    assert fields == {1: ["given_name"], 2: ["address"]}
    got = _of(reply["batch_id"], await env.read(subjects.IDENTITY, "pseudonymiser"))
    assert got[0][2].level == "property" and got[0][2].rows[0].uprn == "12345"


async def test_events_reach_the_linker_without_local_ids(env):
    partner, dataset = GP
    events = [{"local_id": "EMIS-000001", "code": "GP1", "occurred_on": "2026-03-01",
               "event_id": "E-1"},
              {"local_id": "EMIS-000001", "code": "GP3", "occurred_on": "2026-04-01"},
              {"local_id": "EMIS-000002", "code": "POL1", "occurred_on": "2026-04-01"},
              {"local_id": "EMIS-000002", "code": "GP2", "occurred_on": "2999-04-01"},
              {"local_id": "EMIS-000002", "code": "GP2", "occurred_on": "1899-12-31"}]
    r = await env.post(partner, dataset, "events", {"events": events})
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 2
    assert {e["row"]: e["errors"][0]["field"] for e in reply["rejected"]} == {
        2: "code", 3: "occurred_on", 4: "occurred_on"}
    got = _of(reply["batch_id"], await env.read(subjects.EVENTS, "linker"))
    assert got[0][0] == subjects.EVENTS.for_dataset(dataset)
    sent = got[0][2].events
    key = _key(env)
    assert sent[0].record_token == keyed_token(key, partner, dataset, "EMIS-000001",
                                               prefix="r_")
    assert sent[0].event_token == keyed_token(key, partner, dataset, "event", "E-1",
                                              prefix="e_")
    assert sent[1].event_token == keyed_token(key, partner, dataset, "event",
                                              "EMIS-000001|GP3|2026-04-01", prefix="e_")
    raw = json.dumps([x[2].model_dump(mode="json") for x in got])
    assert "EMIS-" not in raw and "local_id" not in raw


async def test_events_csv(env):
    partner, dataset = GP
    csv = "local_id,code,occurred_on\r\nEMIS-000009,GP4,2026-01-05\r\n"
    r = await env.post(partner, dataset, "events", csv=csv)
    assert r.status_code == 202 and r.json()["accepted"] == 1, r.text
    got = _of(r.json()["batch_id"], await env.read(subjects.EVENTS, "linker"))
    assert got[0][2].events[0].code == "GP4"


async def test_optouts_split_identity_and_decision(env):
    partner, dataset = GP
    rows = [person("EMIS-000007", scope="all", evidence="form OF-7", notice_version="v3"),
            person("EMIS-000008", scope="purpose:early-help-triage", status="consent",
                   decided_on="2026-02-01"),
            person("EMIS-000009", scope="everything")]
    r = await env.post(partner, dataset, "optouts", {"records": rows})
    assert r.status_code == 202, r.text
    reply = r.json()
    assert reply["accepted"] == 2
    assert reply["rejected"] == [{"row": 2, "errors": [
        {"field": "scope", "message": "must be 'all', 'partner:<id>' or 'purpose:<name>'"}]}]
    ids = _of(reply["batch_id"], await env.read(subjects.OPTOUTS, "pseudonymiser"))
    decisions = _of(reply["batch_id"], await env.read(subjects.CONSENT_REQUESTS, "consent"))
    identity_rows = [row for x in ids for row in x[2].rows]
    items = [i for x in decisions for i in x[2].items]
    assert [row.local_id for row in identity_rows] == ["EMIS-000007", "EMIS-000008"]
    assert [i.record_token for i in items] == [row.record_token for row in identity_rows]
    assert (items[0].status, items[0].scope, items[0].evidence, items[0].notice_version) == (
        "opt_out", "all", "form OF-7", "v3")
    assert (items[1].status, items[1].decided_on.isoformat()) == ("consent", "2026-02-01")
    decision_text = json.dumps([x[2].model_dump(mode="json") for x in decisions])
    assert "EMIS-" not in decision_text and "Lovelace" not in decision_text


async def test_unknown_json_field_is_a_row_error(env):
    partner, dataset = GP
    r = await env.post(partner, dataset, "identities",
                       {"records": [person("EMIS-000011", favourite_colour="blue")]})
    assert r.status_code == 202
    assert r.json()["rejected"] == [{"row": 0, "errors": [
        {"field": "favourite_colour", "message": "unknown field"}]}]
    assert "blue" not in r.text


async def test_locality_and_address_line_2_reach_the_pseudonymiser(env):
    partner, dataset = GP
    r = await env.post(partner, dataset, "identities", {"records": [
        person("EMIS-LOC-1", locality="Failsworth", address_line_2="Rose Court")]})
    assert r.status_code == 202, r.text
    got = _of(r.json()["batch_id"], await env.read(subjects.IDENTITY, "pseudonymiser", want=1))
    assert got[0][2].rows[0].locality == "Failsworth"
    assert got[0][2].rows[0].address_line_2 == "Rose Court"
