"""Create the JetStream streams and durable consumers declared in services.common.subjects.

Streams use interest retention: a message is kept until every declared consumer
has acknowledged it, then removed, so the bus does not become a second copy of
the data. Consumers are created here, before any publisher starts, so nothing
published early is lost; services only bind to their own durable consumer.
"""

from __future__ import annotations

from nats.js.api import (
    AckPolicy,
    ConsumerConfig,
    DeliverPolicy,
    KeyValueConfig,
    RetentionPolicy,
    StorageType,
    StreamConfig,
)
from nats.js.errors import BucketNotFoundError, NotFoundError

from services.common import bus
from services.common.subjects import (
    BUCKETS,
    PROVISIONER,
    SERVICES,
    Bucket,
    deadletter_stream,
    deadletter_subject,
    durable_name,
    security_heads_stream,
    security_heads_subject,
    stream_subject,
    streams,
)

DEADLETTER_MAX_AGE_S = 30 * 24 * 3600.0

DUPLICATE_WINDOW_S = 3600.0


async def bucket(js, declared: Bucket, replicas: int) -> None:
    """A key-value bucket: one value a key, no history, no expiry of its own (the lease
    judges a holder's age by its revision; a key given a time to live when written
    goes then); reads go through the stream leader, so none is stale."""
    try:
        await js.key_value(declared.name)
    except BucketNotFoundError:
        await js.create_key_value(KeyValueConfig(
            bucket=declared.name, history=1, replicas=replicas, direct=False,
            storage=StorageType.FILE, description=declared.description[:200]))


async def provision(url: str, password: str = "", replicas: int = 1, tls_ca_file=None,
                    nkey_file=None) -> None:
    """Create or update every stream (``replicas`` copies of each, across a cluster's
    nodes) and every durable consumer, as the provisioner user."""
    nc = await bus.connect(url=url, service=PROVISIONER, user=PROVISIONER, password=password,
                           tls_ca_file=tls_ca_file, nkey_file=nkey_file)
    try:
        js = nc.jetstream()
        for channel in streams():
            config = StreamConfig(
                name=channel.stream,
                subjects=[stream_subject(channel)],
                retention=RetentionPolicy.INTEREST if channel.retention == "interest"
                else RetentionPolicy.LIMITS,
                max_age=channel.max_age_s or None,
                deny_delete=channel.deny_delete or None,
                deny_purge=channel.deny_delete or None,
                storage=StorageType.FILE,
                duplicate_window=DUPLICATE_WINDOW_S,
                num_replicas=replicas,
                description=channel.description[:200],
            )
            try:
                await js.stream_info(channel.stream)
                await js.update_stream(config)
            except NotFoundError:
                await js.add_stream(config)
            for service in channel.consumers if channel.kind == "stream" else ():
                config = ConsumerConfig(
                    durable_name=durable_name(channel, service),
                    ack_policy=AckPolicy.EXPLICIT,
                    deliver_policy=DeliverPolicy.ALL,
                    max_deliver=channel.max_deliver,
                    ack_wait=channel.ack_wait_s,
                    max_ack_pending=1000,
                )
                try:
                    info = await js.consumer_info(channel.stream, config.durable_name)
                except NotFoundError:
                    await js.add_consumer(channel.stream, config)
                    continue
                if info.config.ack_wait != config.ack_wait:  # the one setting that changed
                    await js.add_consumer(channel.stream, config)
        for service in SERVICES:
            for config in (StreamConfig(
                name=deadletter_stream(service), subjects=[deadletter_subject(service)],
                retention=RetentionPolicy.LIMITS, storage=StorageType.FILE,
                max_age=DEADLETTER_MAX_AGE_S, num_replicas=replicas,
                description=f"Messages {service} could not apply (kept 30 days for ops)",
            ), StreamConfig(
                name=security_heads_stream(service), subjects=[security_heads_subject(service)],
                retention=RetentionPolicy.LIMITS, storage=StorageType.FILE,
                num_replicas=replicas, deny_delete=True, deny_purge=True,
                duplicate_window=3600.0,
                description=f"{service}'s security log heads, signed (kept for ever)",
            )):
                try:
                    await js.stream_info(config.name)
                    await js.update_stream(config)
                except NotFoundError:
                    await js.add_stream(config)
        for declared in BUCKETS:
            await bucket(js, declared, replicas)
    finally:
        await nc.drain()
