"""The unlock policy's facts held in memory, so an unlock reads no table.

``PolicyState`` keeps what the policy asks of the database: the active flags by
pseudonym (rule, level, purposes, area, score, agreements), the opt-outs in force
(person and scope), the purposes of the agreements not ended, and each caller's
attempts in the past hour. Identities are never held here: they live only in the
pseudonymiser.

It is loaded at start-up, before the consumers start, and kept current by the same
transactions that write the tables: a writer reads back what it changed inside its
transaction and registers the change with ``after_commit``; the change reaches memory
when (and only if) the transaction commits, so memory never runs ahead of the
database. Access-log entries reach the rate windows when the ledger commits them.

A caller's window is read from the log the first time the caller is seen (one query;
the newest ``rate_per_hour`` attempts are all the check needs), then kept in memory. An
attempt that passes the rate check holds a ``Reservation`` until its entry commits, so a
burst of concurrent attempts is counted as it arrives: the first ones up to the rate go
ahead, the rest are refused.

One process: the state follows the writes made through this process. A second
replica would not see the flags, opt-outs and attempts the first one applies (the
durable consumers share messages between replicas), so reidentify runs as one
process, as the access log's single writer does. ``load`` re-reads flags, opt-outs and
agreements when needed (``python -m services.reidentify`` does so only at start-up).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import retention as common
from services.reidentify import repository

_AFTER_COMMIT = "reidentify.after_commit"


def _committed(session) -> None:
    for apply in session.info.pop(_AFTER_COMMIT, []):
        apply()


def _rolled_back(session, *args) -> None:
    session.info.pop(_AFTER_COMMIT, None)


def after_commit(session: AsyncSession, change: Callable[[], None]) -> None:
    """Run `change` (a memory update, no I/O) when this session's transaction commits;
    drop it if the transaction rolls back."""
    sync = session.sync_session
    if not event.contains(sync, "after_commit", _committed):  # once per session
        event.listen(sync, "after_commit", _committed)
        event.listen(sync, "after_rollback", _rolled_back)
    session.info.setdefault(_AFTER_COMMIT, []).append(change)


@dataclass(frozen=True, slots=True)
class ActiveFlag:
    """What the policy and the request to the pseudonymiser need of an active flag."""

    pseudonym: str
    rule_id: str
    level: str
    purposes: tuple[str, ...]
    score: float
    area: str | None
    agreements: tuple[str, ...]

    @classmethod
    def of(cls, row) -> ActiveFlag:
        return cls(pseudonym=row.pseudonym, rule_id=row.rule_id, level=row.level,
                   purposes=tuple(row.purposes or ()), score=float(row.score),
                   area=row.area, agreements=tuple(common.unpack(row.agreements)))


class _Window:
    """One caller's newest attempts (seq, at) in seq order; `pending` while loading."""

    __slots__ = ("entries", "pending", "ready")

    def __init__(self, size: int):
        self.entries: deque[tuple[int, datetime]] = deque(maxlen=size)
        self.pending: list[tuple[int, datetime]] | None = []
        self.ready: asyncio.Future | None = None


class Reservation:
    """One attempt's place in its caller's rate window, from its rate check until its
    access-log entry commits (then the entry counts instead). Released once."""

    __slots__ = ("held", "reserved", "sub")

    def __init__(self, reserved: dict[str, int], sub: str):
        self.reserved, self.sub, self.held = reserved, sub, True
        reserved[sub] = reserved.get(sub, 0) + 1

    def release(self) -> None:
        if self.held:
            self.held = False
            left = self.reserved[self.sub] - 1
            if left:
                self.reserved[self.sub] = left
            else:
                del self.reserved[self.sub]


