"""The database handle: one async engine and session factory per process.

The same code runs on SQLite (aiosqlite, the embedded default) and PostgreSQL
(asyncpg). Schema changes go only through Alembic migrations, applied by
`libbot db upgrade` or automatically when `run`/`demo` find an empty database.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from storage import sqlite_driver

MIGRATIONS = "storage:migrations"
POOL_SIZE = 15  # connections per process (and database)


class SchemaOutdated(Exception):
    """The database was made by an older libbot; `libbot db upgrade` is needed."""


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys make /forget's ON DELETE SET NULL work; WAL lets readers and a
    # writer proceed together; busy_timeout turns lock contention into a short wait.
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is still safe against a crash of libbot (only an OS crash or
    # power loss can lose the last commits), and makes each commit no fsync.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def alembic_config(url: str | None = None) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", MIGRATIONS)
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_holding_turn: ContextVar[bool] = ContextVar("sqlite_turn", default=False)


class _WriterTurn:
    """SQLite's one writer, in this process: transactions take turns in the order they ask,
    except that an urgent one (a seat someone is waiting for) goes before those waiting."""

    def __init__(self) -> None:
        self._held = False
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._urgent: deque[asyncio.Future[None]] = deque()

    async def acquire(self, *, urgent: bool) -> None:
        if not self._held:
            self._held = True
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        (self._urgent if urgent else self._waiting).append(turn)
        try:
            await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                self.release()  # handed the turn just as it was cancelled: pass it on
            raise

    def release(self) -> None:
        for queue in (self._urgent, self._waiting):
            while queue:
                turn = queue.popleft()
                if not turn.done():
                    turn.set_result(None)  # handed over: the turn stays held
                    return
        self._held = False


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = url
        parsed = make_url(url)
        self.dialect = parsed.get_backend_name()
        if self.dialect == "sqlite" and parsed.database not in (None, "", ":memory:"):
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        # A file database cannot go away under us; a server connection can.
        sqlite = self.dialect == "sqlite"
        options: dict[str, Any] = {}
        if sqlite and parsed.database not in (None, "", ":memory:"):
            options["async_creator"] = sqlite_driver.async_creator(parsed)
        if parsed.database not in (None, "", ":memory:"):
            # As many connections as before (5 + 10 overflow), all kept once opened: an
            # overflow connection was closed as soon as it was given back, so a burst kept
            # opening new ones (a thread for SQLite, a login for PostgreSQL), and the updates
            # that had to wait for one fell behind those that came after them.
            options.update(pool_size=POOL_SIZE, max_overflow=0)
        self.engine: AsyncEngine = create_async_engine(
            url,
            **options,
            echo=echo,
            pool_pre_ping=not sqlite,
            # Every transaction here ends in a commit or a rollback of its own, so the pool's
            # extra rollback on return would only cost SQLite another trip to its thread.
            pool_reset_on_return=None if sqlite else "rollback",
            # A failed statement must not write a reader's name or question into the log.
            hide_parameters=True,
        )
        if self.dialect == "sqlite":
            event.listen(self.engine.sync_engine, "connect", _sqlite_pragmas)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time, and its busy handler waits by sleeping (up to
        # 100 ms a try): under a burst, transactions queued in-process finish far sooner.
        self._sqlite_turn = _WriterTurn() if self.dialect == "sqlite" else None
        self._urgent_engine: AsyncEngine | None = None

    @asynccontextmanager
    async def transaction(self, *, urgent: bool = False) -> AsyncIterator[AsyncSession]:
        """One unit of work: committed on success, rolled back on any error.

        `urgent`: a decision people are waiting for in a burst (the seats of a meetup
        everyone presses for at once) must not queue behind the burst's other work — on
        SQLite it is next for the writer's turn, on PostgreSQL it has a connection of its
        own instead of waiting for one of the pool's.
        """
        if urgent and self._sqlite_turn is None:
            async with self.sessions(bind=self._urgent()) as session, session.begin():
                yield session
            return
        async with self._writer_turn(urgent=urgent), self.sessions() as session, session.begin():
            yield session

    def _urgent(self) -> AsyncEngine:
        if self._urgent_engine is None:
            self._urgent_engine = create_async_engine(
                self.url, pool_size=1, max_overflow=1, pool_pre_ping=True, hide_parameters=True
            )
        return self._urgent_engine

    @asynccontextmanager
    async def reading(self) -> AsyncIterator[AsyncSession]:
        """A unit of work that only reads, through the ORM: on SQLite it need not queue for
        the writer's turn (WAL readers never wait), so a read on the way to an answer — the
        event a form is for — is not held up behind every write of a burst. It ends in a
        rollback: nothing written in it is kept."""
        async with self._writer_turn(False), self.sessions() as session:
            try:
                yield session
            finally:
                await session.rollback()

    @asynccontextmanager
    async def connection(self, *, writes: bool = True) -> AsyncIterator[AsyncConnection]:
        """One unit of work on a bare connection: for the statements every update runs (the
        catalogue search, a conversation's state, the activity rows), which need no ORM.

        Cheaper than a session (no identity map, no session events — so nothing written this
        way may touch people, roles or accounts, whose cache listens to sessions).
        Committed on success, rolled back on any error. `writes=False` promises only reads:
        on SQLite they need not queue for the writer's turn, as WAL readers never wait.
        """
        async with self._writer_turn(writes), self.engine.begin() as connection:
            yield connection

    def holding_turn(self) -> bool:
        """Whether the caller is inside one of this process's SQLite write transactions:
        a write it hands to another task (a group commit) would wait for the turn the
        caller holds, so it must write in the caller's transaction instead."""
        return self._sqlite_turn is not None and _holding_turn.get()

    @asynccontextmanager
    async def _writer_turn(
        self, writes: bool = True, *, urgent: bool = False
    ) -> AsyncIterator[None]:
        """SQLite has one writer at a time: this process's writers take turns here."""
        if self._sqlite_turn is None or not writes or _holding_turn.get():
            yield
            return
        await self._sqlite_turn.acquire(urgent=urgent)
        token = _holding_turn.set(True)  # a nested transaction must not wait for itself
        try:
            yield
        finally:
            _holding_turn.reset(token)
            self._sqlite_turn.release()

    async def dispose(self) -> None:
        await self.engine.dispose()
        if self._urgent_engine is not None:
            await self._urgent_engine.dispose()

    # --- migrations -------------------------------------------------------------

    def _run(self, connection: Connection, action: str, revision: str) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = connection
        getattr(command, action)(cfg, revision)

    async def upgrade(self, revision: str = "head") -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(self._run, "upgrade", revision)

    async def downgrade(self, revision: str) -> None:
        async with self.engine.begin() as conn:
            await conn.run_sync(self._run, "downgrade", revision)

    async def current_revision(self) -> str | None:
        async with self.engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: MigrationContext.configure(sync).get_current_revision()
            )

    async def is_empty(self) -> bool:
        async with self.engine.connect() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        return not names

    async def prepare(self) -> None:
        """Create the schema on an empty database; refuse to run on an outdated one."""
        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        if await self.is_empty():
            await self.upgrade()
            return
        current = await self.current_revision()
        if current != head:
            raise SchemaOutdated(
                f"database schema is at {current or 'no revision'}, this libbot needs {head}: "
                "back up the database, then run 'libbot db upgrade'"
            )
