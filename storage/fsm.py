"""aiogram FSM storage in libbot's own database.

The embedded default must not lose a half-filled form on restart, and must not
need Redis; with `[redis] url` set, aiogram's RedisStorage is used instead.
"""

from __future__ import annotations

import json
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
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.models import FsmRecord
from storage.types import utcnow

INSERT_RACE_RETRIES = 3


class DatabaseStorage(BaseStorage):
    def __init__(self, db: Database, key_builder: KeyBuilder | None = None) -> None:
        self.db = db
        self.key_builder = key_builder or DefaultKeyBuilder(with_bot_id=True, with_destiny=True)

    async def _load(self, key: StorageKey) -> FsmRecord | None:
        async with self.db.transaction() as session:
            return await session.get(FsmRecord, self.key_builder.build(key))

    async def _update(self, key: StorageKey, **changes: Any) -> None:
        """Change state and/or data of one key in a single transaction.

        A record with no state and no data is deleted, so cleared conversations
        leave nothing behind. Two first writes to one key can race to insert it;
        the loser retries and then updates the row the winner made.
        """
        storage_key = self.key_builder.build(key)
        for attempt in range(INSERT_RACE_RETRIES):
            try:
                await self._write(storage_key, changes)
                return
            except IntegrityError:
                if attempt == INSERT_RACE_RETRIES - 1:
                    raise

    async def _write(self, storage_key: str, changes: dict[str, Any]) -> None:
        async with self.db.transaction() as session:
            record = await session.get(FsmRecord, storage_key, with_for_update=True)
            state = changes.get("state", record.state if record else None)
            data = changes.get("data", json.loads(record.data) if record else {})
            if state is None and not data:
                if record is not None:
                    await session.delete(record)
                return
            payload = json.dumps(dict(data), ensure_ascii=False)
            if record is None:
                session.add(
                    FsmRecord(key=storage_key, state=state, data=payload, updated_at=utcnow())
                )
            else:
                record.state, record.data, record.updated_at = state, payload, utcnow()

    async def set_state(self, key: StorageKey, state: StateType = None) -> None:
        await self._update(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        record = await self._load(key)
        return record.state if record else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._update(key, data=data)

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        record = await self._load(key)
        return json.loads(record.data) if record else {}

    async def close(self) -> None:
        """The database is owned and closed by the application, not by the storage."""
