"""The embedded database's connections: one trip to SQLite's thread per statement, with
the answers SQLAlchemy relies on (rows, counts, new ids, errors) unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import literal_column, select, table, text
from sqlalchemy.exc import IntegrityError

from storage import sqlite_driver
from storage.db import Database
from storage.sqlite_driver import OneTripConnection


@pytest.fixture
async def scratch(tmp_path: Path) -> AsyncIterator[Database]:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'scratch.sqlite3'}")
    async with db.transaction() as session:
        await session.execute(
            text("CREATE TABLE shelf (id INTEGER PRIMARY KEY, title TEXT UNIQUE)")
        )
    yield db
    await db.dispose()


def count_trips(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    trips: list[str] = []
    original = OneTripConnection._execute

    async def counted(self: OneTripConnection, function: object, *args: object) -> object:
        trips.append(getattr(function, "__name__", "?"))
        return await original(self, function, *args)

    monkeypatch.setattr(OneTripConnection, "_execute", counted)
    return trips


async def test_чтение_одна_поездка_и_без_лишнего_commit(
    scratch: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    trips = count_trips(monkeypatch)
    async with scratch.transaction() as session:
        assert (await session.execute(text("SELECT 1 + 1"))).scalar() == 2
    assert trips == ["_run"]


async def test_запись_строки_счётчики_и_новые_номера(
    scratch: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with scratch.transaction() as session:
        added = await session.execute(
            text("INSERT INTO shelf (title) VALUES ('Мастер и Маргарита')")
        )
        assert added.lastrowid == 1
        await session.execute(
            text("INSERT INTO shelf (title) VALUES (:title)"),
            [{"title": "Евгений Онегин"}, {"title": "Капитанская дочка"}, {"title": "Дубровский"}],
        )
    trips = count_trips(monkeypatch)
    async with scratch.transaction() as session:
        renamed = await session.execute(text("UPDATE shelf SET title = title || '.' WHERE id > 1"))
        assert renamed.rowcount == 3
        titles = (await session.execute(text("SELECT title FROM shelf ORDER BY id"))).scalars()
        assert list(titles) == [
            "Мастер и Маргарита",
            "Евгений Онегин.",
            "Капитанская дочка.",
            "Дубровский.",
        ]
    assert trips == ["_run", "_run", "commit"]


async def test_ошибка_доходит_как_прежде_и_соединение_живо(scratch: Database) -> None:
    async with scratch.transaction() as session:
        await session.execute(text("INSERT INTO shelf (title) VALUES ('Дубровский')"))

    async def two_inserts_the_second_a_duplicate() -> None:
        async with scratch.transaction() as session:
            await session.execute(text("INSERT INTO shelf (title) VALUES ('Анчар')"))
            await session.execute(text("INSERT INTO shelf (title) VALUES ('Дубровский')"))

    with pytest.raises(IntegrityError):
        await two_inserts_the_second_a_duplicate()
    async with scratch.transaction() as session:  # the failed transaction left nothing behind
        titles = (await session.execute(text("SELECT title FROM shelf"))).scalars()
        assert list(titles) == ["Дубровский"]


async def test_длинный_результат_читается_частями_не_разом(
    scratch: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A streamed report reads the log in partitions: the rows beyond the first ones come
    in further trips, as many as asked for, never all at once."""
    monkeypatch.setattr(sqlite_driver, "FIRST_ROWS", 10)
    async with scratch.transaction() as session:
        await session.execute(
            text("INSERT INTO shelf (title) VALUES (:title)"),
            [{"title": f"книга {n}"} for n in range(95)],
        )
    batches: list[int] = []
    original = sqlite_driver._more

    def counted(cursor: object, count: int | None) -> list[object]:
        rows = original(cursor, count)  # type: ignore[arg-type]
        batches.append(len(rows))
        return rows

    monkeypatch.setattr(sqlite_driver, "_more", counted)
    seen = 0
    async with scratch.transaction() as session:
        query = select(literal_column("title")).select_from(table("shelf"))
        result = await session.stream(query.execution_options(yield_per=20))
        async for partition in result.partitions():
            seen += len(partition)
    assert seen == 95
    assert len(batches) >= 4  # 10 rows with the execute, the other 85 in parts
    assert max(batches) <= 20

    async with scratch.transaction() as session:  # an ordinary result still gets every row
        everything = (await session.execute(text("SELECT title FROM shelf"))).all()
    assert len(everything) == 95
