"""Exactly one scheduler among many `libbot run` processes.

Every process may be started with the scheduler (`--role all` or `scheduler`); only the
one holding the lease runs it, the others wait as stand-bys and take over when the
holder goes away. On PostgreSQL the lease is a session advisory lock held on a
connection of its own: the server releases it the moment that process or its
connection dies, so a crashed leader never blocks the others. On SQLite (one machine
by definition) it is an exclusive `flock` on `scheduler.lock` beside the database,
which the kernel likewise drops with the process.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import logging
from pathlib import Path
from typing import IO, Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

log = logging.getLogger(__name__)
# pg_try_advisory_lock takes one bigint: this one is «libbot» in ASCII.
ADVISORY_KEY = 0x6C6962626F74
RETRY_SECONDS = 10.0


class Lease:
    """`acquire()` says whether this process now leads; `held()` whether it still does;
    `release()` lets a stand-by take over."""

    def __init__(self, db: Database, *, lock_dir: Path) -> None:
        self.db = db
        self.lock_path = lock_dir / "scheduler.lock"
        self._connection: AsyncConnection | None = None
        self._file: IO[Any] | None = None

    async def acquire(self) -> bool:
        if self._connection is not None or self._file is not None:
            return await self.held()
        if self.db.dialect == "postgresql":
            connection = await self.db.engine.connect()
            try:
                got = await connection.scalar(
                    text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
                )
                await connection.commit()  # the lock is the session's, not the transaction's
            except Exception:
                await connection.close()
                raise
            if not got:
                await connection.close()
                return False
            self._connection = connection
            return True
        self.lock_path.parent.mkdir(parents=True, exist_ok=True)
        file = self.lock_path.open("a")
        try:
            fcntl.flock(file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            file.close()
            return False
        self._file = file
        return True

    async def held(self) -> bool:
        """Still the leader? A lost PostgreSQL connection means the lock is gone."""
        if self._file is not None:
            return True
        if self._connection is None:
            return False
        try:
            await self._connection.scalar(text("SELECT 1"))
            await self._connection.commit()
        except Exception as exc:  # noqa: BLE001 - any failure: the session and its lock are gone
            log.warning("scheduler lease lost: %s", exc)
            await self._drop_connection()
            return False
        return True

    async def release(self) -> None:
        if self._file is not None:
            fcntl.flock(self._file.fileno(), fcntl.LOCK_UN)
            self._file.close()
            self._file = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.scalar(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
                await self._connection.commit()
            await self._drop_connection()

    async def _drop_connection(self) -> None:
        """Throw the connection away, never back into the pool: if its session somehow
        still held the lock, a pooled connection would keep it from everyone."""
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()


async def lead_while_held(
    lease: Lease, start: Any, stop: Any, done: asyncio.Event, *, every: float = RETRY_SECONDS
) -> None:
    """Run `start()` when the lease is won and `stop()` when it is lost, until `done`.

    Stand-bys ask again every `every` seconds; the leader checks it still holds it."""
    leading = False
    try:
        while not done.is_set():
            try:
                if not leading and await lease.acquire():
                    log.info("this process runs the scheduler")
                    start()
                    leading = True
                elif leading and not await lease.held():
                    log.warning("scheduler stopped: another process may take over")
                    stop()
                    leading = False
            except Exception:
                log.exception("scheduler lease check failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), every)
    finally:
        if leading:
            stop()
        await lease.release()
