"""`python -m services.scorer [serve|migrate|rescore]`."""

import asyncio
import sys
from pathlib import Path

from services.common.runtime import Runtime, service_main
from services.scorer.app import create_app
from services.scorer.handlers import request_republish
from services.scorer.models import Inbox, Outbox
from services.scorer.settings import ScorerSettings


async def rescore(settings: ScorerSettings) -> str:
    """Ask the linker to republish every profile; every stored rule re-evaluates them."""
    async with Runtime(settings, inbox_model=Inbox, outbox_model=Outbox) as rt:
        async with rt.sessionmaker() as session, session.begin():
            request_id = request_republish(rt, session, levels=["person", "household"])
        await rt.relay.flush()
    return request_id


if __name__ == "__main__":
    if sys.argv[1:2] == ["rescore"]:
        print("re-score requested:", asyncio.run(rescore(ScorerSettings())))
    else:
        service_main(ScorerSettings, create_app, Path(__file__).parent / "migrations")
