"""The unit of work every route shares: one session per request, from the slice's state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.state import state_of


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """The framework owns the unit of work: commit on success, roll back on error."""
    async with state_of(request.app).sessionmaker() as session:
        try:
            yield session
            await session.commit()
        except BaseException:
            await session.rollback()
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]
