"""The unlock policy's changes, told to every other process of the slice.

Each reidentify process holds the policy's facts in memory (``policy.py``), and the
durable consumers give each flag batch, consent decision and agreement notice to one
process only. So whatever one process commits to those rows it announces on
``tessera.reidentify.policy`` (the keys, never a row's content): every other process
reads those rows back from the database, so its memory never holds what the database
does not. Notices are core NATS, kept nowhere; a process cut off from the bus reads the
whole policy again when it reconnects.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid

from pydantic import ValidationError

from services.common import messages as m
from services.common import subjects
from services.common.runtime import Runtime
from services.common.trust import Untrusted
from services.reidentify.policy import Changed, PolicyState

log = logging.getLogger("tessera.reidentify.notices")
CHANNEL = subjects.POLICY
PER_MESSAGE = 2000  # keys of one kind in one notice (a retention sweep may drop thousands)
RETRY_S = 0.5


class Notices:
    def __init__(self, rt: Runtime, policy: PolicyState):
        self.rt = rt
        self.policy = policy
        self.origin = uuid.uuid4().hex  # this process: its own notices are not read back
        self._out, self._in = Changed.none(), Changed.none()
        self._send, self._read = asyncio.Event(), asyncio.Event()
        self._tasks: list[asyncio.Task] = []
        self._sub = None
        self.sent = self.received = 0

    async def start(self) -> None:
        """Follow the other processes' notices, and announce this one's changes."""
        self._sub = await self.rt.nc.subscribe(CHANNEL.subject, cb=self._on_message)
        self.policy.announce = self._announce
        self._tasks = [asyncio.create_task(self._sending(), name="reidentify-notices-out"),
                       asyncio.create_task(self._reading(), name="reidentify-notices-in")]

    async def stop(self) -> None:
        self.policy.announce = None
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._sub is not None:
            with contextlib.suppress(Exception):  # the connection is closing anyway
                await self._sub.unsubscribe()
            self._sub = None

    # --- this process's changes ------------------------------------------------------

    def _announce(self, changed: Changed) -> None:
        self._out.add(changed)
        self._send.set()

    def _messages(self, changed: Changed) -> list[m.PolicyChange]:
        parts = {name: sorted(keys) for name, keys in (
            ("flags", changed.flags), ("persons", changed.persons),
            ("agreements", changed.agreements))}
        out = []
        while any(parts.values()):
            out.append(m.PolicyChange(origin=self.origin, **{
                name: keys[:PER_MESSAGE] for name, keys in parts.items()}))
            parts = {name: keys[PER_MESSAGE:] for name, keys in parts.items()}
        return out

    async def _sending(self) -> None:
        while True:
            await self._send.wait()
            self._send.clear()
            changed, self._out = self._out, Changed.none()
            try:
                for message in self._messages(changed):
                    await self.rt.bus.notify(CHANNEL, message)
                    self.sent += 1
            except Exception as exc:  # kept, and sent with the next change or retry
                log.warning("policy notice not sent (%s)", type(exc).__name__)
                self._announce(changed)
                await asyncio.sleep(RETRY_S)

    # --- the other processes' changes ------------------------------------------------

    async def _on_message(self, msg) -> None:
        try:
            change = self.rt.bus.receive(CHANNEL, msg.subject, msg.data, msg.headers)
        except (Untrusted, ValidationError) as exc:
            log.warning("policy notice refused (%s)", type(exc).__name__)
            return
        if change.origin == self.origin:
            return
        self.received += 1
        self._in.add(Changed(set(change.flags), set(change.persons), set(change.agreements)))
        self._read.set()

    async def _reading(self) -> None:
        while True:
            await self._read.wait()
            self._read.clear()
            changed, self._in = self._in, Changed.none()
            try:
                again = await self.policy.refresh(changed)
            except Exception as exc:  # the database busy or gone: read them again shortly
                log.warning("policy rows not read back (%s)", type(exc).__name__)
                again = changed
                await asyncio.sleep(RETRY_S)
            if again:  # changed here while read: read once more
                self._in.add(again)
                self._read.set()
