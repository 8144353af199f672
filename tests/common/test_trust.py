"""A NATS password alone publishes nothing a consumer will apply: every message must carry
a tag only a service its channel declares as a sender could make, over its subject, id
and payload, addressed to the service that takes it."""

from __future__ import annotations

import asyncio
import json
import os
import uuid
from datetime import UTC, datetime

import nats.errors
import pytest

from services.common import bus, messages, subjects
from services.common.signing import (
    KeyFileSigner,
    SigningKeyError,
    is_encrypted_pem,
    load_private_key,
    verify,
    write_key_pair,
)
from services.common.tokens import current_signing_key, generate_issuer_key
from services.common.trust import (
    HEADER,
    Keyring,
    Untrusted,
    load_bus_key,
    write_bus_key,
    write_trust,
)
from tests.common.test_bus import Inbox, db, record, times_applied  # noqa: F401
from tests.support import eventually

CHANNEL = subjects.PROGRESS  # sent by pseudonymiser, linker and consent; taken by gateway


def progress(batch_id: str) -> bytes:
    return bus.encode(messages.BatchProgress(batch_id=batch_id, chunk=0, service="linker",
                                             processed=1))


def keyring(nats_env, service: str) -> Keyring:
    layout = nats_env.layout
    return Keyring.load(service, layout.bus_key(service), layout.bus_trust,
                        layout.passphrase(service))


def forgeries(nats_env, tmp_path) -> dict[str, tuple[str, bytes, dict]]:
    """label -> (batch id, payload, headers), each published with the linker's password."""
    linker, scorer = keyring(nats_env, "linker"), keyring(nats_env, "scorer")
    write_bus_key(tmp_path / "stranger.pem")
    stranger = Keyring.load("linker", tmp_path / "stranger.pem", nats_env.layout.bus_trust)
    gateway = ("gateway",)
    subject = CHANNEL.subject
    out = {}

    def add(label, headers_for):
        batch = f"{label}-{uuid.uuid4().hex}"
        payload, msg_id = progress(batch), uuid.uuid4().hex
        out[label] = (batch, payload, {"Nats-Msg-Id": msg_id, **headers_for(payload, msg_id)})

    add("unauthenticated", lambda p, i: {})
    add("not-a-sender", lambda p, i: {HEADER: scorer.stamp(gateway, subject, i, p)})
    add("posing-as-linker", lambda p, i: {HEADER: stranger.stamp(gateway, subject, i, p)})
    add("other-subject", lambda p, i: {
        HEADER: linker.stamp(gateway, subjects.FLAGS.subject, i, p)})
    add("other-id", lambda p, i: {HEADER: linker.stamp(gateway, subject, "another", p)})
    add("for-someone-else", lambda p, i: {HEADER: linker.stamp(("scorer",), subject, i, p)})
    add("garbled", lambda p, i: {HEADER: linker.stamp(gateway, subject, i, p)[:-4] + "!!!!"})
    tampered = f"tampered-{uuid.uuid4().hex}"
    good, msg_id = progress(tampered), uuid.uuid4().hex
    header = linker.stamp(gateway, subject, msg_id, good)
    out["tampered"] = (tampered, good.replace(b'"processed":1', b'"processed":9'),
                       {"Nats-Msg-Id": msg_id, HEADER: header})
    return out


async def test_only_authenticated_messages_from_declared_senders_are_applied(
        nats_env, db, tmp_path):  # noqa: F811
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
    """reidentify asks the pseudonymiser; a reply made by anyone else is refused."""
    asker = await nats_env.bus("reidentify")
    impostor = await nats_env.bus("pseudonymiser")
    impostor.service = "scorer"  # tags as the scorer, with the pseudonymiser's password
    impostor.keyring = keyring(nats_env, "scorer")

    async def answer(msg):
        await impostor.respond(msg, messages.ReidentifyReply(found=True))

    sub = await impostor.nc.subscribe(subjects.REIDENTIFY.subject, cb=answer)
    await impostor.nc.flush()
    try:
        # under load the server has answered "no responders" for a subscription flushed
        # a moment before: ask again until the impostor is reached
        for _ in range(50):
            try:
                await asker.request(subjects.REIDENTIFY, messages.ReidentifyRequest(
                    pseudonym="p", level="person", access_id=1, issued_at=datetime.now(UTC),
                    reply_key="k"), timeout=2)
            except nats.errors.NoRespondersError:
                await asyncio.sleep(0.1)
                continue
            except Untrusted:
                break
            pytest.fail("a reply the impostor made was accepted")
        else:
            pytest.fail("the impostor's subscription never took requests")
    finally:
        await sub.unsubscribe()
        await asker.nc.close()
        await impostor.nc.close()


