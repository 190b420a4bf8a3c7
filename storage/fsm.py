"""aiogram FSM storage in libbot's own database.

The embedded default must not lose a half-filled form on restart, and must not
need Redis; with `[redis] url` set, aiogram's RedisStorage is used instead.

Reads are served from a write-through cache of recent conversations: every update
asks for the state (aiogram's FSM middleware, the «leave the form» middleware) and
most conversations have none, so the database is asked once per conversation and
written only when something changes. That is right for the one process the embedded
default is; several processes share their state through Redis.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import bindparam, delete, or_, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import FsmRecord
from storage.types import utcnow

CACHED_CONVERSATIONS = 20_000
EMPTY = (None, "{}")
# aiogram's default destiny: the last part of every key this bot builds.
DESTINY = "default"
# (state, data as JSON, when it was last written — None for nothing stored)
Entry = tuple[str | None, str, datetime | None]
NOTHING: Entry = (None, "{}", None)


def _upsert(insert: Any) -> Any:
    """One statement that stores a conversation, built once (bound parameters, no ORM)."""
    table = FsmRecord.__table__
    statement = insert(table).values(
        key=bindparam("key"),
        state=bindparam("state"),
        data=bindparam("data"),
        updated_at=bindparam("updated_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.key],
        set_={name: statement.excluded[name] for name in ("state", "data", "updated_at")},
    )


_UPSERTS = {"sqlite": _upsert(sqlite_insert), "postgresql": _upsert(postgresql_insert)}
_TABLE = FsmRecord.__table__
_SELECT = select(_TABLE.c.state, _TABLE.c.data, _TABLE.c.updated_at).where(
    _TABLE.c.key == bindparam("key")
)
_DELETE = delete(_TABLE).where(_TABLE.c.key == bindparam("key"))


def user_key_suffix(user_id: str) -> str:
    """How every conversation key of one messenger user ends (in any chat, with any bot)."""
    return f":{user_id}:{DESTINY}"


class DatabaseStorage(BaseStorage):
    """`ttl`: a conversation not written to for this long is gone (a form abandoned half-way
    keeps no name or phone), as Redis keys with a TTL are; `purge` deletes the rows."""

    def __init__(
        self,
        db: Database,
        key_builder: KeyBuilder | None = None,
        *,
        ttl: timedelta | None = None,
    ) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        self.ttl = ttl
        # storage key → (state, data as JSON, written at), as the database has it.
        self._cache: OrderedDict[str, Entry] = OrderedDict()
        # Writes started so far: a read that a write overtook is not cached.
        self._writes = 0

    def _remember(self, storage_key: str, value: Entry) -> None:
        self._cache[storage_key] = value
        self._cache.move_to_end(storage_key)
        while len(self._cache) > CACHED_CONVERSATIONS:
            self._cache.popitem(last=False)

    def _alive(self, entry: Entry) -> tuple[str | None, str]:
        state, data, written_at = entry
        if written_at is not None and self.ttl is not None and written_at < utcnow() - self.ttl:
            return EMPTY  # abandoned: as if it had never been written
        return state, data

    async def _load(self, key: StorageKey) -> tuple[str | None, str]:
        storage_key = self.key_builder.build(key)
        cached = self._cache.get(storage_key)
        if cached is not None:
            return self._alive(cached)
        writes = self._writes
        async with self.db.connection(writes=False) as reading:
            found = (await reading.execute(_SELECT, {"key": storage_key})).first()
            value = (found.state, found.data, found.updated_at) if found else NOTHING
        if self._writes == writes:  # no write overtook this read: it is still true
            self._remember(storage_key, value)
        return self._alive(value)

    async def _update(self, key: StorageKey, **changes: Any) -> None:
        """Change state and/or data of one key: one upsert of the whole new value.

        A record with no state and no data is deleted, so cleared conversations
        leave nothing behind. The upsert also settles two first writes to one key.
        """
        storage_key = self.key_builder.build(key)
        current = await self._load(key)
        state = changes.get("state", current[0])
        data = (
            json.dumps(dict(changes["data"]), ensure_ascii=False)
            if "data" in changes
            else current[1]
        )
        if (state, data) == current:
            return  # nothing changes: no write
        self._cache.pop(storage_key, None)  # re-read after the write, whatever happens
        self._writes += 1
        await self._put(storage_key, (state, data))

    async def _put(self, storage_key: str, value: tuple[str | None, str]) -> None:
        """Store a conversation's whole state and data (or delete it when both are empty)."""
        state, payload = value
        empty = value == EMPTY
        now = utcnow()
        async with self.db.connection() as writing:
            if empty:
                await writing.execute(_DELETE, {"key": storage_key})
            else:
                await writing.execute(
                    _UPSERTS[self.db.dialect],
                    {"key": storage_key, "state": state, "data": payload, "updated_at": now},
                )
        self._remember(storage_key, NOTHING if empty else (state, payload, now))

    async def forget_users(self, user_ids: Iterable[str]) -> int:
        """/forget: every conversation of these messenger users, in any chat, goes."""
        suffixes = [user_key_suffix(user_id) for user_id in user_ids]
        if not suffixes:
            return 0
        matches = or_(*(_TABLE.c.key.endswith(suffix, autoescape=True) for suffix in suffixes))
        async with self.db.connection() as writing:
            deleted = (await writing.execute(delete(_TABLE).where(matches))).rowcount
        for storage_key in [k for k in self._cache if k.endswith(tuple(suffixes))]:
            self._cache[storage_key] = NOTHING
        return int(deleted or 0)

    async def purge(self, older_than: datetime) -> int:
        """Delete conversations nobody wrote to since then (they already read as empty)."""
        async with self.db.connection() as writing:
            result = await writing.execute(delete(_TABLE).where(_TABLE.c.updated_at < older_than))
        return int(result.rowcount or 0)

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._update(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        state, _data = await self._load(key)
        return state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._update(key, data=data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        _state, data = await self._load(key)
        return dict(json.loads(data))

    async def close(self) -> None:
        """The database is owned and closed by the application, not by the storage."""


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)


async def forget_users(storage: BaseStorage, user_ids: Iterable[str]) -> int:
    """/forget: drop every conversation of these messenger users from whichever storage
    the bot uses (its database, or Redis — every key of theirs, state and data)."""
    user_ids = list(user_ids)
    if isinstance(storage, DatabaseStorage):
        return await storage.forget_users(user_ids)
    redis = getattr(storage, "redis", None)  # aiogram's RedisStorage
    if redis is None:
        return 0
    prefix = storage.key_builder.prefix  # type: ignore[attr-defined]
    deleted = 0
    for user_id in user_ids:
        pattern = f"{_glob_escape(prefix)}:*{_glob_escape(user_key_suffix(user_id))}*"
        keys = [key async for key in redis.scan_iter(match=pattern, count=1000)]
        if keys:
            deleted += int(await redis.delete(*keys))
    return deleted
