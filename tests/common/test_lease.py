"""The writer lease on a real nats-server: one holder, taken over only once it has gone
quiet for its time to live (on the candidate's clock), at once when released or when
its own replica restarts; and an election that promotes and deposes."""

from __future__ import annotations

import asyncio

import pytest

from services.common.lease import KEY, Election, Holder, Lease
from services.common.subjects import WRITER_LEASE
from tests.support import close, eventually

BUCKET = WRITER_LEASE.name
TTL = 5.0


class Clock:
    """A monotonic clock the test moves by hand: no test waits on wall time."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def leases(nats_env):
    """Make leases on the pseudonymiser's bucket, each on a connection of its own (as
    the pseudonymiser's NATS user); the key is cleared before and after."""
    conns = []

    async def make(replica: str, clock=None, ttl: float = TTL, renew: float = 1.0) -> Lease:
        nc = await nats_env.connect("pseudonymiser")
        conns.append(nc)
        lease = Lease(nc.jetstream(timeout=2), BUCKET, replica=replica, ttl_s=ttl,
                      renew_s=renew, clock=clock or Clock())
        await lease.open()
        return lease

    first = await make("cleaner")
    await first.kv.purge(KEY)
    yield make
    await first.kv.purge(KEY)
    await close(*conns)


async def test_one_holder_and_a_takeover_only_after_the_ttl(leases):
    clock = Clock()
    a, b = await leases("a", clock), await leases("b", clock)
    assert await a.step()
    assert not await b.step()
    assert b.writer is not None and b.writer.replica == "a"
    clock.now += TTL - 0.5  # a has not renewed, but its time is not up on b's clock
    assert not await b.step()
    clock.now += 1.0
    assert await b.step()  # quiet for the whole ttl since b first read it: taken
    assert not await a.step()  # a's renewal names a revision no longer the last
    assert not a.held and a.writer == a.me
    assert not await a.step() and a.writer.replica == "b"


async def test_renewals_keep_a_candidate_out_however_long_it_waits(leases):
    clock = Clock()
    a, b = await leases("a", clock), await leases("b", clock)
    assert await a.step()
    for _ in range(5):
        assert not await b.step()
        clock.now += TTL + 1  # more than the ttl between looks, yet a renewed each time
        assert await a.step()
    assert not await b.step()


async def test_the_ttl_is_counted_from_when_the_candidate_first_read_the_revision(leases):
    """A candidate that starts late (or whose clock differs) waits a whole ttl from its
    own first look, whatever age the value has."""
    clock_a, clock_b = Clock(), Clock()
    a = await leases("a", clock_a)
    assert await a.step()
    clock_b.now += 10 * TTL  # b's clock is far ahead of a's; it has never looked
    b = await leases("b", clock_b)
    assert not await b.step()
    clock_b.now += TTL - 0.1
    assert not await b.step()
    clock_b.now += 0.2
    assert await b.step()


async def test_a_release_lets_a_candidate_in_at_its_next_look(leases):
    clock = Clock()
    a, b = await leases("a", clock), await leases("b", clock)
    assert await a.step()
    assert not await b.step()
    await a.release()
    assert await b.step()  # no wait for the ttl


async def test_a_replica_restarted_under_its_name_takes_its_own_lease_back(leases):
    clock = Clock()
    first, other = await leases("a", clock), await leases("b", clock)
    assert await first.step()
    again = await leases("a", clock)  # the same replica, a new process
    assert again.me.process != first.me.process
    assert not await other.step()
    assert await again.step()  # at once
    assert not await first.step()  # the old process, were it alive, is out


async def test_only_one_of_many_candidates_wins_a_free_lease(leases):
    candidates = [await leases(f"r{i}") for i in range(6)]
    won = await asyncio.gather(*(c.step() for c in candidates))
    assert sum(won) == 1


async def test_what_the_value_says(leases):
    a = await leases("a")
    assert await a.step()
    a.note(epoch=7)
    assert await a.step()
    entry = await a.kv.get(KEY)
    holder = Holder.decode(entry.value)
    assert holder == a.me and holder.epoch == 7 and holder.ttl_s == TTL
    assert Holder.decode(b"not json") is None


async def test_a_lease_renewed_less_than_twice_in_its_ttl_is_refused(nats_env):
    nc = await nats_env.connect("pseudonymiser")
    try:
        with pytest.raises(ValueError, match="twice"):
            Lease(nc.jetstream(), BUCKET, replica="a", ttl_s=1.0, renew_s=0.6)
    finally:
        await close(nc)


async def test_an_election_promotes_one_and_hands_over_when_it_stops(leases):
    events: list[tuple[str, str]] = []

    def election(lease: Lease) -> Election:
        async def elected():
            events.append(("elected", lease.me.replica))

        async def deposed():
            events.append(("deposed", lease.me.replica))

        return Election(lease, elected, deposed)

    a = election(await leases("a", ttl=1.0, renew=0.2))
    b = election(await leases("b", ttl=1.0, renew=0.2))
    await a.start()
    await b.start()
    assert events == [("elected", "a")]
    await a.stop()  # deposed first, then released: b takes over at its next look
    await eventually(lambda: ("elected", "b") in events, timeout=10)
    assert events[:2] == [("elected", "a"), ("deposed", "a")]
    assert b.lease.held and b.terms == 1
    await b.stop()
    assert events[-1] == ("deposed", "b")
