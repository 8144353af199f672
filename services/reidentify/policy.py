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
database. Each such change is also announced to the other processes of the slice
(``notices.py``), which read the same rows back from the database: a flag, an opt-out
or an agreement applied by one replica reaches every replica's memory within the time
a message takes to cross the bus.

The rate windows are decided under the access log's lock (``ledger.py``): before a batch
of entries is chained, every entry another process appended since this one last held
the lock is counted in its caller's window, so each window is exact across replicas; a
caller seen for the first time has its window read from the log there, under the same
lock. An attempt that counts against the rate is admitted or turned into a refusal for
rate in the order the entries are chained: a burst of concurrent attempts, through one
replica or several, gets the first ``rate_per_hour`` through and the rest refused.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import retention as common
from services.reidentify import repository

_AFTER_COMMIT = "reidentify.after_commit"
HOUR = timedelta(hours=1)


def counts(entry: dict) -> bool:
    """Whether an access-log entry counts in its caller's rate window: not a refusal for
    rate, not a follow-up of an earlier entry, not a subject access step."""
    return (entry.get("reason") != "rate" and entry.get("ref") is None
            and entry.get("case_id") is None)


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


@dataclass
class Changed:
    """Keys of the policy's rows a commit changed (pseudonyms, persons, agreement ids)."""

    flags: set[str]
    persons: set[str]
    agreements: set[str]

    @classmethod
    def none(cls) -> Changed:
        return cls(set(), set(), set())

    def __bool__(self) -> bool:
        return bool(self.flags or self.persons or self.agreements)

    def add(self, other: Changed) -> None:
        self.flags |= other.flags
        self.persons |= other.persons
        self.agreements |= other.agreements

    def keys(self) -> set[tuple[str, str]]:
        return ({("flag", k) for k in self.flags} | {("person", k) for k in self.persons}
                | {("agreement", k) for k in self.agreements})

    def without(self, keys: set[tuple[str, str]]) -> Changed:
        return Changed({k for k in self.flags if ("flag", k) not in keys},
                       {k for k in self.persons if ("person", k) not in keys},
                       {k for k in self.agreements if ("agreement", k) not in keys})


class _Read:
    """Rows being read back from the database; keys changed here meanwhile are `dirty`
    (memory then holds something newer than the read)."""

    __slots__ = ("dirty", "everything")

    def __init__(self, everything: bool = False):
        self.dirty: set[tuple[str, str]] = set()
        self.everything = everything


