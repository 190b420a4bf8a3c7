"""«Мероприятия»: a reader finds a meetup, registers through the short form, joins the
waiting list when it is full, cancels, and the next person is offered the seat."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.event_reminders import sweep_event_reminders
from storage import people
from storage.db import Database
from storage.events import registrations
from storage.events.models import Event, EventKind, Registration, RegistrationStatus
from storage.models import Activity, ActivityKind
from tests.conftest import RunningBot, StartBot, make_config
from tests.harness import Person, drain_outbox
from tests.test_my_books import consented


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """These stories run at any hour: a seat offer made during the quiet hours would wait
    for the morning (tests/test_seat_offers_at_night.py covers that), so there are none."""
    return make_config(tmp_path, notifications={"quiet_hours": ""})


async def add_event(db: Database, title: str = "Открытое общение", **fields: object) -> int:
    values: dict[str, object] = {
        "kind": EventKind.MEETUP,
        "starts_at": datetime.now(UTC) + timedelta(days=5),
        "branch_id": "central",
        "room": "Зал 2",
        "seats": 65,
        "waitlist": True,
        "description": "Встреча некоммерческих организаций района.",
    }
    values.update(fields)
    async with db.transaction() as session:
        event = Event(title=title, **values)
        session.add(event)
        await session.flush()
        return event.id


async def register_readers(
    bot: RunningBot, event_id: int, *readers: tuple[int, str], organisation: str | None = None
) -> None:
    """People who consented in the bot, registered in arrival order (storage, not the form)."""
    for user_id, name in readers:
        person = await people.find(bot.db, "telegram", str(user_id))
        assert person is not None
        await registrations.register(
            bot.db, event_id, person.id, name=name, organisation=organisation
        )


async def staff_events_screen(bot: RunningBot) -> Person:
    """The admin, at «Для сотрудников» → «Мероприятия и участники»."""
    admin = bot.admin()
    await admin.send("/start")
    await admin.send("🛠 Для сотрудников")
    await admin.click("Мероприятия и участники")
    return admin


async def deliver(bot: RunningBot) -> None:
    """The Telegram sender delivers what the outbox holds."""
    await drain_outbox(
        bot.db, create_bot(bot.server.token, api_server=bot.server.base_url), "telegram"
    )


async def test_reader_finds_a_meetup_and_registers(bot: RunningBot) -> None:
    questions = [
        {"text": "Какую тему хотите обсудить?", "required": True},
        {"text": "Нужна ли помощь с доступностью?", "required": False},
    ]
    event_id = await add_event(bot.db, questions=json.dumps(questions, ensure_ascii=False))
    await add_event(bot.db, "Мастер-класс по грантам", kind=EventKind.TRAINING, seats=None)
    anna = await consented(bot, 6001)
    reply = await anna.send("📅 Мероприятия")
    assert "<b>Ближайшие мероприятия</b> (2):" in reply.text
    assert "<b>Открытое общение</b> · свободно 65 из 65" in reply.text
    reply = await anna.click("1. Открытое общение")
    assert "📍 Центральная библиотека, Зал 2" in reply.text
    reply = await anna.click("Записаться")
    assert "Как вас зовут?" in reply.text
    assert await anna.send("А")
    assert "от 2 до 200" in (await anna.send("Я")).text
    reply = await anna.send("Анна Петрова")
    assert "Какую организацию" in reply.text
    reply = await anna.click("Частное лицо")
    assert "Телефон или e-mail" in reply.text
    reply = await anna.send("позвоните мне")
    assert "Не похоже на телефон" in reply.text
    reply = await anna.send("8 (900) 123-45-67")
    assert "Какую тему хотите обсудить?" in reply.text
    assert "Пропустить" not in reply.buttons  # required
    reply = await anna.send("Отчётность НКО")
    assert "(можно пропустить)" in reply.text
    reply = await anna.click("Пропустить")
    assert "✅ Вы записаны!" in reply.text
    document = next(c for c in reply.calls if c.method == "sendDocument")
    photo = next(c for c in reply.calls if c.method == "sendPhoto")
    assert "Ваш билет на «Открытое общение» — Анна Петрова" in photo.params["caption"]
    async with bot.db.transaction() as session:
        row = await session.scalar(select(Registration))
    assert row is not None
    assert document.params["document"]["filename"] == f"event-{event_id}-{row.id}.ics"
    assert (row.name, row.organisation, row.contact) == (
        "Анна Петрова",
        "частное лицо",
        "+79001234567",
    )
    assert json.loads(row.answers)[0]["answer"] == "Отчётность НКО"
    # Registering again shows the existing place; /start event_<id> opens the card.
    reply = await anna.send(f"/start event_{event_id}")
    assert "✅ Вы записаны." in reply.text
    assert "Отменить запись" in reply.buttons
    # Next time the form remembers the name.
    other = await add_event(bot.db, "Клуб волонтёров", questions="[]")
    await anna.send(f"/start event_{other}")
    reply = await anna.click("Записаться")
    assert "✔️ Анна Петрова" in reply.buttons  # remembered from last time


async def test_full_event_waitlist_cancel_and_promotion(bot: RunningBot) -> None:
    event_id = await add_event(bot.db, seats=1, ask_organisation=False, ask_contact=False)
    anna = await consented(bot, 6002, "Анна")
    boris = await consented(bot, 6003, "Борис")
    for reader, name in ((anna, "Анна Петрова"), (boris, "Борис Сидоров")):
        await reader.send(f"/start event_{event_id}")
        await reader.click("Записаться" if reader is anna else "лист ожидания")
        reply = await reader.send(name)
    assert "вы в листе ожидания: 1-й" in reply.text
    # Boris cannot cancel Anna's place with a forged button.
    async with bot.db.transaction() as session:
        annas = await session.scalar(
            select(Registration).where(Registration.name == "Анна Петрова")
        )
    assert annas is not None
    reply = await boris.press(f"ev:cxok:{annas.id}:::0")
    assert reply.alerts == ["Эта запись не ваша или уже отменена."]
    # Anna cancels; Boris is offered the seat through the outbox and confirms it.
    await anna.send("📅 Мероприятия")
    await anna.click("Мои записи")
    await anna.click("Открытое общение")
    await anna.click("Отменить запись")
    reply = await anna.click("Да, отменить")
    assert "Запись отменена" in reply.text
    mark = len(bot.server.calls)
    await deliver(bot)
    offer = next(c for c in bot.server.calls[mark:] if c.method == "sendMessage")
    assert offer.chat_id == 6003
    assert "Освободилось место на «Открытое общение»" in offer.text
    boris.history.append(offer)
    reply = await boris.click("Приду")
    assert "✅ Вы записаны!" in reply.text
    async with bot.db.transaction() as session:
        statuses = sorted(r.status for r in await session.scalars(select(Registration)))
        event = await session.get(Event, event_id)
    assert statuses == [RegistrationStatus.CANCELLED, RegistrationStatus.CONFIRMED]
    assert event is not None
    assert event.taken == 1
    async with bot.db.transaction() as session:
        logged = list(
            await session.scalars(
                select(Activity.status).where(Activity.kind == ActivityKind.EVENT_REGISTRATION)
            )
        )
    assert "cancelled" in logged
    assert "promoted from the waiting list" in logged
    assert logged.count("confirmed") == 2  # Анна at first, Борис after the offer


async def test_form_can_be_abandoned_from_the_menu(bot: RunningBot) -> None:
    event_id = await add_event(bot.db)
    anna = await consented(bot, 6004)
    await anna.send(f"/start event_{event_id}")
    await anna.click("Записаться")
    reply = await anna.send("ℹ️ О библиотеке")
    assert "ул. Ленина, 1" in reply.text
    reply = await anna.send("Анна Петрова")  # now an ordinary question, not a form answer
    assert "Какую организацию" not in reply.text


@pytest.mark.parametrize("data", ["ev:cxok:999999:::0", "ev:ok:1:::0", "ev:show:2147483647:::0"])
async def test_forged_event_buttons_change_nothing(bot: RunningBot, data: str) -> None:
    anna = await consented(bot, 6005)
    reply = await anna.press(data)
    assert reply.calls  # answered, not silent
    async with bot.db.transaction() as session:
        assert list(await session.scalars(select(Registration))) == []


async def test_reminder_a_day_before_frees_the_seat_when_they_cannot_come(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config = make_config(tmp_path, notifications={"quiet_hours": ""})
    bot = await start_bot(config)
    event_id = await add_event(bot.db, seats=1, starts_at=datetime.now(UTC) + timedelta(hours=20))
    anna = await consented(bot, 6006, "Анна")
    await consented(bot, 6007, "Борис")
    await register_readers(bot, event_id, (6006, "Анна"), (6007, "Борис"))
    now = datetime.now(UTC)
    assert await sweep_event_reminders(bot.db, Locales(), config, now=now) == 1  # Анна only
    assert await sweep_event_reminders(bot.db, Locales(), config, now=now) == 0
    mark = len(bot.server.calls)
    await deliver(bot)
    reminder = next(c for c in bot.server.calls[mark:] if c.method == "sendMessage")
    assert reminder.chat_id == 6006
    zone = config.library.zone
    starts = (now + timedelta(hours=20)).astimezone(zone).date()
    day = "сегодня" if starts == now.astimezone(zone).date() else "завтра"
    assert f"Напоминаем: {day} «Открытое общение»" in reminder.text
    anna.history.append(reminder)
    reply = await anna.click("Не смогу прийти")
    assert "Запись отменена" in reply.text
    mark = len(bot.server.calls)
    await deliver(bot)
    offer = next(c for c in bot.server.calls[mark:] if c.method == "sendMessage")
    assert offer.chat_id == 6007
    assert "Освободилось место" in offer.text


async def test_staff_scan_the_qr_ticket_to_mark_attendance(bot: RunningBot) -> None:
    event_id = await add_event(bot.db)
    anna = await consented(bot, 6008, "Анна")
    person = await people.find(bot.db, "telegram", "6008")
    assert person is not None
    result = await registrations.register(bot.db, event_id, person.id, name="Анна Петрова")
    assert isinstance(result, registrations.Registered)
    link = f"/start ticket_{result.place.ticket}"
    reply = await anna.send(link)
    assert "Это билет участника" in reply.text
    admin = bot.admin()
    reply = await admin.send(link)
    assert "✅ Анна Петрова отмечен(а) на «Открытое общение»." in reply.text
    reply = await admin.send(link)
    assert "Уже отмечен(а): Анна Петрова" in reply.text
    reply = await admin.send("/start ticket_unknownticket1")
    assert "Билет не найден" in reply.text
    async with bot.db.transaction() as session:
        row = await session.get(Registration, result.place.id)
    assert row is not None
    assert row.attended_at is not None


async def test_staff_tick_attendance_export_message_and_cancel(bot: RunningBot) -> None:
    event_id = await add_event(bot.db, seats=2)
    readers = ((6010, "Анна Петрова"), (6011, "Борис Сидоров"), (6012, "Вера Орлова"))
    for user_id, name in readers:
        await consented(bot, user_id, name.split()[0])
    await register_readers(bot, event_id, *readers, organisation="НКО «Добро»")
    admin = await staff_events_screen(bot)
    reply = await admin.click("Открытое общение")
    assert "Записано: 2 из 2" in reply.text
    assert "Лист ожидания: 1" in reply.text
    reply = await admin.click("Отметить пришедших")
    assert "☐ Анна Петрова" in reply.buttons
    reply = await admin.click("Анна Петрова")
    edited = next(c for c in reply.calls if c.method == "editMessageReplyMarkup")
    assert "✅ Анна Петрова" in [b["text"] for b in edited.buttons()]
    reply = await admin.click("Список XLSX")
    document = next(c for c in reply.calls if c.method == "sendDocument")
    assert document.params["document"]["filename"] == f"event-{event_id}.xlsx"
    assert "Список участников «Открытое общение»: 3." in document.params["caption"]
    await admin.click("Написать всем")
    reply = await admin.send("Встреча переносится в зал 3.")
    assert "поставлено в отправку: 3 получателей" in reply.text
    await admin.click("Отменить мероприятие")
    reply = await admin.click("Да, отменить мероприятие")
    assert "Уведомления отправляются: 3" in reply.text
    mark = len(bot.server.calls)
    await deliver(bot)
    sent = [c for c in bot.server.calls[mark:] if c.method == "sendMessage"]
    assert sum("переносится в зал 3" in c.text for c in sent) == 3
    assert sum("отменено" in c.text for c in sent) == 3
    # A reader cannot reach these buttons, whatever they press.
    reader = bot.person(6010)
    reply = await reader.press(f"sev:cxok:{event_id}:0")
    assert "только для сотрудников" in (reply.text + " ".join(reply.alerts)).lower()


async def test_participants_export_is_a_proper_spreadsheet(database: Database) -> None:
    import io as _io
    from zoneinfo import ZoneInfo

    from openpyxl import load_workbook

    from storage.events.export import participants, to_csv, to_xlsx

    event_id = await add_event(database, seats=1)
    anna = await people.resolve(database, "telegram", "6020")
    boris = await people.resolve(database, "telegram", "6021")
    await registrations.register(
        database,
        event_id,
        anna.id,
        name="Анна",
        answers=[{"question": "Тема?", "answer": "Гранты"}],
    )
    await registrations.register(database, event_id, boris.id, name="Борис")
    sheet = await participants(database, event_id, ZoneInfo("Europe/Moscow"))
    book = load_workbook(_io.BytesIO(to_xlsx(sheet, "Открытое общение")))
    ws = book.active
    assert ws is not None
    assert [c.value for c in ws[2]][:5] == ["№", "ФИО", "Организация", "Телефон / e-mail", "Статус"]
    assert ws["B3"].value == "Анна"
    assert ws["E4"].value == "лист ожидания"
    assert ws["I3"].value == "Гранты"
    assert ws.freeze_panes == "A3"
    assert isinstance(ws["F3"].value, datetime)
    text = to_csv(sheet).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("№;ФИО;Организация")


async def test_forget_gives_the_seat_to_the_next_person_and_keeps_no_name(
    bot: RunningBot,
) -> None:
    event_id = await add_event(bot.db, seats=1)
    anna = await consented(bot, 6030, "Анна")
    await consented(bot, 6031, "Борис")
    await register_readers(bot, event_id, (6030, "Анна Петрова"), (6031, "Борис Сидоров"))
    await anna.send("/forget")
    await anna.click("Да, удалить")
    async with bot.db.transaction() as session:
        rows = {r.status: r for r in await session.scalars(select(Registration))}
    assert rows[RegistrationStatus.CANCELLED].name is None
    assert rows[RegistrationStatus.CANCELLED].person_id is None
    assert rows[RegistrationStatus.OFFERED].name == "Борис Сидоров"


async def test_staff_create_move_and_add_by_hand(bot: RunningBot) -> None:
    admin = await staff_events_screen(bot)
    await admin.click("Новое мероприятие")
    reply = await admin.send("Х")
    assert "от 3 до 200" in reply.text
    reply = await admin.send("Школа НКО: отчётность")
    reply = await admin.click("Обучающее мероприятие")
    assert "Когда начало?" in reply.text
    reply = await admin.send("вчера вечером")
    assert "Не понял «вчера вечером»" in reply.text
    when = (datetime.now(UTC) + timedelta(days=10)).strftime("%d.%m.%Y 18:00")
    reply = await admin.send(when)
    assert "Когда окончание?" in reply.text
    await admin.click("Пропустить")
    reply = await admin.click("Центральная библиотека")
    assert "Зал или кабинет?" in reply.text
    await admin.click("Пропустить")
    reply = await admin.send("двадцать")
    assert "Напишите число мест" in reply.text
    await admin.send("1")
    reply = await admin.click("Пропустить")
    assert "Так мероприятие увидят в афише" in reply.text
    reply = await admin.click("Опубликовать")
    assert "«Школа НКО: отчётность»" in reply.text
    assert "?start=event_" in reply.text
    event_id = int(reply.text.split("?start=event_")[1].split()[0].rstrip("."))
    # A reader registers; staff add one more by hand (waiting: one seat), then move it.
    anna = await consented(bot, 6040, "Анна")
    await anna.send(f"/start event_{event_id}")
    await anna.click("Записаться")
    await anna.send("Анна Петрова")
    await anna.send("НКО «Добро»")
    await anna.send("anna@example.ru")
    await admin.click("Открыть мероприятие")
    await admin.click("Добавить участника вручную")
    reply = await admin.send("Пётр Иванов, Клуб волонтёров, +7 900 000 00 00")
    assert "Пётр Иванов в листе ожидания: 1-й." in reply.text
    await admin.click("Открыть мероприятие")
    await admin.click("Перенести")
    new_when = (datetime.now(UTC) + timedelta(days=12)).strftime("%d.%m.%Y 19:00")
    reply = await admin.send(new_when)
    assert "перенесено на" in reply.text
    assert "Уведомления отправляются: 1" in reply.text  # Пётр has no messenger
    mark = len(bot.server.calls)
    await deliver(bot)
    moved = next(c for c in bot.server.calls[mark:] if c.method == "sendMessage")
    assert moved.chat_id == 6040
    assert "перенесено: было" in moved.text


async def test_staff_edit_title_questions_and_seats_which_promote_the_waiting(
    bot: RunningBot,
) -> None:
    event_id = await add_event(bot.db, seats=1)
    for user_id, name in ((6050, "Анна"), (6051, "Борис")):
        await consented(bot, user_id, name)
    await register_readers(bot, event_id, (6050, "Анна"), (6051, "Борис"))
    admin = await staff_events_screen(bot)
    await admin.click("Открытое общение")
    await admin.click("Изменить")
    await admin.click("Название")
    reply = await admin.send("Открытое общение: декабрь")
    assert "Сохранено" in reply.text
    await admin.click("Открыть мероприятие")
    await admin.click("Изменить")
    await admin.click("Вопросы при записи")
    await admin.send("Тема встречи?*; Нужен ли пандус?")
    await admin.click("Открыть мероприятие")
    await admin.click("Изменить")
    await admin.click("Число мест")
    reply = await admin.send("0 мест")
    assert "Напишите число мест" in reply.text
    await admin.send("2")
    mark = len(bot.server.calls)
    await deliver(bot)
    offer = next(c for c in bot.server.calls[mark:] if c.method == "sendMessage")
    assert offer.chat_id == 6051
    assert "Освободилось место на «Открытое общение: декабрь»" in offer.text
    async with bot.db.transaction() as session:
        event = await session.get(Event, event_id)
    assert event is not None
    assert (event.seats, event.taken) == (2, 2)
    assert json.loads(event.questions)[0] == {"text": "Тема встречи?", "required": True}
    await admin.click("Открыть мероприятие")
    await admin.click("Изменить")
    await admin.click("Число мест")
    reply = await admin.send("1")
    assert "Уже записано 2" in reply.text
