"""HTTP routes beyond health (the clerical review queue arrives in a later issue)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(prefix="/v1", tags=["pseudonymiser"])
