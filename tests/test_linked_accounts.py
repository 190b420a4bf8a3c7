"""One person in Telegram and VK: a code shown in one messenger, typed in the other."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from storage import identity, outbox, people, subscriptions
from storage.circulation.hashing import GuardKeys
from storage.circulation.models import ReaderLink
from storage.db import Database
from storage.events import registrations
from storage.events.models import Event, Registration
from storage.identity import AccountLinkCode, Outcome
from storage.models import Person, Role
from storage.outbox import Audience, OutboxMessage
from storage.subscriptions import Subscription
from storage.types import utcnow
from tests.conftest import ADMIN_ID, RunningBot, RunningVkBot, StartBot, StartVkBot, make_config
from tests.vk_harness import VkPerson

CODE = re.compile(r"Ваш код: (\d{8})")  # VK shows plain text
KEYS = GuardKeys(lambda: bytes(32))  # the guard's keys, for calls below the bot
ANY_HOUR = make_config(Path(__file__).parent, notifications={"quiet_hours": ""})


async def _start(db: Database, broadcast_id: int) -> outbox.Started:
    """Start an announcement the one way there is (no quiet hours: any clock will do)."""
    return await outbox.start(db, broadcast_id, config=ANY_HOUR, platforms=("telegram", "vk"))


async def both(start_bot: StartBot, start_vk_bot: StartVkBot) -> tuple[RunningBot, RunningVkBot]:
    """The same library in Telegram and in a VK community, on one database."""
    return await start_bot(), await start_vk_bot()


async def vk_code(anna_vk: VkPerson) -> str:
    await anna_vk.send("/link")
    reply = await anna_vk.click("Получить код")
    found = CODE.search(reply.text)
    assert found, reply.text
    return found.group(1)


async def test_linking_merges_a_person_and_broadcasts_reach_them_once(
    start_bot: StartBot, start_vk_bot: StartVkBot
) -> None:
    telegram, community = await both(start_bot, start_vk_bot)
    anna_tg = telegram.person(701, "Анна")
    await anna_tg.send("/start")
    await anna_tg.click("Согласен")
    await anna_tg.send("🔔 Подписки")
    await anna_tg.click("Новые поступления")
    anna_vk = community.person(7001, "Анна")
    await anna_vk.send("Начать", payload={"command": "start"})
    await anna_vk.click("Согласен")

    code = await vk_code(anna_vk)
    assert "Ваш код" in anna_vk.shown()[0]["text"]
    assert "<b>" not in anna_vk.shown()[0]["text"]
    reply = await anna_tg.send(f"/link {code}")
    assert "Готово" in reply.text
    assert "приходят в ВКонтакте" in reply.text

    in_vk = await people.find(telegram.db, "vk", "7001")
    in_tg = await people.find(telegram.db, "telegram", "701")
    assert in_vk is not None
    assert in_tg is not None
    assert in_vk.id == in_tg.id
    assert (in_tg.platform, in_tg.platform_user_id) == ("telegram", "701")
    async with telegram.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1
        topics = list(await session.scalars(select(Subscription.person_id)))
    assert topics == [in_vk.id], "the Telegram subscription moved to the one person"
    # The subscription shows in VK too.
    reply = await anna_vk.send("🔔 Подписки")
    assert "✅ Новые поступления" in reply.buttons

    # A broadcast to the topic reaches her once, in the preferred messenger.
    audience = Audience(topic="new_books")
    first = await outbox.create(
        telegram.db, text="Новинки", audience=audience, scheduled_at=utcnow()
    )
    assert (await _start(telegram.db, first)).recipients == 1
    # She prefers Telegram now: the choice is made from the account pressing, not the button.
    reply = await anna_tg.send("/link")
    reply = await anna_tg.click("Присылать сюда")
    assert reply.alerts == ["Рассылки и напоминания будут приходить сюда, в Telegram."]
    second = await outbox.create(telegram.db, text="Ещё", audience=audience, scheduled_at=utcnow())
    assert (await _start(telegram.db, second)).recipients == 1
    async with telegram.db.transaction() as session:
        rows = list(
            await session.execute(
                select(
                    OutboxMessage.broadcast_id, OutboxMessage.platform, OutboxMessage.chat_id
                ).order_by(OutboxMessage.id)
            )
        )
    assert [tuple(r) for r in rows] == [(first, "vk", "7001"), (second, "telegram", "701")]
    # Both accounts still talk to the same person.
    again = await people.find(telegram.db, "vk", "7001")
    assert again is not None
    assert again.id == in_vk.id


async def test_wrong_codes_are_limited_and_codes_work_once(
    start_bot: StartBot, start_vk_bot: StartVkBot
) -> None:
    telegram, community = await both(start_bot, start_vk_bot)
    boris_tg = telegram.person(702, "Борис")
    await boris_tg.send("/start")
    boris_vk = community.person(7002, "Борис")
    await boris_vk.send("Начать", payload={"command": "start"})
    code = await vk_code(boris_vk)
    wrong = "00000000" if code != "00000000" else "11111111"
    reply = await boris_tg.send(f"/link {wrong}")
    assert "Осталось 4 попытки" in reply.text
    reply = await boris_vk.send(code)
    assert "в другом мессенджере" in reply.text, "typed where it was shown"
    for _ in range(4):
        reply = await boris_tg.send(f"/link {wrong}")
    assert "Слишком много неверных кодов" in reply.text
    reply = await boris_tg.send(f"/link {code}")
    assert "Слишком много неверных кодов" in reply.text, "locked even for the right code"
    in_vk = await people.find(telegram.db, "vk", "7002")
    in_tg = await people.find(telegram.db, "telegram", "702")
    assert in_vk is not None
    assert in_tg is not None
    assert in_vk.id != in_tg.id


async def test_staff_accounts_are_not_merged_through_the_bot(
    start_bot: StartBot, start_vk_bot: StartVkBot
) -> None:
    telegram, community = await both(start_bot, start_vk_bot)
    expert = telegram.person(703, "Ирина")
    await expert.send("/start")
    person = await people.find(telegram.db, "telegram", "703")
    assert person is not None
    await people.grant(telegram.db, person.id, Role.EXPERT, granted_by=None)
    stranger = community.person(7003, "Незнакомец")
    await stranger.send("Начать", payload={"command": "start"})
    code = await vk_code(stranger)
    reply = await expert.send(f"/link {code}")
    assert "только администратор" in reply.text
    in_vk = await people.find(telegram.db, "vk", "7003")
    assert in_vk is not None
    assert in_vk.id != person.id


async def test_an_expired_code_is_refused(start_bot: StartBot, start_vk_bot: StartVkBot) -> None:
    telegram, community = await both(start_bot, start_vk_bot)
    vera = community.person(7004, "Вера")
    await vera.send("Начать", payload={"command": "start"})
    code = await vk_code(vera)
    async with telegram.db.transaction() as session:
        row = await session.get(AccountLinkCode, code)
        assert row is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
    reply = await telegram.person(704, "Вера").send(f"/link {code}")
    assert "устарел" in reply.text


async def test_merging_keeps_one_of_everything_that_is_once_per_person(database: Database) -> None:
    """Both accounts followed the same topic, registered for the same meetup and linked a
    ticket: the merged person has each once, the code owner's ticket, and the other's
    extra subscription. A used code does not work again."""
    asker = await people.resolve(database, "vk", "8001")
    typer = await people.resolve(database, "telegram", "801")
    event_id = await registrations.create_event(
        database, title="Семинар", kind="training", starts_at=utcnow() + timedelta(days=3), seats=5
    )
    for person in (asker, typer):
        await subscriptions.toggle(database, person.id, "events")
        await registrations.register(database, event_id, person.id, name="Анна")
    await subscriptions.toggle(database, typer.id, "new_books")
    async with database.transaction() as session:
        session.add(ReaderLink(person_id=asker.id, ticket="1001", patron_ref="1001"))
        session.add(ReaderLink(person_id=typer.id, ticket="2002", patron_ref="2002"))
    code = await identity.issue_code(database, asker.id, "vk")
    result = await identity.redeem(
        database, code, keys=KEYS, person_id=typer.id, platform="telegram", account="801"
    )
    assert result.outcome is Outcome.LINKED
    assert result.moved_ticket_dropped
    async with database.transaction() as session:
        topics = sorted(await session.scalars(select(Subscription.topic)))
        places = list(await session.scalars(select(Registration.person_id)))
        tickets = list(await session.scalars(select(ReaderLink.ticket)))
    assert topics == ["events", "new_books"]
    assert places == [asker.id]
    assert tickets == ["1001"]
    async with database.transaction() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    assert event.taken == 1, "the merged-away place gave its seat back"
    other = await people.resolve(database, "telegram", "802")
    again = await identity.redeem(
        database, code, keys=KEYS, person_id=other.id, platform="telegram", account="802"
    )
    assert again.outcome is Outcome.WRONG


async def test_an_admin_from_the_config_is_not_merged_through_the_bot(
    start_bot: StartBot, start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    """Admins listed in `[staff] admins` have no role rows; they are refused all the same,
    both when they ask for a code and when they type someone else's."""
    config = make_config(tmp_path)
    telegram, community = await start_bot(config), await start_vk_bot(config)
    admin = telegram.person(ADMIN_ID, "Мария")
    await admin.send("/link")
    reply = await admin.click("Получить код")
    assert reply.alerts == [
        "Аккаунты сотрудников и экспертов связывает только администратор библиотеки."
    ]
    stranger = community.person(7005, "Незнакомец")
    await stranger.send("Начать", payload={"command": "start"})
    code = await vk_code(stranger)
    reply = await admin.send(f"/link {code}")
    assert "только администратор" in reply.text
    in_vk = await people.find(telegram.db, "vk", "7005")
    admin_person = await people.find(telegram.db, "telegram", str(ADMIN_ID))
    assert in_vk is not None
    assert admin_person is not None
    assert in_vk.id != admin_person.id
