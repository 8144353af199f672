"""The tables every slice declares alike, made on the slice's own declarative base.

Each slice keeps its own ``Base`` (its own database and migrations), so the shared
tables cannot be declared once as classes; they are declared once as mixins
(``InboxMixin``, ``OutboxMixin``, ``WriteLockMixin``, ``FencedWriteLockMixin``,
``AgreementMixin``, ``OptOutMixin``, ``SecurityEventMixin``) and made here on the base a slice passes:
``Inbox = tables.inbox(Base)``.
"""

from __future__ import annotations

from typing import TypeVar

from services.common.bus import OutboxMixin
from services.common.db import FencedWriteLockMixin, InboxMixin, WriteLockMixin
from services.common.repository import OptOutMixin
from services.common.retention import AgreementMixin
from services.common.securitylog.table import SecurityEventMixin

M = TypeVar("M")


def _on(base: type, name: str, mixin: type[M]) -> type[M]:
    return type(name, (mixin, base), {"__module__": base.__module__, "__qualname__": name})


def inbox(base: type) -> type[InboxMixin]:
    """Messages the slice has applied, so each is applied once."""
    return _on(base, "Inbox", InboxMixin)


def outbox(base: type) -> type[OutboxMixin]:
    """Messages written with the slice's changes, relayed to NATS after the commit."""
    return _on(base, "Outbox", OutboxMixin)


def write_lock(base: type) -> type[WriteLockMixin]:
    """The row every writer updates first where writers read what the last one wrote."""
    return _on(base, "WriteLock", WriteLockMixin)


def fenced_write_lock(base: type) -> type[FencedWriteLockMixin]:
    """The write-lock row with the fencing epoch of a slice that elects its writer."""
    return _on(base, "WriteLock", FencedWriteLockMixin)


def agreement(base: type) -> type[AgreementMixin]:
    """The agreements the gateway announced, as the slice obeys them."""
    return _on(base, "Agreement", AgreementMixin)


def optouts(base: type) -> type[OptOutMixin]:
    """The latest consent decision the slice applied per person and scope."""
    return _on(base, "OptOut", OptOutMixin)


def security_events(base: type) -> type[SecurityEventMixin]:
    """The slice's security log (services.common.securitylog)."""
    return _on(base, "SecurityEvent", SecurityEventMixin)
