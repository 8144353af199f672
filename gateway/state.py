"""What the gateway's lifespan builds and its routes read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from gateway.agreements import Registry
from gateway.heads import HeadKeeper
from gateway.registry import PartnerRegistry
from gateway.service import Gateway
from gateway.settings import GatewaySettings
from services.common.state import SliceState, dependency


@dataclass(kw_only=True, eq=False)
class GatewayState(SliceState):
    settings: GatewaySettings
    gateway: Gateway
    agreements: Registry
    registry: PartnerRegistry
    head_keeper: HeadKeeper


State = Annotated[GatewayState, Depends(dependency(GatewayState))]
