"""Stopping a background task so that it stays stopped."""

from __future__ import annotations

import asyncio


async def cancel_and_wait(task: asyncio.Task | None, patience_s: float = 1.0) -> None:
    """Cancel ``task`` and wait for it to end, cancelling again while it carries on.

    On Python 3.11 ``asyncio.wait_for``, which nats-py's fetch and ``next_msg`` use, can
    swallow a cancel that coincides with a message's arrival (CPython gh-86296): the
    task's loop then runs on, and a plain ``task.cancel(); await task`` waits for ever.
    An exception the task ended with, other than its cancellation, is raised here.
    """
    if task is None:
        return
    while not task.done():
        task.cancel()
        await asyncio.wait({task}, timeout=patience_s)
    if not task.cancelled():
        task.result()