class PolicyState:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], rate_per_hour: int):
        self.sessionmaker = sessionmaker
        self.rate_per_hour = rate_per_hour
        self.flags: dict[str, dict[str, ActiveFlag]] = {}
        self.optouts: dict[str, set[str]] = {}
        self.agreements: dict[str, frozenset[str]] = {}  # not ended: their purposes
        # each caller's newest counted attempts (seq, at), in seq order; kept exact under
        # the access log's lock (ledger.py), read from the log when a caller is first seen
        self._windows: dict[str, deque[tuple[int, datetime]]] = {}
        self._reads: list[_Read] = []
        # told of every committed change (notices.py: the other processes read it back)
        self.announce: Callable[[Changed], None] | None = None

    # --- loading --------------------------------------------------------------------

    async def load(self) -> None:
        """Read flags, opt-outs and agreements (start-up, before the consumers run, and
        after the bus was cut off). A key changed here while they were read keeps what
        memory holds: it is newer than the read."""
        read = _Read(everything=True)
        self._reads.append(read)
        try:
            async with self.sessionmaker() as session:
                flags = await repository.active_flag_rows(session)
                optouts = await repository.opt_out_keys(session)
                agreements = await repository.agreement_purposes(session)
        finally:
            self._reads.remove(read)
        by_pseudonym: dict[str, dict[str, ActiveFlag]] = {}
        for row in flags:
            flag = ActiveFlag.of(row)
            by_pseudonym.setdefault(flag.pseudonym, {})[flag.rule_id] = flag
        held: dict[str, set[str]] = {}
        for person, scope in optouts:
            held.setdefault(person, set()).add(scope)
        purposes = {a: frozenset(p or ()) for a, p in agreements}
        for kind, key in read.dirty:  # changed meanwhile: what memory holds is newer
            mine, theirs = {"flag": (self.flags, by_pseudonym),
                            "person": (self.optouts, held),
                            "agreement": (self.agreements, purposes)}[kind]
            theirs.pop(key, None)
            if key in mine:
                theirs[key] = mine[key]
        self.flags, self.optouts, self.agreements = by_pseudonym, held, purposes

    async def refresh(self, changed: Changed) -> Changed:
        """Read these keys' rows back (another process committed a change to them) and
        hold them; returns the keys changed here meanwhile, not taken from the read (the
        caller reads them again)."""
        read = _Read()
        self._reads.append(read)
        try:
            async with self.sessionmaker() as session:
                flags = await repository.active_flag_rows(session, changed.flags) \
                    if changed.flags else []
                optouts = await repository.opt_out_keys(session, changed.persons) \
                    if changed.persons else []
                agreements = await repository.agreement_states(session, changed.agreements) \
                    if changed.agreements else []
        finally:
            self._reads.remove(read)
        kept = changed.without(read.dirty)
        self._touched(kept)  # a load under way must not put back what it read before
        self._set_flags(kept.flags, [r for r in flags if r.pseudonym in kept.flags])
        for person in kept.persons:
            self.optouts.pop(person, None)
        for person, scope in optouts:
            if person in kept.persons:
                self.optouts.setdefault(person, set()).add(scope)
        found = {a: (purposes, ended) for a, purposes, ended in agreements}
        for agreement in kept.agreements:
            purposes, ended = found.get(agreement, ((), True))
            self._set_agreement(agreement, purposes or (), ended)
        return changed.without(kept.keys())

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

    # --- rate windows (under the access log's lock: ledger.py) ------------------------

    def attempts_since(self, sub: str, since: datetime) -> int | None:
        """The caller's counted attempts at or after `since`, up to ``rate_per_hour``;
        None until the caller's window is read."""
        window = self._windows.get(sub)
        if window is None:
            return None
        while window and window[0][1] < since:
            window.popleft()
        return len(window)

    def unread(self, subs: Iterable[str]) -> set[str]:
        """Of these callers, those whose window is not held."""
        return {sub for sub in subs if sub not in self._windows}

    def hold_window(self, sub: str, newest: Iterable[tuple[int, datetime]]) -> None:
        """A caller's window as read from the log (its newest counted attempts)."""
        window = self._windows[sub] = deque(maxlen=max(1, self.rate_per_hour))
        window.extend(sorted(newest))

    def admit(self, entries: list[dict], now: datetime) -> set[int]:
        """Of these entries about to be chained, in order, the indexes of those to write as
        refusals for rate: marked ``limit``, with ``rate_per_hour`` counted attempts of
        their caller in the past hour before them. Every limited caller's window is held."""
        since = now - HOUR
        used: dict[str, int] = {}
        refused: set[int] = set()
        for index, entry in enumerate(entries):
            if not counts(entry):
                continue
            sub = entry["sub"]
            done = used.get(sub)
            if done is None:
                done = self.attempts_since(sub, since) or 0
            if entry.get("limit") and done >= self.rate_per_hour:
                refused.add(index)
                continue
            used[sub] = done + 1
        return refused

    def committed(self, entries: Iterable[dict]) -> None:
        """Access-log entries committed, by this process or (read under the lock) another:
        each counted one joins its caller's window, if held."""
        for entry in entries:
            if not counts(entry):
                continue
            window = self._windows.get(entry["sub"])
            if window is not None and (not window or window[-1][0] < entry["seq"]):
                window.append((entry["seq"], entry["at"]))

    def prune(self, since: datetime) -> int:
        """Forget the windows with no attempt since `since`; returns how many."""
        idle = [sub for sub, w in self._windows.items() if not w or w[-1][1] < since]
        for sub in idle:
            del self._windows[sub]
        return len(idle)

    # --- writes (after the commit that wrote them) ----------------------------------

    def _touched(self, changed: Changed) -> None:
        if self._reads:
            keys = changed.keys()
            for read in self._reads:
                read.dirty |= keys

    def _changed(self, changed: Changed) -> None:
        """After a commit here: reads under way keep these keys, the others are told."""
        self._touched(changed)
        if self.announce is not None:
            self.announce(changed)

    def _set_flags(self, pseudonyms: Iterable[str], rows: Iterable) -> None:
        for pseudonym in pseudonyms:
            self.flags.pop(pseudonym, None)
        for row in rows:
            flag = ActiveFlag.of(row)
            self.flags.setdefault(flag.pseudonym, {})[flag.rule_id] = flag

    def _set_agreement(self, agreement: str, purposes: Iterable[str], ended: bool) -> None:
        if ended:
            self.agreements.pop(agreement, None)
        else:
            self.agreements[agreement] = frozenset(purposes)

    def put_flags(self, pseudonyms: Iterable[str], rows: Iterable) -> None:
        """The active flags of these pseudonyms are exactly `rows` now."""
        pseudonyms = set(pseudonyms)
        self._set_flags(pseudonyms, rows)
        self._changed(Changed(pseudonyms, set(), set()))

    def drop_flags(self, keys: Iterable[tuple[str, str]]) -> None:
        keys = list(keys)
        for pseudonym, rule_id in keys:
            held = self.flags.get(pseudonym)
            if held is not None:
                held.pop(rule_id, None)
                if not held:
                    del self.flags[pseudonym]
        self._changed(Changed({p for p, _ in keys}, set(), set()))

    def put_optout(self, person: str, scope: str, opted_out: bool) -> None:
        if opted_out:
            self.optouts.setdefault(person, set()).add(scope)
        else:
            held = self.optouts.get(person)
            if held is not None:
                held.discard(scope)
                if not held:
                    del self.optouts[person]
        self._changed(Changed(set(), {person}, set()))

    def put_agreement(self, agreement: str, purposes: Iterable[str], ended: bool) -> None:
        self._set_agreement(agreement, purposes, ended)
        self._changed(Changed(set(), set(), {agreement}))
