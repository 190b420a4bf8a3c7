"""Migrations: up from empty, all the way down, up again; and the models match them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from storage.db import Database
from storage.schema import UNMODELLED_TABLES, metadata


async def _tables(db: Database) -> set[str]:
    async with db.engine.connect() as conn:
        return set(await conn.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_upgrade_downgrade_upgrade(database_url: str) -> None:
    db = Database(database_url)
    try:
        await db.downgrade("base")
        assert await _tables(db) <= {"alembic_version"}
        assert await db.is_empty() or await _tables(db) == {"alembic_version"}
        await db.upgrade()
        assert {"people", "activities", "catalogue_records", "catalogue_search"} <= await _tables(
            db
        )
        await db.downgrade("base")
        assert await _tables(db) <= {"alembic_version"}
        await db.upgrade()
        assert await db.current_revision() is not None
    finally:
        await db.dispose()


async def test_models_match_migrations(database: Database) -> None:
    def diff(sync_conn):  # type: ignore[no-untyped-def]
        def include_name(name, type_, _parent):  # type: ignore[no-untyped-def]
            return type_ != "table" or not any(
                name == t or name.startswith(f"{t}_") for t in UNMODELLED_TABLES
            )

        context = MigrationContext.configure(
            sync_conn, opts={"compare_type": True, "include_name": include_name}
        )
        return compare_metadata(context, metadata)

    async with database.engine.connect() as conn:
        changes = await conn.run_sync(diff)
    assert changes == []


async def test_prepare_creates_schema_on_an_empty_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'fresh' / 'libbot.sqlite3'}")
    try:
        assert await db.is_empty()
        await db.prepare()
        assert "people" in await _tables(db)
        await db.prepare()  # a second start changes nothing
    finally:
        await db.dispose()
