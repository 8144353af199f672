"""Signing the access log's head and sending it off the box.

``HeadSigner`` signs the head whenever it has moved (every ``head_signing_interval_s``,
at start-up and at shutdown) and hands the signed line to every sink:

- ``FileSink``: a JSON-lines file (``signed_heads_path``), the copy verify-log reads;
- ``BusSink``: the ``AUDIT_HEADS`` stream, which nobody may delete from or purge, and
  which the gateway keeps in its own database (another slice, another host);
- ``DirectorySink``: one read-only file per head, never overwritten (``head_export_dir``),
  for a write-once store mounted there (an object-lock bucket, WORM storage).

A sink that fails keeps its unsent lines and tries them again at the next signing.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from pathlib import Path
from typing import Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import bus, subjects
from services.common import messages as m
from services.common.heads import sign_head
from services.common.signing import Signer
from services.reidentify import repository
from services.reidentify.chain import canonical_at
from services.reidentify.signing import append_head

log = logging.getLogger("tessera.reidentify.heads")


class Sink(Protocol):
    name: str

    async def write(self, head: dict) -> None: ...


class FileSink:
    name = "file"

    def __init__(self, path: Path):
        self.path = Path(path)

    async def write(self, head: dict) -> None:
        await asyncio.to_thread(append_head, self.path, head)


class DirectorySink:
    """One file per head, created once and made read-only."""

    name = "directory"

    def __init__(self, directory: Path):
        self.directory = Path(directory)

    def _write(self, head: dict) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"head-{head['seq']:012d}.json"
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o444)
        except FileExistsError:
            return  # written before (a retry): a write-once file is never replaced
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(head, sort_keys=True, separators=(",", ":")) + "\n")
            fh.flush()
            os.fsync(fh.fileno())

    async def write(self, head: dict) -> None:
        await asyncio.to_thread(self._write, head)


class BusSink:
    name = "stream"

    def __init__(self, messages: bus.Bus):
        self.bus = messages

    async def write(self, head: dict) -> None:
        await self.bus.publish(subjects.AUDIT_HEADS, m.SignedHead(**head),
                               msg_id=f"head-{head['seq']}-{head['hash'][:16]}")


class HeadSigner:
    """Signs the current head when it has moved and hands it to every sink."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], signer: Signer,
                 sinks: list[Sink]):
        self.sessionmaker = sessionmaker
        self.signer = signer
        self.sinks = sinks
        self.last_signed: int | None = None
        self._unsent: list[list[dict]] = [[] for _ in sinks]  # by sink, in order
        self._lock = asyncio.Lock()

    def resend(self, lines: list[dict]) -> None:
        """Heads signed before a restart go to the sinks again (a sink that was down then
        may have missed them; each sink keeps the first copy of a head)."""
        for sink, unsent in zip(self.sinks, self._unsent, strict=True):
            if not isinstance(sink, FileSink):
                unsent[:0] = lines

    async def sign(self) -> dict | None:
        """Sign the head if it changed since the last signature (returns the line or None),
        then send every line not yet sent to each sink."""
        async with self._lock:
            async with self.sessionmaker() as session:
                head = await repository.log_head(session)
            line = None
            if head is not None and head.seq != self.last_signed:
                line = await asyncio.to_thread(sign_head, self.signer, head.seq, head.hash,
                                               canonical_at(head.at))
                self.last_signed = head.seq
                for unsent in self._unsent:
                    unsent.append(line)
                log.info("access log head %d signed", head.seq)
            await self._send()
            return line

    async def _send(self) -> None:
        for sink, unsent in zip(self.sinks, self._unsent, strict=True):
            while unsent:
                try:
                    await sink.write(unsent[0])
                except Exception as exc:  # kept for the next signing
                    log.warning("signed head not written to the %s (%s); %d waiting",
                                sink.name, type(exc).__name__, len(unsent))
                    break
                unsent.pop(0)
