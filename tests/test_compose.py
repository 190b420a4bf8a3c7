"""Staff compose an announcement in the bot, and subscribers get it."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.transports.telegram import create_bot
from broadcasts.announcements import start_due
from broadcasts.limits import RateLimiter
from broadcasts.sender import Sender
from handlers.compose import parse_when
from storage import outbox
from storage.outbox import Audience, Broadcast, BroadcastStatus
from tests.conftest import ADMIN_ID, RunningBot


def daytime_after_now(bot: RunningBot) -> datetime:
    """A moment after the announcement's time and outside quiet hours, whatever the clock."""
    moment = datetime.now(UTC) + timedelta(minutes=1)
    zone = bot.config.library.zone
    while bot.config.notifications.is_quiet(moment.astimezone(zone).time()):
        moment += timedelta(minutes=30)
    return moment


async def test_staff_announce_to_a_topic_and_subscribers_receive_it(bot: RunningBot) -> None:
    reader = bot.person(1201, "Ирина")
    await reader.send("Подписки")
    await reader.click("Для НКО")

    admin = bot.admin()
    await admin.send("/staff")
    reply = await admin.click("Новая рассылка")
    assert "Пришлите текст объявления" in reply.text
    reply = await admin.send("Приём заявок на грант открыт до 1 декабря")
    assert "Кому отправить?" in reply.text
    reply = await admin.click("Для НКО: гранты и конкурсы")
    assert "Когда отправить?" in reply.text
    reply = await admin.click("Сейчас")
    preview = [m.text for m in reply.messages]
    assert preview[0] == "Приём заявок на грант открыт до 1 декабря"  # as subscribers will see it
    assert "Кому: Для НКО: гранты и конкурсы" in preview[1]
    reply = await admin.click("Запланировать")
    assert "Рассылка №1 запланирована" in reply.text

    async with bot.db.transaction() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None
    assert Audience.load(broadcast.audience) == Audience(topic="grants")
    assert broadcast.author_name == f"telegram:{ADMIN_ID}"

    assert await start_due(
        bot.db, bot.config, platforms=("telegram",), now=daytime_after_now(bot)
    ) == [1]
    sender_bot = create_bot(bot.server.token, api_server=bot.server.base_url)
    try:
        await Sender(
            bot.db, sender_bot, platform="telegram", limiter=RateLimiter(100, per_chat_interval=0)
        ).drain()
    finally:
        await sender_bot.session.close()
    assert (1201, "Приём заявок на грант открыт до 1 декабря") in bot.server.delivered


async def test_a_typed_time_and_cancelling_before_it_starts(bot: RunningBot) -> None:
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Новая рассылка")
    await admin.send("Новогодний утренник")
    await admin.click("Всем, кто писал боту")
    reply = await admin.send("тридцатого")
    assert "Не понял время" in reply.text
    reply = await admin.send("01.01.2020 10:00")
    assert "уже прошло" in reply.text
    reply = await admin.send("30.12.2030 11:00")
    assert "Когда: 30.12.2030 11:00" in reply.text
    await admin.click("Запланировать")
    await admin.send("/staff")
    reply = await admin.click("Запланированные рассылки")
    assert "№1 — 30.12.2030 11:00 — Всем, кто писал боту: Новогодний утренник" in reply.text
    reply = await admin.click("Отменить №1")
    assert "Рассылка №1 отменена" in reply.text
    assert await outbox.scheduled(bot.db) == []
    async with bot.db.transaction() as session:
        assert await session.scalar(select(Broadcast.status)) == BroadcastStatus.CANCELLED


async def test_draft_can_be_abandoned(bot: RunningBot) -> None:
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Новая рассылка")
    reply = await admin.click("Отменить")
    assert "Черновик рассылки удалён" in reply.text
    reply = await admin.send("есть ли у вас Булгаков?")  # not the announcement any more
    assert "ничего не нашлось" in reply.text


async def test_readers_cannot_compose_or_cancel(bot: RunningBot) -> None:
    reader = bot.person(1202)
    await reader.send("/start")
    for data in ("bc:new::0", "bc:ok::0", "bc:drop::1", "bc:list::0"):
        reply = await reader.press(data)
        assert reply.alerts == ["Этот раздел только для сотрудников библиотеки."], data


def test_typed_times_are_library_time() -> None:
    now = datetime(2026, 12, 20, 12, 0, tzinfo=UTC)
    assert parse_when("25.12 18:00", now) == datetime(2026, 12, 25, 18, 0, tzinfo=UTC)
    assert parse_when("05.01 9:30", now) == datetime(2027, 1, 5, 9, 30, tzinfo=UTC)  # next year
    assert parse_when("31.02 10:00", now) is None
    assert parse_when("завтра", now) is None


