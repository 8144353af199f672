"""What the linker's lifespan builds and its routes read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.common.retention import Retains
from services.common.state import dependency
from services.linker.export import Exporter
from services.linker.publisher import ProfilePublisher
from services.linker.settings import LinkerSettings


@dataclass(kw_only=True, eq=False)
class LinkerState(Retains):
    settings: LinkerSettings
    publisher: ProfilePublisher
    exporter: Exporter


State = Annotated[LinkerState, Depends(dependency(LinkerState))]
