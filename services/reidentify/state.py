"""What reidentify's lifespan builds and its routes and door middleware read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.common.retention import Retains
from services.common.state import dependency
from services.reidentify.attempts import DoorState
from services.reidentify.audit import Witnesses
from services.reidentify.cases import Cases
from services.reidentify.heads import HeadSigner
from services.reidentify.policy import PolicyState
from services.reidentify.service import Reidentifier
from services.reidentify.settings import ReidentifySettings


@dataclass(kw_only=True, eq=False)
class ReidentifyState(Retains, DoorState):
    settings: ReidentifySettings
    policy: PolicyState
    reidentifier: Reidentifier
    head_signer: HeadSigner
    witnesses: Witnesses
    grants: Cases
    fast_unlock: bool
    """Unlocks answered by the door middleware without the route (``fastpath.py``)."""
    fast_unlocks: int = 0


State = Annotated[ReidentifyState, Depends(dependency(ReidentifyState))]