async def test_an_announcement_to_those_registered_for_an_event(bot: RunningBot) -> None:
    from storage.events import registrations

    event_id = await registrations.create_event(
        bot.db,
        title="Семинар по грантам",
        kind="training",
        starts_at=datetime.now(UTC) + timedelta(days=5),
        seats=10,
    )
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Новая рассылка")
    reply = await admin.send("Семинар переносится в малый зал")
    assert "НКО — всем, кто указал организацию" in reply.buttons
    reply = await admin.click("Записавшимся на мероприятие")
    assert "Записавшимся на какое мероприятие?" in reply.text
    reply = await admin.click("Семинар по грантам")
    assert "Когда отправить?" in reply.text
    reply = await admin.click("Сейчас")
    assert "Кому: записавшиеся на «Семинар по грантам»" in reply.messages[-1].text
    await admin.click("Запланировать")
    async with bot.db.transaction() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None
    assert Audience.load(broadcast.audience) == Audience(event_id=event_id)


async def test_forged_audiences_are_refused(bot: RunningBot) -> None:
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Новая рассылка")
    await admin.send("Объявление")
    for value in ("#999", "#abc", "#", "+nko2", "nosuchtopic"):
        reply = await admin.press(f"bc:to:{value}:0")
        if value == "#":
            assert "Предстоящих мероприятий нет" in reply.text
            continue
        assert "Черновик устарел" in reply.text, value
        await admin.send("/staff")
        await admin.click("Новая рассылка")
        await admin.send("Объявление")


async def test_buttons_added_after_the_preview_go_out_with_the_announcement(
    bot: RunningBot,
) -> None:
    from storage.events import registrations

    event_id = await registrations.create_event(
        bot.db,
        title="Мастер-класс",
        kind="training",
        starts_at=datetime.now(UTC) + timedelta(days=4),
        seats=10,
    )
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Новая рассылка")
    await admin.send("Мастер-класс по соцсетям для НКО")
    await admin.click("Всем, кто писал боту")
    await admin.click("Завтра в 10:00")
    reply = await admin.click("Добавить кнопку-ссылку")
    assert "Текст | https://адрес" in reply.text
    reply = await admin.send("javascript:alert(1)")
    assert "Не получилось" in reply.text
    reply = await admin.send("Программа | https://library.example/programme")
    preview = reply.messages[0]
    assert preview.text == "Мастер-класс по соцсетям для НКО"
    assert [b["text"] for b in preview.buttons()] == ["Программа"]
    reply = await admin.click("Добавить кнопку «Записаться»")
    assert "На какое мероприятие" in reply.text
    reply = await admin.click("Мастер-класс")
    assert [b["text"] for b in reply.messages[0].buttons()] == ["Программа", "📅 Записаться"]
    await admin.click("Запланировать")
    async with bot.db.transaction() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None
    assert json.loads(broadcast.buttons) == [
        {"text": "Программа", "url": "https://library.example/programme"},
        {"text": "📅 Записаться", "callback_data": f"ev:reg:{event_id}:::0"},
    ]

    # Until it starts, the text can still be changed.
    await admin.send("/staff")
    reply = await admin.click("Запланированные рассылки")
    reply = await admin.click(f"Изменить №{broadcast.id}")
    assert "новый текст" in reply.text
    reply = await admin.send("Мастер-класс по соцсетям: начало в 15:00")
    assert f"Текст рассылки №{broadcast.id} изменён" in reply.text
    assert await outbox.cancel(bot.db, broadcast.id)
    await admin.send("/staff")
    await admin.click("Запланированные рассылки")
    reply = await admin.press(f"bc:edit::{broadcast.id}")
    reply = await admin.send("поздно")
    assert "уже нельзя изменить" in reply.text
    async with bot.db.transaction() as session:
        text = await session.scalar(select(Broadcast.text))
    assert text == "Мастер-класс по соцсетям: начало в 15:00"


async def test_a_per_branch_topic_asks_which_branch(bot: RunningBot) -> None:
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Новая рассылка")
    await admin.send("Выставка в детской библиотеке")
    reply = await admin.click("Афиша мероприятий")
    assert "Подписчикам какого филиала?" in reply.text
    assert "Все филиалы" in reply.buttons
    reply = await admin.click("Детская библиотека")
    assert "Когда отправить?" in reply.text
    reply = await admin.click("Сейчас")
    assert "Кому: Афиша мероприятий — Детская библиотека" in reply.messages[-1].text
    await admin.click("Запланировать")
    async with bot.db.transaction() as session:
        broadcast = await session.scalar(select(Broadcast))
    assert broadcast is not None
    assert Audience.load(broadcast.audience) == Audience(topic="events", branch="children")
