"""Announcements in VK: 100 people a call (peer_ids), VK's refusals as in Telegram."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from bot.kernel.config import Config
from bot.kernel.metrics import Metrics
from bot.transports.telegram import create_bot, file_fetcher
from bot.transports.vk.polling import vk_bot, vk_session
from broadcasts.limits import RateLimiter
from broadcasts.sender import Sender
from storage import outbox, people, subscriptions
from storage.db import Database
from storage.outbox import Audience, Delivery, OutboxMessage
from storage.subscriptions import Subscription
from storage.types import utcnow
from tests.conftest import make_config, with_vk
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """No quiet hours: these stories are about delivery, whatever the clock says."""
    return make_config(tmp_path, notifications={"quiet_hours": ""})


async def start(db: Database, config: Config, broadcast_id: int) -> int:
    """Start an announcement the one way there is, as the scheduler does; its recipients."""
    started = await outbox.start(db, broadcast_id, config=config, platforms=("vk",))
    return started.recipients


async def announced(db: Database, config: Config, text: str, **options: Any) -> int:
    """An announcement to the «events» subscribers, started."""
    broadcast = await outbox.create(
        db, text=text, audience=Audience(topic="events"), scheduled_at=utcnow(), **options
    )
    await start(db, config, broadcast)
    return broadcast


async def statuses(db: Database) -> Counter[str]:
    async with db.transaction() as session:
        return Counter(await session.scalars(select(OutboxMessage.status)))


async def subscribers(db: Database, count: int, first: int = 5000) -> list[int]:
    ids = []
    for user_id in range(first, first + count):
        person = await people.resolve(db, "vk", str(user_id))
        await subscriptions.toggle(db, person.id, "events")
        ids.append(user_id)
    return ids


async def sender_for(vk: FakeVk, config: Config, db: Database) -> Sender:
    bot = vk_bot(with_vk(config, vk).vk)
    return Sender(
        db,
        bot,
        platform="vk",
        limiter=RateLimiter(1000.0, per_chat_interval=0),
        retry_backoff=lambda _attempt: timedelta(0),
        metrics=Metrics(),
    )


async def test_an_announcement_goes_out_a_hundred_people_a_call(
    vk: FakeVk, config: Config, database: Database
) -> None:
    users = await subscribers(database, 230)
    vk.forbidden[users[3]] = 901  # never allowed the community to write
    vk.forbidden[users[150]] = 900  # blacklisted it
    broadcast = await outbox.create(
        database,
        text="<b>Лекция</b> в субботу",
        audience=Audience(topic="events"),
        scheduled_at=utcnow(),
        buttons=[{"text": "Подробнее", "url": "https://library.example/lecture"}],
    )
    assert await start(database, config, broadcast) == 230
    sender = await sender_for(vk, config, database)
    await sender.drain()
    sends = vk.calls_of("messages.send")
    assert sorted(len(c.peer_ids) for c in sends) == [30, 100, 100]  # batches run side by side
    assert sends[0].text == "Лекция в субботу", "no HTML in VK"
    assert sends[0].keyboard["inline"] is True
    assert sends[0].buttons()[0]["link"] == "https://library.example/lecture"
    assert len({c.params["random_id"] for c in sends}) == 3
    async with database.transaction() as session:
        still_subscribed = await session.scalar(select(func.count()).select_from(Subscription))
    assert await statuses(database) == {Delivery.SENT: 228, Delivery.BLOCKED: 2}
    assert sender.metrics is not None
    scraped = sender.metrics.exposition().decode()
    assert 'libbot_sends_total{platform="vk",result="sent"} 228.0' in scraped
    assert 'libbot_sends_total{platform="vk",result="blocked"} 2.0' in scraped
    assert still_subscribed == 228, "whoever refused VK messages is unsubscribed"
    delivered = Counter(peer for peer, _ in vk.delivered)
    assert max(delivered.values()) == 1
    await sender.bot.session.close()


async def test_a_failed_batch_is_retried_and_vk_drops_the_repeat(
    vk: FakeVk, config: Config, database: Database
) -> None:
    await subscribers(database, 40)
    await announced(database, config, "Клуб волонтёров")
    vk.fail_next("messages.send", 10)  # VK's internal error: nothing was sent
    sender = await sender_for(vk, config, database)
    await sender.drain()
    await sender.drain()
    assert await statuses(database) == {Delivery.SENT: 40}
    assert len(vk.delivered) == 40
    sends = vk.calls_of("messages.send")
    assert len(sends) == 2
    assert sends[0].params["random_id"] == sends[1].params["random_id"]
    await sender.bot.session.close()


async def test_too_many_requests_pauses_and_loses_nothing(
    vk: FakeVk, config: Config, database: Database
) -> None:
    await subscribers(database, 5)
    await announced(database, config, "Афиша")
    vk.fail_next("messages.send", 6)  # too many requests per second → retry after
    sender = await sender_for(vk, config, database)
    await sender.drain()
    assert await statuses(database) == {Delivery.SENT: 5}
    assert len(vk.delivered) == 5
    await sender.bot.session.close()


async def test_a_photo_composed_in_telegram_goes_to_vk_uploaded_once(
    vk: FakeVk, telegram: FakeTelegram, config: Config, database: Database
) -> None:
    await subscribers(database, 150)
    telegram.files["tg-poster"] = b"\x89PNG poster"
    await announced(database, config, "Афиша недели", photo="tg-poster")
    sender = await sender_for(vk, config, database)
    staff_bot = create_bot(telegram.token, api_server=telegram.base_url)
    vk_session(sender.bot).files.fetch_foreign = file_fetcher(staff_bot)
    await sender.drain()
    sends = vk.calls_of("messages.send")
    # The two batches go out side by side: either may reach VK first.
    assert sorted(len(c.peer_ids) for c in sends) == [50, 100]
    assert sends[0].params["attachment"] == sends[1].params["attachment"]
    uploaded = "_".join(sends[0].params["attachment"].split("_")[:2])  # without the access key
    assert vk.uploads[uploaded][1] == b"\x89PNG poster"
    assert len(telegram.calls_of("getFile")) == 1
    await staff_bot.session.close()
    await sender.bot.session.close()
