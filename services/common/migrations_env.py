"""The body of every service's Alembic env.py: async engines, one history per service."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import MetaData, pool
from sqlalchemy.ext.asyncio import async_engine_from_config

from services.common.db import sqlcipher_engine_kwargs


def _do_run(connection, metadata: MetaData) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _run_async(metadata: MetaData) -> None:
    config = context.config
    section = (config.get_section(config.config_ini_section, {}) or
               {"sqlalchemy.url": config.get_main_option("sqlalchemy.url")})
    engine = async_engine_from_config(
        section, prefix="sqlalchemy.", poolclass=pool.NullPool,
        **sqlcipher_engine_kwargs(section["sqlalchemy.url"],
                                  config.attributes.get("database_key")),
    )
    async with engine.connect() as connection:
        await connection.run_sync(_do_run, metadata)
    await engine.dispose()


def run(metadata: MetaData) -> None:
    if context.is_offline_mode():
        context.configure(
            url=context.config.get_main_option("sqlalchemy.url"),
            target_metadata=metadata,
            literal_binds=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(_run_async(metadata))
        return
    # Called from inside an event loop (a test, say): run on a thread with its own loop.
    import threading

    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(_run_async(metadata))
        except BaseException as exc:  # re-raised below
            errors.append(exc)

    t = threading.Thread(target=target)
    t.start()
    t.join()
    if errors:
        raise errors[0]
