"""HTTP models. Upload bodies are read by the gateway itself (JSON or CSV, row by row,
so one bad row does not refuse the rest); their schemas are published for the OpenAPI
document from the row models here."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict


class IdentityRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_id: str
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None
    sex: str | None = None
    address: str | None = None
    address_line_2: str | None = None
    locality: str | None = None
    postcode: str | None = None
    nhs_number: str | None = None
    uprn: str | None = None


class OptoutRecord(IdentityRecord):
    scope: str = "all"
    evidence: str | None = None
    notice_version: str | None = None
    decided_on: date | None = None
    status: Literal["opt_out", "consent", "withdrawn"] = "opt_out"


class EventRecord(BaseModel):
    model_config = ConfigDict(extra="forbid")

    local_id: str
    code: str
    occurred_on: date
    event_id: str | None = None


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


class CodeOut(BaseModel):
    code: str
    category: str
    headline: str | None = None
    meaning: str | None = None


class DatasetOut(BaseModel):
    id: str
    kind: str
    level: str
    agreement: str | None = None
    codes: list[CodeOut]


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
