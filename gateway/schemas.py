"""HTTP models. Upload bodies are read by the gateway itself (JSON or CSV, row by row,
so one bad row does not refuse the rest); the row and body models here document them
(IdentityRow, EventRow, OptOutRow) and name the fields the validator accepts."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.messages import Category, Headline, IdentityValues


class IdentityRow(IdentityValues):
    """A row of an identities upload: the identity fields partners send."""


class OptOutRow(IdentityRow):
    """A row of an opt-outs upload: a person's objection (or consent) as the partner
    recorded it, with who it covers (``scope``)."""

    scope: str = Field("all", max_length=200)
    evidence: str | None = Field(None, max_length=500)
    notice_version: str | None = Field(None, max_length=100)
    decided_on: date | None = None
    status: Literal["opt_out", "consent", "withdrawn"] = "opt_out"


class EventRow(BaseModel):
    """A row of an events upload: something the partner recorded about a person or a
    property, by one of its dataset's codes (GET /v1/datasets lists them)."""

    model_config = ConfigDict(extra="forbid")

    local_id: str = Field(max_length=100)
    code: str = Field(max_length=50)
    occurred_on: date
    event_id: str | None = Field(None, max_length=100)


IDENTITY_EXAMPLE = {"local_id": "P-000123", "given_name": "Alex", "family_name": "Example",
                    "date_of_birth": "2014-03-02", "address": "1 Example Street",
                    "postcode": "OL9 9ZZ"}


class IdentityUpload(BaseModel):
    """An identities upload as JSON (the same rows may be sent as text/csv)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={
        "examples": [{"records": [IDENTITY_EXAMPLE]}]})
    records: list[IdentityRow] = Field(min_length=1)


class EventUpload(BaseModel):
    """An events upload as JSON (the same rows may be sent as text/csv)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"events": [
        {"local_id": "P-000123", "code": "GP1", "occurred_on": "2026-01-15",
         "event_id": "E-1"}]}]})
    events: list[EventRow] = Field(min_length=1)


class OptOutUpload(BaseModel):
    """An opt-outs upload as JSON (the same rows may be sent as text/csv)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"records": [
        {**IDENTITY_EXAMPLE, "scope": "all", "decided_on": "2026-01-20",
         "status": "opt_out"}]}]})
    records: list[OptOutRow] = Field(min_length=1)


# kind -> its JSON body's model and a CSV example with the same columns
UPLOADS: dict[str, type[BaseModel]] = {
    "identities": IdentityUpload, "events": EventUpload, "optouts": OptOutUpload}
CSV_EXAMPLES = {
    "identities": "local_id,given_name,family_name,date_of_birth,address,postcode\n"
                  "P-000123,Alex,Example,2014-03-02,1 Example Street,OL9 9ZZ\n",
    "events": "local_id,code,occurred_on,event_id\nP-000123,GP1,2026-01-15,E-1\n",
    "optouts": "local_id,given_name,family_name,date_of_birth,scope,decided_on,status\n"
               "P-000123,Alex,Example,2014-03-02,all,2026-01-20,opt_out\n",
}


class FieldError(BaseModel):
    field: str
    message: str


class RejectedRow(BaseModel):
    row: int
    errors: list[FieldError]


class BatchReceipt(BaseModel):
    """What an upload was answered with: rows accepted, and each rejected row by its
    index and field (never the value sent)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "batch_id": "b-2f6c1e0a9d2b4c77", "accepted": 1, "rejected": [
            {"row": 1, "errors": [{"field": "date_of_birth",
                                   "message": "must be a date (YYYY-MM-DD)"}]}]}]})
    batch_id: str
    accepted: int
    rejected: list[RejectedRow]


class BatchStatus(BaseModel):
    batch_id: str
    status: Literal["processing", "complete"]
    accepted: int
    processed: int
    rejected: int


class BatchSummary(BatchStatus):
    dataset: str
    kind: Literal["identities", "events", "optouts"]
    received_at: datetime


class CodeOut(BaseModel):
    code: str
    category: str
    headline: str | None = None
    meaning: str | None = None
    retired_on: date | None = None


class DatasetOut(BaseModel):
    id: str
    kind: str
    level: str
    agreement: str | None = None
    one_record_per_person: bool = False
    retired_on: date | None = None
    codes: list[CodeOut]


# --- the registry: one set of field rules for the API and the seed file -------------------

ID = r"^[A-Za-z0-9._-]{1,100}$"
CODE = r"^[A-Za-z0-9._-]{1,50}$"


class CodeSpec(BaseModel):
    """What a code is: its category decides the Oldham rule's health / non-health
    condition, its headline the Troubled Families problem it evidences, its meaning what
    a person reading the code (a partner, a DPO answering a subject access request) needs."""

    model_config = ConfigDict(extra="forbid")
    category: Category
    headline: Headline | None = None
    meaning: str | None = Field(default=None, max_length=500)


class PartnerFields(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=300)


class DatasetFields(BaseModel):
    """A partner's dataset. `level`: person (each row a person) or property (each row an
    address: police call-outs). `one_record_per_person`: the partner vouches each person
    appears once (a practice's registered list), so two of its records are never linked to
    one person. `agreement`: the data-sharing agreement its data arrives under (none: no
    uploads). Codes left out of a replacement are retired."""

    model_config = ConfigDict(extra="forbid")
    partner: str = Field(pattern=ID)
    kind: str = Field(default="", max_length=50, examples=["gp", "school", "police"])
    level: Literal["person", "property"] = "person"
    one_record_per_person: bool = False
    agreement: str | None = Field(default=None, pattern=ID)
    codes: dict[Annotated[str, Field(pattern=CODE)], CodeSpec] = Field(
        default={}, max_length=2000)


class PartnerOut(PartnerFields):
    id: str
    retired_on: date | None = None
    managed_by: Literal["file", "api"]


class RegistryOut(BaseModel):
    revision: int = Field(description="The seq of the latest registry change")
    partners: list[PartnerOut]
    datasets: list[DatasetOut]


class RegistryChangeOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    entity: Literal["partner", "dataset", "code"]
    key: str
    action: Literal["created", "changed", "retired"]
    before: dict | None
    after: dict | None
