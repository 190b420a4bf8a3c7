"""Who is behind a messenger account, remembered between a person's updates.

Every update starts by resolving its sender: a query and a transaction, about a fifth of
the bot's work per update when profiled under load. A reader writes several messages in
a row, so the answer is kept here for a few seconds.

It is never kept past a change this process makes: every session of the database
reports, after a flush and again after its commit, which people it touched (their own
row, roles, linked accounts) — or "everyone" for a bulk statement on those tables — and
their entries are dropped. A read that a change overtook is not stored (the generation
counter). With Redis (several processes) each commit's list is published and the other
processes drop the same entries (`share_through`); a change made where nobody publishes
(a `libbot` command) is seen once the entry's `TTL_SECONDS` have passed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
import uuid
import weakref
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

from redis.asyncio import Redis
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from storage.db import Database

log = logging.getLogger(__name__)
TTL_SECONDS = 10.0
CAPACITY = 50_000
PEOPLE_TABLES = frozenset({"people", "person_roles", "person_accounts"})
_INFO_KEY = "people_cache"
_TOUCHED_KEY = "people_touched"
EVERYONE = None

Key = tuple[str, str]


class PeopleCache:
    """(messenger, account id) → the person's view, with per-person invalidation."""

    def __init__(
        self,
        *,
        ttl: float = TTL_SECONDS,
        capacity: int = CAPACITY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self.clock = clock
        self.generation = 0
        self.enabled = True  # off while changes elsewhere could go unheard
        # Told, after each commit, whom this process changed (None: anyone): see share_through.
        self.on_commit: Callable[[set[int] | None], None] | None = None
        self._entries: OrderedDict[Key, tuple[Any, int, float]] = OrderedDict()
        self._keys_of: dict[int, set[Key]] = {}

    def get(self, key: Key) -> Any | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        view, person_id, stored_at = entry
        if self.clock() - stored_at > self.ttl:
            self._drop(key, person_id)
            return None
        self._entries.move_to_end(key)
        return view

    def put(self, key: Key, view: Any, person_id: int, *, read_at: int) -> None:
        """Remember a view read when the generation was `read_at`, unless a change came since."""
        if read_at != self.generation or not self.enabled:
            return
        old = self._entries.pop(key, None)
        if old is not None:
            self._unlink(key, old[1])
        self._entries[key] = (view, person_id, self.clock())
        self._keys_of.setdefault(person_id, set()).add(key)
        while len(self._entries) > self.capacity:
            oldest, (_, oldest_person, _) = next(iter(self._entries.items()))
            self._drop(oldest, oldest_person)

    def forget(self, person_ids: Iterable[int] | None) -> None:
        """Drop these people's entries (None: everyone's)."""
        self.generation += 1
        if person_ids is EVERYONE:
            self._entries.clear()
            self._keys_of.clear()
            return
        for person_id in person_ids:
            for key in self._keys_of.pop(person_id, ()):
                self._entries.pop(key, None)

    def __len__(self) -> int:
        return len(self._entries)

    def _drop(self, key: Key, person_id: int) -> None:
        self._entries.pop(key, None)
        self._unlink(key, person_id)

    def _unlink(self, key: Key, person_id: int) -> None:
        keys = self._keys_of.get(person_id)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._keys_of[person_id]


_caches: weakref.WeakKeyDictionary[Database, PeopleCache] = weakref.WeakKeyDictionary()


def cache_for(db: Database) -> PeopleCache:
    """The database's cache; its sessions report people they change from now on."""
    cache = _caches.get(db)
    if cache is None:
        cache = _caches[db] = PeopleCache()
        db.sessions.configure(info={_INFO_KEY: cache})
    return cache


def _touched(session: Session) -> set[int] | None:
    """People this session changed so far (None: a bulk statement, anyone)."""
    return session.info.get(_TOUCHED_KEY, set())


def _note(session: Session, person_ids: set[int] | None) -> None:
    cache: PeopleCache | None = session.info.get(_INFO_KEY)
    if cache is None:
        return
    so_far = _touched(session)
    if so_far is not EVERYONE:
        session.info[_TOUCHED_KEY] = EVERYONE if person_ids is EVERYONE else so_far | person_ids
    cache.forget(person_ids)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _context: Any) -> None:
    changed: set[int] = set()
    for instance in (*session.new, *session.dirty, *session.deleted):
        table = getattr(instance, "__tablename__", None)
        if table not in PEOPLE_TABLES:
            continue
        person_id = instance.id if table == "people" else instance.person_id
        if person_id is not None:
            changed.add(person_id)
    if changed:
        _note(session, changed)


