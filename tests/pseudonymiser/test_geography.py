"""The council's postcode lookup: households take their postcode's LSOA, records already
assigned are assigned again with it, and bad rows are named.

Its own module, so the pseudonymiser holds only what these tests put in it."""

from __future__ import annotations

import uuid

import httpx

from tests.pseudonymiser.test_service import person

LOOKUP = ("pcds,lsoa21cd,lsoa21nm,wd24cd\n"
          "OL1 1AB,E01000001,Oldham 001A,E05000001\n"
          "OL2 5XY,E01000002,Oldham 002A,E05000002\n")


async def put(pseudonymiser, body: str, *roles: str) -> httpx.Response:
    token = pseudonymiser.fed.env.token("pseudonymiser", roles=list(roles) or ["admin"])
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=pseudonymiser.app),
                                 base_url="http://test") as client:
        return await client.put("/v1/geography/postcodes", content=body, headers={
            "Authorization": f"Bearer {token}", "Content-Type": "text/csv"})


async def test_households_take_their_postcodes_lsoa(pseudonymiser):
    fed = pseudonymiser.fed
    before = person(family_name=f"Ashworth{uuid.uuid4().hex[:4]}", postcode="OL1 1AB")
    await fed.processed(await fed.publish([before]))
    first = await fed.latest(before["record_token"])
    assert first.lsoa is None and first.area == "OL1"  # no lookup yet

    assert (await put(pseudonymiser, LOOKUP, "analyst")).status_code == 403
    response = await put(pseudonymiser, LOOKUP)
    assert response.status_code == 200, response.text
    assert response.json()["postcodes"] == 2 and response.json()["households_moved"] >= 1
    again = await fed.latest(before["record_token"], first.version + 1)
    assert again.lsoa == "E01000001" and again.person == first.person

    after = person(family_name=f"Tandle{uuid.uuid4().hex[:4]}", postcode="ol25xy",
                   address="3 Mill Lane, Shaw")
    await fed.processed(await fed.publish([after]))
    assert (await fed.latest(after["record_token"])).lsoa == "E01000002"
    outside = person(family_name=f"Fitton{uuid.uuid4().hex[:4]}", postcode="OL9 6QQ",
                     address="9 Chapel Road, Chadderton")
    await fed.processed(await fed.publish([outside]))
    assert (await fed.latest(outside["record_token"])).lsoa is None


async def test_bad_rows_are_named_without_their_values(pseudonymiser):
    response = await put(pseudonymiser, "pcds,lsoa21cd\nOL1 1AB,E01000001\nNOTAPOSTCODE,E0\n"
                                        "OL2 5XY,\n")
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in response.json()["errors"]] == [
        ["body", 1, "pcds"], ["body", 2, "lsoa21cd"]]
    assert "NOTAPOSTCODE" not in response.text
    missing = await put(pseudonymiser, "postcode_only\nOL1 1AB\n")
    assert missing.status_code == 422
