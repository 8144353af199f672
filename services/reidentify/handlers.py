"""NATS handlers: flags from the scorer, consent decisions from consent.

Each runs inside the consumer's transaction and tells the in-memory policy state what
it changed, applied when that transaction commits (``policy.after_commit``).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from services.common import bus
from services.common import messages as m
from services.reidentify import repository, retention, service
from services.reidentify.policy import PolicyState, after_commit


class Handlers:
    def __init__(self, state: PolicyState):
        self.state = state

    async def flags(self, session: AsyncSession, message: m.FlagBatch,
                    delivery: bus.Delivery) -> None:
        await service.apply_flags(session, message)
        await retention.tag(session, message)
        pseudonyms = {f.pseudonym for f in message.flags}
        rows = await repository.active_flag_rows(session, pseudonyms)  # as committed
        after_commit(session, lambda: self.state.put_flags(pseudonyms, rows))

    async def decisions(self, session: AsyncSession, message: m.ConsentDecision,
                        delivery: bus.Delivery) -> None:
        if await service.apply_decision(session, message):
            person, scope, opted_out = message.person, message.scope, message.status == "opt_out"
            after_commit(session, lambda: self.state.put_optout(person, scope, opted_out))
