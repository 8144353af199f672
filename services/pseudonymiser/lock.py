"""The linkage lock: one linkage call, re-link piece, review decision or retention sweep
at a time in this process, and, where replicas elect their writer (writer.py), only in
the writer and only while its fencing epoch is the newest.

Linkage reads what is held, then writes. Released when a call returned, the lock let the
next call read before this one's writes were committed, and it inserted the same record
token again (an opt-out batch and an identity group naming one record: UNIQUE constraint
failed). So the lock is held until the transaction that took it has ended, committed or
rolled back.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.db import Fenced
from services.pseudonymiser import repository as repo

# session.info keys: the transaction holds the lock; its release is listened for
_HOLDING = "tessera_linkage_lock"
_LISTENING = "tessera_linkage_lock_listener"


class NotWriter(Fenced):
    """This replica is a standby: linkage writes are the elected writer's."""


class LinkageLock:
    def __init__(self, fenced: bool = False) -> None:
        self._lock = asyncio.Lock()
        # unfenced: a process alone on its database (tools run with the service stopped)
        self.fenced = fenced
        self.epoch: int | None = None  # the writer's fencing epoch; None on a standby
        self.fenced_off: Callable[[], None] | None = None  # told when a check fails

    def locked(self) -> bool:
        return self._lock.locked()

    async def hold(self, session: AsyncSession) -> None:
        """Take the lock until `session`'s transaction ends (a unit of work the caller
        owns, such as a consumer's)."""
        if not session.in_transaction():
            raise RuntimeError("the linkage lock is held by a transaction: begin one first")
        if session.info.get(_HOLDING):
            return  # this transaction holds it already
        if self.fenced and self.epoch is None:
            raise NotWriter("this replica is a standby")
        await self._lock.acquire()
        session.info[_HOLDING] = True

        def release(sess, transaction) -> None:
            if transaction.parent is None and sess.info.pop(_HOLDING, False):
                self._lock.release()

        if not session.info.get(_LISTENING):
            event.listen(session.sync_session, "after_transaction_end", release)
            session.info[_LISTENING] = True
        if self.fenced:
            await self._check(session)

    async def _check(self, session: AsyncSession) -> None:
        epoch = self.epoch
        if epoch is None:  # deposed while waiting for the lock
            raise NotWriter("this replica is a standby")
        try:
            await repo.check_fence(session, epoch)
        except Fenced:
            if self.fenced_off is not None and self.epoch == epoch:
                self.fenced_off()
            raise

    @asynccontextmanager
    async def transaction(self, sessionmaker: async_sessionmaker[AsyncSession]
                          ) -> AsyncIterator[AsyncSession]:
        """A transaction of its own holding the lock: committed when the block ends,
        then the lock released."""
        async with sessionmaker() as session, session.begin():
            await self.hold(session)
            yield session
