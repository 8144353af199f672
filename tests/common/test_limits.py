"""The request body cap every service installs: 413 problem+json by Content-Length and
for a streamed body, before the route sees it."""

from __future__ import annotations

import httpx
from fastapi import FastAPI
from pydantic import BaseModel

from services.common import limits, problems


class Body(BaseModel):
    x: str


def app_with_limit(limit: int) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    limits.install(app, max_body_bytes=limit)
    seen: list[int] = []

    @app.post("/t")
    async def take(body: Body) -> dict:
        seen.append(len(body.x))
        return {"ok": True}

    app.state.seen = seen
    return app


async def test_body_cap_by_length_and_streamed():
    app = app_with_limit(100)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://test") as client:
        assert (await client.post("/t", json={"x": "a"})).status_code == 200
        big = await client.post("/t", json={"x": "a" * 200})
        assert big.status_code == 413
        assert big.headers["content-type"] == "application/problem+json"
        assert big.json()["detail"] == "the body may be at most 100 bytes"

        async def stream():
            for _ in range(10):
                yield b'{"x":"' + b"a" * 50

        streamed = await client.post("/t", content=stream(),
                                     headers={"content-type": "application/json"})
        assert streamed.status_code == 413
        assert streamed.json()["title"] == "Request too large"
    assert app.state.seen == [1]  # the route never saw a refused body
