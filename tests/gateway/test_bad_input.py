"""Bad input: CSV columns and cells, encodings, control characters, size limits.

Every refusal is problem+json; row errors name the row and the field; no value is echoed.
"""

from __future__ import annotations

import codecs
import json

import pytest

from services.common import subjects
from tests.gateway.conftest import GP, MAX_BODY, MAX_ROWS, person

PROBLEM = "application/problem+json"
HEADER = "local_id,given_name,family_name,date_of_birth,postcode\n"


async def post_raw(env, kind: str, content, content_type: str, partner: str = GP[0],
                   dataset: str = GP[1]):
    headers = {**env.auth(partner), "Content-Type": content_type}
    return await env.client.post(f"/v1/datasets/{dataset}/{kind}", content=content,
                                 headers=headers)


def assert_problem(r, status: int, *fragments: str) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == PROBLEM
    body = r.json()
    assert body["status"] == status and body["title"] and body["detail"]
    for fragment in fragments:
        assert fragment in body["detail"], body["detail"]
    return body


def row_errors(reply: dict) -> dict[int, dict[str, str]]:
    return {e["row"]: {x["field"]: x["message"] for x in e["errors"]}
            for e in reply["rejected"]}


async def published_names(env, batch_id: str, want: int = 1) -> list[tuple[str, str]]:
    got = await env.read(subjects.IDENTITY, "pseudonymiser", want=want)
    return [(row.given_name, row.family_name) for _, _, msg in got
            if msg.batch_id == batch_id for row in msg.rows]


# --- columns -------------------------------------------------------------------------


@pytest.mark.parametrize(("csv", "fragments"), [
    ("local_id,given_name,family_name,date_of_birth,secret_column\nL1,A,B,1980-01-01,x\n",
     ("unknown CSV column at position 5",)),
    ("local_id,given_name,date_of_birth\nL1,A,1980-01-01\n",
     ("missing CSV column(s): family_name",)),
    ("local_id,given_name,given_name,family_name,date_of_birth\nL1,A,A,B,1980-01-01\n",
     ("'given_name' appears twice",)),
    ("Local_ID;Given_Name;Family_Name;Date_Of_Birth\nL1;A;B;1980-01-01\n",
     ("unknown CSV column at position 1",)),
    ("\n", ("no header row",)),
    (HEADER, ("no data rows",)),
    (HEADER + '"L1,Ada,King,1980-01-01,OL1 1AA\n', ("could not be parsed at line",)),
])
async def test_wrong_or_missing_columns_refused(env, csv, fragments):
    r = await env.post(*GP, "identities", csv=csv)
    body = assert_problem(r, 422, *fragments)
    assert "secret_column" not in r.text and "Local_ID;" not in body["detail"]


async def test_rows_with_too_many_or_too_few_cells_are_row_errors(env):
    csv = (HEADER + "L1,Ada,King,1980-01-01,OL1 1AA\n"
           "L2,Ada,King,1980-01-01,OL1 1AA,EXTRA-CELL-VALUE\n"
           "L3,Ada\n"
           "L4,Grace,Hopper,1980-01-01,OL4 2JT\n")
    r = await env.post(*GP, "identities", csv=csv)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 2
    assert row_errors(r.json()) == {1: {"row": "has 6 cells, the header has 5"},
                                    2: {"row": "has 2 cells, the header has 5"}}
    assert "EXTRA-CELL-VALUE" not in r.text


# --- encodings -------------------------------------------------------------------------

NAMES = [("Llŷr", "ap Rhys"), ("Siân", "O'Brien"), ("Łukasz", "Wójcik")]


def names_csv(names=NAMES, prefix="ENC") -> str:
    lines = [f"{prefix}-{i},{g},{f},1990-01-0{i + 1},OL1 1AA" for i, (g, f) in
             enumerate(names)]
    return HEADER + "\n".join(lines) + "\n"


@pytest.mark.parametrize(("encoding", "bom", "content_type"), [
    ("utf-8", codecs.BOM_UTF8, "text/csv"),
    ("utf-16-le", codecs.BOM_UTF16_LE, "text/csv"),
    ("utf-16-be", codecs.BOM_UTF16_BE, "text/csv"),
    ("utf-16-le", b"", "text/csv; charset=utf-16le"),
    ("utf-8", b"", "text/csv; charset=UTF-8"),
])
async def test_unicode_encodings_with_bom_or_charset_accepted(env, encoding, bom,
                                                               content_type):
    body = bom + names_csv(prefix=f"U{encoding}{len(bom)}").encode(encoding)
    r = await post_raw(env, "identities", body, content_type)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 3 and r.json()["rejected"] == []
    assert await published_names(env, r.json()["batch_id"]) == NAMES


async def test_utf16_without_bom_or_charset_is_refused_with_a_hint(env):
    r = await post_raw(env, "identities", names_csv().encode("utf-16-le"), "text/csv")
    assert_problem(r, 422, "UTF-16 without a byte-order mark")


