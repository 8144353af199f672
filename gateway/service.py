"""The gateway's logic: uploads (validate, tokenise, publish) and batch status."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import uuid

from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from gateway import agreements, csvinput, repository
from gateway.metrics import GatewayMetrics
from gateway.models import Batch, Dataset
from gateway.settings import GatewaySettings
from gateway.validation import check_rows
from services.common import bus, subjects
from services.common import messages as m
from services.common.clock import today
from services.common.crypto import keyed_token
from services.common.problems import Problem
from services.common.subjects import Channel

log = logging.getLogger("tessera.gateway")

KINDS = ("identities", "events", "optouts")
# Which slices report progress for each kind, and whose count is "processed".
EXPECTED = {"identities": ("pseudonymiser",), "events": ("linker",),
            "optouts": ("pseudonymiser", "consent")}
COUNTED = {"identities": "pseudonymiser", "events": "linker", "optouts": "consent"}

Outgoing = tuple[Channel, str, BaseModel, str]  # channel, subject, message, Nats-Msg-Id


class Gateway:
    def __init__(self, settings: GatewaySettings, bus: bus.Bus | None, hmac_key: bytes,
                 metrics: GatewayMetrics | None = None):
        self.settings = settings
        self.bus = bus
        self.key = hmac_key
        self.metrics = metrics

    # --- uploads ----------------------------------------------------------------------

    async def authorise(self, session: AsyncSession, partner: str | None,
                        dataset_id: str) -> Dataset:
        if not partner:
            raise Problem(403, "Forbidden", "the token carries no partner claim")
        found = await repository.dataset(session, dataset_id)
        if found is None:
            raise Problem(404, "Not found", "no such dataset")
        ds, agreement = found
        if ds.partner != partner:
            raise Problem(403, "Forbidden", "the dataset belongs to another partner")
        if ds.retired_on is not None and ds.retired_on <= today():
            raise Problem(403, "Forbidden", "the dataset is retired",
                          type_="urn:tessera:problem:retired")
        if agreement is None:
            raise Problem(403, "Forbidden", "no data-sharing agreement covers this dataset",
                          type_="urn:tessera:problem:no-agreement")
        if not agreements.in_force(agreement, today()):
            raise Problem(403, "Forbidden",
                          f"the dataset's data-sharing agreement {agreement.id} is not in force",
                          type_="urn:tessera:problem:no-agreement", agreement=agreement.id)
        return ds

    async def ingest(self, session: AsyncSession, ds: Dataset, *, kind: str, body: bytes,
                     content_type: str | None, idempotency_key: str | None) -> dict:
        """Validate, tokenise and publish an upload of an authorised dataset; the 202 body."""
        fmt = csvinput.media_type(content_type)
        digest = hashlib.sha256(body).hexdigest()
        if idempotency_key:
            batch_id = keyed_token(self.key, ds.partner, ds.id, kind, idempotency_key,
                                   prefix="b_")
            existing = await repository.batch(session, batch_id)
            if existing is not None:
                return self._replay(existing, digest)
        else:
            batch_id = keyed_token(self.key, ds.partner, ds.id, kind, "random",
                                   uuid.uuid4().hex, prefix="b_")
        if fmt == "json":
            records = csvinput.parse_json(body, kind, self.settings.max_rows, content_type)
        else:
            records = csvinput.parse_csv(body, kind, ds.level, self.settings.max_rows,
                                         content_type)
        codes: frozenset[str] = frozenset()
        if kind == "events":
            codes = frozenset(c.code for c in
                              (await repository.codes_of(session, [ds.id]))[ds.id])
        checked = check_rows(records, kind=kind, level=ds.level, codes=codes)
        rows = [row for _, row in checked.rows]
        outgoing = self._messages(ds, kind, batch_id, rows)
        try:
            await self._publish(outgoing)
        except Exception as exc:
            log.warning("batch %s: publishing failed (%s); not recorded", batch_id,
                        type(exc).__name__)
            raise Problem(503, "Service unavailable",
                          "the message bus did not accept the batch; retry with the same "
                          "Idempotency-Key", headers={"Retry-After": "5"}) from None
        reply = {"batch_id": batch_id, "accepted": len(rows), "rejected": checked.rejected}
        chunks = self._chunk_count(len(rows))
        repository.add_batch(session, batch_id=batch_id, partner=ds.partner, dataset=ds.id,
                             kind=kind, body_sha256=digest, accepted=len(rows),
                             rejected=len(checked.rejected), chunks=chunks,
                             reply=json.dumps(reply))
        try:
            await session.flush()
        except IntegrityError:  # the same key raced in concurrently: one receipt wins
            await session.rollback()
            existing = await repository.batch(session, batch_id)
            if existing is None:
                raise
            return self._replay(existing, digest)
        log.info("batch %s %s %s: accepted=%d rejected=%d chunks=%d", batch_id, ds.id, kind,
                 len(rows), len(checked.rejected), chunks)
        if self.metrics is not None:
            self.metrics.upload(ds.id, kind, len(rows), len(checked.rejected))
        return reply

    @staticmethod
    def _replay(existing: Batch, digest: str) -> dict:
        if existing.body_sha256 != digest:
            raise Problem(409, "Conflict",
                          "this Idempotency-Key was used with a different body")
        return json.loads(existing.reply)

    def _chunk_count(self, n: int) -> int:
        size = max(1, self.settings.chunk_rows)
        return (n + size - 1) // size

    def _chunks(self, rows: list[dict]) -> list[list[dict]]:
        size = max(1, self.settings.chunk_rows)
        return [rows[i:i + size] for i in range(0, len(rows), size)]

    def record_token(self, partner: str, dataset: str, local_id: str) -> str:
        return keyed_token(self.key, partner, dataset, local_id, prefix="r_")

    def event_token(self, partner: str, dataset: str, row: dict) -> str:
        basis = row.get("event_id") or (
            f"{row['local_id']}|{row['code']}|{row['occurred_on'].isoformat()}")
        return keyed_token(self.key, partner, dataset, "event", basis, prefix="e_")

    def _messages(self, ds: Dataset, kind: str, batch_id: str, rows: list[dict]) -> list[Outgoing]:
        out: list[Outgoing] = []
        common = {"batch_id": batch_id, "partner": ds.partner, "dataset": ds.id}
        for chunk, part in enumerate(self._chunks(rows)):
            msg_id = f"{batch_id}:{chunk}"
            if kind == "events":
                events = [m.EventRow(
                    record_token=self.record_token(ds.partner, ds.id, r["local_id"]),
                    event_token=self.event_token(ds.partner, ds.id, r), code=r["code"],
                    occurred_on=r["occurred_on"]) for r in part]
                out.append((subjects.EVENTS, subjects.EVENTS.for_dataset(ds.id), m.EventBatch(
                    **common, chunk=chunk, level=ds.level, agreement=ds.agreement,
                    events=events), msg_id))
                continue
            identities = [m.IdentityRow(
                record_token=self.record_token(ds.partner, ds.id, r["local_id"]),
                **{k: r.get(k) for k in m.IDENTITY_FIELDS}) for r in part]
            channel = subjects.IDENTITY if kind == "identities" else subjects.OPTOUTS
            out.append((channel, channel.for_dataset(ds.id), m.IdentityBatch(
                **common, chunk=chunk, level=ds.level, agreement=ds.agreement,
                one_record_per_person=bool(ds.one_record_per_person), rows=identities),
                msg_id))
            if kind == "optouts":
                items = [m.ConsentRequest(
                    record_token=row.record_token, status=r.get("status") or "opt_out",
                    scope=r.get("scope") or "all", evidence=r.get("evidence"),
                    notice_version=r.get("notice_version"),
                    decided_on=r.get("decided_on") or today())
                    for row, r in zip(identities, part, strict=True)]
                batch = m.ConsentRequestBatch(**common, chunk=chunk, agreement=ds.agreement,
                                              items=items)
                out.append((subjects.CONSENT_REQUESTS, subjects.CONSENT_REQUESTS.subject,
                            batch, msg_id))
        return out

    async def _publish(self, outgoing: list[Outgoing]) -> None:
        """Publish everything and wait for every PubAck (or fail as a whole)."""
        futures = []
        try:
            for channel, subject, message, msg_id in outgoing:
                futures.append(await self.bus.publish_async(
                    channel, message, subject=subject, msg_id=msg_id,
                    wait_stall=self.settings.publish_timeout_s))
            await asyncio.wait_for(asyncio.gather(*futures),
                                   timeout=self.settings.publish_timeout_s)
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()

    # --- status -------------------------------------------------------------------------

    @staticmethod
    async def _own(session: AsyncSession, partner: str | None, batch_id: str) -> Batch:
        """The partner's batch; another partner's is as unknown as one never made."""
        batch = await repository.batch(session, batch_id)
        if batch is None or not partner or batch.partner != partner:
            raise Problem(404, "Not found", "no such batch")
        return batch

    @staticmethod
    def _status(batch: Batch, reported: dict[str, tuple[int, int]]) -> dict:
        complete = all(reported.get(s, (0, 0))[0] >= batch.chunks for s in EXPECTED[batch.kind])
        processed = reported.get(COUNTED[batch.kind], (0, 0))[1]
        return {"batch_id": batch.batch_id, "status": "complete" if complete else "processing",
                "accepted": batch.accepted, "processed": processed, "rejected": batch.rejected}

    async def status(self, session: AsyncSession, partner: str | None, batch_id: str) -> dict:
        batch = await self._own(session, partner, batch_id)
        return self._status(batch, await repository.progress_of(session, batch_id))

    async def receipt(self, session: AsyncSession, partner: str | None, batch_id: str) -> dict:
        """The receipt the upload was answered with: its rejected rows by row and field."""
        return json.loads((await self._own(session, partner, batch_id)).reply)

    async def batches(self, session: AsyncSession, partner: str | None, dataset: str | None,
                      limit: int, offset: int) -> list[dict]:
        """The partner's batches, newest first, each with its status."""
        if not partner:
            raise Problem(403, "Forbidden", "the token carries no partner claim")
        found = await repository.batches_of(session, partner, dataset, limit, offset)
        reported = await repository.progress_of_each(session, [b.batch_id for b in found])
        return [{**self._status(b, reported.get(b.batch_id, {})), "dataset": b.dataset,
                 "kind": b.kind, "received_at": b.created_at} for b in found]
