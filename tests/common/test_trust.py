"""A NATS password alone publishes nothing a consumer will apply: every message must be
signed by a service its channel declares as a sender, over its subject, id and payload."""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime

import pytest

from services.common import bus, messages, subjects
from services.common.signing import KeyFileSigner, write_key_pair
from services.common.trust import HEADER, Trust, Untrusted, sign, write_trust
from tests.common.test_bus import Inbox, db, record, times_applied  # noqa: F401
from tests.support import eventually

CHANNEL = subjects.PROGRESS  # sent by pseudonymiser, linker and consent; taken by gateway


def progress(batch_id: str) -> bytes:
    return bus.encode(messages.BatchProgress(batch_id=batch_id, chunk=0, service="linker",
                                             processed=1))


def forgeries(nats_env, tmp_path) -> dict[str, tuple[str, bytes, dict]]:
    """label -> (batch id, payload, headers), each published with the linker's password."""
    layout = nats_env.layout
    linker = KeyFileSigner(layout.bus_key("linker"))
    scorer = KeyFileSigner(layout.bus_key("scorer"))
    write_key_pair(tmp_path / "stranger.pem")
    stranger = KeyFileSigner(tmp_path / "stranger.pem")
    subject = CHANNEL.subject
    out = {}

    def add(label, headers_for):
        batch = f"{label}-{uuid.uuid4().hex}"
        payload, msg_id = progress(batch), uuid.uuid4().hex
        out[label] = (batch, payload, {"Nats-Msg-Id": msg_id, **headers_for(payload, msg_id)})

    add("unsigned", lambda p, i: {})
    add("not-a-sender", lambda p, i: {HEADER: sign("scorer", scorer, subject, i, p)})
    add("posing-as-linker", lambda p, i: {HEADER: sign("linker", stranger, subject, i, p)})
    add("other-subject", lambda p, i: {
        HEADER: sign("linker", linker, subjects.FLAGS.subject, i, p)})
    add("other-id", lambda p, i: {HEADER: sign("linker", linker, subject, "another", p)})
    add("garbled", lambda p, i: {HEADER: "linker." + linker.kid + ".!!!"})
    tampered = f"tampered-{uuid.uuid4().hex}"
    good, msg_id = progress(tampered), uuid.uuid4().hex
    header = sign("linker", linker, subject, msg_id, good)
    out["tampered"] = (tampered, good.replace(b'"processed":1', b'"processed":9'),
                       {"Nats-Msg-Id": msg_id, HEADER: header})
    return out


async def test_only_signed_messages_from_declared_senders_are_applied(nats_env, db, tmp_path):  # noqa: F811
    gateway = await nats_env.bus("gateway")
    linker = await nats_env.bus("linker")
    consumer = bus.Consumer(service="gateway", channel=CHANNEL, handler=record, bus=gateway,
                            sessionmaker=db, inbox_model=Inbox, relay=None)
    consumer.start()
    try:
        forged = forgeries(nats_env, tmp_path)
        for _batch, payload, headers in forged.values():
            await linker.js.publish(CHANNEL.subject, payload, headers=headers)
        genuine = f"genuine-{uuid.uuid4().hex}"
        await linker.publish(CHANNEL, messages.BatchProgress(
            batch_id=genuine, chunk=0, service="linker", processed=1), msg_id=genuine)
        await eventually(lambda: times_applied(db, genuine), timeout=20)
        await eventually(lambda: consumer.dead_lettered >= len(forged), timeout=20)
        for batch, _payload, _headers in forged.values():
            assert await times_applied(db, batch) == 0
        assert consumer.dead_lettered == len(forged)
    finally:
        await consumer.stop()
        await gateway.nc.close()
        await linker.nc.close()


async def test_a_reply_must_come_from_the_channels_responder(nats_env):
    """reidentify asks the pseudonymiser; a reply signed by anyone else is refused."""
    asker = await nats_env.bus("reidentify")
    impostor = await nats_env.bus("pseudonymiser")
    impostor.service = "scorer"  # signs as the scorer, with the pseudonymiser's password
    impostor.signer = KeyFileSigner(nats_env.layout.bus_key("scorer"))

    async def answer(msg):
        await impostor.respond(msg, messages.ReidentifyReply(found=True))

    sub = await impostor.nc.subscribe(subjects.REIDENTIFY.subject, cb=answer)
    await impostor.nc.flush()  # the server knows of the responder before anyone asks
    try:
        with pytest.raises(Untrusted):
            await asker.request(subjects.REIDENTIFY, messages.ReidentifyRequest(
                pseudonym="p", level="person", access_id=1, issued_at=datetime.now(UTC),
                reply_key="k"), timeout=2)
    finally:
        await sub.unsubscribe()
        await asker.nc.close()
        await impostor.nc.close()


def test_the_trust_file_is_reread_when_it_changes(tmp_path):
    first = write_key_pair(tmp_path / "a.pem")
    write_trust(tmp_path / "trust.json", {"linker": [first]})
    trust = Trust.load(tmp_path / "trust.json")
    trust.RECHECK_S = 0.0
    write_key_pair(tmp_path / "b.pem")
    signer = KeyFileSigner(tmp_path / "b.pem")
    header = sign("linker", signer, "s", None, b"x")
    with pytest.raises(Untrusted, match="unknown key"):
        trust.check(("linker",), "s", None, b"x", header)
    write_trust(tmp_path / "trust.json", {"linker": [first, signer.public_key()]})
    os.utime(tmp_path / "trust.json", (1, 1))  # a distinct mtime, whatever the clock
    assert trust.check(("linker",), "s", None, b"x", header) == "linker"
    assert json.loads((tmp_path / "trust.json").read_text())["services"]["linker"]
