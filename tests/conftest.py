from __future__ import annotations

import pytest_asyncio

from tests.support import start_nats_async


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def nats_env(tmp_path_factory):
    """A real nats-server with JetStream, the generated per-service users and the streams."""
    env = await start_nats_async(tmp_path_factory.mktemp("nats"))
    yield env
    env.stop()
