"""A background task stops even when a cancel is swallowed on its way in."""

from __future__ import annotations

import asyncio

import pytest

from services.common.tasks import cancel_and_wait


async def _swallows_first_cancel(turns: list[int]) -> None:
    # what asyncio.wait_for on Python 3.11 can do when a message arrives with the cancel
    swallowed = False
    while True:
        try:
            await asyncio.sleep(0.01)
        except asyncio.CancelledError:
            if swallowed:
                raise
            swallowed = True
        turns.append(1)


async def test_a_swallowed_cancel_is_repeated_until_the_task_ends():
    turns: list[int] = []
    task = asyncio.create_task(_swallows_first_cancel(turns))
    await asyncio.sleep(0.05)
    await asyncio.wait_for(cancel_and_wait(task, patience_s=0.05), 5)
    assert task.cancelled()
    ran = len(turns)
    await asyncio.sleep(0.05)
    assert len(turns) == ran  # stopped for good


async def test_the_task_s_own_failure_is_raised():
    async def fails() -> None:
        raise ValueError("broken")

    task = asyncio.create_task(fails())
    await asyncio.sleep(0)
    with pytest.raises(ValueError):
        await cancel_and_wait(task)
    await cancel_and_wait(None)
