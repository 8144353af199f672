"""Each service's NATS user reaches only its own slice's subjects and consumers."""

from __future__ import annotations

import asyncio

import pytest
from nats.errors import TimeoutError as NatsTimeout

from services.common import subjects
from services.common.subjects import CHANNELS, SERVICES, stream_subject


def foreign_channels(service):
    return [c for c in CHANNELS if service not in c.consumers]


@pytest.mark.parametrize("service", SERVICES)
async def test_subscribing_to_another_slice_is_a_violation(nats_env, service):
    errors: list[Exception] = []

    async def error_cb(exc):
        errors.append(exc)

    nc = await nats_env.connect(service, error_cb=error_cb)
    publisher_of = {}
    try:
        received = []

        async def received_cb(msg):
            received.append(msg)

        targets = foreign_channels(service)
        for channel in targets:
            await nc.subscribe(stream_subject(channel), cb=received_cb)
        await nc.flush()
        # Publish on each foreign subject as its real publisher: nothing may arrive.
        for channel in targets:
            pub = publisher_of.get(channel.publishers[0])
            if pub is None:
                pub = publisher_of[channel.publishers[0]] = await nats_env.connect(
                    channel.publishers[0])
            subject = channel.subject.replace("*", "probe")
            await pub.publish(subject, b"{}")
            await pub.flush()
        await asyncio.sleep(0.3)
        violations = [e for e in errors if "permissions violation" in str(e).lower()]
        assert received == []
        assert len(violations) == len(targets), (service, errors)
    finally:
        for pub in publisher_of.values():
            await pub.close()
        await nc.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_consumer_on_another_slice_stream_is_refused(nats_env, service):
    errors: list[Exception] = []

    async def error_cb(exc):
        errors.append(exc)

    nc = await nats_env.connect(service, error_cb=error_cb)
    js = nc.jetstream(timeout=0.25)
    try:
        foreign = [c for c in subjects.streams() if service not in c.consumers]
        results = await asyncio.gather(
            *(js.add_consumer(c.stream, durable_name=service) for c in foreign),
            return_exceptions=True)
        assert all(isinstance(r, NatsTimeout) for r in results), results
        await asyncio.sleep(0.2)
        assert any("permissions violation" in str(e).lower() for e in errors)
    finally:
        await nc.close()


@pytest.mark.parametrize("service", SERVICES)
async def test_publishing_outside_its_subjects_is_a_violation(nats_env, service):
    errors: list[Exception] = []

    async def error_cb(exc):
        errors.append(exc)

    nc = await nats_env.connect(service, error_cb=error_cb)
    try:
        foreign = [c for c in CHANNELS if service not in c.publishers]
        for channel in foreign:
            await nc.publish(channel.subject.replace("*", "probe"), b"{}")
        await nc.flush()
        await asyncio.sleep(0.3)
        violations = [e for e in errors if "permissions violation" in str(e).lower()]
        assert len(violations) == len(foreign)
    finally:
        await nc.close()


def test_permissions_follow_the_declaration():
    for service in SERVICES:
        perms = subjects.permissions(service)
        for channel in CHANNELS:
            allowed = stream_subject(channel) in perms["publish"]
            assert allowed == (service in channel.publishers), (service, channel.name)
