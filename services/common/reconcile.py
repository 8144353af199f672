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
(``/readyz``: ``agreements``).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from services.common import bus, subjects
from services.common import messages as m
from services.common.repository import all_agreements
from services.common.runtime import Runtime

log = logging.getLogger("tessera.reconcile")

PAGE = 100  # agreements per answer
ASK_TIMEOUT_S = 5.0  # per page


def notice_id(notice: m.AgreementNotice) -> str:
    """The message id of one revision's notice: the gateway announces it under this id and
    a reconciling slice applies it under the same one, so the slice's inbox applies each
    revision once, however it came."""
    return f"agreement-{notice.agreement}-r{notice.revision}"


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
            held = {a.agreement: a.revision for a in await all_agreements(session, self.model)}
        behind = [n for n in notices if held.get(n.agreement, 0) < n.revision]
        for notice in behind:
            delivery = bus.Delivery(subjects.AGREEMENTS.subject, notice_id(notice), 1)
            await bus.apply_once(self.rt.sessionmaker, self.rt.inbox_model, self.apply,
                                 notice, delivery)
        if behind and self.rt.relay is not None:
            self.rt.relay.wake()  # the receipts of what was purged
        swept = await self.sweep()
        self.reconciled_at = datetime.now(UTC)
        self.rt.last_run["agreements"] = self.reconciled_at
        log.info("agreements reconciled with the registry: %d of %d revisions applied, "
                 "%d rows swept", len(behind), len(notices), swept)
        # the registry forgets no agreement and no revision, so this means the gateway's
        # database is an older backup: endings since it are made again (docs/agreements.md)
        ahead = (set(held) - {n.agreement for n in notices}) | {
            n.agreement for n in notices if held.get(n.agreement, 0) > n.revision}
        if ahead:
            log.warning("%d agreements are held here at a revision the registry does not "
                        "have (is the gateway's database an older backup?)", len(ahead))

    async def start(self) -> None:
        """Reconcile before the slice serves; if the gateway does not answer, keep asking."""
        try:
            await self.reconcile()
        except Exception as exc:
            log.warning("agreements not reconciled with the registry (%s): not ready until "
                        "they are", type(exc).__name__)
            # Retried with backoff while /readyz says not ready, rather than refused a
            # start: a restored database's agreements must not be served unchecked, yet a
            # gateway outage should leave a slice waiting where its probes see it, not in
            # a restart loop.
            self.rt.until_done(self.reconcile, "agreements")
