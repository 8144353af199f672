"""The one declaration of every NATS subject: who publishes, who consumes, what schema.

Publishers and consumers import their channel from here, the provisioning step
creates the JetStream streams from here, and the NATS configuration with one
user per service and least-privilege permissions is generated from here.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel

from services.common import messages as m
from services.common.settings import MAX_TOKEN_LIFETIME_S

SERVICES = ("gateway", "pseudonymiser", "linker", "scorer", "reidentify", "consent")
# the NATS user that creates streams and consumers (JetStream's API only, nothing else)
PROVISIONER = "provisioner"
# the largest message the NATS server accepts (its max_payload, written by deploy.natsconf);
# bus.Outbox refuses a larger one
MAX_PAYLOAD = 8 * 1024 * 1024


@dataclass(frozen=True)
class Channel:
    name: str
    subject: str  # a concrete subject, or a pattern ending in '.*' for per-dataset subjects
    schema: type[BaseModel]
    publishers: tuple[str, ...]
    consumers: tuple[str, ...]
    # stream: durable consumers, one per consuming service; request: core request-reply;
    # broadcast: every consuming service reads the whole stream at start-up, then follows
    # the subject live (no durable consumer, no acknowledgement); notice: core
    # publish-subscribe, every process of every consuming service receives it live and
    # nothing is kept (a process cut off reads again what the notices tell of)
    kind: Literal["stream", "request", "broadcast", "notice"] = "stream"
    stream: str | None = None
    # interest: a message goes once every consumer has acknowledged it (the bus is not a
    # second copy of the data); limits: kept until max_age_s (0: for ever)
    retention: Literal["interest", "limits"] = "interest"
    max_age_s: float = 0.0
    # a stream nobody may delete messages from or purge, not even its publisher
    deny_delete: bool = False
    reply_schema: type[BaseModel] | None = None
    max_deliver: int = 10
    ack_wait_s: float = 60.0
    description: str = ""
    extra: dict = field(default_factory=dict)

    def for_dataset(self, dataset: str) -> str:
        if not self.subject.endswith(".*"):
            raise ValueError(f"{self.name} is not a per-dataset subject")
        return self.subject[:-1] + dataset

    @property
    def durable_prefix(self) -> str:
        return self.stream or self.name


# The linkage writer's streams: a consumer tells JetStream every third of this time
# that it is still applying what it fetched (bus.Consumer), so a long linkage call keeps
# its messages, and those a killed writer held go to the next writer this soon.
LINKAGE_ACK_WAIT_S = 15.0

IDENTITY = Channel(
    "identity", "tessera.ingest.identity.*", m.IdentityBatch,
    publishers=("gateway",), consumers=("pseudonymiser",), stream="INGEST_IDENTITY",
    ack_wait_s=LINKAGE_ACK_WAIT_S,
    description="Identity rows keyed by record token (no codes, no event dates).",
)
OPTOUTS = Channel(
    "optouts", "tessera.ingest.optouts.*", m.IdentityBatch,
    publishers=("gateway",), consumers=("pseudonymiser",), stream="INGEST_OPTOUTS",
    ack_wait_s=LINKAGE_ACK_WAIT_S,
    description="The identity part of opt-out lists, to recognise the person.",
)
EVENTS = Channel(
    "events", "tessera.ingest.events.*", m.EventBatch,
    publishers=("gateway",), consumers=("linker",), stream="INGEST_EVENTS",
    description="Coded demand events keyed by record token (no identity).",
)
CONSENT_REQUESTS = Channel(
    "consent_requests", "tessera.ingest.consent", m.ConsentRequestBatch,
    publishers=("gateway",), consumers=("consent",), stream="INGEST_CONSENT",
    description="The decision part of opt-out lists, keyed by record token.",
)
CODES = Channel(
    "codes", "tessera.registry.codes", m.CodeCatalogue,
    publishers=("gateway",), consumers=("scorer", "linker"), stream="REGISTRY_CODES",
    description="Each dataset's code categories (never their meanings): the scorer's "
    "indicators, the linker's area profiles by category and headline problem.",
)
PROGRESS = Channel(
    "progress", "tessera.batches.progress", m.BatchProgress,
    publishers=("pseudonymiser", "linker", "consent"), consumers=("gateway",),
    stream="BATCH_PROGRESS", description="Rows processed per batch chunk (counts only).",
)
ASSIGNMENTS = Channel(
    "assignments", "tessera.linkage.assignments", m.AssignmentBatch,
    publishers=("pseudonymiser",), consumers=("linker",), stream="LINKAGE_ASSIGNMENTS",
    description="record token -> person and household pseudonym, area; merges and splits "
    "arrive as re-assignments with a higher version.",
)
RESOLVED = Channel(
    "resolved", "tessera.linkage.optouts", m.OptoutResolved,
    publishers=("pseudonymiser",), consumers=("consent",), stream="LINKAGE_OPTOUTS",
    description="Which pseudonym an opt-out record resolved to.",
)
PROFILES = Channel(
    "profiles", "tessera.profiles.changed", m.ProfileBatch,
    publishers=("linker",), consumers=("scorer",), stream="PROFILES",
    description="Changed profiles: pseudonym, area and coded events.",
)
FLAGS = Channel(
    "flags", "tessera.flags", m.FlagBatch,
    publishers=("scorer",), consumers=("reidentify",), stream="FLAGS",
    description="Flags raised and cleared (counts, never codes).",
)
DECISIONS = Channel(
    "decisions", "tessera.consent.decisions", m.ConsentDecision,
    publishers=("consent",),
    consumers=("pseudonymiser", "linker", "scorer", "reidentify"),
    stream="CONSENT_DECISIONS",
    description="Opt-outs and consent, by pseudonym, for every slice to obey.",
)
REIDENTIFY = Channel(
    "reidentify", "tessera.pseudonymiser.reidentify", m.ReidentifyRequest,
    publishers=("reidentify",), consumers=("pseudonymiser",), kind="request",
    reply_schema=m.ReidentifyReply,
    description="One flagged pseudonym's identity, by request-reply, never stored.",
)
RELEASES = Channel(
    "releases", "tessera.pseudonymiser.releases", m.ReleasesQuery,
    publishers=("reidentify",), consumers=("pseudonymiser",), kind="request",
    reply_schema=m.ReleasesPage,
    description="The pseudonymiser's release ledger (access ids and pseudonyms, never an "
    "identity), for checking against the access log.",
)

AGREEMENTS = Channel(
    "agreements", "tessera.registry.agreements", m.AgreementNotice,
    publishers=("gateway",), consumers=("pseudonymiser", "linker", "scorer", "reidentify"),
    stream="REGISTRY_AGREEMENTS",
    description="Data-sharing agreements: purposes, retention, validity, ending.",
)

AGREEMENT_STATE = Channel(
    "agreement_state", "tessera.gateway.agreements", m.AgreementsQuery,
    publishers=AGREEMENTS.consumers, consumers=("gateway",), kind="request",
    reply_schema=m.AgreementsPage,
    description="Every agreement's latest revision from the gateway's registry, paged, "
    "for a slice to reconcile its own at start-up: a notice the agreements stream has "
    "delivered is gone from it, so a slice restored from a backup would never hear it.",
)

REPUBLISH = Channel(
    "republish", "tessera.profiles.republish", m.RepublishRequest,
    publishers=("scorer",), consumers=("linker",), stream="PROFILES_REPUBLISH",
    description="The scorer asks the linker to republish profiles (ageing out, re-score).",
)

PROFILE_EXPORT = Channel(
    "profile_export", "tessera.profiles.export", m.ProfileExportChunk,
    publishers=("linker",), consumers=("scorer",), stream="PROFILES_EXPORT",
    description="Every profile of a level in columnar chunks, for a bulk re-score.",
)

REVOCATIONS = Channel(
    "revocations", "tessera.tokens.revoked", m.TokenRevocation,
    publishers=SERVICES, consumers=SERVICES, kind="broadcast", stream="TOKEN_REVOCATIONS",
    retention="limits", max_age_s=2 * MAX_TOKEN_LIFETIME_S,
    description="Token ids refused from now on by every service (kept while such a token "
    "could still be unexpired).",
)

POLICY = Channel(
    "policy", "tessera.reidentify.policy", m.PolicyChange, kind="notice",
    publishers=("reidentify",), consumers=("reidentify",),
    description="What one reidentify process changed in the unlock policy's rows (flags, "
    "opt-outs, agreements): every other process reads those rows back at once.",
)

AREA = Channel(
    "area", "tessera.pseudonymiser.area", m.AreaQuery,
    publishers=("consent",), consumers=("pseudonymiser",), kind="request",
    reply_schema=m.AreaReply,
    description="A person's area (postcode district) and household pseudonym, so consent "
    "can hold a caseworker to their districts.",
)
SUBJECT_ACCESS = Channel(
    "subject_access", "tessera.reidentify.subject-access", m.ReleaseAsk,
    publishers=("pseudonymiser", "linker", "scorer", "consent"), consumers=("reidentify",),
    kind="request", reply_schema=m.ReleaseGrant,
    description="A slice asks leave to release its part of a subject access request; "
    "reidentify checks the case and writes the access log.",
)
MEANINGS = Channel(
    "meanings", "tessera.registry.meanings", m.MeaningsQuery,
    publishers=("linker",), consumers=("gateway",), kind="request",
    reply_schema=m.MeaningsReply,
    description="What codes mean, from the gateway's registry, for a subject access "
    "export; meanings are stored nowhere else.",
)
AUDIT_HEADS = Channel(
    "audit_heads", "tessera.audit.heads", m.SignedHead,
    publishers=("reidentify",), consumers=("gateway",), stream="AUDIT_HEADS",
    retention="limits", deny_delete=True,
    description="The access log's signed heads, kept for ever off reidentify's host; the "
    "gateway keeps a copy.",
)
RECEIPTS = Channel(
    "receipts", "tessera.registry.receipts", m.DeletionReceipt,
    publishers=("pseudonymiser", "linker", "scorer", "reidentify"), consumers=("gateway",),
    stream="DELETION_RECEIPTS",
    description="Signed receipts of what each slice deleted when an agreement ended or "
    "its retention ran out (counts only); the gateway keeps them.",
)
HEADS = Channel(
    "heads", "tessera.gateway.heads", m.HeadsQuery,
    publishers=("reidentify",), consumers=("gateway",), kind="request",
    reply_schema=m.HeadsPage,
    description="The gateway's copy of the access log's signed heads, for verify-log.",
)

CHANNELS: tuple[Channel, ...] = (
    IDENTITY, OPTOUTS, EVENTS, CONSENT_REQUESTS, CODES, PROGRESS,
    ASSIGNMENTS, RESOLVED, PROFILES, FLAGS, DECISIONS, REIDENTIFY, RELEASES, REPUBLISH,
    AGREEMENTS, AGREEMENT_STATE, PROFILE_EXPORT, REVOCATIONS, POLICY, AREA, SUBJECT_ACCESS,
    MEANINGS, AUDIT_HEADS, HEADS, RECEIPTS,
)


@functools.lru_cache(maxsize=4096)
def channel_of(subject: str) -> Channel:
    """The channel a concrete subject belongs to (per-dataset subjects included)."""
    for c in CHANNELS:
        if subject == c.subject or (c.subject.endswith(".*")
                                    and subject.startswith(c.subject[:-1])):
            return c
    raise KeyError(f"no channel carries {subject}")


def stream_subject(channel: Channel) -> str:
    """The subject filter a channel's stream captures."""
    return channel.subject[:-1] + ">" if channel.subject.endswith(".*") else channel.subject


