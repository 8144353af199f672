"""`python -m services.scorer [serve|migrate|rescore [--wait]]`."""

import asyncio
import sys
import time
from pathlib import Path

from services.common.runtime import Runtime, service_main
from services.scorer import repository as repo
from services.scorer.app import create_app
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


if __name__ == "__main__":
    if sys.argv[1:2] == ["rescore"]:
        asyncio.run(rescore(ScorerSettings(), wait="--wait" in sys.argv[2:]))
    else:
        service_main(ScorerSettings, create_app, Path(__file__).parent / "migrations")
