"""Many processes on one database: exactly one runs the scheduler, and a stand-by takes
over when the leader goes away (SQLite: a file lock; PostgreSQL: an advisory lock)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from aiogram.types import Update
from sqlalchemy import func, select, text

from bot.app import build_dispatcher, fsm_backend
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from bot.transports.vk.polling import VkPolling, vk_bot
from broadcasts.leader import Lease, lead_while_held
from storage import outbox
from storage.db import Database
from storage.models import Person
from storage.outbox import Audience, Delivery, OutboxMessage
from storage.types import utcnow
from tests.conftest import REDIS, make_config, redis_or_skip, with_vk
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk
from tests.test_cli import clean_env, libbot


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


async def test_an_update_two_processes_receive_is_handled_once(
    telegram: FakeTelegram, vk: FakeVk, sqlite_db: Database, tmp_path: Path
) -> None:
    """Telegram retrying a webhook call to another process, and two processes polling one
    VK community: with Redis, the first process to claim the update answers it."""
    await redis_or_skip()
    config = with_vk(make_config(tmp_path, redis=REDIS), vk)
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


def _sender_config(tmp_path: Path, url: str, telegram: FakeTelegram) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        "[library]\nname = 'Библиотека'\n"
        f"[database]\nurl = '{url}'\n"
        f"[telegram]\ntoken = '{telegram.token}'\napi_server = '{telegram.base_url}'\n"
        "rate = 15.0\n"
        "[outbox]\nlease_seconds = 2\n",
        encoding="utf-8",
    )
    return path


async def test_two_senders_deliver_once_and_a_killed_one_loses_nothing(
    telegram: FakeTelegram, database: Database, tmp_path: Path
) -> None:
    """Two `libbot run --role sender` processes drain one outbox; one is killed (SIGKILL)
    mid-way. Every message ends sent (or «unknown» if it was in flight at the kill),
    nobody gets one twice, and the rows the dead one had claimed go to the other."""
    recipients = 240
    async with database.transaction() as session:
        for user_id in range(1, recipients + 1):
            session.add(
                Person(
                    platform="telegram",
                    platform_user_id=str(10_000 + user_id),
                    language="ru",
                    consent="unknown",
                )
            )
    broadcast = await outbox.create(
        database, text="Новогодний концерт", audience=Audience(everyone=True), scheduled_at=utcnow()
    )
    any_hour = make_config(tmp_path, notifications={"quiet_hours": ""})
    started = await outbox.start(database, broadcast, config=any_hour, platforms=("telegram",))
    assert started.recipients == recipients
    telegram.slow["sendMessage"] = 0.02
    config = _sender_config(tmp_path, database.url, telegram)
    senders = [
        await asyncio.create_subprocess_exec(
            *libbot(),
            "run",
            "--config",
            str(config),
            "--role",
            "sender",
            stderr=asyncio.subprocess.DEVNULL,
            env=clean_env(tmp_path),
        )
        for _ in range(2)
    ]
    try:
        for _ in range(600):
            if len(telegram.delivered) >= recipients // 3:
                break
            await asyncio.sleep(0.05)
        senders[0].kill()
        await senders[0].wait()
        for _ in range(1200):
            counts = await _statuses(database)
            if sum(counts.get(s, 0) for s in (Delivery.SENT, Delivery.UNKNOWN)) == recipients:
                break
            await asyncio.sleep(0.05)
    finally:
        for process in senders:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 30)
    counts = await _statuses(database)
    assert sum(counts.values()) == recipients
    assert counts.get(Delivery.SENT, 0) + counts.get(Delivery.UNKNOWN, 0) == recipients, counts
    assert counts.get(Delivery.UNKNOWN, 0) <= 16, "at most the sends in flight at the kill"
    per_chat = Counter(chat for chat, _ in telegram.delivered)
    assert max(per_chat.values()) == 1, "nobody got it twice"
    assert len(per_chat) >= counts[Delivery.SENT]


async def _statuses(db: Database) -> dict[str, int]:
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        return {status: count for status, count in rows}


async def test_of_two_scheduler_processes_one_leads_and_the_other_takes_over(
    telegram: FakeTelegram, database: Database, tmp_path: Path
) -> None:
    config = _sender_config(tmp_path, database.url, telegram)
    processes = [
        await asyncio.create_subprocess_exec(
            *libbot(),
            "run",
            "--config",
            str(config),
            "--role",
            "scheduler",
            stderr=asyncio.subprocess.PIPE,
            env=clean_env(tmp_path),
        )
        for _ in range(2)
    ]
    leading = "this process runs the scheduler"
    logs: list[list[str]] = [[], []]

    async def read(index: int) -> None:
        stream = processes[index].stderr
        assert stream is not None
        async for line in stream:
            logs[index].append(line.decode())

    readers = [asyncio.create_task(read(i)) for i in range(2)]
    try:
        for _ in range(400):
            if any(leading in line for log in logs for line in log):
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)  # time for a second leader to appear, if there were one
        leaders = [i for i in range(2) if any(leading in line for line in logs[i])]
        assert len(leaders) == 1, logs
        first = leaders[0]
        processes[first].send_signal(signal.SIGTERM)
        await asyncio.wait_for(processes[first].wait(), 30)
        other = 1 - first
        for _ in range(400):  # stand-bys ask every 10 s
            if any(leading in line for line in logs[other]):
                break
            await asyncio.sleep(0.05)
        assert any(leading in line for line in logs[other]), logs[other]
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                await asyncio.wait_for(process.wait(), 30)
        await asyncio.gather(*readers)
