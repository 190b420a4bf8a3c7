"""aiosqlite connections that make one trip to their thread per statement.

aiosqlite runs each sqlite3 call in the connection's own thread; SQLAlchemy's adapter
asks it for a cursor, the execute, the rows and the close separately — four hand-overs
between threads per statement (about 60 µs of CPU each here), plus a commit even when
a read opened no transaction. Profiled under load that was a tenth of the bot's time.

These connections are aiosqlite's own, with a cursor that does the execute, fetches
every row and closes in a single call on the thread (SQLAlchemy reads all rows of a
non-streaming cursor at once anyway), and a commit or rollback that stays home when
SQLite has no transaction open. Everything else — the thread, the queue, errors — is
aiosqlite's.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import SQLiteDialect_aiosqlite
from sqlalchemy.engine import URL

_Outcome = tuple[Any, int, int | None, list[Any]]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _run_many(connection: sqlite3.Connection, sql: str, parameters: Iterable[Any]) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, []
    finally:
        cursor.close()


class OneTripCursor:
    """The part of aiosqlite's cursor SQLAlchemy uses; results are already fetched."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        outcome = await self._connection.run(_run, sql, parameters or ())
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        outcome = await self._connection.run(_run_many, sql, list(parameters))
        self.description, self.rowcount, self.lastrowid, self._rows = outcome
        return self

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def close(self) -> None:
        self._rows = []


class OneTripConnection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def run(self, function: Callable[..., _Outcome], *args: Any) -> Awaitable[_Outcome]:
        """Call `function(sqlite3 connection, *args)` on the connection's thread."""
        return self._execute(function, self._conn, *args)

    async def commit(self) -> None:
        if self.in_transaction:
            await super().commit()

    async def rollback(self) -> None:
        if self.in_transaction:
            await super().rollback()


def async_creator(url: URL) -> Callable[[], Awaitable[OneTripConnection]]:
    """What `create_async_engine(async_creator=…)` calls for each new connection."""
    args, options = SQLiteDialect_aiosqlite().create_connect_args(url)

    async def connect() -> OneTripConnection:
        connection = OneTripConnection(partial(sqlite3.connect, *args, **options), 64)
        # As SQLAlchemy does for aiosqlite: the worker thread must not keep Python alive.
        thread: threading.Thread = connection._thread
        thread.daemon = True
        return await connection

    return connect
