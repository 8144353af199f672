"""End to end on the synthetic borough, through the gateway's REST API as partners would."""

from __future__ import annotations

import asyncio
import time

import httpx
import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

RULE = "oldham-gp-pilot"
PURPOSE = "early-help-triage"


def pseudonyms_of(run) -> dict[str, str]:
    """Truth person id -> the person pseudonym the pseudonymiser assigned (read as a test)."""
    con = run.connect("pseudonymiser")
    try:
        rows = con.execute(
            "SELECT r.partner, r.dataset, r.local_id, p.pseudonym FROM identity_records r "
            "JOIN persons p ON p.id = r.person_id WHERE r.level = 'person'").fetchall()
    finally:
        con.close()
    out: dict[str, set[str]] = {}
    for partner, dataset, local_id, pseudonym in rows:
        truth = run.borough.truth.records.get((partner, dataset, local_id))
        if truth and truth.person_id:
            out.setdefault(truth.person_id, set()).add(pseudonym)
    split = {p: s for p, s in out.items() if len(s) > 1}
    assert not split, f"{len(split)} true persons split over several pseudonyms"
    return {p: next(iter(s)) for p, s in out.items()}


async def cohort(run, clearance, **overrides) -> list[dict]:
    claims = {**clearance, **overrides}
    async with httpx.AsyncClient(timeout=30, verify=run.fed.verify) as c:
        r = await c.get(f"{run.url('reidentify')}/v1/cohorts/{RULE}",
                        params={"limit": 500},
                        headers={"Authorization": f"Bearer {run.token('reidentify', **claims)}"})
    assert r.status_code == 200, r.text
    return r.json()


async def settled_cohort(run, clearance, expected: int) -> list[dict]:
    last, same = None, 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        rows = await cohort(run, clearance)
        key = sorted(r["pseudonym"] for r in rows)
        same = same + 1 if key == last else 0
        last = key
        if same >= 3 and len(rows) >= expected:
            return rows
        await asyncio.sleep(0.5)
    return rows


async def unlock(run, pseudonym, token, purpose=PURPOSE):
    async with httpx.AsyncClient(timeout=30, verify=run.fed.verify) as c:
        return await c.post(
            f"{run.url('reidentify')}/v1/unlock",
            headers={"Authorization": f"Bearer {token}"},
            json={"pseudonym": pseudonym, "purpose": purpose,
                  "justification": "End-to-end test: early help panel case discussion"})


async def test_every_batch_was_accepted_whole(running):
    total_rows = sum(len(rows) for _, _, _, rows in running.borough.uploads())
    assert total_rows > 1000
    assert running.batches


async def test_flagged_are_exactly_who_the_generator_says(running, clearance):
    truth = running.borough.truth
    expected_people = truth.flagged()
    assert expected_people, "the borough should flag someone"
    rows = await settled_cohort(running, clearance, len(expected_people))
    pseudonym_of = pseudonyms_of(running)
    expected = {pseudonym_of[p] for p in expected_people}
    got = {r["pseudonym"] for r in rows}
    assert got == expected, (len(got - expected), len(expected - got))
    for r in rows:
        assert set(r) >= {"pseudonym", "level", "score", "indicators", "health",
                          "non_health", "area", "raised_at"}
        assert r["indicators"] >= 5 and r["health"] >= 1 and r["non_health"] >= 1
        assert not {"given_name", "family_name", "date_of_birth", "postcode"} & set(r)


async def test_cleared_caseworker_unlocks_one(running, clearance):
    rows = await cohort(running, clearance)
    target = rows[0]
    token = running.token("reidentify", **{**clearance, "districts": [target["area"]]})
    r = await unlock(running, target["pseudonym"], token)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["access_id"]
    subject = body["subjects"][0]
    pseudonym_of = pseudonyms_of(running)
    person = next(p for p, ps in pseudonym_of.items() if ps == target["pseudonym"])
    true = running.borough.identity(person)
    assert subject["date_of_birth"] == true["date_of_birth"]
    assert subject["family_name"].casefold() == true["family_name"].casefold()

    # each partner whose records were released reads who unlocked the person, and no other
    partners = sorted({partner for partner, _, kind, _ in running.borough.uploads()
                       if kind == "identities"})
    told = {}
    for partner in partners:
        read = running.token("pseudonymiser", subject=f"{partner}-system", partner=partner,
                             scope=["ingest"])
        async with httpx.AsyncClient(timeout=30, verify=running.fed.verify) as c:
            r = await c.get(f"{running.url('pseudonymiser')}/v1/security-events",
                            params={"kind": "release", "limit": 1000},
                            headers={"Authorization": f"Bearer {read}"})
        assert r.status_code == 200, r.text
        events = r.json()["events"]
        assert {e["partner"] for e in events} <= {partner}
        told[partner] = [e for e in events
                         if e["target"] == f"access_id={body['access_id']}"]
    holders = {p for p, events in told.items() if events}
    assert holders, "some partner's records were released"
    assert holders < set(partners), "not every partner holds this person"
    for events in told.values():
        for e in events:
            assert e["action"] == "identity release" and e["sub"] == "dev-user"
            assert clearance["org"] in e["detail"]


async def test_refusals(running, clearance):
    rows = await cohort(running, clearance)
    target = rows[0]
    other = sorted({"OL1", "OL2", "OL4", "OL8", "OL9"} - {target["area"]})
    cases = {
        "other district": (running.token("reidentify", **{**clearance, "districts": other}),
                           PURPOSE, 403),
        "other purpose": (running.token("reidentify", **{**clearance,
                                                          "purposes": ["research"]}),
                          "research", 403),
        "expired": (running.token("reidentify", lifetime_s=-120, **clearance), PURPOSE, 401),
        "badly signed": (_foreign_token(running, clearance), PURPOSE, 401),
    }
    for name, (token, purpose, status) in cases.items():
        r = await unlock(running, target["pseudonym"], token, purpose)
        assert r.status_code == status, (name, r.status_code)
        assert r.headers["content-type"].startswith("application/problem+json"), name
        assert "subjects" not in r.json(), name
        assert "given_name" not in r.text and "family_name" not in r.text, name


