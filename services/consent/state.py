"""What consent's lifespan builds and its routes read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.common.state import dependency
from services.common.subject_access import HoldsPeople
from services.consent.authority import People
from services.consent.settings import ConsentSettings


@dataclass(kw_only=True, eq=False)
class ConsentState(HoldsPeople):
    settings: ConsentSettings
    people: People


State = Annotated[ConsentState, Depends(dependency(ConsentState))]
