"""Alembic environment. libbot passes its own connection (see storage.db.Database);
the plain `alembic` CLI works too when sqlalchemy.url is set."""

from __future__ import annotations

import asyncio

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.schema import UNMODELLED_TABLES, metadata

target_metadata = metadata


def _include_name(name: str | None, type_: str, _parent: object) -> bool:
    """Leave the hand-made full-text tables (FTS5 shadow tables too) out of autogenerate."""
    if type_ == "table" and name is not None:
        return not any(name == t or name.startswith(f"{t}_") for t in UNMODELLED_TABLES)
    return True


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,  # SQLite alters tables by copying them
        compare_type=True,
        include_name=_include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


async def _migrate_from_url(url: str) -> None:
    engine = create_async_engine(url, hide_parameters=True)
    async with engine.begin() as conn:
        await conn.run_sync(_migrate)
    await engine.dispose()


if context.is_offline_mode():
    context.configure(
        url=context.config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        render_as_batch=True,
        literal_binds=True,
    )
    with context.begin_transaction():
        context.run_migrations()
elif (given := context.config.attributes.get("connection")) is not None:
    _migrate(given)
else:
    asyncio.run(_migrate_from_url(context.config.get_main_option("sqlalchemy.url") or ""))
