"""Operator commands, run with the service stopped (they use its database and keys):

    python -m services.pseudonymiser train [--seed 42] [--sample N]
        trains a linkage model from the held records and makes it the active version
        (the service, started again, re-links with it unless `relink` ran first)
    python -m services.pseudonymiser relink
        the full re-link: re-scores and re-clusters every held record with the active
        model and every review decision; the re-assignments, merges and splits wait in
        the outbox and go out when the service starts

The running service does both by itself (learning.py); these are for an operator who
wants them done with the service stopped.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from dataclasses import asdict

from services.common import bus
from services.common.commands import Command
from services.common.db import build_engine, build_sessionmaker
from services.pseudonymiser import assembly
from services.pseudonymiser import repository as repo
from services.pseudonymiser.models import Outbox
from services.pseudonymiser.outgoing import publish
from services.pseudonymiser.probabilistic import TrainingConfig, frame_from_records, train
from services.pseudonymiser.relink import relink
from services.pseudonymiser.service import Outcome
from services.pseudonymiser.settings import PseudonymiserSettings


async def _relink(settings: PseudonymiserSettings) -> dict:
    engine = build_engine(settings.database_url, key=settings.database_key())
    try:
        sessionmaker = build_sessionmaker(engine)
        start = time.perf_counter()
        # an epoch of its own: a replica still writing is refused from now on (and this
        # relink if one is elected again before it commits)
        async with sessionmaker() as session, session.begin():
            epoch = await repo.take_fence(session, "relink")
        service = await assembly.build(settings, sessionmaker)
        service.lock.fenced, service.lock.epoch = True, epoch
        loaded = round(time.perf_counter() - start, 2)
        async with sessionmaker() as session, session.begin():
            report, batch = await relink(service, session)
            publish(bus.Outbox(Outbox), session,
                    Outcome(assignments=batch.assignments, changes=batch.changes))
        return {**asdict(report), "load_seconds": loaded,
                "total_seconds": round(time.perf_counter() - start, 2),
                "model_version": service.linkage.model.version}
    finally:
        await engine.dispose()


async def _train(settings: PseudonymiserSettings, seed: int, sample: int | None) -> dict:
    engine = build_engine(settings.database_url, key=settings.database_key())
    try:
        sessionmaker = build_sessionmaker(engine)
        async with sessionmaker() as session:
            frames = [frame_from_records(page)
                      async for page in repo.person_level_records(session)]
        import pandas as pd

        frame = pd.concat(frames, ignore_index=True)
        held = len(frame)
        if sample and len(frame) > sample:
            frame = frame.sample(n=sample, random_state=seed).reset_index(drop=True)
        model = train(frame, TrainingConfig(seed=seed))
        async with sessionmaker() as session, session.begin():
            await repo.save_model(session, model.version, model.to_json(), trained_on=held)
        return {"model_version": model.version, "records": len(frame)}
    finally:
        await engine.dispose()


def _train_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--sample", type=int, default=None, help="train on a random sample")


def _printed(result: dict) -> int:
    print(json.dumps(result, indent=1))
    return 0


COMMANDS = {
    "train": Command(
        help="train a linkage model from the held records (the service stopped); it "
             "re-links with it when it starts",
        run=lambda args, settings: _printed(asyncio.run(_train(settings, args.seed,
                                                               args.sample))),
        options=_train_options),
    "relink": Command(
        help="the full re-link of every held record with the active model (the service "
             "stopped)",
        run=lambda args, settings: _printed(asyncio.run(_relink(settings)))),
}
