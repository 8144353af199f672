"""A slice's state: one typed object its lifespan builds and attaches to the app.

Each slice extends ``SliceState`` with what its routes read (``services/<slice>/state.py``)
and reads it back through an ``Annotated`` dependency; common routes read the part they
know (``SliceDep`` here, ``SubjectAccessDep`` and ``RetentionDep`` beside their routes).
Nothing else the lifespan builds goes on ``app.state``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from nats.aio.client import Client as NATS
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from starlette.applications import Starlette

from services.common.bus import Consumer
from services.common.gatekeeper import Gatekeeper
from services.common.runtime import Runtime

S = TypeVar("S", bound="SliceState")


@dataclass(kw_only=True, eq=False)
class SliceState:
    """What every slice's lifespan builds: the runtime and its named consumers."""

    rt: Runtime
    consumers: dict[str, Consumer] = field(default_factory=dict)

    def readiness(self) -> dict[str, bool]:
        """What must hold, beyond a reachable database and NATS, before the slice serves
        (``/readyz``); a kind of state that needs more adds its checks."""
        return {}

    def waiting_for(self) -> dict[str, str]:
        """Why each of ``readiness()``'s checks that fails does, in words for an operator."""
        return {}

    def describe(self) -> dict:
        """What ``/readyz`` says of this process besides its checks (a replica's role,
        where a slice elects a writer): names and numbers only."""
        return {}

    def evidence(self) -> dict:
        """What ``/v1/ops/compliance`` says of this replica (its role and terms, where
        a slice elects a writer): names, times and numbers only."""
        return {}

    @property
    def name(self) -> str:
        """The service's name (``gateway``, ``scorer``, ...)."""
        return self.rt.service

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.rt.sessionmaker

    @property
    def gatekeeper(self) -> Gatekeeper:
        return self.rt.gatekeeper

    @property
    def nc(self) -> NATS:
        return self.rt.nc


def attach(app: Starlette, state: SliceState) -> None:
    app.state.slice = state


def state_of(app: Starlette, kind: type[S] = SliceState) -> S:  # type: ignore[assignment]
    """The state the lifespan attached, as the slice's own type."""
    state = app.state.slice
    if not isinstance(state, kind):
        raise TypeError(f"app state is a {type(state).__name__}, not a {kind.__name__}")
    return state


def slice_state(request: Request) -> SliceState:
    return state_of(request.app)


def dependency(kind: type[S]):
    """A dependency that reads the app's state as ``kind`` (for a slice's ``Annotated``
    alias: ``State = Annotated[ScorerState, Depends(dependency(ScorerState))]``)."""

    def read(request: Request) -> S:
        return state_of(request.app, kind)

    return read


SliceDep = Annotated[SliceState, Depends(slice_state)]
