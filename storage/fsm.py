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
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import (
    BaseStorage,
    DefaultKeyBuilder,
    KeyBuilder,
    StateType,
    StorageKey,
)
from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from storage.db import Database
from storage.models import FsmRecord
from storage.types import utcnow

CACHED_CONVERSATIONS = 20_000
EMPTY = (None, "{}")


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
_SELECT = select(_TABLE.c.state, _TABLE.c.data).where(_TABLE.c.key == bindparam("key"))
_DELETE = delete(_TABLE).where(_TABLE.c.key == bindparam("key"))


class DatabaseStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)
        # storage key → (state, data as JSON), as the database has it.
        self._cache: OrderedDict[str, tuple[str | None, str]] = OrderedDict()
        # Writes started so far: a read that a write overtook is not cached.
        self._writes = 0

    def _remember(self, storage_key: str, value: tuple[str | None, str]) -> None:
        self._cache[storage_key] = value
        self._cache.move_to_end(storage_key)
        while len(self._cache) > CACHED_CONVERSATIONS:
            self._cache.popitem(last=False)

    async def _load(self, key: StorageKey) -> tuple[str | None, str]:
        storage_key = self.key_builder.build(key)
        cached = self._cache.get(storage_key)
        if cached is not None:
            return cached
        writes = self._writes
        async with self.db.connection(writes=False) as reading:
            found = (await reading.execute(_SELECT, {"key": storage_key})).first()
            value = (found.state, found.data) if found else EMPTY
        if self._writes == writes:  # no write overtook this read: it is still true
            self._remember(storage_key, value)
        return value

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
        async with self.db.connection() as writing:
            if empty:
                await writing.execute(_DELETE, {"key": storage_key})
            else:
                await writing.execute(
                    _UPSERTS[self.db.dialect],
                    {"key": storage_key, "state": state, "data": payload, "updated_at": utcnow()},
                )
        self._remember(storage_key, EMPTY if empty else value)

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