async def test_truncated_utf16_is_refused(env):
    body = codecs.BOM_UTF16_LE + names_csv().encode("utf-16-le") + b"\x00\xd8"
    assert_problem(await post_raw(env, "identities", body, "text/csv"), 422, "UTF-16")


@pytest.mark.parametrize("content_type", ["text/csv; charset=iso-8859-1",
                                          "text/csv; charset=latin1",
                                          'text/csv; charset="windows-1252"'])
async def test_declared_single_byte_charsets_accepted(env, content_type):
    names = [("Siân", "Gwenllïan"), ("Zoë", "D’Souza" if "1252" in content_type else "Brontë")]
    encoding = "cp1252" if "1252" in content_type else "latin-1"
    r = await post_raw(env, "identities", names_csv(names, "L1").encode(encoding),
                       content_type)
    assert r.status_code == 202 and r.json()["accepted"] == 2, r.text
    assert await published_names(env, r.json()["batch_id"]) == names


async def test_latin1_bytes_without_charset_reject_only_their_rows(env):
    body = names_csv([("Ada", "King"), ("Siân", "Jones"), ("Grace", "Hopper"),
                      ("Ann", "Brontë")], "LAT").encode("latin-1")
    r = await post_raw(env, "identities", body, "text/csv")
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 2
    errors = row_errors(r.json())
    assert set(errors) == {1, 3}
    assert set(errors[1]) == {"given_name"} and set(errors[3]) == {"family_name"}
    assert "UTF-8" in errors[1]["given_name"] and "charset" in errors[1]["given_name"]
    assert "Si" not in json.dumps(r.json()["rejected"])
    assert await published_names(env, r.json()["batch_id"]) == [("Ada", "King"),
                                                                ("Grace", "Hopper")]


@pytest.mark.parametrize("bad", [b"\xff\xfe", b"\xc3\x28", b"\xed\xa0\x80", b"\x80"])
async def test_invalid_utf8_sequences_are_row_errors(env, bad):
    body = (HEADER + "BAD-1,Ada,").encode() + bad + b",1980-01-01,OL1 1AA\n" + (
        b"OK-1,Ada,King,1980-01-01,OL1 1AA\n")
    r = await post_raw(env, "identities", body, "text/csv")
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 1
    assert list(row_errors(r.json())[0]) == ["family_name"]


async def test_invalid_bytes_in_the_header_refuse_the_body(env):
    body = b"local_id,given_\xe9name,family_name,date_of_birth\nL1,A,B,1980-01-01\n"
    assert_problem(await post_raw(env, "identities", body, "text/csv"), 422,
                   "unknown CSV column at position 2")


@pytest.mark.parametrize("content_type", ["text/csv; charset=klingon",
                                          "text/csv; charset=cp037",
                                          "application/json; charset=shift_jis"])
async def test_unsupported_charset_is_415(env, content_type):
    body = names_csv().encode() if "csv" in content_type else b'{"records": []}'
    assert_problem(await post_raw(env, "identities", body, content_type), 415, "charset")


async def test_nul_and_control_characters_are_row_errors(env):
    csv = (HEADER + "NUL-1,Ada\x00,King,1980-01-01,OL1 1AA\n"
           "NUL-2,Ada,Ki\x1bng,1980-01-01,OL1 1AA\n"
           '"NUL-3","Ada","King","1980-01-01","OL1 1AA"\n')
    r = await env.post(*GP, "identities", csv=csv)
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 1
    assert row_errors(r.json()) == {
        0: {"given_name": "must not contain control characters"},
        1: {"family_name": "must not contain control characters"}}


async def test_json_nul_lone_surrogate_and_invalid_bytes_are_row_errors(env):
    records = [person("J-1", given_name="Ada\u0000"), person("J-2"),
               person("J-3", family_name="X\ud800Y"), person("J-4", address="PLACEHOLDER")]
    text = json.dumps({"records": records})  # escapes: \u0000 and \ud800 as JSON text
    body = text.encode().replace(b"PLACEHOLDER", b"12 Mill \xe9Lane")
    r = await post_raw(env, "identities", body, "application/json")
    assert r.status_code == 202, r.text
    assert r.json()["accepted"] == 1
    errors = row_errors(r.json())
    assert {k: list(v) for k, v in errors.items()} == {
        0: ["given_name"], 2: ["family_name"], 3: ["address"]}
    assert "Mill" not in r.text


@pytest.mark.parametrize(("prefix", "encoding"), [(codecs.BOM_UTF8, "utf-8"),
                                                   (codecs.BOM_UTF16_LE, "utf-16-le")])
async def test_json_with_a_bom_is_read(env, prefix, encoding):
    body = prefix + json.dumps({"records": [person("BOM-1", given_name="Llŷr")]},
                               ensure_ascii=False).encode(encoding)
    r = await post_raw(env, "identities", body, "application/json")
    assert r.status_code == 202 and r.json()["accepted"] == 1, r.text
    assert (await published_names(env, r.json()["batch_id"]))[0][0] == "Llŷr"


