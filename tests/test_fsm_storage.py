"""Conversation state survives a restart: in the database by default, in Redis when configured."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from redis.asyncio import Redis

from bot.app import fsm_backend
from bot.kernel.config import ConfigError
from storage.db import Database
from storage.fsm import DatabaseStorage
from tests.conftest import REDIS, REDIS_PREFIX, REDIS_URL, make_config, redis_or_skip

KEY = StorageKey(bot_id=1, chat_id=77, user_id=77)


async def test_database_storage_keeps_state_and_data(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.set_state(KEY, "Form:name")
    await storage.update_data(KEY, {"name": "Анна", "seats": 2})
    restarted = DatabaseStorage(database)
    assert await restarted.get_state(KEY) == "Form:name"
    assert await restarted.get_data(KEY) == {"name": "Анна", "seats": 2}
    await restarted.set_state(KEY, None)
    await restarted.set_data(KEY, {})
    assert await restarted.get_state(KEY) is None
    assert await restarted.get_data(KEY) == {}


async def test_concurrent_writes_to_one_key_do_not_fail(database: Database) -> None:
    storage = DatabaseStorage(database)
    await asyncio.gather(*(storage.set_data(KEY, {"n": n}) for n in range(10)))
    assert (await storage.get_data(KEY))["n"] in range(10)


async def test_redis_is_used_when_configured(tmp_path: Path, sqlite_db: Database) -> None:
    await redis_or_skip()
    client = Redis.from_url(REDIS_URL)
    old = [key async for key in client.scan_iter(match=f"{REDIS_PREFIX}:*")]
    if old:
        await client.delete(*old)
    await client.aclose()

    config = make_config(tmp_path, redis=REDIS)
    storage, isolation = fsm_backend(config, sqlite_db)
    try:
        assert type(storage).__name__ == "RedisStorage"
        await storage.set_state(KEY, "Form:phone")
        await storage.set_data(KEY, {"name": "Анна"})
    finally:
        await storage.close()
        await isolation.close()
    again, isolation = fsm_backend(config, sqlite_db)
    try:
        assert await again.get_state(KEY) == "Form:phone"
        assert await again.get_data(KEY) == {"name": "Анна"}
    finally:
        await again.close()
        await isolation.close()
    client = Redis.from_url(REDIS_URL)
    try:
        ours = [key.decode() async for key in client.scan_iter(match=f"{REDIS_PREFIX}:fsm:*")]
    finally:
        await client.aclose()
    assert len(ours) == 2, "state and data, under this installation's [redis] prefix"


def test_a_redis_prefix_with_spaces_is_a_one_line_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="prefix"):
        make_config(tmp_path, redis={"url": REDIS_URL, "prefix": "моя библиотека"})
