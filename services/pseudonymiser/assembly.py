"""Builds the pseudonymiser's logic object: keys, the active linkage model, institution
rules, and the linkage index loaded from the database (used by the app and the CLI)."""

from __future__ import annotations

import asyncio
import logging
import time
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.settings import read_key
from services.pseudonymiser import repository as repo
from services.pseudonymiser.households import DEFAULT_KEYWORDS, InstitutionRules
from services.pseudonymiser.probabilistic import LinkageModel, Thresholds
from services.pseudonymiser.service import Pseudonymiser
from services.pseudonymiser.settings import PseudonymiserSettings

log = logging.getLogger("tessera.pseudonymiser")


def institution_rules(settings: PseudonymiserSettings) -> InstitutionRules:
    listed: set[str] = set()
    if settings.institutions_path and Path(settings.institutions_path).exists():
        for line in Path(settings.institutions_path).read_text().splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                listed.add(line)
    keywords = (DEFAULT_KEYWORDS if settings.institution_keywords is None
                else tuple(k.upper() for k in settings.institution_keywords))
    return InstitutionRules(keywords=keywords, listed=frozenset(listed),
                            min_members=settings.institution_min_members,
                            min_surnames=settings.institution_min_surnames)


async def active_model(session: AsyncSession, settings: PseudonymiserSettings,
                       store: bool = True) -> LinkageModel:
    """The latest model stored in the database; at first start, the configured file's
    (stored, unless not `store`, so a later change of file is a recorded new version)."""
    row = await repo.active_model(session)
    if row is not None:
        model = LinkageModel.from_json(row.document)
    else:
        document = await asyncio.to_thread(Path(settings.model_path).read_text)
        model = LinkageModel.from_json(document)
        if store:
            await repo.save_model(session, model.version, model.to_json())
    return configured(model, settings)


def configured(model: LinkageModel, settings: PseudonymiserSettings) -> LinkageModel:
    """The model with the band thresholds the settings override (the stored model keeps
    its own)."""
    if settings.link_threshold is None and settings.review_threshold is None:
        return model
    return model.with_thresholds(Thresholds(
        link=settings.link_threshold if settings.link_threshold is not None
        else model.thresholds.link,
        review=settings.review_threshold if settings.review_threshold is not None
        else model.thresholds.review))


async def build(settings: PseudonymiserSettings,
                sessionmaker: async_sessionmaker[AsyncSession], *,
                elected: bool = False) -> Pseudonymiser:
    """The service with its index loaded (a process alone on its database); `elected`:
    a replica whose writer is elected (writer.py), which stores and loads nothing here
    and writes only once it is the writer."""
    async with sessionmaker() as session, session.begin():
        model = await active_model(session, settings, store=not elected)
    service = Pseudonymiser(read_key(settings.person_key_path),
                            read_key(settings.household_key_path), model,
                            institution_rules(settings),
                            lean_blocking=settings.incremental_blocking == "lean",
                            scoring_threads=settings.scoring_threads or None,
                            fenced=elected)
    if elected:
        return service
    start = time.perf_counter()
    async with sessionmaker() as session:
        held = await service.load(session)
    log.info("linkage model %s; index of %d held records built in %.1f s", model.version,
             held, time.perf_counter() - start)
    return service
