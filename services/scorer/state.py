"""What the scorer's lifespan builds and its routes read."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends

from services.common.retention import Retains
from services.common.state import dependency
from services.scorer.cohorts import Cohorts
from services.scorer.service import Scorer
from services.scorer.settings import ScorerSettings


@dataclass(kw_only=True, eq=False)
class ScorerState(Retains):
    settings: ScorerSettings
    scorer: Scorer
    sweep: Callable[[], Awaitable[int]]
    """Publishes the flags a day's passing changed; returns how many."""
    cohorts: Cohorts
    measure: Callable[[str | None], Awaitable[int]]
    """Measures every cohort member through a month (default the last ended); how many."""


State = Annotated[ScorerState, Depends(dependency(ScorerState))]
