"""Message schemas: one per subject, shared by publisher and consumers.

Each schema says exactly what may cross the bus. Identity messages carry no
codes or event dates; event, profile and flag messages carry no names, dates
of birth, addresses, postcodes or partner local IDs. Extra fields are
forbidden, so a publisher cannot smuggle a field past a consumer.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Level(StrEnum):
    person = "person"
    household = "household"
    property = "property"


# --- gateway -> pseudonymiser -------------------------------------------------


class IdentityValues(Message):
    """A person's or a property's identity as a partner holds it: the fields partners
    send, declared once (the gateway's row model and checks, the identity rows and the
    pseudonymiser's records are derived from it)."""

    local_id: str = Field(max_length=100)
    given_name: str | None = Field(default=None, max_length=100)
    family_name: str | None = Field(default=None, max_length=100)
    date_of_birth: date | None = None
    sex: str | None = None
    address: str | None = Field(default=None, max_length=500)
    address_line_2: str | None = Field(
        default=None, max_length=200,
        description="A second address line: building, estate or district.")
    locality: str | None = Field(default=None, max_length=100,
                                 description="Town, village or suburb.")
    postcode: str | None = None
    nhs_number: str | None = None
    uprn: str | None = None


IDENTITY_FIELDS = tuple(IdentityValues.model_fields)


def max_lengths(model: type[BaseModel]) -> dict[str, int]:
    """The fields of a model that declare a maximum length, and that length."""
    return {name: limit.max_length for name, field in model.model_fields.items()
            for limit in field.metadata if hasattr(limit, "max_length")}


class IdentityRow(IdentityValues):
    record_token: str


class IdentityBatch(Message):
    """Identity rows of one chunk of one upload (also used for opt-out lists)."""

    batch_id: str
    chunk: int
    partner: str
    dataset: str
    level: Literal["person", "property"]
    agreement: str | None = None
    one_record_per_person: bool = Field(
        default=False, description="The partner vouches that the dataset holds each person "
        "once: linkage never puts two of its records in one person.")
    rows: list[IdentityRow]


# --- gateway -> linker ---------------------------------------------------------


class EventRow(Message):
    record_token: str
    event_token: str
    code: str
    occurred_on: date


class EventBatch(Message):
    batch_id: str
    chunk: int
    partner: str
    dataset: str
    level: Literal["person", "property"]
    agreement: str | None = None
    events: list[EventRow]


# --- gateway -> consent --------------------------------------------------------


class ConsentRequest(Message):
    record_token: str
    status: Literal["opt_out", "consent", "withdrawn"] = "opt_out"
    scope: str = "all"
    evidence: str | None = None
    notice_version: str | None = None
    decided_on: date


class ConsentRequestBatch(Message):
    batch_id: str
    chunk: int
    partner: str
    dataset: str
    agreement: str | None = None
    items: list[ConsentRequest]


# --- gateway -> scorer -----------------------------------------------------------


Category = Literal["health", "non_health"]
# the six headline problems of the Troubled Families programme, phase two
Headline = Literal["crime-asb", "school-attendance", "children-need-help",
                   "worklessness-finance", "domestic-abuse", "health"]


class CodeCategory(Message):
    code: str
    category: Category
    headline: Headline | None = None


class CodeCatalogue(Message):
    """Each code's category, never its meaning (the meaning stays in the registry)."""

    dataset: str
    partner: str
    codes: list[CodeCategory]


# --- gateway -> every slice holding data --------------------------------------------


class AgreementNotice(Message):
    """The state of one data-sharing agreement; a later revision replaces an earlier one.
    An ended agreement (or one whose dataset list no longer covers data) has its data
    removed by every slice."""

    agreement: str
    revision: int
    partner: str | None = None
    datasets: list[str] = []
    purposes: list[str] = []
    retention: str | None = Field(default=None, description="ISO 8601 duration, e.g. P2Y")
    valid_from: date | None = None
    valid_to: date | None = None
    ended_on: date | None = None


# --- slices -> gateway ---------------------------------------------------------------


class BatchProgress(Message):
    batch_id: str
    chunk: int
    service: str
    processed: int


# --- pseudonymiser -> linker -------------------------------------------------------


class Assignment(Message):
    record_token: str
    level: Literal["person", "property"]
    person: str | None = None
    household: str | None = None
    area: str | None = None
    lsoa: str | None = Field(default=None, description=(
        "The LSOA of the household's postcode, from the council's postcode lookup: an area "
        "of about 1,500 residents, for area profiles (docs/outcomes.md)."))
    withheld: bool = False
    version: int = Field(description="Monotonic per record token; later versions win.")


class ClusterChange(Message):
    """Persons merged or split by linkage. A merge retires `others` into `survivor`,
    which keeps its pseudonym; a split moves records from `survivor` (which keeps its
    pseudonym) to the new persons in `others`. The re-assignments of the moved records
    are published with them (a large outcome in several messages, the changes in the
    first ones), so the linker re-keys their events and profiles change."""

    kind: Literal["merge", "split"]
    survivor: str
    others: list[str]
    reason: Literal["linkage", "review", "relink"]


class AssignmentBatch(Message):
    assignments: list[Assignment]
    changes: list[ClusterChange] = []


# --- pseudonymiser -> consent ----------------------------------------------------


class OptoutResolved(Message):
    record_token: str
    person: str
    household: str | None = None


# --- linker -> scorer ----------------------------------------------------------------


class ProfileEvent(Message):
    dataset: str = Field(description="The dataset that defined the code: a code's "
                         "category and meaning belong to its dataset")
    code: str
    occurred_on: date


class Profile(Message):
    pseudonym: str
    level: Literal["person", "household"]
    sequence: int = Field(ge=0, description=(
        "The linker's write-lock counter of the transaction that published it: of two "
        "profiles of one pseudonym and level, the one with the larger sequence is the "
        "newer, whichever is applied last"))
    area: str | None = None
    events: list[ProfileEvent]
    agreements: list[str] = Field(default=[], description="Agreements that supplied the events")


class ProfileBatch(Message):
    profiles: list[Profile]


# --- scorer -> linker ------------------------------------------------------------------


class ProfileRef(Message):
    pseudonym: str
    level: Literal["person", "household"]


class RepublishRequest(Message):
    """Asks the linker to publish profiles again: the listed ones (even when now empty),
    or, with ``all``, every profile of the given levels (a full re-score)."""

    request_id: str
    all: bool = False
    levels: list[Literal["person", "household"]] = ["person", "household"]
    profiles: list[ProfileRef] = []
    export: bool = Field(default=False, description=(
        "With `all`: answer with a columnar export (ProfileExportChunk on "
        "tessera.profiles.export) instead of Profile messages (a bulk re-score)."))


# --- linker -> scorer (bulk re-score) -----------------------------------------------------


class ProfileExportChunk(Message):
    """One chunk of the linker's export of every profile of one level, for a bulk re-score.

    The same content as Profile messages (pseudonym, area, coded events, the agreements
    that supplied them), in columns. Integer arrays are standard base64 of little-endian
    arrays: `offsets` int32 (n + 1 values; profile i's events are offsets[i]:offsets[i+1]),
    `event_codes` uint16 (index into `codes`, each a (dataset, code) pair), `event_days` int32 (days since 1970-01-01),
    `profile_areas` and `profile_agreements` int32 (index into `areas` and
    `agreement_sets`). Chunks of one export come in pseudonym order; the last one says how
    many chunks the level had."""

    request_id: str
    level: Literal["person", "household"]
    chunk: int = Field(ge=0)
    sequence: int = Field(ge=0, description=(
        "The linker's write-lock counter when the export began: every profile of the "
        "chunk is at least as new as a Profile message of that sequence"))
    last: bool = False
    total_chunks: int | None = None
    pseudonyms: list[str]
    codes: list[tuple[str, str]] = Field(description="(dataset, code) pairs")
    areas: list[str | None]
    agreement_sets: list[list[str]]
    offsets: str
    event_codes: str
    event_days: str
    profile_areas: str
    profile_agreements: str


# --- scorer -> reidentify ------------------------------------------------------------


class Flag(Message):
    pseudonym: str
    level: Literal["person", "household"]
    rule_id: str
    rule_version: int
    purposes: list[str]
    active: bool
    score: float
    indicators: int
    health: int
    non_health: int
    headlines: int = 0
    area: str | None = None
    raised_at: datetime
    agreements: list[str] = Field(default=[], description="Agreements that supplied the data")


class FlagBatch(Message):
    flags: list[Flag]


# --- consent -> every slice ------------------------------------------------------------


class ConsentDecision(Message):
    decision_id: str
    person: str
    household: str | None = None
    status: Literal["opt_out", "consent", "withdrawn"]
    scope: str = Field(
        description="'all', 'partner:<id>' or 'purpose:<name>'",
    )
    decided_on: date
    effective: bool = Field(description="True when this is now the winning decision for its scope")
    sequence: int = Field(ge=0, description=(
        "Consent's counter when it recorded the decision: of two effective decisions for "
        "one person and scope, the one with the larger sequence wins, whichever is "
        "applied last"))


# --- reidentify <-> pseudonymiser (request-reply) --------------------------------------------


class ReidentifyRequest(Message):
    """Signed by reidentify (every bus message is); it names the access-log entry that
    authorises the release, so the pseudonymiser's own release ledger can be checked
    against the log, and it is refused when stale or seen before."""

    pseudonym: str
    level: Literal["person", "household"]
    partner: str | None = Field(
        default=None,
        description="Set for a partner-scoped lookup: answer only that partner's own local "
        "IDs (never an identity, never another partner's IDs).")
    access_id: int = Field(description="The access-log entry that authorises this release")
    sub: str | None = Field(default=None, description=(
        "Who asked (the caller's token subject and organisation), so the partners whose "
        "records are released can read who unlocked their people"))
    org: str | None = None
    issued_at: datetime
    reply_key: str = Field(description="The X25519 public key (base64url) the answer is "
                           "sealed to (services.common.sealing)")

    def sealing_context(self) -> bytes:
        """What a sealed answer is bound to: this request's access id and pseudonym."""
        return f"{self.access_id}:{self.pseudonym}".encode()


class Identity(Message):
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    address: str | None = None
    postcode: str | None = None


class LocalRecord(Message):
    """One of a partner's own records: the dataset and the partner's local ID."""

    dataset: str
    local_id: str


class Released(Message):
    """What a reply seals: identities, or (a partner-scoped lookup) local IDs."""

    subjects: list[Identity] = []
    local_ids: list[LocalRecord] = []


class ReidentifyReply(Message):
    found: bool
    withheld: bool = False
    refused: Literal["stale", "replayed", "unsealable"] | None = Field(
        default=None, description="Why the request was not answered")
    sealed: str | None = Field(default=None, description="A Released message, sealed to the "
                               "request's reply_key and bound to its access_id")


class ReleasesQuery(Message):
    """reidentify asks for the pseudonymiser's release ledger, to check it against the
    access log (verify-log)."""

    after: int = Field(default=0, description="Releases with an access_id above this")
    limit: int = Field(default=5000, ge=1, le=5000)


class Release(Message):
    access_id: int
    pseudonym: str
    level: Literal["person", "household"]
    partner: str | None = None
    issued_at: datetime = Field(description="When reidentify issued the request")
    released_at: datetime


class ReleasesPage(Message):
    releases: list[Release]


# --- consent <-> pseudonymiser (request-reply) ----------------------------------------------


class AreaQuery(Message):
    """Where a person lives, coarsely: consent checks a caseworker's districts by it."""

    pseudonym: str = Field(max_length=64)


class AreaReply(Message):
    found: bool
    area: str | None = None
    household: str | None = None


# --- linker -> gateway (what codes mean, for a subject access export) ------------------------


class MeaningsQuery(Message):
    """The (dataset, code) pairs of one person's events: no pseudonym, no date."""

    codes: list[tuple[str, str]] = Field(max_length=5000)


class CodeMeaning(Message):
    dataset: str
    code: str
    meaning: str | None = None


class MeaningsReply(Message):
    meanings: list[CodeMeaning]


# --- slices -> reidentify (subject access under a case) --------------------------------------


class ReleaseAsk(Message):
    """A slice asks whether it may release its part to a subject access request (the
    case must be open, the requester within their rate, and an export's person one the
    case's searches found), or tells which persons a search found. Authenticated by the
    asking slice."""

    case_id: str = Field(max_length=40)
    action: Literal["search", "found", "export"]
    pseudonym: str | None = Field(default=None, max_length=64)
    found: list[str] = Field(default=[], max_length=100, description=(
        "With 'found': the person pseudonyms the search (access entry `ref`) found"))
    ref: int | None = Field(default=None, description="With 'found': the search's entry")
    sub: str = Field(max_length=200, description="Who asks (the DPO's token subject)")
    org: str | None = Field(default=None, max_length=200)


class ReleaseGrant(Message):
    allowed: bool
    reason: str | None = Field(default=None, description=(
        "Why not: no-case, closed, expired, rate, not-in-case"))
    access_id: int | None = Field(default=None, description="The access-log entry written")


# --- reidentify -> gateway (the keeper of the access log's signed heads) -------------------


class SignedHead(Message):
    """The access log's head (seq and hash of the newest entry, when it was written),
    signed by reidentify's log key; ``kid`` names the key."""

    seq: int
    hash: str
    at: str
    kid: str | None = None
    sig: str


class DeletionReceipt(Message):
    """What one slice removed, and why: signed with the slice's events key (``kid``) over
    the canonical JSON of every other field (services.common.erasure)."""

    receipt_id: str
    service: str
    reason: Literal["agreement-ended", "retention"]
    agreement: str | None = None
    at: str
    removed: dict[str, int] = Field(description="Rows or messages removed, by kind")
    kid: str
    sig: str


class AgreementsQuery(Message):
    """A slice asks the registry for every agreement's latest revision, in id order, to
    reconcile the agreements it keeps at start-up (services.common.reconcile)."""

    after: str = Field(default="", max_length=100,
                       description="Agreements with an id after this one")
    limit: int = Field(default=100, ge=1, le=500)


class AgreementsPage(Message):
    agreements: list[AgreementNotice] = Field(description=(
        "Each agreement's latest revision as it was announced; fewer than the query's "
        "limit: the last page"))


class HeadsQuery(Message):
    after: int = Field(default=0, description="Heads with a seq above this")
    limit: int = Field(default=5000, ge=1, le=5000)


class HeadsPage(Message):
    heads: list[SignedHead]


# --- every service -> every service --------------------------------------------------------


class PolicyChange(Message):
    """Rows of the unlock policy one reidentify process changed (no identity: pseudonyms
    and agreement ids); every other process of the slice reads them back."""

    origin: str = Field(description="The process that made the change (it holds it already)")
    flags: list[str] = Field(default=[], description="Pseudonyms whose flags changed")
    persons: list[str] = Field(default=[], description="Pseudonyms whose opt-outs changed")
    agreements: list[str] = Field(default=[], description="Agreements that changed")


class TokenRevocation(Message):
    """A token refused from now on, wherever it is presented (by its jti)."""

    jti: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=200)
    revoked_at: datetime
    revoked_by: str = Field(description="The subject of the admin token that revoked it")
    service: str = Field(description="The service the revocation was made at")
