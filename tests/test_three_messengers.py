"""One reader in Telegram, VK and MAX: one person, whichever messenger they write from.

One real Dispatcher fed by all three transports at once — Telegram's long poll through
the fake Bot API, VK's through the fake VK API, MAX's through the fake MAX Bot API — as
`libbot run` serves them. Each story runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.app import build_dispatcher
from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from bot.transports.max.polling import MaxPolling, max_bot
from bot.transports.telegram import create_bot, run_polling
from bot.transports.vk.polling import VkPolling, vk_bot
from storage import identity, outbox, people, subscriptions
from storage.circulation.hashing import GuardKeys
from storage.db import Database
from storage.outbox import Audience, OutboxMessage
from storage.types import utcnow
from tests.conftest import make_config, with_vk
from tests.fakes.max_api import FakeMax
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk
from tests.harness import Person
from tests.max_harness import MaxPerson, max_server, with_max
from tests.vk_harness import VkPerson

__all__ = ["max_server"]  # the fixture these stories use

CODE = re.compile(r"Ваш код: <b>(\d{8})</b>")


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return make_config(tmp_path, notifications={"quiet_hours": ""})


@dataclass
class Library:
    """The bot in three messengers, and a way to meet its readers there."""

    telegram: FakeTelegram
    vk: FakeVk
    max: FakeMax
    db: Database
    config: Config
    messengers: Messengers

    def in_telegram(self, user_id: int, name: str = "Анна") -> Person:
        return Person(self.telegram, user_id, name, "ru")

    def in_vk(self, user_id: int, name: str = "Анна") -> VkPerson:
        return VkPerson(self.vk, user_id, name)

    def in_max(self, user_id: int, name: str = "Анна") -> MaxPerson:
        return MaxPerson(self.max, user_id, name)


@pytest.fixture
async def library(
    telegram: FakeTelegram, vk: FakeVk, max_server: FakeMax, database: Database, config: Config
) -> AsyncIterator[Library]:
    cfg = with_max(with_vk(config, vk), max_server)
    locales = Locales()
    messengers = Messengers()
    dp = build_dispatcher(cfg, database, locales, messengers=messengers)
    in_telegram = create_bot(telegram.token, api_server=telegram.base_url)
    in_vk = vk_bot(cfg.vk)
    in_max = max_bot(cfg.max)
    stop = asyncio.Event()
    vk_polls, max_polls = vk.longpoll_requests, max_server.polls
    tasks = [
        asyncio.create_task(
            run_polling(
                dp,
                in_telegram,
                locales,
                handle_signals=False,
                handle_as_tasks=False,
                polling_timeout=1,
            )
        ),
        asyncio.create_task(VkPolling(dp, in_vk, wait=1, handle_as_tasks=False).run(stop)),
        asyncio.create_task(MaxPolling(dp, in_max, wait=1, handle_as_tasks=False).run(stop)),
    ]
    await vk.wait_polls(vk_polls)
    await max_server.wait_polls(max_polls)
    yield Library(telegram, vk, max_server, database, cfg, messengers)
    stop.set()
    await dp.stop_polling()
    await asyncio.gather(*tasks)
    for bot in (in_telegram, in_vk, in_max):
        await bot.session.close()


def code_in(text: str) -> str:
    found = CODE.search(text)
    assert found is not None, text
    return found.group(1)


async def test_a_code_from_telegram_typed_in_max_then_vk_joins_the_same_person(
    library: Library,
) -> None:
    """Anna asks for a code in Telegram and sends it to the bot in MAX; later a code from
    MAX, sent in VK, brings her VK account in too: one person in three messengers."""
    in_telegram = library.in_telegram(7001)
    await in_telegram.send("/start")
    await in_telegram.click("Согласен")
    reply = await in_telegram.send("/link")
    assert "Telegram, ВКонтакте или MAX" in reply.text, "the screen names all three"
    reply = await in_telegram.click("Получить код")
    assert "Отправьте его боту в ВКонтакте или MAX" in reply.text
    code = code_in(reply.text)

    in_max = library.in_max(7002)
    await in_max.start()
    await in_max.click("Согласен")
    reply = await in_max.send(f"/link {code}")
    assert "✅ Готово" in reply.text
    assert "приходят в Telegram" in reply.text

    reply = await in_max.send("/link")
    assert "Связаны: Telegram, MAX" in reply.text
    reply = await in_max.click("Получить код")
    assert "Отправьте его боту в Telegram или ВКонтакте" in reply.text
    code = code_in(reply.text)

    in_vk = library.in_vk(7003)
    await in_vk.send("Начать", payload={"command": "start"})
    await in_vk.click("Согласен")
    reply = await in_vk.send(f"/link {code}")
    assert "узнаёт вас в Telegram, MAX и ВКонтакте" in reply.text

    found = [
        await people.find(library.db, platform, account)
        for platform, account in (("telegram", "7001"), ("max", "7002"), ("vk", "7003"))
    ]
    assert len({person.id for person in found if person is not None}) == 1
    anna = found[0]
    assert anna is not None
    accounts = await identity.accounts(library.db, anna.id)
    assert sorted(p for p, _ in accounts) == ["max", "telegram", "vk"]
    assert accounts[0] == ("telegram", "7001"), "the first code's messenger stays preferred"


async def test_the_preferred_messenger_is_chosen_among_three(library: Library) -> None:
    """«Присылать сюда» in MAX: announcements go to MAX, once, and the other two say so."""
    in_telegram = library.in_telegram(7101)
    await in_telegram.send("/start")
    await in_telegram.click("Согласен")
    in_vk = library.in_vk(7102)
    await in_vk.send("Начать", payload={"command": "start"})
    await in_vk.click("Согласен")
    in_max = library.in_max(7103)
    await in_max.start()
    await in_max.click("Согласен")
    reply = await in_vk.click("О библиотеке")
    assert any("Связать мессенджеры" in label for label in reply.buttons), "not «Telegram + VK»"
    await in_telegram.send("/link")
    code = code_in((await in_telegram.click("Получить код")).text)
    await in_vk.send(f"/link {code}")
    await in_telegram.send("/link")
    code = code_in((await in_telegram.click("Получить код")).text)
    await in_max.send(f"/link {code}")
    anna = await people.find(library.db, "max", "7103")
    assert anna is not None
    await subscriptions.toggle(library.db, anna.id, "events")

    reply = await in_max.send("/link")
    assert "Связаны: Telegram, ВКонтакте, MAX" in reply.text
    reply = await in_max.click("Присылать сюда")
    assert any("сюда, в MAX" in alert for alert in reply.alerts)
    reply = await in_vk.send("/link")
    assert "приходят в MAX" in reply.text

    broadcast = await outbox.create(
        library.db,
        text="Лекция в субботу",
        audience=Audience(topic="events"),
        scheduled_at=utcnow(),
    )
    started = await outbox.start(
        library.db, broadcast, config=library.config, platforms=library.messengers.platforms
    )
    assert started.recipients == 1
    async with library.db.transaction() as session:
        [row] = list(await session.scalars(select(OutboxMessage)))
    assert (row.platform, row.chat_id) == ("max", "7103")

    reply = await in_telegram.send("/link")  # and back to Telegram
    reply = await in_telegram.click("Присылать сюда")
    accounts = await identity.accounts(library.db, anna.id)
    assert accounts[0] == ("telegram", "7101")
    assert sorted(p for p, _ in accounts) == ["max", "telegram", "vk"]


async def test_two_accounts_in_one_messenger_are_not_merged(database: Database) -> None:
    """Anna (Telegram + VK) and someone in MAX who linked another VK account: one person
    would then have two VK accounts, and which gets the announcements is anyone's guess —
    the code is refused with a word, and nothing is merged."""
    keys = GuardKeys(lambda: bytes(32))
    anna = await people.resolve(database, "telegram", "7301")
    anna_vk = await people.resolve(database, "vk", "7302")
    code = await identity.issue_code(database, anna.id, "telegram")
    linked = await identity.redeem(
        database, code, keys=keys, person_id=anna_vk.id, platform="vk", account="7302"
    )
    assert linked.outcome is identity.Outcome.LINKED
    other_max = await people.resolve(database, "max", "7303")
    other_vk = await people.resolve(database, "vk", "7304")
    code = await identity.issue_code(database, other_max.id, "max")
    await identity.redeem(
        database, code, keys=keys, person_id=other_vk.id, platform="vk", account="7304"
    )

    code = await identity.issue_code(database, anna.id, "telegram")
    refused = await identity.redeem(
        database, code, keys=keys, person_id=other_max.id, platform="max", account="7303"
    )
    assert refused.outcome is identity.Outcome.TWO_IN_ONE
    assert sorted(p for p, _ in await identity.accounts(database, anna.id)) == ["telegram", "vk"]
    assert sorted(p for p, _ in await identity.accounts(database, other_max.id)) == ["max", "vk"]