def streams() -> list[Channel]:
    """The channels a JetStream stream captures (stream and broadcast)."""
    return [c for c in CHANNELS if c.kind not in ("request", "notice")]


def inbox_prefix(service: str) -> str:
    """Each service receives replies on its own inbox, which no other user may read."""
    return f"_INBOX.{service}"


def durable_name(channel: Channel, service: str) -> str:
    return service


def deadletter_subject(service: str) -> str:
    """Where a service parks messages it could not apply after its deliveries ran out."""
    return f"tessera.deadletter.{service}"


def deadletter_stream(service: str) -> str:
    """One dead-letter stream per service: only that service writes or reads it."""
    return f"DEADLETTER_{service.upper()}"


def security_heads_subject(service: str) -> str:
    """Where a service keeps its security log's signed heads."""
    return f"tessera.security.heads.{service}"


def security_heads_stream(service: str) -> str:
    """One stream per service, kept for ever; nobody may delete from it or purge it."""
    return f"SECURITY_{service.upper()}"


@dataclass(frozen=True)
class Bucket:
    """A NATS key-value bucket, its owner's alone (created by provisioning), stored on
    file like the streams: one in memory would be gone after the server restarts, and
    its owner, which may not create it, could not go on."""

    name: str
    owner: str
    description: str