class PolicyState:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], rate_per_hour: int):
        self.sessionmaker = sessionmaker
        self.rate_per_hour = rate_per_hour
        self.flags: dict[str, dict[str, ActiveFlag]] = {}
        self.optouts: dict[str, set[str]] = {}
        self.agreements: dict[str, frozenset[str]] = {}  # not ended: their purposes
        self._windows: dict[str, _Window] = {}
        self._reserved: dict[str, int] = {}

    # --- loading --------------------------------------------------------------------

    async def load(self) -> None:
        """Read flags, opt-outs and agreements (start-up: before the consumers run)."""
        async with self.sessionmaker() as session:
            flags = await repository.active_flag_rows(session)
            optouts = await repository.opt_out_keys(session)
            agreements = await repository.agreement_purposes(session)
        by_pseudonym: dict[str, dict[str, ActiveFlag]] = {}
        for row in flags:
            flag = ActiveFlag.of(row)
            by_pseudonym.setdefault(flag.pseudonym, {})[flag.rule_id] = flag
        held: dict[str, set[str]] = {}
        for person, scope in optouts:
            held.setdefault(person, set()).add(scope)
        self.flags, self.optouts = by_pseudonym, held
        self.agreements = {a: frozenset(p or ()) for a, p in agreements}

    # --- reads (the unlock path) ----------------------------------------------------

    def active_flags(self, pseudonym: str) -> list[ActiveFlag]:
        """Highest score first, then rule id (as the table was read)."""
        held = self.flags.get(pseudonym)
        if not held:
            return []
        return sorted(held.values(), key=lambda f: (-f.score, f.rule_id))

    def opted_out(self, person: str, scopes: Iterable[str]) -> bool:
        held = self.optouts.get(person)
        return bool(held) and any(scope in held for scope in scopes)

    def purpose_covered(self, flag: ActiveFlag, purpose: str) -> bool:
        """Every agreement that supplied the flag's data is known, not ended, and names
        the purpose (a flag naming no agreement is not limited here)."""
        return all(purpose in self.agreements.get(a, ()) for a in flag.agreements)

    def attempts_since(self, sub: str, since: datetime) -> int | None:
        """The caller's logged attempts at or after `since` (not counting refusals for
        rate), up to ``rate_per_hour``; None until the caller's window is read."""
        window = self._windows.get(sub)
        if window is None or window.pending is not None:
            return None
        entries = window.entries
        while entries and entries[0][1] < since:
            entries.popleft()
        return len(entries)

    def reserve(self, sub: str, since: datetime) -> Reservation | None:
        """A place in the caller's window if it has one left (the window must be loaded):
        the check and the reservation happen together, with no await between."""
        done = self.attempts_since(sub, since)
        if done is None:
            raise RuntimeError("the caller's window is not loaded")
        if done + self._reserved.get(sub, 0) >= self.rate_per_hour:
            return None
        return Reservation(self._reserved, sub)

    async def load_attempts(self, sub: str, since: datetime) -> int:
        window = self._windows.get(sub)
        if window is None:
            window = self._windows[sub] = _Window(max(1, self.rate_per_hour))
            window.ready = asyncio.get_running_loop().create_future()
            try:
                async with self.sessionmaker() as session:
                    stored = await repository.recent_attempts(session, sub, since,
                                                              self.rate_per_hour)
            except BaseException as exc:
                del self._windows[sub]
                window.ready.set_exception(exc)
                window.ready.exception()  # retrieved: the waiters (if any) re-raise it
                raise
            merged = dict(stored)
            merged.update(window.pending)  # committed while the query ran
            window.entries.extend(sorted(merged.items()))
            window.pending = None
            window.ready.set_result(None)
        elif window.pending is not None:
            await asyncio.shield(window.ready)
        count = self.attempts_since(sub, since)
        return count if count is not None else await self.load_attempts(sub, since)

    # --- writes (after the commit that wrote them) ----------------------------------

    def put_flags(self, pseudonyms: Iterable[str], rows: Iterable) -> None:
        """The active flags of these pseudonyms are exactly `rows` now."""
        for pseudonym in pseudonyms:
            self.flags.pop(pseudonym, None)
        for row in rows:
            flag = ActiveFlag.of(row)
            self.flags.setdefault(flag.pseudonym, {})[flag.rule_id] = flag

    def drop_flags(self, keys: Iterable[tuple[str, str]]) -> None:
        for pseudonym, rule_id in keys:
            held = self.flags.get(pseudonym)
            if held is not None:
                held.pop(rule_id, None)
                if not held:
                    del self.flags[pseudonym]

    def put_optout(self, person: str, scope: str, opted_out: bool) -> None:
        if opted_out:
            self.optouts.setdefault(person, set()).add(scope)
            return
        held = self.optouts.get(person)
        if held is not None:
            held.discard(scope)
            if not held:
                del self.optouts[person]

    def put_agreement(self, agreement: str, purposes: Iterable[str], ended: bool) -> None:
        if ended:
            self.agreements.pop(agreement, None)
        else:
            self.agreements[agreement] = frozenset(purposes)

    def committed(self, entries: Iterable[dict]) -> None:
        """Access-log entries just committed: each counts in its caller's window (and ends
        its reservation) unless it was a refusal for rate, a follow-up of an earlier entry
        or a subject access step."""
        for entry in entries:
            reservation = entry.get("reservation")
            if reservation is not None:
                reservation.release()
            if (entry.get("reason") == "rate" or entry.get("ref") is not None
                    or entry.get("case_id") is not None):
                continue
            window = self._windows.get(entry["sub"])
            if window is None:
                continue  # read from the log when the caller is next seen
            if window.pending is not None:
                window.pending.append((entry["seq"], entry["at"]))
            else:
                window.entries.append((entry["seq"], entry["at"]))

    def prune(self, since: datetime) -> int:
        """Forget the windows with no attempt since `since`; returns how many."""
        idle = [sub for sub, w in self._windows.items()
                if w.pending is None and (not w.entries or w.entries[-1][1] < since)]
        for sub in idle:
            del self._windows[sub]
        return len(idle)
