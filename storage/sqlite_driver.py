"""aiosqlite connections that make one trip to their thread per statement.

aiosqlite runs each sqlite3 call in the connection's own thread; SQLAlchemy's adapter
asks it for a cursor, the execute, the rows and the close separately — four hand-overs
between threads per statement (about 60 µs of CPU each here), plus a commit even when
a read opened no transaction. Profiled under load that was a tenth of the bot's time.

These connections are aiosqlite's own, with a cursor that executes, fetches the first
rows and closes in a single call on the thread (SQLAlchemy reads all rows of an ordinary
result at once anyway; a longer, streamed result is read on in further calls), and a
commit or rollback that stays home when SQLite has no transaction open. Everything else
— the thread, the queue, errors — is aiosqlite's.
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

# Rows fetched with the execute; a longer result (a streamed report) stays open on the
# thread and is read on in further trips, so memory does not grow with it.
FIRST_ROWS = 1000

# description, rowcount, lastrowid, the first rows, and the sqlite3 cursor if rows remain.
_Outcome = tuple[Any, int, int | None, list[Any], sqlite3.Cursor | None]


def _run(connection: sqlite3.Connection, sql: str, parameters: Any) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.execute(sql, parameters)
        rows = cursor.fetchmany(FIRST_ROWS) if cursor.description else []
    except BaseException:
        cursor.close()
        raise
    remaining = cursor if len(rows) == FIRST_ROWS else None
    outcome = cursor.description, cursor.rowcount, cursor.lastrowid, rows, remaining
    if remaining is None:
        cursor.close()
    return outcome


def _run_many(connection: sqlite3.Connection, sql: str, parameters: Iterable[Any]) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(sql, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, [], None
    finally:
        cursor.close()


def _more(cursor: sqlite3.Cursor, count: int | None) -> list[Any]:
    """The next `count` rows (None: all the rest); the cursor is closed once it runs dry."""
    rows = cursor.fetchall() if count is None else cursor.fetchmany(count)
    if count is None or len(rows) < count:
        cursor.close()
    return rows


class OneTripCursor:
    """The part of aiosqlite's cursor SQLAlchemy uses; the first rows come with the execute."""

    arraysize = 1

    def __init__(self, connection: OneTripConnection) -> None:
        self._connection = connection
        self._rows: list[Any] = []
        self._remaining: sqlite3.Cursor | None = None
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None

    async def __aenter__(self) -> OneTripCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.close()

    async def execute(self, sql: str, parameters: Sequence[Any] | None = None) -> OneTripCursor:
        await self.close()
        outcome = await self._connection.run(_run, sql, parameters or ())
        self._take(outcome)
        return self

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneTripCursor:
        await self.close()
        outcome = await self._connection.run(_run_many, sql, list(parameters))
        self._take(outcome)
        return self

    def _take(self, outcome: _Outcome) -> None:
        self.description, self.rowcount, self.lastrowid, self._rows, self._remaining = outcome

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        if self._remaining is not None:
            rows += await self._read_on(None)
        return rows

    async def fetchmany(self, size: int | None = None) -> list[Any]:
        count = size or self.arraysize
        if len(self._rows) < count and self._remaining is not None:
            self._rows += await self._read_on(max(count, FIRST_ROWS))
        rows, self._rows = self._rows[:count], self._rows[count:]
        return rows

    async def fetchone(self) -> Any:
        rows = await self.fetchmany(1)
        return rows[0] if rows else None

    async def close(self) -> None:
        self._rows = []
        if self._remaining is not None:
            remaining, self._remaining = self._remaining, None
            await self._connection.run_on(remaining.close)

    async def _read_on(self, count: int | None) -> list[Any]:
        assert self._remaining is not None
        cursor = self._remaining
        rows: list[Any] = await self._connection.run_on(_more, cursor, count)
        if count is None or len(rows) < count:
            self._remaining = None
        return rows


class OneTripConnection(aiosqlite.Connection):
    def cursor(self) -> OneTripCursor:  # type: ignore[override]
        return OneTripCursor(self)

    def run(self, function: Callable[..., _Outcome], *args: Any) -> Awaitable[_Outcome]:
        """Call `function(sqlite3 connection, *args)` on the connection's thread."""
        return self._execute(function, self._conn, *args)

    def run_on(self, function: Callable[..., Any], *args: Any) -> Awaitable[Any]:
        """Call `function(*args)` on the connection's thread."""
        return self._execute(function, *args)

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
