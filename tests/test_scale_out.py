"""Many processes on one database: exactly one runs the scheduler, and a stand-by takes
over when the leader goes away (SQLite: a file lock; PostgreSQL: an advisory lock)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from aiogram.types import Update
from redis.asyncio import Redis
from sqlalchemy import text

from bot.app import build_dispatcher, fsm_backend
from bot.i18n import Locales
from bot.transports.telegram import create_bot
from bot.transports.vk.polling import VkPolling, vk_bot
from broadcasts.leader import Lease, lead_while_held
from storage.db import Database
from tests.conftest import REDIS_URL, make_config, unavailable, with_vk
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk


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


async def _redis_or_skip() -> None:
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure means "skip with this reason"
        unavailable(f"Redis not reachable at {REDIS_URL}: {exc}")
    finally:
        await client.aclose()


async def test_an_update_two_processes_receive_is_handled_once(
    telegram: FakeTelegram, vk: FakeVk, sqlite_db: Database, tmp_path: Path
) -> None:
    """Telegram retrying a webhook call to another process, and two processes polling one
    VK community: with Redis, the first process to claim the update answers it."""
    await _redis_or_skip()
    config = with_vk(make_config(tmp_path, redis={"url": REDIS_URL}), vk)
    processes = []
    for _ in range(2):
        storage, isolation = fsm_backend(config, sqlite_db)
        processes.append(
            (
                build_dispatcher(
                    config, sqlite_db, Locales(), storage=storage, isolation=isolation
                ),
                storage,
                isolation,
            )
        )
    tg_bot = create_bot(telegram.token, api_server=telegram.base_url)
    update_id = 900_000 + int(time.time()) % 100_000  # fresh in a shared Redis
    update = Update.model_validate(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": 42, "type": "private"},
                "from": {"id": 42, "is_bot": False, "first_name": "Анна"},
                "text": "/start",
            },
        }
    )
    vk.add_user(43, "Борис")
    event = vk.update(vk.message_new(43, "Начать", payload={"command": "start"}))
    vk_bots = []
    try:
        for dp, _storage, _isolation in processes:
            await dp.feed_update(tg_bot, update, platform="telegram")
            community_bot = vk_bot(config.vk)
            vk_bots.append(community_bot)
            await VkPolling(dp, community_bot, handle_as_tasks=False).handle([event])
    finally:
        await tg_bot.session.close()
        for community_bot in vk_bots:
            await community_bot.session.close()
        for _dp, storage, isolation in processes:
            await storage.close()
            await isolation.close()
    greetings = [c for c in telegram.calls_of("sendMessage") if c.chat_id == 42]
    assert len([c for c in greetings if "Здравствуйте" in c.text]) == 1, "answered once"
    vk_greetings = [c for c in vk.calls_of("messages.send") if 43 in c.peer_ids]
    assert len([c for c in vk_greetings if "Здравствуйте" in c.text]) == 1, "answered once"
