"""HTTP models. Upload bodies are read by the gateway itself (JSON or CSV, row by row,
so one bad row does not refuse the rest); their schemas are published for the OpenAPI
document from the row models here."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from services.common.messages import Category, Headline, IdentityValues


class IdentityRecord(IdentityValues):
    """A row of an identities upload: the identity fields partners send."""


class OptoutRecord(IdentityRecord):
    scope: str = Field("all", max_length=200)
    evidence: str | None = Field(None, max_length=500)
    notice_version: str | None = Field(None, max_length=100)
    decided_on: date | None = None
    status: Literal["opt_out", "consent", "withdrawn"] = "opt_out"


class EventRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_id: str = Field(max_length=100)
    code: str = Field(max_length=50)
    occurred_on: date
    event_id: str | None = Field(None, max_length=100)


class FieldError(BaseModel):
    field: str
    message: str


class RejectedRow(BaseModel):
    row: int
    errors: list[FieldError]


class BatchReceipt(BaseModel):
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


def request_body(row_model: type[BaseModel], key: str) -> dict[str, Any]:
    """openapi_extra for an upload: a JSON list of rows under `key`, or the same as CSV."""
    row = row_model.model_json_schema()
    body = {"type": "object", "additionalProperties": False, "required": [key],
            "properties": {key: {"type": "array", "items": row}}}
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": body},
        "text/csv": {"schema": {"type": "string",
                                "description": "a header row with the same columns, "
                                               "then one row per record"}},
    }}}