@pytest.mark.parametrize(("body", "fragment"), [
    (b'{"records": [{"local_id": "SECRET-VALUE",}]}', "line 1, column"),
    (b'{"records": [{"local_id": "SECRET-\x01VALUE"}]}', "Invalid control character"),
    (b"\x00\x01\x02", "not valid JSON"),
    (b'{"records": {"local_id": "SECRET-VALUE"}}', "'records' must be a list"),
    (b'{"records": [], "roles": ["admin"]}', "'records' as its only field"),
    (b'["SECRET-VALUE"]', "an object with a 'records' list"),
])
async def test_unreadable_json_names_where(env, body, fragment):
    r = await post_raw(env, "identities", body, "application/json")
    assert_problem(r, 422, fragment)
    assert "SECRET" not in r.text


DEPTH = 10_000  # ten times Python's recursion limit, inside MAX_BODY (64 KiB)


@pytest.mark.parametrize("kind", ["identities", "events", "optouts"])
@pytest.mark.parametrize("body", [
    b"[" * DEPTH + b"]" * DEPTH,
    b'{"a":' * DEPTH + b"1" + b"}" * DEPTH,
    b'{"records": ' + b"[" * DEPTH + b"]" * DEPTH + b"}",
], ids=["arrays", "objects", "inside-records"])
async def test_deeply_nested_json_is_400_and_nothing_is_published(env, kind, body):
    r = await post_raw(env, kind, body, "application/json")
    assert_problem(r, 400, "the body is nested too deeply")
    channel = {"identities": subjects.IDENTITY, "events": subjects.EVENTS,
               "optouts": subjects.OPTOUTS}[kind]
    reader = "linker" if kind == "events" else "pseudonymiser"
    assert await env.read(channel, reader, want=0, timeout=0.3) == []


# --- size limits ------------------------------------------------------------------------


def _big_csv() -> bytes:
    line = "BIG-{:06d},Ada,King,1980-01-01,OL1 1AA\n"
    out, i = HEADER, 0
    while len(out) <= MAX_BODY:
        out += line.format(i)
        i += 1
    return out.encode()


async def _chunks(data: bytes, size: int = 4096):
    for i in range(0, len(data), size):
        yield data[i:i + size]


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("streamed", [False, True])
async def test_body_over_the_limit_is_413(env, fmt, streamed):
    if fmt == "json":
        rows = [person(f"BIG-{i:06d}", address="x" * 400) for i in range(200)]
        data, content_type = json.dumps({"records": rows}).encode(), "application/json"
    else:
        data, content_type = _big_csv(), "text/csv"
    assert len(data) > MAX_BODY
    content = _chunks(data) if streamed else data
    headers = {**env.auth(), "Content-Type": content_type}
    r = await env.client.post("/v1/datasets/gp-p81001/identities", content=content,
                              headers=headers)
    assert r.request.headers.get("content-length") is None if streamed else True
    assert_problem(r, 413, str(MAX_BODY))
    assert await env.read(subjects.IDENTITY, "pseudonymiser", want=0, timeout=0.3) == []


@pytest.mark.parametrize("fmt", ["json", "csv"])
async def test_more_rows_than_allowed_is_413(env, fmt):
    rows = [{"local_id": f"R{i}", "code": "GP1", "occurred_on": "2026-01-01"}
            for i in range(MAX_ROWS + 1)]
    if fmt == "json":
        r = await env.post(*GP, "events", {"events": rows})
    else:
        r = await env.post(*GP, "events", csv="local_id,code,occurred_on\n" + "".join(
            f"{x['local_id']},GP1,2026-01-01\n" for x in rows))
    assert_problem(r, 413, f"at most {MAX_ROWS} rows")
    assert await env.read(subjects.EVENTS, "linker", want=0, timeout=0.3) == []


async def test_exactly_the_row_limit_is_accepted(env):
    csv = "local_id,code,occurred_on\n" + "".join(
        f"LIM-{i},GP1,2026-01-01\n" for i in range(MAX_ROWS))
    r = await env.post(*GP, "events", csv=csv)
    assert r.status_code == 202 and r.json()["accepted"] == MAX_ROWS, r.text
    await env.read(subjects.EVENTS, "linker", want=1)


async def test_many_unknown_fields_in_a_row_are_counted_not_listed(env):
    row = person("UNK-1", **{f"extra_{i}": "v" for i in range(50)})
    r = await env.post(*GP, "identities", {"records": [row]})
    assert r.status_code == 202, r.text
    (rejected,) = r.json()["rejected"]
    assert len(rejected["errors"]) == 6
    assert rejected["errors"][-1] == {"field": "row", "message": "has 45 more unknown fields"}