def _foreign_token(run, clearance) -> str:
    """Right kid, issuer and audience, but signed by a key the issuer never published."""
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())
    kid = (run.fed.layout.issuer / "current").read_text().strip()
    now = int(time.time())
    claims = {"iss": "https://issuer.tessera.local", "aud": "tessera-reidentify",
              "sub": "intruder", "iat": now, "exp": now + 300, "jti": f"x-{now}",
              **clearance}
    return jwt.encode(claims, key, algorithm="EdDSA", headers={"kid": kid})


async def test_opted_out_person_is_nowhere(running, clearance):
    truth = running.borough.truth
    pseudonym_of = pseudonyms_of(running)
    opted = [p for p in truth.optouts if p in pseudonym_of]
    assert opted
    rows = await cohort(running, clearance)
    flagged = {r["pseudonym"] for r in rows}
    linker = running.connect("linker")
    try:
        for person in opted:
            pseudonym = pseudonym_of[person]
            assert pseudonym not in flagged
            r = await unlock(running, pseudonym, running.token("reidentify", **clearance))
            assert r.status_code == 403
            # Events that arrived before the opt-out stay withheld until the sweep erases
            # them (docs/consent.md); none may sit on a record still counted.
            assert await _withheld_at_linker(linker, pseudonym)
    finally:
        linker.close()
    # The generator always opts out someone who would otherwise have been flagged.
    would_have = [p for p in opted if p in _flagged_ignoring_optouts(truth)]
    assert would_have


async def _withheld_at_linker(linker, pseudonym: str, timeout: float = 30) -> bool:
    """Every record of the person withheld and no event on a record still counted (events
    that arrived before the opt-out stay withheld until the sweep erases them)."""
    deadline = time.monotonic() + timeout
    while True:
        counted, records, withheld = linker.execute(
            "SELECT (SELECT count(*) FROM events e JOIN assignments a "
            "        ON a.record_token = e.record_token "
            "        WHERE a.person = ? AND NOT a.withheld), "
            "       count(*), coalesce(sum(withheld), 0) "
            "FROM assignments WHERE person = ?", (pseudonym, pseudonym)).fetchone()
        if counted == 0 and records == withheld:
            return True
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.3)


def _flagged_ignoring_optouts(truth):
    from synthetic.truth import OldhamRule

    rule = OldhamRule()
    return {p for p in truth.person_events if rule.matches(truth.window_codes(p))}


async def test_calibration_equals_a_brute_force_count(running, clearance):
    """The scorer's counts per threshold, computed without identities, equal the generator's
    ground truth counted by brute force (with and without the health/non-health mix)."""
    from synthetic.truth import calibration

    await settled_cohort(running, clearance, len(running.borough.truth.flagged()))
    token = running.token("scorer", roles=["coordinator"])
    async with httpx.AsyncClient(timeout=30, verify=running.fed.verify) as c:
        r = await c.get(f"{running.url('scorer')}/v1/rules/{RULE}/calibration",
                        headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text
    rows = {t["min_indicators"]: t for t in r.json()["thresholds"]}
    truth = calibration(running.borough.truth)
    # counts the disclosure rule hides are null (tests/scorer/test_rules.py tries to
    # work them out); every count shown is the brute-force one
    pairs = [(rows[n][field], truth[kind][n]) for n in (3, 4, 5)
             for field, kind in (("count", "mixed"), ("count_without_categories", "any"))]
    shown = [(got, want) for got, want in pairs if got is not None]
    assert shown, rows
    assert all(got == want for got, want in shown), (shown, truth)
    # the note counts these and any hidden per-area count
    assert r.json()["disclosure"]["hidden"] >= len(pairs) - len(shown)
    assert "pseudonym" not in r.text


async def test_childrens_home_is_no_family_household(running):
    """Oldham's "super family" that was a children's home: its residents are kept out of
    every family household in the pseudonymiser, and so in the households the linker was
    sent over NATS (and the scorer counts): a resident belongs to no household there."""
    truth = running.borough.truth
    residents = {p for ps in truth.institutions.values() for p in ps}
    con = running.connect("pseudonymiser")
    try:
        rows = con.execute(
            "SELECT r.partner, r.dataset, r.local_id, r.record_token, h.pseudonym, "
            "h.institution FROM identity_records r JOIN persons p ON p.id = r.person_id "
            "LEFT JOIN households h ON h.id = p.household_id "
            "WHERE r.level = 'person'").fetchall()
    finally:
        con.close()
    linker = running.connect("linker")
    try:
        sent = dict(linker.execute("SELECT record_token, household FROM assignments"))
    finally:
        linker.close()
    kinds: dict[str, set[str]] = {}
    resident_records = 0
    for partner, dataset, local_id, token, household, institution in rows:
        record = truth.records.get((partner, dataset, local_id))
        if record is None or record.person_id is None:
            continue
        is_resident = record.person_id in residents
        resident_records += is_resident
        if is_resident:
            assert household is None or institution is not None, "resident in a family"
            assert token in sent and sent[token] is None, "the linker has no household"
        for h in {household, sent.get(token)} - {None}:
            kinds.setdefault(h, set()).add("resident" if is_resident else "family")
    assert resident_records >= 10, "the borough should have a children's home"
    mixed = [h for h, k in kinds.items() if len(k) > 1]
    assert mixed == []
