"""«Новое мероприятие» as staff fill it in (#19): dates typed as people type them, the end
and the room asked, and the card previewed before anything reaches the listing."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from storage.events.models import Event
from tests.conftest import RunningBot
from tests.harness import Person
from tests.test_events_bot import add_event, staff_events_screen

MOSCOW = ZoneInfo("Europe/Moscow")  # the test library's zone
GENITIVE = ("января", "февраля", "марта", "апреля", "мая", "июня")
GENITIVE += ("июля", "августа", "сентября", "октября", "ноября", "декабря")


def library_today() -> date:
    return datetime.now(MOSCOW).date()


def next_friday() -> date:
    today = library_today()
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


async def events_in_db(bot: RunningBot) -> list[Event]:
    async with bot.db.transaction() as session:
        return list(await session.scalars(select(Event).order_by(Event.id)))


async def start_wizard(bot: RunningBot, title: str, kind: str) -> tuple[Person, str]:
    """The admin at «Когда начало?»; returns the prompt too."""
    admin = await staff_events_screen(bot)
    await admin.click("Новое мероприятие")
    await admin.send(title)
    reply = await admin.click(kind)
    return admin, reply.text


async def test_dates_as_typed_end_room_and_a_preview_before_publishing(bot: RunningBot) -> None:
    admin, prompt = await start_wizard(bot, "Клуб любителей истории", "Публичное мероприятие")
    # The example in the prompt is the next Friday, never a past date (it was «25.11»).
    friday = next_friday()
    assert f"{friday:%d.%m} 18:30" in prompt
    assert f"{friday.day} {GENITIVE[friday.month - 1]} 18:30" in prompt
    reply = await admin.send("в пятницу")
    assert "Напишите, пожалуйста, и время" in reply.text
    reply = await admin.send("в пятницу в 18")
    assert "Когда окончание?" in reply.text
    assert "20:00" in reply.text  # the suggested end: two hours later
    reply = await admin.send("17:00")
    assert "Окончание должно быть позже начала" in reply.text
    assert "Пропустить" in reply.buttons
    await admin.send("20.00")
    await admin.click("Центральная библиотека")
    reply = await admin.send("Зал 2")
    assert "Сколько мест?" in reply.text
    await admin.send("30")
    reply = await admin.send("Лекция о первых книгах города.")
    # The preview: the very card readers will see, with the date read back in words.
    assert "Так мероприятие увидят в афише" in reply.text
    assert f"Начало — пятница, {friday.day} {GENITIVE[friday.month - 1]}" in reply.text
    assert "18:00, окончание — 20:00. Всё верно?" in reply.text
    assert f"🗓 {friday:%d.%m.%Y} 18:00–20:00" in reply.text
    assert "📍 Центральная библиотека, Зал 2" in reply.text
    assert "свободно 30 из 30" in reply.text
    assert {"✅ Опубликовать", "✏️ Изменить", "Отмена"} <= set(reply.buttons)
    assert await events_in_db(bot) == []  # nothing in the listing before «Опубликовать»
    # «Изменить» → «Начало»: tomorrow at 17; the end moves with the start.
    await admin.click("Изменить")
    await admin.click("Начало")
    reply = await admin.send("завтра в 17")
    tomorrow = library_today() + timedelta(days=1)
    assert f"🗓 {tomorrow:%d.%m.%Y} 17:00–19:00" in reply.text
    await admin.click("Изменить")
    await admin.click("Филиал и зал")
    await admin.click("Вне филиалов")
    reply = await admin.click("Пропустить")  # no room
    assert "📍 Библиотека имени Тестова\n" in reply.text  # the organiser, never «none»
    assert "Зал 2" not in reply.text
    reply = await admin.click("Опубликовать")
    assert "создано и уже в афише" in reply.text
    await admin.click("Опубликовать")  # a second press of the old button adds nothing
    (event,) = await events_in_db(bot)
    starts = event.starts_at.astimezone(MOSCOW)
    assert (starts.date(), starts.hour) == (tomorrow, 17)
    assert event.ends_at is not None
    assert event.ends_at - event.starts_at == timedelta(hours=2)
    assert (event.branch_id, event.room, event.seats) == (None, None, 30)
    assert event.description == "Лекция о первых книгах города."
    assert not event.ask_organisation  # a public event: no organisation asked


async def test_a_passed_day_means_next_year_and_the_past_is_refused(bot: RunningBot) -> None:
    admin, _ = await start_wizard(bot, "Школа НКО: отчётность", "Обучающее мероприятие")
    reply = await admin.send("01.01.2020 10:00")
    assert "Это время уже прошло" in reply.text
    reply = await admin.send("31.02 10:00")
    assert "Такой даты или времени в календаре нет" in reply.text
    yesterday = library_today() - timedelta(days=1)
    await admin.send(f"{yesterday.day} {GENITIVE[yesterday.month - 1]} 18.30")
    await admin.click("Пропустить")
    await admin.click("Центральная библиотека")
    await admin.send("каб. 5")
    await admin.click("Без ограничения")
    reply = await admin.click("Пропустить")
    assert f"🗓 {yesterday:%d.%m}.{yesterday.year + 1} 18:30" in reply.text
    assert "📍 Центральная библиотека, каб. 5" in reply.text
    await admin.click("Опубликовать")
    (event,) = await events_in_db(bot)
    assert event.ask_organisation
    assert event.ask_contact


async def test_cancel_on_the_preview_creates_nothing(bot: RunningBot) -> None:
    admin, _ = await start_wizard(bot, "Встреча волонтёров", "Встреча НКО")
    await admin.send("завтра в 18:00")
    await admin.click("Пропустить")
    await admin.click("Вне филиалов")
    await admin.click("Пропустить")
    await admin.send("10")
    await admin.click("Пропустить")
    reply = await admin.click("Отмена")
    assert "мероприятие не создано" in reply.text
    assert await events_in_db(bot) == []
    reply = await admin.click("Опубликовать")  # the old preview's button
    assert await events_in_db(bot) == []


async def test_moving_an_event_reads_the_same_phrasings(bot: RunningBot) -> None:
    event_id = await add_event(bot.db, starts_at=datetime.now(UTC) + timedelta(days=3))
    admin = await staff_events_screen(bot)
    await admin.click("Открытое общение")
    reply = await admin.click("Перенести")
    assert f"{next_friday():%d.%m} 18:30" in reply.text
    assert not re.search(r"\b26\.11\b", reply.text)  # the old fixed example is gone
    reply = await admin.send("в 18")
    assert "Напишите, пожалуйста, и день" in reply.text
    reply = await admin.send("послезавтра в 19.30")
    assert "перенесено на" in reply.text
    async with bot.db.transaction() as session:
        event = await session.get(Event, event_id)
        count = await session.scalar(select(func.count()).select_from(Event))
    assert event is not None
    assert count == 1
    moved = event.starts_at.astimezone(MOSCOW)
    assert (moved.date(), moved.hour, moved.minute) == (
        library_today() + timedelta(days=2),
        19,
        30,
    )


async def test_typing_at_a_button_step_asks_again_instead_of_searching(bot: RunningBot) -> None:
    """«Где проходит?» answered «Читальный зал» went to the catalogue search and the form
    was lost; now the step is asked again with its buttons (found in the demo walk)."""
    admin, _prompt = await start_wizard(bot, "Краеведческий вечер", "Публичное мероприятие")
    await admin.send("в пятницу в 18")
    reply = await admin.click("Пропустить")
    assert "Где проходит?" in reply.text
    reply = await admin.send("Читальный зал")
    assert "выберите вариант кнопкой" in reply.text
    assert "в каталоге ничего не нашлось" not in reply.text
    assert "Центральная библиотека" in reply.buttons
    reply = await admin.click("Центральная библиотека")
    assert "Зал или кабинет?" in reply.text  # the form went on to the next step