def test_a_new_key_is_trusted_once_the_trust_file_lists_it(tmp_path):
    a, b = write_bus_key(tmp_path / "a.pem"), write_bus_key(tmp_path / "b.pem")
    write_trust(tmp_path / "trust.json", {"gateway": [a], "linker": [b]})
    gateway = Keyring.load("gateway", tmp_path / "a.pem", tmp_path / "trust.json")
    gateway.RECHECK_S = 0.0
    write_bus_key(tmp_path / "b2.pem")  # the linker's next key, not yet trusted
    linker = Keyring.load("linker", tmp_path / "b2.pem", tmp_path / "trust.json")
    header = linker.stamp(("gateway",), "s", None, b"x")
    with pytest.raises(Untrusted, match="unknown key"):
        gateway.check(("linker",), "s", None, b"x", header)
    new = Keyring.load("linker", tmp_path / "b2.pem", tmp_path / "trust.json")._key.public_key()
    write_trust(tmp_path / "trust.json", {"gateway": [a], "linker": [b, new]})
    os.utime(tmp_path / "trust.json", (1, 1))  # a distinct mtime, whatever the clock
    assert gateway.check(("linker",), "s", None, b"x", header) == "linker"
    assert len(json.loads((tmp_path / "trust.json").read_text())["services"]["linker"]) == 2


# --- private keys at rest -------------------------------------------------------------


def _raw_private(path, passphrase=None) -> bytes:
    from cryptography.hazmat.primitives import serialization

    key = load_private_key(path, passphrase)
    return key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                             serialization.NoEncryption())


def _der(path) -> bytes:
    """The PEM file's body decoded: where a plain key's raw bytes lie."""
    import base64

    lines = path.read_text().strip().splitlines()
    return base64.b64decode("".join(line for line in lines[1:-1] if ":" not in line))


@pytest.mark.parametrize("encrypted", [True, False], ids=["encrypted", "plain"])
def test_a_private_key_file_holds_no_key_material_unless_plain(tmp_path, encrypted):
    """Encrypted with the passphrase file's passphrase, the PEM holds no trace of the
    key; the same scan finds the raw key in a plain one (the control)."""
    passphrase = tmp_path / "passphrase"
    passphrase.write_text("kept-apart-from-the-key\n")
    path = tmp_path / "bus.pem"
    write_bus_key(path, b"kept-apart-from-the-key" if encrypted else None)
    raw = _raw_private(path, passphrase)
    assert (raw in _der(path) or raw in path.read_bytes()) is not encrypted
    assert is_encrypted_pem(path.read_bytes()) is encrypted
    # loads with its passphrase file; refused unencrypted where plain keys are refused
    assert load_bus_key(path, passphrase).public_key() is not None
    if encrypted:
        assert load_bus_key(path, passphrase, refuse_plain=True) is not None
    else:
        with pytest.raises(SigningKeyError, match="unencrypted"):
            load_bus_key(path, passphrase, refuse_plain=True)


def test_an_encrypted_key_needs_its_passphrase(tmp_path):
    path = tmp_path / "log.pem"
    write_key_pair(path, b"the right one")
    with pytest.raises(SigningKeyError, match="private_key_passphrase_file"):
        KeyFileSigner(path)
    wrong = tmp_path / "wrong"
    wrong.write_text("the wrong one")
    with pytest.raises(SigningKeyError, match="wrong passphrase"):
        KeyFileSigner(path, wrong)
    with pytest.raises(SigningKeyError, match="private_key_passphrase_file"):
        KeyFileSigner(path, tmp_path / "absent")
    right = tmp_path / "right"
    right.write_text("the right one\n")
    signer = KeyFileSigner(path, right, refuse_plain=True)
    assert verify(signer.public_key(), signer.sign(b"head"), b"head")
    with pytest.raises(SigningKeyError, match="not an X25519 key"):
        load_bus_key(path, right)


def test_an_encrypted_issuer_key_still_mints(tmp_path):
    passphrase = tmp_path / "issuer-passphrase"
    passphrase.write_text("issuer secret")
    kid = generate_issuer_key(tmp_path / "issuer", "k1", b"issuer secret")
    assert is_encrypted_pem((tmp_path / "issuer" / "k1.pem").read_bytes())
    assert current_signing_key(tmp_path / "issuer", passphrase)[0] == kid
    with pytest.raises(SigningKeyError):
        current_signing_key(tmp_path / "issuer")


def test_a_plain_key_is_encrypted_in_place(tmp_path):
    from deploy.cli import main

    path, passphrase = tmp_path / "log.pem", tmp_path / "passphrase"
    public = write_key_pair(path)
    passphrase.write_text("from the secret store\n")
    assert main(["encrypt-key", str(path), "--passphrase-file", str(passphrase)]) == 0
    assert is_encrypted_pem(path.read_bytes()) and oct(path.stat().st_mode)[-3:] == "600"
    assert KeyFileSigner(path, passphrase, refuse_plain=True).public_key() == public
    assert main(["encrypt-key", str(path), "--passphrase-file", str(passphrase)]) == 1
