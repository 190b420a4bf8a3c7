"""Many processes on one database: exactly one runs the scheduler, and a stand-by takes
over when the leader goes away (SQLite: a file lock; PostgreSQL: an advisory lock)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from broadcasts.leader import Lease, lead_while_held
from storage.db import Database


async def test_only_one_process_holds_the_scheduler_lease(
    database: Database, tmp_path: Path
) -> None:
    other_process = Database(database.url)  # its own engine and connections
    first = Lease(database, lock_dir=tmp_path)
    second = Lease(other_process, lock_dir=tmp_path)
    try:
        assert await first.acquire()
        assert not await second.acquire()
        assert await first.held()
        await first.release()
        assert await second.acquire(), "a stand-by takes over once the leader lets go"
        assert not await first.acquire()
    finally:
        await first.release()
        await second.release()
        await other_process.dispose()


async def test_a_leader_whose_connection_dies_loses_the_lease(
    database: Database, tmp_path: Path
) -> None:
    if database.dialect != "postgresql":
        pytest.skip("a file lock dies only with its process")
    first = Lease(database, lock_dir=tmp_path)
    other_process = Database(database.url)
    second = Lease(other_process, lock_dir=tmp_path)
    try:
        assert await first.acquire()
        async with other_process.engine.connect() as conn:
            # What a crash looks like to the server: the leader's session is gone.
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()"
                )
            )
            await conn.commit()
        assert not await first.held()
        assert await second.acquire()
    finally:
        await first.release()
        await second.release()
        await other_process.dispose()


async def test_of_two_schedulers_one_starts_and_the_other_waits(
    database: Database, tmp_path: Path
) -> None:
    runs: list[str] = []
    done = asyncio.Event()
    other_process = Database(database.url)

    def starter(name: str) -> Callable[[], None]:
        return lambda: runs.append(f"{name} started")

    def stopper(name: str) -> Callable[[], None]:
        return lambda: runs.append(f"{name} stopped")

    leaders = [
        lead_while_held(
            Lease(db, lock_dir=tmp_path), starter(name), stopper(name), done, every=0.05
        )
        for name, db in (("a", database), ("b", other_process))
    ]
    tasks = [asyncio.create_task(leader) for leader in leaders]
    await asyncio.sleep(0.3)
    done.set()
    await asyncio.gather(*tasks)
    await other_process.dispose()
    started = [r for r in runs if r.endswith("started")]
    assert len(started) == 1, runs
    name = started[0].split()[0]
    assert runs == [f"{name} started", f"{name} stopped"]
