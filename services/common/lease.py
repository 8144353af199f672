"""One writer among a service's replicas: a lease in a NATS key-value bucket.

The bucket (one per service, made by services.common.provisioning) holds one key,
``writer``, whose value names the holder: its replica name, a nonce of its process, the
lease's time to live, the URL it answers at and its fencing epoch. Every change is a
compare-and-set on the key's revision, so of two replicas racing for it one wins.

- A candidate that finds the key absent or deleted creates it.
- The holder renews every ``renew_s`` by updating the revision it last wrote; an update
  refused on its revision means another replica took the lease: it steps down at once.
- A candidate that finds a holder watches the revision. Unchanged for the holder's own
  ``ttl_s`` (carried in the value), counted on the candidate's monotonic clock from when
  it first read that revision, it takes the lease by updating that revision. No two
  hosts' clocks are compared and no expiry on the server is relied on.
- The holder counts its lease good until ``ttl_s`` after it sent its last renewal that
  succeeded. A candidate starts counting only once it has read that renewal, so a holder
  whose event loop runs has stepped down before anyone takes over. One that is frozen
  (SIGSTOP, swapped out) cannot notice: what it writes is refused by the fencing epoch
  (services.common.db.check_fence), not by this lease.
- A replica restarted under its name takes its own lease back at once: the process that
  held it is gone (two live processes never share a replica name).
- A holder stopping cleanly deletes the key, and a candidate takes over at its next look.

Written here rather than taken from a library: nats-py gives the key-value operations
and no election on them.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace

from nats.js.errors import KeyNotFoundError, KeyWrongLastSequenceError

from services.common.tasks import cancel_and_wait

log = logging.getLogger("tessera.lease")

KEY = "writer"


@dataclass(frozen=True)
class Holder:
    """Who holds a lease, as its value says (no personal data: names and numbers)."""

    replica: str
    process: str  # a nonce per process: a restarted replica is another holder
    ttl_s: float
    url: str | None = None
    epoch: int | None = None  # the fencing epoch it took, once it has

    def encode(self) -> bytes:
        return json.dumps(asdict(self), separators=(",", ":")).encode()

    @classmethod
    def decode(cls, data: bytes) -> Holder | None:
        """The holder a value names; None for a value this code did not write."""
        try:
            fields = json.loads(data)
            return cls(replica=str(fields["replica"]), process=str(fields["process"]),
                       ttl_s=float(fields["ttl_s"]), url=fields.get("url"),
                       epoch=fields.get("epoch"))
        except (ValueError, KeyError, TypeError):
            return None


class Lease:
    """This replica's view of one lease: ``step`` once every ``renew_s``."""

    def __init__(self, js, bucket: str, *, replica: str, ttl_s: float, renew_s: float,
                 url: str | None = None, clock: Callable[[], float] = time.monotonic):
        if renew_s * 2 > ttl_s:
            raise ValueError("the lease must be renewed at least twice in its time to live")
        self.js = js
        self.bucket = bucket
        self.renew_s = renew_s
        self.clock = clock
        self.me = Holder(replica=replica, process=secrets.token_hex(4), ttl_s=ttl_s, url=url)
        self.kv = None
        self.writer: Holder | None = None  # the holder as last read (this one, or not)
        self.held = False
        self._revision: int | None = None  # of the value this replica last wrote
        self._valid_until = 0.0
        self._seen: tuple[int, float] | None = None  # (another's revision, first read at)

    async def open(self) -> None:
        self.kv = await self.js.key_value(self.bucket)

    def note(self, **fields) -> None:
        """Change what this replica's value says (its epoch, once taken); written at
        the next renewal."""
        self.me = replace(self.me, **fields)

    async def step(self) -> bool:
        """Renew the lease if held, else take it if it is free or its holder has gone
        quiet; returns whether it is held now. While NATS does not answer, a held lease
        is kept until its time runs out."""
        try:
            if self.held:
                await self._renew()
            else:
                await self._try()
        except Exception as exc:
            if self.held and self.clock() >= self._valid_until:
                self._lost(f"not renewed in {self.me.ttl_s:g} s ({type(exc).__name__})")
            else:
                log.warning("lease %s: %s", self.bucket, type(exc).__name__)
        return self.held

    async def _answer(self, operation: Awaitable):
        """A key-value operation, given up after one renewal interval."""
        return await asyncio.wait_for(operation, self.renew_s)

    async def _renew(self) -> None:
        sent = self.clock()
        try:
            self._revision = await self._answer(
                self.kv.update(KEY, self.me.encode(), last=self._revision))
        except KeyWrongLastSequenceError:
            self._lost("taken by another replica")
            return
        self._valid_until = sent + self.me.ttl_s
        self.writer = self.me

    async def _try(self) -> None:
        try:
            entry = await self._answer(self.kv.get(KEY))
        except KeyNotFoundError:  # never held, or released: whoever creates it first
            self.writer, self._seen = None, None
            await self._take(None)
            return
        holder = Holder.decode(entry.value)
        self.writer = holder
        now = self.clock()
        if self._seen is None or self._seen[0] != entry.revision:
            self._seen = (entry.revision, now)
        ttl = holder.ttl_s if holder is not None else self.me.ttl_s
        if holder is not None and holder.replica == self.me.replica:
            await self._take(entry.revision)  # this replica's previous process is gone
        elif now - self._seen[1] >= ttl:
            await self._take(entry.revision)

    async def _take(self, revision: int | None) -> None:
        sent = self.clock()
        try:
            if revision is None:
                self._revision = await self._answer(self.kv.create(KEY, self.me.encode()))
            else:
                self._revision = await self._answer(
                    self.kv.update(KEY, self.me.encode(), last=revision))
        except KeyWrongLastSequenceError:
            return  # another candidate was first
        self.held, self._seen = True, None
        self._valid_until = sent + self.me.ttl_s
        self.writer = self.me
        log.info("lease %s taken by replica %s", self.bucket, self.me.replica)

    def _lost(self, why: str) -> None:
        self.held, self._revision = False, None
        self.me = replace(self.me, epoch=None)
        log.warning("lease %s lost by replica %s: %s", self.bucket, self.me.replica, why)

    def valid(self) -> bool:
        """Held, and its time not run out since the last renewal."""
        return self.held and self.clock() < self._valid_until

    async def release(self) -> None:
        """Give the lease up (a clean stop): a candidate takes it at its next look."""
        if not self.held:
            return
        self.held = False
        with contextlib.suppress(Exception):
            await self._answer(self.kv.delete(KEY, last=self._revision))
            log.info("lease %s released by replica %s", self.bucket, self.me.replica)


