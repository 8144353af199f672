"""TLS on NATS and on HTTP, switched on by settings: the federation works end to end over
TLS, and plain connections are refused."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import pytest_asyncio

from tests.e2e.conftest import federation_with_borough
from tests.e2e.test_federation import settled_cohort


@pytest_asyncio.fixture(loop_scope="session", scope="module")
async def running_tls(tmp_path_factory):
    async with federation_with_borough(tmp_path_factory.mktemp("federation-tls"),
                                       households=80, seed=4, tls=True) as run:
        yield run


async def test_federation_over_tls(running_tls):
    clearance = {"roles": ["caseworker"], "districts": ["OL1", "OL2", "OL4", "OL8", "OL9"],
                 "purposes": ["early-help-triage"], "org": "test"}
    expected = running_tls.borough.truth.flagged()
    rows = await settled_cohort(running_tls, clearance, len(expected))
    assert len(rows) == len(expected) > 0
    assert running_tls.url("gateway").startswith("https://")


async def test_plain_http_and_untrusted_tls_are_refused(running_tls):
    https = running_tls.url("gateway")
    with pytest.raises(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=5) as c:  # the system CAs do not know ours
            await c.get(https + "/healthz")
    with pytest.raises(httpx.HTTPError):
        async with httpx.AsyncClient(timeout=5) as c:
            await c.get(https.replace("https://", "http://") + "/healthz")


async def test_plain_nats_is_refused(running_tls):
    """The server demands TLS before anything else: a plaintext CONNECT gets no PONG."""
    fed = running_tls.fed
    reader, writer = await asyncio.open_connection("127.0.0.1", fed.nats_port)
    try:
        info = json.loads((await reader.readline()).decode().split(" ", 1)[1])
        assert info.get("tls_required") is True, sorted(info)
        password = fed.layout.nats_dir.joinpath("linker.password").read_text()
        connect = {"user": "linker", "pass": password, "verbose": False}
        writer.write(f"CONNECT {json.dumps(connect)}\r\nPING\r\n".encode())
        await writer.drain()
        try:
            reply = await asyncio.wait_for(reader.read(200), timeout=5)
        except (TimeoutError, ConnectionError):
            reply = b""
        assert b"PONG" not in reply
    finally:
        writer.close()
