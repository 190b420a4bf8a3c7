"""Staff event buttons that name nothing (a forged id or index), that belong to another step
of «Новое мероприятие», or whose message Telegram no longer shows: each gets the answer it
always got — «больше нет в афише», a quiet answer, or none taken. And the rules of the
staff forms as `storage.events` keeps them: a second tick, a second cancel, seats without a
limit, a photo where text was asked."""

from __future__ import annotations

from sqlalchemy import select

from storage import people
from storage.events import changes, registrations
from storage.events.fields import room_of, seat_count, title_of
from storage.events.models import Event, EventStatus
from tests.conftest import RunningBot
from tests.harness import Person, Reply
from tests.test_events_bot import add_event, staff_events_screen
from tests.test_my_books import consented

NO_EVENT = 999_999


def quiet(reply: Reply) -> bool:
    """Answered (the button stops spinning), and nothing said."""
    return reply.messages == [] and reply.alerts == [""]


async def press_on_a_gone_message(person: Person, data: str) -> Reply:
    """A press whose message Telegram no longer shows (an InaccessibleMessage: date 0)."""
    gone = {"message_id": 7, "date": 0, "chat": person.chat}
    return await person.press(data, message=gone)


async def test_forged_event_ids_and_indexes_are_answered_as_before(bot: RunningBot) -> None:
    admin = await staff_events_screen(bot)
    for data in (f"sev:show:{NO_EVENT}:0", f"sev:cxok:{NO_EVENT}:0"):
        reply = await admin.press(data)
        assert "Этого мероприятия больше нет в афише" in reply.text
    for data in (f"sev:ppl:{NO_EVENT}:0", f"sev:xlsx:{NO_EVENT}:0", f"sev:csv:{NO_EVENT}:0"):
        assert quiet(await admin.press(data))
    reply = await admin.press(f"sev:tick:{NO_EVENT}:0")
    assert reply.alerts == ["Билет не найден или запись отменена."]
    event_id = await add_event(bot.db)
    assert quiet(await admin.press(f"sev:ef:{event_id}:9"))  # there are five fields
    for data in (f"sev:show:{event_id}:0", "sev:ls:0:0", f"sev:tick:{NO_EVENT}:0"):
        assert quiet(await press_on_a_gone_message(admin, data))


async def test_wizard_buttons_at_another_step_or_forged(bot: RunningBot) -> None:
    admin = await staff_events_screen(bot)
    await admin.click("Новое мероприятие")
    reply = await admin.send("Клуб любителей истории")
    assert "Какой это вид мероприятия?" in reply.text
    assert quiet(await admin.press("sev:kind:0:99"))  # no such kind
    assert quiet(await press_on_a_gone_message(admin, "sev:kind:0:0"))
    # «Пропустить» belongs to other steps: not taken (the staff catch-all in
    # handlers.denied answers it), and the form is still at the kind.
    reply = await admin.press("sev:skip:0:0")
    assert "Когда начало?" not in reply.text
    reply = await admin.click("Публичное мероприятие")
    assert "Когда начало?" in reply.text
    reply = await admin.press("sev:pub:0:0")  # «Опубликовать» before any preview
    assert "Так мероприятие увидят" not in reply.text
    assert "создано" not in reply.text


async def test_a_second_tick_unmarks_and_a_second_cancel_finds_nothing(bot: RunningBot) -> None:
    event_id = await add_event(bot.db)
    await consented(bot, 6201, "Анна")
    anna = await people.find(bot.db, "telegram", "6201")
    assert anna is not None
    registered = await registrations.register(bot.db, event_id, anna.id, name="Анна Петрова")
    assert isinstance(registered, registrations.Registered)
    admin = await staff_events_screen(bot)
    await admin.click("Открытое общение")
    await admin.click("Отметить пришедших")
    ticks = []
    for _ in range(2):
        reply = await admin.click("Анна Петрова")
        edited = next(c for c in reply.calls if c.method == "editMessageReplyMarkup")
        ticks.append(edited.buttons()[0]["text"])
    assert ticks == ["✅ Анна Петрова", "☐ Анна Петрова"]
    assert await registrations.attended_ids(bot.db, event_id) == set()
    reply = await admin.press(f"sev:cxok:{event_id}:0")
    assert "«Открытое общение» отменено. Уведомления отправляются: 1" in reply.text
    reply = await admin.press(f"sev:cxok:{event_id}:0")
    assert "Этого мероприятия больше нет в афише" in reply.text
    reply = await admin.press(f"sev:show:{event_id}:0")  # a cancelled event is not changed
    assert "Перенести" not in reply.buttons
    assert "Отменить мероприятие" not in reply.buttons


async def test_edit_seats_without_a_limit_and_the_wrong_kind_of_answer(bot: RunningBot) -> None:
    event_id = await add_event(bot.db, seats=10)
    admin = await staff_events_screen(bot)
    await admin.click("Открытое общение")
    await admin.click("Изменить")
    await admin.click("Число мест")
    reply = await admin.send_file(photo=True)
    assert "Пришлите, пожалуйста, текст." in reply.text
    reply = await admin.send("без ограничения")
    assert "Сохранено" in reply.text
    await admin.click("Открыть мероприятие")
    await admin.click("Изменить")
    await admin.click("Фото для афиши")
    reply = await admin.send("вот фото")
    assert "Пришлите, пожалуйста, фото." in reply.text
    reply = await admin.send_file(photo=True, file_id="poster-1")
    assert "Сохранено" in reply.text
    async with bot.db.transaction() as session:
        event = await session.scalar(select(Event).where(Event.id == event_id))
    assert event is not None
    assert (event.seats, event.photo, event.status) == (None, "poster-1", EventStatus.SCHEDULED)


def test_what_a_title_a_room_and_seats_may_be() -> None:
    assert title_of("  Клуб   любителей\nистории ") == "Клуб любителей истории"
    assert title_of("Аб") is None
    assert title_of("x" * 201) is None
    assert room_of("  Зал   2 ") == "Зал 2"
    assert room_of("   ") is None
    assert [seat_count(t) for t in ("65", " 1 ", "0", "100001", "двадцать")] == [
        65,
        1,
        None,
        None,
        None,
    ]


def test_a_participant_added_by_hand() -> None:
    who = changes.by_hand(" Пётр Иванов , Клуб волонтёров, +7 900, доб. 5")
    assert who == changes.ByHand("Пётр Иванов", "Клуб волонтёров", "+7 900, доб. 5")
    assert changes.by_hand("Пётр") == changes.ByHand("Пётр", None, None)
    assert changes.by_hand("Пётр,,") == changes.ByHand("Пётр", None, None)
    assert changes.by_hand("П, Клуб") is None
