"""The activity log under load: rows that queue behind a busy write share its successor,
every caller returns only once its own row is committed, and one bad row loses no other."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import event, func, select

from storage import activity
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import Activity, ActivityKind


def note(text: str, *, person_id: int | None = None) -> ActivityNote:
    return ActivityNote("telegram", ActivityKind.MESSAGE, person_id=person_id, content=text)


async def rows(db: Database) -> list[str | None]:
    async with db.transaction() as session:
        return list(await session.scalars(select(Activity.content).order_by(Activity.id)))


def count_commits(db: Database) -> list[int]:
    commits = [0]

    def committed(_connection: object) -> None:
        commits[0] += 1

    event.listen(db.engine.sync_engine, "commit", committed)
    return commits


async def test_сто_обращений_разом_записаны_все_и_меньшим_числом_транзакций(
    database: Database,
) -> None:
    commits = count_commits(database)
    await asyncio.gather(*(activity.record(database, note(f"вопрос {n}")) for n in range(100)))
    assert sorted(await rows(database)) == sorted(f"вопрос {n}" for n in range(100))
    assert commits[0] < 20  # the first row alone, the rest together behind it


async def test_тихий_бот_пишет_строку_сразу(database: Database) -> None:
    await activity.record(database, note("первый"))
    assert await rows(database) == ["первый"]  # committed before record() returned
    await activity.record(database, note("второй"))
    assert await rows(database) == ["первый", "второй"]


async def test_плохая_строка_не_губит_соседей(database: Database) -> None:
    nobody = 987_654  # no such person: the foreign key refuses this row alone
    results = await asyncio.gather(
        activity.record(database, note("до")),
        activity.record(database, note("соседка 1")),
        activity.record(database, note("чужая", person_id=nobody)),
        activity.record(database, note("соседка 2")),
        return_exceptions=True,
    )
    assert [isinstance(result, Exception) for result in results] == [False, False, True, False]
    assert sorted(await rows(database)) == ["до", "соседка 1", "соседка 2"]
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Activity)) == 3


@pytest.mark.parametrize("cancelled_at", [0, 5])
async def test_отменённое_обновление_строку_не_теряет(
    database: Database, cancelled_at: int
) -> None:
    tasks = [asyncio.create_task(activity.record(database, note(f"№{n}"))) for n in range(10)]
    await asyncio.sleep(0)
    tasks[cancelled_at].cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for _ in range(50):  # the cancelled caller's row is still written, just not awaited
        if len(await rows(database)) == 10:
            break
        await asyncio.sleep(0.02)
    assert sorted(await rows(database)) == sorted(f"№{n}" for n in range(10))


async def test_строки_одновременных_обновлений_ждут_друг_друга_и_пишутся_разом(
    database: Database,
) -> None:
    commits = count_commits(database)

    async def update(n: int) -> None:
        await asyncio.sleep(0.005 * n)  # the updates finish a few milliseconds apart
        await activity.record(database, note(f"обновление {n}"), expected=5)

    await asyncio.gather(*(update(n) for n in range(5)))
    assert commits[0] == 1
    assert sorted(await rows(database)) == sorted(f"обновление {n}" for n in range(5))


async def test_ожидаемые_строки_не_пришли_запись_не_задерживается_дольше_порога(
    database: Database,
) -> None:
    started = asyncio.get_running_loop().time()
    await activity.record(database, note("одна из ста"), expected=100)
    waited = asyncio.get_running_loop().time() - started
    assert await rows(database) == ["одна из ста"]
    assert waited < activity.LINGER_SECONDS + 1.0
