"""Bases and types for HTTP request bodies."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict


class RequestBody(BaseModel):
    """Unknown fields are refused: no smuggled roles, pseudonyms or flags."""

    model_config = ConfigDict(extra="forbid")


def _iso_string(value: Any) -> Any:
    if not isinstance(value, str | date):
        raise ValueError("must be an ISO 8601 date string (YYYY-MM-DD)")
    return value


# A date as JSON carries it: an ISO string. Pydantic would otherwise read 0 as 1970-01-01.
IsoDate = Annotated[date, BeforeValidator(_iso_string)]
