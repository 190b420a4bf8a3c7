"""The sender of each update is remembered between their messages, and never past a
change: roles, language, consent, linked accounts and erasure show on the very next
update; another process's change shows once the entry has aged out."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis
from sqlalchemy import event, update

from storage import erasure, identity, people
from storage.circulation.hashing import GuardKeys
from storage.db import Database
from storage.models import Consent, Person, Role
from storage.people_cache import PeopleCache, SharedInvalidation, cache_for
from tests.conftest import REDIS_PREFIX, REDIS_URL, redis_or_skip


def count_queries(db: Database) -> list[int]:
    seen = [0]

    def executed(*_args: object) -> None:
        seen[0] += 1

    event.listen(db.engine.sync_engine, "before_cursor_execute", executed)
    return seen


async def test_второе_сообщение_читателя_не_спрашивает_базу(database: Database) -> None:
    first = await people.resolve(database, "telegram", "101")
    queries = count_queries(database)
    again = await people.resolve(database, "telegram", "101")
    assert again == first
    assert queries[0] == 0


async def test_выданная_и_снятая_роль_видна_со_следующего_сообщения(database: Database) -> None:
    reader = await people.resolve(database, "telegram", "102")
    await people.grant(database, reader.id, Role.STAFF, granted_by=None)
    assert (await people.resolve(database, "telegram", "102")).has(Role.STAFF)
    await people.revoke(database, reader.id, Role.STAFF)
    assert not (await people.resolve(database, "telegram", "102")).has(Role.STAFF)


async def test_язык_и_согласие_видны_сразу(database: Database) -> None:
    reader = await people.resolve(database, "telegram", "103", language_hint="ru")
    await people.set_language(database, reader.id, "en")
    assert (await people.resolve(database, "telegram", "103")).language == "en"
    await people.set_consent(database, reader.id, Consent.GIVEN, display_name="Анна")
    seen = await people.resolve(database, "telegram", "103")
    assert (seen.consent, seen.display_name) == (Consent.GIVEN, "Анна")


async def test_забытый_читатель_приходит_как_новый(database: Database) -> None:
    reader = await people.resolve(database, "telegram", "104")
    await people.set_consent(database, reader.id, Consent.GIVEN, display_name="Пётр")
    assert (await people.resolve(database, "telegram", "104")).display_name == "Пётр"
    await erasure.erase(database, reader.id)
    again = await people.resolve(database, "telegram", "104")
    assert (again.consent, again.display_name) == (Consent.UNKNOWN, None)


async def test_связанный_аккаунт_сразу_ведёт_к_общему_человеку(database: Database) -> None:
    in_telegram = await people.resolve(database, "telegram", "105")
    in_vk = await people.resolve(database, "vk", "205")
    code = await identity.issue_code(database, in_telegram.id, "telegram")
    keys = GuardKeys(lambda: bytes(32))
    result = await identity.redeem(
        database, code, keys=keys, person_id=in_vk.id, platform="vk", account="205"
    )
    assert result.person_id == in_telegram.id
    seen_from_vk = await people.resolve(database, "vk", "205")
    assert (seen_from_vk.id, seen_from_vk.platform) == (in_telegram.id, "vk")


async def test_правка_из_другого_процесса_видна_когда_запись_устарела(
    database: Database, database_url: str
) -> None:
    cache = cache_for(database)
    now = [1000.0]
    cache.clock = lambda: now[0]
    reader = await people.resolve(database, "telegram", "106")  # remembered at «now»
    other_process = Database(database_url)
    try:
        await people.grant(other_process, reader.id, Role.EXPERT, granted_by=None)
    finally:
        await other_process.dispose()
    assert not (await people.resolve(database, "telegram", "106")).has(Role.EXPERT)
    now[0] += cache.ttl + 0.1
    assert (await people.resolve(database, "telegram", "106")).has(Role.EXPERT)


async def test_чтение_которое_обогнала_правка_не_запоминается(database: Database) -> None:
    reader = await people.resolve(database, "telegram", "107")
    cache = cache_for(database)
    cache.forget([reader.id])
    read_at = cache.generation
    stale = await people.find(database, "telegram", "107")
    assert stale is not None
    async with database.transaction() as session:  # the change lands while the read is out
        await session.execute(update(Person).where(Person.id == reader.id).values(language="en"))
    cache.put(("telegram", "107"), stale, reader.id, read_at=read_at)
    assert (await people.resolve(database, "telegram", "107")).language == "en"


def test_память_ограничена_и_вытесняет_давно_молчавших() -> None:
    cache = PeopleCache(capacity=3)
    for n in range(5):
        cache.put(("telegram", str(n)), f"вид {n}", n, read_at=cache.generation)
    assert len(cache) == 3
    assert cache.get(("telegram", "0")) is None
    assert cache.get(("telegram", "4")) == "вид 4"
    cache.forget([4])
    assert cache.get(("telegram", "4")) is None
    assert len(cache) == 2


async def _listening(*caches: PeopleCache) -> None:
    for _ in range(200):
        if all(cache.enabled for cache in caches):
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the Redis subscription did not start")


async def test_роль_снятая_в_одном_процессе_сразу_снята_и_в_другом(
    database: Database, database_url: str
) -> None:
    await redis_or_skip()
    other_process = Database(database_url)
    here = SharedInvalidation(database, Redis.from_url(REDIS_URL), REDIS_PREFIX)
    there = SharedInvalidation(other_process, Redis.from_url(REDIS_URL), REDIS_PREFIX)
    await here.start()
    await there.start()
    try:
        await _listening(cache_for(database), cache_for(other_process))
        librarian = await people.resolve(database, "telegram", "301")
        await people.grant(database, librarian.id, Role.STAFF, granted_by=None)
        for _ in range(100):  # (the grant's own notice may arrive during the first read)
            assert (await people.resolve(other_process, "telegram", "301")).has(Role.STAFF)
            if len(cache_for(other_process)) == 1:
                break  # remembered there
            await asyncio.sleep(0.01)
        assert len(cache_for(other_process)) == 1

        await people.revoke(database, librarian.id, Role.STAFF)
        started = asyncio.get_running_loop().time()
        while (await people.resolve(other_process, "telegram", "301")).has(Role.STAFF):
            assert asyncio.get_running_loop().time() - started < 2.0, "the notice never came"
            await asyncio.sleep(0.01)
    finally:
        for sharing in (here, there):
            await sharing.stop()
            await sharing.redis.aclose()
        await other_process.dispose()


async def test_без_связи_с_redis_процесс_ничего_не_запоминает(sqlite_db: Database) -> None:
    nowhere = Redis.from_url("redis://127.0.0.1:9/0", socket_connect_timeout=0.2)
    sharing = SharedInvalidation(sqlite_db, nowhere)
    await sharing.start()
    try:
        await people.resolve(sqlite_db, "telegram", "302")
        queries = count_queries(sqlite_db)
        await people.resolve(sqlite_db, "telegram", "302")
        assert queries[0] > 0  # read again: a change elsewhere could not be heard
        assert len(cache_for(sqlite_db)) == 0
    finally:
        await sharing.stop()
        await nowhere.aclose()