# The pseudonymiser's linkage writer, elected among its replicas (services.common.lease).
WRITER_LEASE = Bucket("LEASE_PSEUDONYMISER", "pseudonymiser",
                      "the pseudonymiser's writer lease (one linkage writer among replicas)")
# Access ids answered, each kept as long as a request naming it could be fresh (a time
# to live on each key), so every replica answers a release request once
# (services/pseudonymiser/releases.py).
RELEASED = Bucket("RELEASED_PSEUDONYMISER", "pseudonymiser",
                  "access ids the pseudonymiser's replicas answered (single use)")
BUCKETS = (WRITER_LEASE, RELEASED)


def bucket_permissions(service: str) -> list[str]:
    """What reading and compare-and-setting its own buckets takes (nats-py's KeyValue:
    the bucket's stream info, a get through the stream leader, a publish on a key)."""
    out = []
    for bucket in BUCKETS:
        if bucket.owner == service:
            out += [f"$JS.API.STREAM.INFO.KV_{bucket.name}",
                    f"$JS.API.STREAM.MSG.GET.KV_{bucket.name}", f"$KV.{bucket.name}.>"]
    return out


def permissions(service: str) -> dict:
    """Least-privilege publish/subscribe permissions for one service's NATS user."""
    if service not in SERVICES:
        raise ValueError(f"unknown service {service!r}")
    pub: list[str] = []
    sub: list[str] = [inbox_prefix(service) + ".>"]
    own_streams: set[str] = set()
    for c in CHANNELS:
        if service in c.publishers:
            pub.append(stream_subject(c))
        if service in c.consumers:
            if c.kind in ("request", "notice"):
                sub.append(c.subject)
            elif c.kind == "broadcast":  # read the stream from the start, then follow it
                sub.append(c.subject)
                pub += [f"$JS.API.STREAM.INFO.{c.stream}", f"$JS.API.STREAM.MSG.GET.{c.stream}"]
            else:
                own_streams.add(c.stream)  # type: ignore[arg-type]
    pub.append("$JS.API.INFO")
    dead = deadletter_stream(service)
    pub += [deadletter_subject(service), f"$JS.API.STREAM.INFO.{dead}",
            f"$JS.API.STREAM.MSG.GET.{dead}",
            # a dead letter whose agreement ended or whose retention ran out is erased
            f"$JS.API.STREAM.MSG.DELETE.{dead}"]
    heads = security_heads_stream(service)
    pub += [security_heads_subject(service), f"$JS.API.STREAM.INFO.{heads}",
            f"$JS.API.STREAM.MSG.GET.{heads}"]
    pub += bucket_permissions(service)
    # Durable consumers are created by the provisioning step (deploy.provision), so a
    # service may only read, fetch from and acknowledge its own consumer.
    for stream in sorted(own_streams):
        durable = service
        pub += [
            f"$JS.API.STREAM.INFO.{stream}",
            f"$JS.API.CONSUMER.INFO.{stream}.{durable}",
            f"$JS.API.CONSUMER.MSG.NEXT.{stream}.{durable}",
            f"$JS.ACK.{stream}.{durable}.>",
        ]
    perms: dict = {"publish": sorted(set(pub)), "subscribe": sorted(set(sub))}
    if any(service in c.consumers and c.kind == "request" for c in CHANNELS):
        # A responder may answer the requests it received, and publish nowhere else.
        perms["allow_responses"] = True
    return perms
