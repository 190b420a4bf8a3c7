"""aiogram FSM storage in libbot's own database.

The embedded default must not lose a half-filled form on restart, and must not
need Redis; with `[redis] url` set, aiogram's RedisStorage is used instead.

Reads are served from a write-through cache of recent conversations: every update
asks for the state (aiogram's FSM middleware, the «leave the form» middleware) and
most conversations have none, so the database is asked once per conversation and
written only when something changes. That is right for the one process the embedded
default is; several processes share their state through Redis.

Writes of many conversations at once share one transaction (a group commit): when
hundreds finish a form in the same second, or search the catalogue together, one
transaction a conversation queued them behind each other — on SQLite behind its one
writer, in front of the seat decisions and the answers. A write still returns only once
it is committed, and the cache shows the new state from the moment it is asked for —
except inside `unhurried()`: there it returns at once and is committed within moments
(for what may be lost in a crash, such as the question a catalogue answer's buttons
refer to, so the answer need not wait for the write).
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import json
import logging
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
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

log = logging.getLogger(__name__)
CACHED_CONVERSATIONS = 20_000
EMPTY = (None, "{}")
# aiogram's default destiny: the last part of every key this bot builds.
DESTINY = "default"
# (state, data as JSON, when it was last written — None for nothing stored)
Entry = tuple[str | None, str, datetime | None]
NOTHING: Entry = (None, "{}", None)
# A write waiting for its group: the new (state, data), when, and who waits for it.
Pending = tuple[tuple[str | None, str], datetime, list["asyncio.Future[None]"]]


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


# Set inside `unhurried()`: writes return before their commit.
_unhurried: contextvars.ContextVar[bool] = contextvars.ContextVar("fsm_unhurried", default=False)


@contextlib.contextmanager
def unhurried() -> Iterator[None]:
    """Conversation writes in this block return at once (the cache has them); they are
    committed within moments, and a failure is logged instead of raised. With Redis as the
    storage nothing changes: its write is one quick round trip."""
    token = _unhurried.set(True)
    try:
        yield
    finally:
        _unhurried.reset(token)


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
        # storage key → its latest write not yet committed; one task writes them in groups.
        self._pending: dict[str, Pending] = {}
        self._writer: asyncio.Task[None] | None = None

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
        """Store a conversation's whole state and data (or delete it when both are empty);
        returns once committed. The cache has the new value at once: this conversation's
        next update reads it even while the group it is written in is still on its way."""
        now = utcnow()
        entry: Entry = NOTHING if value == EMPTY else (value[0], value[1], now)
        self._remember(storage_key, entry)
        try:
            if self.db.holding_turn():  # inside the caller's transaction: write in it
                await self._write({storage_key: (value, now)})
            elif _unhurried.get():
                written = self._in_group(storage_key, value, now)
                written.add_done_callback(partial(self._unhurried_done, storage_key, entry))
            else:
                await self._in_group(storage_key, value, now)
        except BaseException:
            if self._cache.get(storage_key) == entry:
                self._cache.pop(storage_key)  # not written: the database has the truth
            raise

    def _in_group(
        self, storage_key: str, value: tuple[str | None, str], now: datetime
    ) -> asyncio.Future[None]:
        """Queue the write for the next group; the future is settled once it is committed."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        earlier = self._pending.get(storage_key)
        waiting = [*earlier[2], done] if earlier else [done]
        self._pending[storage_key] = (value, now, waiting)  # the latest value is what counts
        if self._writer is None or self._writer.done():
            # A fresh context: a caller's open transaction must not look like the writer's.
            self._writer = asyncio.create_task(self._write_groups(), context=contextvars.Context())
        return done

    def _unhurried_done(self, storage_key: str, entry: Entry, done: asyncio.Future[None]) -> None:
        """An unhurried write that failed: nobody waits for it, so it is logged, and the
        cache forgets it (the database has the truth)."""
        if done.cancelled() or done.exception() is None:
            return
        log.error("a conversation's state could not be written", exc_info=done.exception())
        if self._cache.get(storage_key) == entry:
            self._cache.pop(storage_key)

    async def _write_groups(self) -> None:
        while self._pending:
            group, self._pending = self._pending, {}
            try:
                await self._write({key: (value, at) for key, (value, at, _) in group.items()})
            except Exception as exc:  # noqa: BLE001 - handed to the callers
                if len(group) == 1:
                    _settle(group.values(), exc)
                    continue
                # One bad write must not take the others with it: each on its own.
                for key, (value, at, waiting) in group.items():
                    try:
                        await self._write({key: (value, at)})
                    except Exception as alone:  # noqa: BLE001 - handed to the caller
                        _settle([(value, at, waiting)], alone)
                    else:
                        _settle([(value, at, waiting)], None)
            else:
                _settle(group.values(), None)

    async def _write(self, values: Mapping[str, tuple[tuple[str | None, str], datetime]]) -> None:
        """One transaction: conversations left empty deleted, the others upserted."""
        gone = [{"key": key} for key, (value, _) in values.items() if value == EMPTY]
        kept = [
            {"key": key, "state": value[0], "data": value[1], "updated_at": at}
            for key, (value, at) in values.items()
            if value != EMPTY
        ]
        async with self.db.connection() as writing:
            if gone:
                await writing.execute(_DELETE, gone)
            if kept:
                await writing.execute(_UPSERTS[self.db.dialect], kept)

    async def _written(self) -> None:
        """Every write asked for so far is committed (or failed)."""
        while self._writer is not None and not self._writer.done():
            await asyncio.shield(self._writer)

    async def forget_users(self, user_ids: Iterable[str]) -> int:
        """/forget: every conversation of these messenger users, in any chat, goes."""
        suffixes = [user_key_suffix(user_id) for user_id in user_ids]
        if not suffixes:
            return 0
        await self._written()  # a state still on its way must not come back after this
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
        """The database is owned and closed by the application, not by the storage; the
        writes still on their way are finished first."""
        await self._written()


def _settle(groups: Iterable[Pending], error: BaseException | None) -> None:
    for _value, _at, waiting in groups:
        for done in waiting:
            if done.done():
                continue  # the caller was cancelled; the write is made regardless
            if error is None:
                done.set_result(None)
            else:
                done.set_exception(error)


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
