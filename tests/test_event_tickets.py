"""The ticket and calendar file again from «Мои записи», one file name per registration (the
demo saved every QR as ticket.png, each over the last), and the contact step that may be
skipped where the event does not need a contact (#19)."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
from sqlalchemy import select

from bot.app import build_dispatcher
from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.console import ConsoleTransport
from bot.transports.telegram import create_bot
from broadcasts.event_reminders import sweep_event_reminders
from storage.db import Database
from storage.events.models import EventKind, Registration
from tests.conftest import RunningBot, StartBot, make_config
from tests.harness import Reply, drain_outbox
from tests.test_events_bot import add_event, register_readers
from tests.test_my_books import consented


def files_of(reply: Reply) -> dict[str, str]:
    """The file names the bot sent: {"sendDocument": "event-….ics", "sendPhoto": …}."""
    names = {}
    for call in reply.calls:
        if call.method == "sendDocument":
            names[call.method] = call.params["document"]["filename"]
        elif call.method == "sendPhoto":
            names[call.method] = call.params["photo"]["filename"]
    return names


def location_in_ics(reply: Reply) -> str:
    document = next(c for c in reply.calls if c.method == "sendDocument")
    calendar = icalendar.Calendar.from_ical(document.params["document"]["content"])
    return str(next(iter(calendar.walk("VEVENT")))["location"])


async def registration_ids(db: Database) -> dict[tuple[str, int], int]:
    """Registration ids by (name, event id)."""
    async with db.transaction() as session:
        rows = await session.scalars(select(Registration))
        return {(r.name or "", r.event_id): r.id for r in rows}


async def test_the_ticket_again_from_my_registrations(bot: RunningBot) -> None:
    meetup = await add_event(bot.db, "Открытое общение")
    lecture = await add_event(
        bot.db, "Лекция о краеведении", kind=EventKind.PUBLIC, ask_organisation=False, seats=1
    )
    anna = await consented(bot, 6101, "Анна")
    boris = await consented(bot, 6102, "Борис")
    await register_readers(bot, meetup, (6101, "Анна Петрова"))
    await register_readers(bot, lecture, (6101, "Анна Петрова"), (6102, "Борис Сидоров"))
    ids = await registration_ids(bot.db)
    await anna.send("📅 Мероприятия")
    reply = await anna.click("Мои записи")
    assert "🎟 Билет: Открытое общение" in reply.buttons
    assert "🎟 Билет: Лекция о краеведении" in reply.buttons
    first = await anna.click("Билет: Открытое общение")
    assert "Добавьте в календарь" in first.text
    assert "Ваш билет на «Открытое общение»" in first.text
    second = await anna.click("Билет: Лекция о краеведении")
    # One name per registration: the demo saves files by these names.
    assert files_of(first) == {
        "sendDocument": f"event-{meetup}-{ids['Анна Петрова', meetup]}.ics",
        "sendPhoto": f"ticket-{meetup}-{ids['Анна Петрова', meetup]}.png",
    }
    assert set(files_of(second).values()).isdisjoint(files_of(first).values())
    # The card of an event she is registered for offers it too.
    reply = await anna.send(f"/start event_{lecture}")
    assert "🎟 Билет и календарь" in reply.buttons
    # Boris waits for a seat: no ticket yet, and Anna's ticket is not his for the asking.
    await boris.send("📅 Мероприятия")
    reply = await boris.click("Мои записи")
    assert not [b for b in reply.buttons if "Билет" in b]
    reply = await boris.press(f"ev:tkt:{ids['Анна Петрова', lecture]}:::0")
    assert reply.alerts == ["Билета нет: запись не подтверждена или уже отменена."]
    assert files_of(reply) == {}


async def test_contact_may_be_skipped_where_the_event_does_not_need_it(bot: RunningBot) -> None:
    story_hour = await add_event(
        bot.db, "Сказки на ночь", kind=EventKind.PUBLIC, ask_organisation=False, questions="[]"
    )
    meetup = await add_event(bot.db, "Открытое общение", questions="[]")
    anna = await consented(bot, 6103, "Анна")
    await anna.send(f"/start event_{story_hour}")
    await anna.click("Записаться")
    reply = await anna.send("Анна Петрова")
    assert "Можно «Пропустить»" in reply.text
    assert "Какую организацию" not in reply.text  # the event does not ask it
    reply = await anna.send("не помню")
    assert "Не похоже на телефон" in reply.text
    assert "Пропустить" in reply.buttons  # the error keeps the way on
    reply = await anna.send_sticker()
    assert "ответьте текстом" in reply.text
    assert "Пропустить" in reply.buttons
    reply = await anna.click("Пропустить")
    assert "✅ Вы записаны!" in reply.text
    # An NKO meetup needs a contact: no «Пропустить», and a forged skip is refused.
    await anna.send(f"/start event_{meetup}")
    await anna.click("Записаться")
    await anna.send("Анна Петрова")
    reply = await anna.click("Частное лицо")
    assert "Телефон или e-mail для связи?" in reply.text
    assert "Пропустить" not in reply.buttons
    reply = await anna.press("ev:skip:0:::0")
    assert reply.alerts == ["Эта кнопка уже не действует."]
    reply = await anna.send("нет")
    assert "Пропустить" not in reply.buttons
    assert "Отменить запись на мероприятие" in reply.buttons
    await anna.send("anna@example.ru")
    async with bot.db.transaction() as session:
        rows = {r.event_id: r.contact for r in await session.scalars(select(Registration))}
    assert rows == {story_hour: None, meetup: "anna@example.ru"}


async def test_demo_ticket_files_do_not_overwrite_each_other(
    config: Config, sqlite_db: Database, tmp_path: Path
) -> None:
    """In the demo (the console), every file the bot sends is saved under its name."""
    first = await add_event(
        sqlite_db, "Открытое общение", kind=EventKind.PUBLIC, ask_organisation=False
    )
    second = await add_event(
        sqlite_db, "Клуб настольных игр", kind=EventKind.PUBLIC, ask_organisation=False
    )
    saved = tmp_path / "demo-files"
    console = ConsoleTransport(
        build_dispatcher(config, sqlite_db, Locales()),
        user_id=3101,
        first_name="Анна",
        stdin=io.StringIO(""),
        stdout=io.StringIO(),
        files_dir=saved,
    )

    async def press(label: str) -> None:
        labels = [choice.label for choice in console.session.choices]
        number = next(i for i, shown in enumerate(labels, start=1) if label in shown)
        await console.say(str(number))

    await console.say("/start")
    await press("Согласен")
    for event_id in (first, second):
        await console.say(f"/start event_{event_id}")
        await press("Записаться")
        await console.say("Анна Петрова")
        await press("Пропустить")
    await console.say("📅 Мероприятия")
    await press("Мои записи")
    await press("Билет: Открытое общение")  # sent again: the same names, the same files
    names = sorted(path.name for path in saved.iterdir())
    assert len(names) == 4, names
    assert {name.rsplit(".", 1)[1] for name in names} == {"ics", "png"}


async def test_an_event_outside_the_branches_never_shows_none(
    start_bot: StartBot, tmp_path: Path
) -> None:
    """«Вне филиалов» without a room: the card, the confirmation and the reminder showed
    «📍 none»; they name the library, and the calendar file its location."""
    config = make_config(tmp_path, notifications={"quiet_hours": ""})
    bot = await start_bot(config)
    event_id = await add_event(
        bot.db,
        "Прогулка по старому городу",
        kind=EventKind.PUBLIC,
        ask_organisation=False,
        branch_id=None,
        room=None,
        starts_at=datetime.now(UTC) + timedelta(hours=20),
    )
    anna = await consented(bot, 6104, "Анна")
    reply = await anna.send(f"/start event_{event_id}")
    assert "📍 Библиотека имени Тестова\n" in reply.text
    await anna.click("Записаться")
    await anna.send("Анна Петрова")
    reply = await anna.click("Пропустить")
    assert "✅ Вы записаны!" in reply.text
    assert "none" not in reply.text
    assert location_in_ics(reply) == "Библиотека имени Тестова"
    assert await sweep_event_reminders(bot.db, Locales(), config, now=datetime.now(UTC)) == 1
    mark = len(bot.server.calls)
    await drain_outbox(
        bot.db, create_bot(bot.server.token, api_server=bot.server.base_url), "telegram"
    )
    reminder = next(c for c in bot.server.calls[mark:] if c.method == "sendMessage")
    assert "📍 Библиотека имени Тестова" in reminder.text
    assert "none" not in reminder.text