class Election:
    """Runs a lease and tells the replica when it becomes the writer and when it stops.

    ``elected`` runs in a task of its own (rebuilding what a writer needs may take a
    while; the lease is renewed meanwhile); ``deposed`` cancels it if still running,
    then runs to completion before the next look at the lease."""

    def __init__(self, lease: Lease, elected: Callable[[], Awaitable[None]],
                 deposed: Callable[[], Awaitable[None]]):
        self.lease = lease
        self.elected = elected
        self.deposed = deposed
        self._loop: asyncio.Task | None = None
        self._promotion: asyncio.Task | None = None
        self._turn = asyncio.Lock()  # one look at the lease or one resignation at a time
        self.terms = 0  # times this replica became the writer

    async def start(self, wait: bool = True) -> None:
        """Open the lease and look once; if it is won, the promotion runs (awaited when
        ``wait``, so a lone replica starts as the writer), then the lease is followed."""
        await self.lease.open()
        if await self.lease.step():
            self._promote()
        # renewed from now on, also while the promotion runs
        self._loop = asyncio.create_task(self._follow(), name=f"lease-{self.lease.bucket}")
        if wait and self._promotion is not None:
            await asyncio.wait({self._promotion})

    def _promote(self) -> None:
        self.terms += 1
        self._promotion = asyncio.create_task(self._become_writer(), name="lease-elected")

    async def _become_writer(self) -> None:
        try:
            await self.elected()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # another replica may do better: let it try
            log.error("becoming the writer failed (%s); the lease is given up",
                      type(exc).__name__)
            self._promotion = None
            await self.resign()

    async def _follow(self) -> None:
        while True:
            await asyncio.sleep(self.lease.renew_s)
            async with self._turn:
                was = self.lease.held
                now = await self.lease.step()
                if now and not was:
                    self._promote()
                elif was and not now:
                    await self._demote()

    async def _demote(self) -> None:
        if self._promotion is not None and not self._promotion.done():
            with contextlib.suppress(Exception):  # its failure is its own to report
                await cancel_and_wait(self._promotion)
        self._promotion = None
        try:
            await self.deposed()
        except Exception as exc:
            log.error("stepping down failed: %s", type(exc).__name__)

    async def resign(self) -> None:
        """Step down now and let another replica take the lease (the writer found its
        epoch fenced off, or its promotion failed)."""
        async with self._turn:
            if self.lease.held:
                await self.lease.release()
                await self._demote()

    async def stop(self) -> None:
        if self._loop is not None:
            await cancel_and_wait(self._loop)
        async with self._turn:
            if self.lease.held:  # stops writing before another replica may start
                await self._demote()
            await self.lease.release()