@event.listens_for(Session, "do_orm_execute")
def _on_statement(state: ORMExecuteState) -> None:
    if not (state.is_update or state.is_delete or state.is_insert):
        return
    table = getattr(state.statement, "table", None)
    if getattr(table, "name", None) in PEOPLE_TABLES:
        _note(state.session, EVERYONE)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    _settle(session)


@event.listens_for(Session, "after_soft_rollback")
def _after_rollback(session: Session, _previous: Any) -> None:
    _settle(session)


def _settle(session: Session) -> None:
    """Forget the touched people once more: a read between flush and commit saw the old row."""
    if _TOUCHED_KEY not in session.info:
        return
    touched = session.info.pop(_TOUCHED_KEY)
    cache: PeopleCache | None = session.info.get(_INFO_KEY)
    if cache is None:
        return
    cache.forget(touched)
    if cache.on_commit is not None and (touched is EVERYONE or touched):
        cache.on_commit(touched)


CHANNEL = "people-changed"  # after the installation's Redis prefix
RESUBSCRIBE_SECONDS = 5.0


class SharedInvalidation:
    """Processes sharing one database tell each other, through Redis, whom they changed.

    While the subscription is down (Redis restarting) a process cannot hear the others,
    so it keeps nothing in its cache until it is back.
    """

    def __init__(self, db: Database, redis: Redis, prefix: str = "libbot") -> None:
        self.cache = cache_for(db)
        self.redis = redis
        self.channel = f"{prefix}:{CHANNEL}"
        self.origin = uuid.uuid4().hex
        self._listener: asyncio.Task[None] | None = None
        self._sending: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self.cache.on_commit = self._publish
        self.cache.enabled = False  # until the subscription is in place
        self._listener = asyncio.create_task(self._listen())

    async def stop(self) -> None:
        self.cache.on_commit = None
        self.cache.enabled = False
        if self._listener is not None:
            self._listener.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._listener
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)

    def _publish(self, people: set[int] | None) -> None:
        body = json.dumps({"from": self.origin, "people": None if people is None else [*people]})
        task = asyncio.get_running_loop().create_task(self._send(body))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, body: str) -> None:
        try:
            await self.redis.publish(self.channel, body)
        except Exception as exc:  # noqa: BLE001 - the others fall back to their TTL
            log.warning("could not tell the other processes about a change of people: %s", exc)

    async def _listen(self) -> None:
        while True:
            try:
                async with self.redis.pubsub() as pubsub:
                    await pubsub.subscribe(self.channel)
                    self._trust(True)
                    async for message in pubsub.listen():
                        if message.get("type") == "message":
                            self._receive(message["data"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - Redis is away: keep nothing, retry
                log.warning("people cache: Redis subscription lost (%s); retrying", exc)
            self._trust(False)
            await asyncio.sleep(RESUBSCRIBE_SECONDS)

    def _receive(self, raw: bytes | str) -> None:
        try:
            body = json.loads(raw)
            if body["from"] == self.origin:
                return
            people = body["people"]
            self.cache.forget(EVERYONE if people is None else (int(p) for p in people))
        except (ValueError, KeyError, TypeError):
            log.warning("people cache: an unreadable change notice was ignored")

    def _trust(self, listening: bool) -> None:
        """Changes may have been missed: start afresh, and cache only while listening."""
        self.cache.enabled = listening
        self.cache.forget(EVERYONE)
