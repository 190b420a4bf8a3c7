"""«Афиша на неделю»: the week's events reach each subscriber once, only the branches they
follow, never at night; a week without events sends nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.kernel.i18n import Locales
from broadcasts.digest import send_weekly_digest
from storage import people
from storage.db import Database
from storage.outbox import OutboxMessage
from storage.subscriptions import Subscription
from tests.conftest import make_config
from tests.test_events_bot import add_event


async def subscriber(db: Database, user_id: int, *branches: str) -> int:
    person = await people.resolve(db, "telegram", str(user_id))
    async with db.transaction() as session:
        for branch in branches:
            session.add(Subscription(person_id=person.id, topic="events", branch_id=branch))
    return person.id


async def test_each_subscriber_gets_one_digest_of_their_branches(
    database: Database, tmp_path
) -> None:
    config = make_config(tmp_path, notifications={"quiet_hours": ""})
    now = datetime.now(UTC)
    await add_event(database, "Открытое общение", starts_at=now + timedelta(days=2))
    await add_event(
        database, "Сказки на ночь", starts_at=now + timedelta(days=3), branch_id="children"
    )
    await add_event(database, "Через месяц", starts_at=now + timedelta(days=30))
    everything = await subscriber(database, 1, "")
    children_only = await subscriber(database, 2, "children")
    await subscriber(database, 3, "family")  # no events there this week

    assert await send_weekly_digest(database, Locales(), config, now=now) == 2
    assert await send_weekly_digest(database, Locales(), config, now=now) == 0  # fired twice
    async with database.transaction() as session:
        rows = {r.person_id: r for r in await session.scalars(select(OutboxMessage))}
    assert set(rows) == {everything, children_only}
    assert "Открытое общение" in (rows[everything].text or "")
    assert "Сказки на ночь" in (rows[everything].text or "")
    assert "Через месяц" not in (rows[everything].text or "")
    assert "Открытое общение" not in (rows[children_only].text or "")
    assert "Сказки на ночь" in (rows[children_only].text or "")


async def test_a_digest_made_at_night_waits_for_the_morning(database: Database, tmp_path) -> None:
    config = make_config(tmp_path)  # quiet 21:00–09:00 Moscow
    night = datetime.now(UTC).replace(hour=20, minute=0, second=0, microsecond=0)  # 23:00 MSK
    await add_event(database, "Открытое общение", starts_at=night + timedelta(days=1))
    await subscriber(database, 1, "")
    assert await send_weekly_digest(database, Locales(), config, now=night) == 1
    async with database.transaction() as session:
        row = await session.scalar(select(OutboxMessage))
    assert row is not None
    assert row.not_before.astimezone(config.library.zone).hour == 9


async def test_no_events_no_digest(database: Database, tmp_path) -> None:
    config = make_config(tmp_path)
    await subscriber(database, 1, "")
    assert await send_weekly_digest(database, Locales(), config, now=datetime.now(UTC)) == 0
