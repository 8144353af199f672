"""What the pseudonymiser's lifespan builds and its routes read."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Annotated

from fastapi import Depends

from services.common.retention import Retains
from services.common.state import dependency
from services.pseudonymiser.learning import Learning
from services.pseudonymiser.releases import Releases
from services.pseudonymiser.service import Pseudonymiser
from services.pseudonymiser.settings import PseudonymiserSettings
from services.pseudonymiser.writer import Writer


@dataclass(kw_only=True, eq=False)
class PseudonymiserState(Retains):
    settings: PseudonymiserSettings
    service: Pseudonymiser
    releases: Releases
    learning: Learning
    writer: Writer

    def describe(self) -> dict:
        return self.writer.describe()

    def evidence(self) -> dict:
        term = self.writer.term
        return {**self.writer.describe(), "terms": self.writer.election.terms,
                "last_term": None if term is None else asdict(term)}


State = Annotated[PseudonymiserState, Depends(dependency(PseudonymiserState))]
