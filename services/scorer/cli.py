"""The scorer's own commands (`python -m services.scorer --help`)."""

from __future__ import annotations

import argparse
import asyncio
import time

from services.common.commands import Command
from services.common.runtime import Runtime
from services.scorer import repository as repo
from services.scorer.models import Inbox, Outbox
from services.scorer.outgoing import request_rescore
from services.scorer.settings import ScorerSettings


async def rescore(settings: ScorerSettings, wait: bool = False, timeout: float = 3600.0) -> str:
    """A bulk re-score: the linker exports every profile in columnar chunks and the running
    scorer evaluates them with every stored rule. With `wait`, until it has finished."""
    async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
        async with rt.sessionmaker() as session, session.begin():
            request_id = await request_rescore(rt, session, ["person", "household"])
        await rt.relay.flush()
        print("re-score requested:", request_id, flush=True)
        deadline = time.monotonic() + timeout
        while wait:
            async with rt.sessionmaker() as session:
                row = await repo.get_rescore(session, request_id)
                if row is not None and row.finished_at is not None:
                    print(f"re-score finished: {row.profiles} profiles, "
                          f"{row.flags} flag changes")
                    break
            if time.monotonic() > deadline:
                raise TimeoutError("re-score did not finish in time")
            await asyncio.sleep(0.2)
    return request_id


def _rescore_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--wait", action="store_true", help="until the re-score has finished")


def _rescore(args: argparse.Namespace, settings: ScorerSettings) -> int:
    asyncio.run(rescore(settings, wait=args.wait))
    return 0


COMMANDS = {
    "rescore": Command(
        help="a bulk re-score of every profile with every stored rule (the service running)",
        run=_rescore, options=_rescore_options),
}
