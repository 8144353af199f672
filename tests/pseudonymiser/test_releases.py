"""The pseudonymiser answers an identity request only when reidentify sent it, for an
access-log entry not answered before, recently issued; the answer is sealed to the asker;
every release is in its own ledger."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta

import nats.errors
import pytest

from services.common import bus, subjects
from services.common import messages as m
from services.common.sealing import Opener
from services.common.state import state_of
from services.common.trust import Keyring
from services.pseudonymiser.releases import Releases
from tests.pseudonymiser.conftest import ACCESS_IDS
from tests.pseudonymiser.test_service import person
from tests.support import eventually

NAME = ("Delacroix-Mbeki", "Solveig")


async def a_person(fed) -> str:
    row = person(family_name=NAME[0], given_name=NAME[1], local_id="EMIS-7001",
                 address="14 Hawthorn Rise", postcode="OL2 8QQ")
    await fed.processed(await fed.publish([row]))
    return (await fed.latest(row["record_token"])).person


async def test_an_access_id_is_answered_once(pseudonymiser):
    fed = pseudonymiser.fed
    p = await a_person(fed)
    access_id = next(ACCESS_IDS)
    first = await fed.ask(p, access_id=access_id)
    assert first.subjects and first.subjects[0].family_name == NAME[0]
    again = await fed.ask(p, access_id=access_id)
    assert (again.found, again.subjects) == (False, [])
    assert fed.replies[-1].refused == "replayed"


async def test_an_old_access_id_is_refused_after_memory_forgets_it(pseudonymiser):
    """Past the in-memory window an id at or below one that aged out is refused."""
    fed = pseudonymiser.fed
    p = await a_person(fed)
    access_id = next(ACCESS_IDS)
    assert (await fed.ask(p, access_id=access_id)).subjects
    releases = state_of(pseudonymiser.app).releases
    releases._order.clear()  # as though it was seen an hour ago
    releases._remember(access_id, time.monotonic() - 3600)
    releases._remember(next(ACCESS_IDS), time.monotonic())  # ages it out
    assert access_id not in releases._seen
    for old in (access_id, access_id - 1):  # answered, and never asked but older
        again = await fed.ask(p, access_id=old)
        assert (again.found, again.subjects) == (False, [])
        assert fed.replies[-1].refused == "replayed"


async def test_a_restart_remembers_what_it_released(pseudonymiser):
    """After a restart, recent ids come from the ledger, older ones from its newest id."""
    fed = pseudonymiser.fed
    p = await a_person(fed)
    access_id = next(ACCESS_IDS)
    assert (await fed.ask(p, access_id=access_id)).subjects
    releases = state_of(pseudonymiser.app).releases
    await releases.flush()
    fresh = Releases(releases.sessionmaker, releases.max_age_s)
    await fresh.load()
    assert access_id in fresh._seen
    stale = Releases(releases.sessionmaker, max_age_s=-3600.0)  # all of it aged out
    await stale.load()
    assert stale._floor >= access_id and access_id not in stale._seen


async def test_a_stale_request_is_refused(pseudonymiser):
    fed = pseudonymiser.fed
    p = await a_person(fed)
    for issued in (datetime.now(UTC) - timedelta(seconds=90),
                   datetime.now(UTC) + timedelta(seconds=90)):
        answer = await fed.ask(p, issued_at=issued)
        assert (answer.found, answer.subjects) == (False, [])
        assert fed.replies[-1].refused == "stale"


@pytest.mark.parametrize("tagged_as", ["nobody", "linker"])
async def test_a_nats_password_alone_gets_no_identity(pseudonymiser, tagged_as):
    """With reidentify's NATS password but not its signing key, nothing is answered."""
    fed = pseudonymiser.fed
    p = await a_person(fed)
    layout = fed.env.layout
    attacker = await fed.env.connect("reidentify")
    opener = Opener()
    ask = m.ReidentifyRequest(pseudonym=p, level="person", access_id=next(ACCESS_IDS),
                              issued_at=datetime.now(UTC), reply_key=opener.public)
    payload = bus.encode(ask)
    headers = {}
    if tagged_as == "linker":  # a valid tag by a service that may not ask
        peer = bus.Bus(attacker, "linker", Keyring.load("linker", layout.bus_key("linker"),
                                                        layout.bus_trust,
                                                        layout.passphrase("linker")))
        headers = peer.headers(("pseudonymiser",), subjects.REIDENTIFY.subject, payload)
    try:
        with pytest.raises(asyncio.TimeoutError):
            await attacker.request(subjects.REIDENTIFY.subject, payload, timeout=1.5,
                                   headers=headers)
    finally:
        await attacker.close()


async def test_the_answer_crosses_the_bus_sealed(pseudonymiser):
    """Whoever reads reidentify's reply subject sees ciphertext only."""
    fed = pseudonymiser.fed
    p = await a_person(fed)
    seen: list[bytes] = []
    spy = await fed.env.connect("reidentify")  # reidentify's password, its inbox

    async def keep(msg):
        seen.append(msg.data)

    await spy.subscribe("_INBOX.reidentify.>", cb=keep)
    await spy.flush()
    try:
        answer = await fed.ask(p)
        assert answer.subjects[0].given_name == NAME[1]
        await eventually(lambda: seen, timeout=5)
        assert all(NAME[0].encode() not in data and NAME[1].encode() not in data
                   for data in seen)
        assert b'"sealed"' in seen[-1]
    finally:
        await spy.close()


async def test_every_release_is_in_the_ledger(pseudonymiser):
    fed = pseudonymiser.fed
    p = await a_person(fed)
    access_id = next(ACCESS_IDS)
    await fed.ask(p, access_id=access_id)
    await fed.ask("p_nobody", access_id=next(ACCESS_IDS))  # nothing released, not recorded
    await state_of(pseudonymiser.app).releases.flush()
    page = await fed.reidentifier.request(subjects.RELEASES,
                                          m.ReleasesQuery(after=access_id - 1), timeout=5)
    mine = [r for r in page.releases if r.access_id == access_id]
    assert [(r.pseudonym, r.level, r.partner) for r in mine] == [(p, "person", None)]
    assert all(r.pseudonym != "p_nobody" for r in page.releases)
    # only reidentify may read the ledger
    other = await fed.env.bus("linker")
    try:
        with pytest.raises((asyncio.TimeoutError, nats.errors.NoRespondersError)):
            await other.nc.request(subjects.RELEASES.subject, b"{}", timeout=1)
    finally:
        await other.nc.close()


async def test_an_access_id_answered_by_one_replica_is_refused_by_another(pseudonymiser):
    """Replicas share their claims on access ids (a NATS key-value bucket): a request
    replayed to another replica is refused there."""
    fed = pseudonymiser.fed
    releases = state_of(pseudonymiser.app).releases
    nc = await fed.env.connect("pseudonymiser")
    try:
        claims = await nc.jetstream().key_value(subjects.RELEASED.name)
        replicas = [Releases(releases.sessionmaker, releases.max_age_s, claims=claims)
                    for _ in range(2)]
        request = m.ReidentifyRequest(pseudonym="p_x", level="person",
                                      access_id=next(ACCESS_IDS),
                                      issued_at=datetime.now(UTC), reply_key=Opener().public)
        assert await replicas[0].admit(request) is None
        assert await replicas[1].admit(request) == "replayed"
        assert await replicas[0].admit(request) == "replayed"
        other = request.model_copy(update={"access_id": next(ACCESS_IDS)})
        assert await replicas[1].admit(other) is None
    finally:
        await nc.close()
