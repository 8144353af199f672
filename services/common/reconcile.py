"""A slice's agreements reconciled with the gateway's registry before the slice serves.

The gateway owns the registry and announces every revision of an agreement on the
agreements stream, which keeps a notice only until every slice has taken it (interest
retention). A slice whose database is restored from a backup taken before an agreement
ended, changed or had its data swept would never hear of it again: the restored
database holds the agreement as it was then, and the data deleted since. So at every
start a slice that keeps agreements asks the gateway for each agreement's latest
revision (``subjects.AGREEMENT_STATE``, paged by id), applies every revision it does not
hold through the handler of a live notice (an ended agreement's data purged, dead
letters erased, a signed deletion receipt sent), runs its retention sweep (what outlived
its retention while the backup lay on the shelf goes), and only then reports ready
(``/readyz``: ``agreements``). While the gateway does not answer the slice stays not
ready, says why in ``/readyz`` and its log, and keeps asking.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from nats.errors import NoRespondersError
from pydantic import ValidationError

from services.common import bus, subjects
from services.common import messages as m
from services.common.repository import all_agreements
from services.common.runtime import Runtime
from services.common.trust import Untrusted

log = logging.getLogger("tessera.reconcile")

PAGE = 100  # agreements per answer
ASK_TIMEOUT_S = 5.0  # per page
FIRST_WAIT_S = 0.5  # after a failure; then twice as long each time, at most 30 s
NOT_ASKED = "not yet asked"


def notice_id(notice: m.AgreementNotice) -> str:
    """The message id of one revision's notice: the gateway announces it under this id and
    a reconciling slice applies it under the same one, so the slice's inbox applies each
    revision once, however it came. The content's digest is in it because a gateway
    restored from an older backup numbers revisions again from there: a new revision
    under a number a slice has seen must not be taken for the one it saw."""
    return (f"agreement-{notice.agreement}-r{notice.revision}-"
            + hashlib.sha256(bus.encode(notice)).hexdigest()[:32])


def lacks(held, notice: m.AgreementNotice) -> bool:
    """Whether a slice holding ``held`` (its agreements row, or None) lacks this revision:
    a later one, or an ending of an agreement it holds in force whatever the revision (an
    ending is final; see ``retention.store_notice``)."""
    if held is None or held.revision < notice.revision:
        return True
    return held.ended_on is None and notice.ended_on is not None


def why(exc: Exception, timeout_s: float) -> str:
    """What went wrong, in words for an operator (never a message's content)."""
    if isinstance(exc, NoRespondersError):
        return f"no gateway answers on {subjects.AGREEMENT_STATE.subject}"
    if isinstance(exc, TimeoutError):
        return f"the gateway did not answer within {timeout_s:g} s"
    if isinstance(exc, Untrusted):
        return "an answer not signed by the gateway was refused"
    if isinstance(exc, ValidationError):
        return "the gateway's answer was not an agreements page"
    return f"applying the registry's revisions failed ({type(exc).__name__})"


class Reconciler:
    """Reconciles one slice's agreements (``model``, its ``agreements`` table) with the
    registry: ``apply`` is the slice's notice handler, ``sweep`` its retention sweep."""

    def __init__(self, rt: Runtime, model, apply: bus.Handler,
                 sweep: Callable[[], Awaitable[int]], *, page: int = PAGE,
                 timeout_s: float = ASK_TIMEOUT_S):
        self.rt = rt
        self.model = model
        self.apply = apply
        self.sweep = sweep
        self.page = page
        self.timeout_s = timeout_s
        self.reconciled_at: datetime | None = None
        self.waiting_for = NOT_ASKED  # why the slice is not reconciled yet
        self.failures = 0
        self._since = time.monotonic()
        self._alerted = False

    @property
    def done(self) -> bool:
        return self.reconciled_at is not None

    async def registry(self) -> list[m.AgreementNotice]:
        """Every agreement's latest revision, as the gateway announced it."""
        found: list[m.AgreementNotice] = []
        after = ""
        while True:
            page = await self.rt.bus.request(
                subjects.AGREEMENT_STATE, m.AgreementsQuery(after=after, limit=self.page),
                timeout=self.timeout_s)
            found += page.agreements
            if len(page.agreements) < self.page:
                return found
            after = page.agreements[-1].agreement

    async def reconcile(self) -> None:
        notices = await self.registry()
        async with self.rt.sessionmaker() as session:
            held = {a.agreement: a for a in await all_agreements(session, self.model)}
        behind = [n for n in notices if lacks(held.get(n.agreement), n)]
        for notice in behind:
            delivery = bus.Delivery(subjects.AGREEMENTS.subject, notice_id(notice), 1)
            await bus.apply_once(self.rt.sessionmaker, self.rt.inbox_model, self.apply,
                                 notice, delivery)
        if behind and self.rt.relay is not None:
            self.rt.relay.wake()  # the receipts of what was purged
        swept = await self.sweep()
        self.reconciled_at = datetime.now(UTC)
        self.waiting_for = ""
        self.rt.last_run["agreements"] = self.reconciled_at
        log.info("agreements reconciled with the registry: %d of %d revisions applied, "
                 "%d rows swept (%d failed attempts before)", len(behind), len(notices),
                 swept, self.failures)
        self._report_ahead(held, notices)

    def _report_ahead(self, held: dict, notices: list[m.AgreementNotice]) -> None:
        """The registry forgets no agreement and no revision, so one held here that it does
        not have means the gateway's database is an older backup: the agreement is kept
        as held (its data goes by its own retention and ending), and the operator is told
        which, to end again through the gateway what ended since (docs/agreements.md)."""
        registry = {n.agreement: n.revision for n in notices}
        for agreement, row in sorted(held.items()):
            if agreement not in registry:
                log.warning("agreement %s is held here (revision %d) but the gateway's "
                            "registry has never heard of it: is the gateway's database an "
                            "older backup? Kept as held", agreement, row.revision)
            elif row.revision > registry[agreement]:
                log.warning("agreement %s is held here at revision %d, the gateway's "
                            "registry has only %d: is the gateway's database an older "
                            "backup? Kept as held", agreement, row.revision,
                            registry[agreement])

    def _failed(self, exc: Exception, again_in_s: float) -> None:
        self.failures += 1
        self.waiting_for = why(exc, self.timeout_s)
        log.warning("agreements not reconciled with the gateway's registry: %s (attempt "
                    "%d); not ready until they are, asking again in %.1f s",
                    self.waiting_for, self.failures, again_in_s)
        waited = time.monotonic() - self._since
        if not self._alerted and waited >= self.rt.settings.reconcile_alert_after_s:
            self._alerted = True
            log.error("agreements still not reconciled with the gateway's registry after "
                      "%d s (%s): this slice stays not ready (/readyz 503) and keeps "
                      "asking; start the gateway or restore its access to NATS "
                      "(docs/agreements.md, Backups)", waited, self.waiting_for)

    async def start(self) -> None:
        """Reconcile before the slice serves; if the gateway does not answer, keep asking."""
        self._since = time.monotonic()
        try:
            await self.reconcile()
        except Exception as exc:
            # Retried with backoff while /readyz says not ready, rather than refused a
            # start: a gateway outage should leave a slice waiting where its probes see
            # it and say why, not in a restart loop.
            self._failed(exc, FIRST_WAIT_S)
            self.rt.until_done(self.reconcile, "agreements", failed=self._failed,
                               first_wait_s=FIRST_WAIT_S)

