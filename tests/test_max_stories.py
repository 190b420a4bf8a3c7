"""The same stories as in Telegram, told in MAX.

The real aiogram Dispatcher and handlers, fed by MAX's long poll through the transport's
client and the fake MAX Bot API; the staff chat stays a Telegram group, reached through
the fake Bot API. Each story runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import seed_catalogue
from bot.kernel.config import Config
from bot.kernel.messengers import start_link
from bot.transports.max.polling import max_bot
from bot.transports.telegram import create_bot
from broadcasts.views.callbacks import Nav, Screen
from storage import outbox, people
from storage.consultations.models import ConsultationRequest, RequestEntry
from storage.events.models import Registration
from storage.models import Activity
from storage.outbox import Notice
from storage.outbox.models import OutboxMessage
from storage.subscriptions import Subscription
from storage.types import utcnow
from tests.conftest import STAFF_CHAT_ID, make_config
from tests.harness import drain_outbox
from tests.max_harness import MaxPerson, RunningMaxBot, StartMaxBot, max_server, start_max_bot
from tests.test_events_bot import add_event

__all__ = ["max_server", "start_max_bot"]  # the fixtures these stories use


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """These stories run at any hour: no seat offers wait for the morning."""
    return make_config(tmp_path, notifications={"quiet_hours": ""})


@pytest.fixture
async def running(start_max_bot: StartMaxBot) -> RunningMaxBot:
    return await start_max_bot()


async def consented(running: RunningMaxBot, user_id: int, name: str = "Анна") -> MaxPerson:
    reader = running.person(user_id, name)
    await reader.start()
    await reader.click("Согласен")
    return reader


async def deliver_max(running: RunningMaxBot) -> None:
    """What the MAX sender of `libbot run` does: the outbox rows for MAX go out."""
    await drain_outbox(running.db, max_bot(running.config.max), "max")


async def test_start_shows_the_menu_and_asks_consent(running: RunningMaxBot) -> None:
    anna = running.person(501)
    reply = await anna.start()
    assert "Здравствуйте" in reply.text
    assert "152-ФЗ" in reply.text
    assert all(c.body["format"] == "html" for c in reply.messages), "the bot's HTML is kept"
    menu = [b for c in reply.messages for b in c.buttons() if b["type"] == "message"]
    assert any("Найти книгу" in b["text"] for b in menu), "the menu: buttons that send text"
    reply = await anna.click("Согласен")
    assert len(reply.answers) == 1, "every press is answered once"
    person = await people.find(running.db, "max", "501")
    assert person is not None
    assert person.display_name == "Анна Петрова", "the name comes from the MAX profile"
    reply = await anna.click("О библиотеке")  # a menu button: the reader sends its label
    assert "ул. Ленина, 1" in reply.text
    async with running.db.transaction() as session:
        platforms = set(await session.scalars(select(Activity.platform)))
    assert platforms == {"max"}


async def test_reader_finds_a_book_and_asks_to_hold_it(running: RunningMaxBot) -> None:
    await seed_catalogue(running.db)
    anna = await consented(running, 902)
    reply = await anna.send("есть ли Мастер и Маргарита?")
    assert "Нашлась 1 книга" in reply.text
    card = await anna.click("1. Мастер и Маргарита")
    assert "<b>Центральная библиотека</b> — 2 из 3 на полке" in card.text, "HTML kept"
    reply = await anna.click("Забронировать")
    assert "Где вам удобнее забрать «Мастер и Маргарита»?" in reply.text
    reply = await anna.click("Детская библиотека")
    assert "Заявку на бронь «Мастер и Маргарита» передали сотрудникам" in reply.text
    telegram = create_bot(running.telegram.token, api_server=running.telegram.base_url)
    await drain_outbox(running.db, telegram, "telegram")
    to_staff = [c for c in running.telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]
    assert len(to_staff) == 1
    assert "Анна Петрова" in to_staff[0].text
    assert "max:902" not in to_staff[0].text


async def test_forged_button_data_is_answered_once_and_changes_nothing(
    running: RunningMaxBot,
) -> None:
    anna = await consented(running, 1201)
    for forged in ("ev:reg:999999", "nonsense", "sub:tog:no_such_topic::other"):
        reply = await anna.press(forged)
        assert len(reply.answers) == 1, forged
    async with running.db.transaction() as session:
        assert not list(await session.scalars(select(Registration)))
        assert not list(await session.scalars(select(Subscription)))
    # MAX sends `message: null` for a press on a deleted message: still answered, once.
    reply = await anna.press("nav:menu", mid=None)
    assert len(reply.answers) == 1
    assert "Чем могу помочь" in reply.text


async def test_reader_subscribes_with_one_tap(running: RunningMaxBot) -> None:
    anna = running.person(1101)
    reply = await anna.send("🔔 Подписки")
    assert "Выберите, о чём вам сообщать" in reply.text
    reply = await anna.click("Новые поступления")
    assert reply.alerts == ["Подписка оформлена: Новые поступления"]
    edited = [c for c in reply.calls if c.route == "PUT /messages"]
    assert any(b["text"] == "✅ Новые поступления" for b in edited[0].buttons())
    async with running.db.transaction() as session:
        held = list(await session.scalars(select(Subscription.topic)))
    assert held == ["new_books"]


async def test_reader_registers_for_a_meetup_and_gets_the_files(running: RunningMaxBot) -> None:
    """The calendar file and the QR ticket travel through MAX's uploads."""
    event_id = await add_event(running.db, questions="[]")
    anna = await consented(running, 6001)
    await anna.send("📅 Мероприятия")
    await anna.click("1. Открытое общение")
    reply = await anna.click("Записаться")
    assert "Как вас зовут?" in reply.text
    await anna.send("Анна Петрова")
    await anna.click("Частное лицо")
    reply = await anna.send("8 (900) 123-45-67")
    assert "✅ Вы записаны!" in reply.text
    files = {kind: (name, data) for kind, name, data in reply.files}
    assert files["file"][1].startswith(b"BEGIN:VCALENDAR")
    assert files["image"][1].startswith(b"\x89PNG"), "the QR ticket is a picture"
    async with running.db.transaction() as session:
        row = await session.scalar(select(Registration))
    assert row is not None
    assert files["file"][0] == f"event-{event_id}-{row.id}.ics"


async def test_a_request_with_a_file_reaches_the_staff_chat(running: RunningMaxBot) -> None:
    """A reader's MAX file is kept by its MAX token (sendable again in MAX); the card goes
    to the Telegram staff chat."""
    anna = await consented(running, 601)
    await anna.send("💬 Консультация")
    reply = await anna.click("Бухгалтерия и налоги")
    assert "Опишите ваш вопрос" in reply.text
    await anna.send_file(name="устав.pdf")
    await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    await anna.click("Ответить здесь, в чате")
    reply = await anna.click("Вечером")
    assert "Обращение <b>№ 1</b> принято" in reply.text, "HTML kept"
    async with running.db.transaction() as session:
        request = await session.scalar(select(ConsultationRequest))
        files = list(
            await session.execute(
                select(
                    RequestEntry.file_platform, RequestEntry.file_name, RequestEntry.file_id
                ).where(RequestEntry.file_id.is_not(None))
            )
        )
    assert request is not None
    assert request.platform == "max"
    assert [(p, n) for p, n, _ in files] == [("max", "устав.pdf")]
    assert files[0][2].startswith("max-file:")
    staff_bot = create_bot(running.telegram.token, api_server=running.telegram.base_url)
    await drain_outbox(running.db, staff_bot, "telegram")
    cards = [c for c in running.telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]
    assert any(f"№ {request.id}" in c.text and "Анна Петрова" in c.text for c in cards)


async def test_an_event_photo_staff_sent_in_telegram_shows_in_max(running: RunningMaxBot) -> None:
    """The photo is a Telegram file id: fetched through the Bot API once, uploaded to MAX
    once, and shown by its MAX token after that."""
    running.telegram.files["tg-photo-1"] = b"\xff\xd8\xff\xe0 jpeg of the hall"
    await add_event(running.db, photo="tg-photo-1")
    anna = await consented(running, 6102)
    await anna.send("📅 Мероприятия")
    reply = await anna.click("1. Открытое общение")
    assert "Центральная библиотека, Зал 2" in reply.text
    assert [(kind, data) for kind, _, data in reply.files] == [
        ("image", b"\xff\xd8\xff\xe0 jpeg of the hall")
    ]
    await anna.send("📅 Мероприятия")
    await anna.click("1. Открытое общение")
    assert len(running.telegram.calls_of("getFile")) == 1
    assert len(running.server.calls_of("POST /uploads")) == 1, "uploaded to MAX once"


async def test_an_event_link_opens_the_event_in_max(running: RunningMaxBot) -> None:
    """`bot_started` with a deep-link payload is `/start <payload>`: the event's card."""
    event_id = await add_event(running.db)
    link = await start_link(running.bot, f"event_{event_id}")
    assert link == f"https://max.ru/{running.server.username}?start=event_{event_id}"
    anna = running.person(6101)
    await anna.start()  # a first contact: greeting and consent
    reply = await anna.open_link(link)
    assert "Открытое общение" in reply.text
    assert any("Записаться" in b for b in reply.buttons)


async def test_a_long_notice_arrives_whole_in_parts_with_its_button_last(
    running: RunningMaxBot,
) -> None:
    """MAX takes 4000 characters a message: a longer text is split at line breaks, and
    its button goes with the last part."""
    anna = await consented(running, 1401)
    person = await people.find(running.db, "max", "1401")
    assert person is not None
    lines = [f"{n}. Книга номер {n} — «Название, которое довольно длинное»" for n in range(120)]
    long = "\n".join(lines)
    assert 4000 < len(long) < 8000
    await outbox.enqueue(
        running.db,
        [
            Notice(
                platform="max",
                chat_id="1401",
                person_id=person.id,
                text=long,
                purpose="test",
                dedupe_key="max-notice-long",
                expires_at=utcnow() + timedelta(hours=1),
                buttons=[{"text": "В меню", "callback_data": Nav(to=Screen.MENU).pack()}],
            )
        ],
    )
    mark = len(running.server.calls)
    await deliver_max(running)
    parts = [c for c in running.server.calls[mark:] if c.route == "POST /messages"]
    assert len(parts) >= 2
    assert all(len(c.text) <= 4000 for c in parts)
    assert "\n".join(c.text for c in parts).split() == long.split(), "nothing lost"
    assert [bool(c.buttons()) for c in parts] == [False] * (len(parts) - 1) + [True]
    reply = await anna.click("В меню")
    assert "Чем могу помочь" in reply.text


async def test_forget_deletes_the_reader(running: RunningMaxBot) -> None:
    anna = await consented(running, 6501)
    await anna.send("🔔 Подписки")
    await anna.click("Новые поступления")
    await anna.send("/forget")
    reply = await anna.click("Да, удалить")
    assert "удалены" in reply.text
    assert await people.find(running.db, "max", "6501") is None
    async with running.db.transaction() as session:
        assert not list(await session.scalars(select(Subscription)))


async def test_a_reader_who_blocked_the_bot_is_unsubscribed(running: RunningMaxBot) -> None:
    """MAX answers 403 «chat.denied» for a reader who blocked the bot: the notice is not
    retried and the reader is marked as unreachable in MAX."""
    anna = await consented(running, 1501)
    person = await people.find(running.db, "max", "1501")
    assert person is not None
    running.server.blocked.add(1501)
    await outbox.enqueue(
        running.db,
        [
            Notice(
                platform="max",
                chat_id="1501",
                person_id=person.id,
                text="Напоминание",
                purpose="test",
                dedupe_key="max-notice-blocked",
                expires_at=utcnow() + timedelta(hours=1),
            )
        ],
    )
    await deliver_max(running)
    await deliver_max(running)
    tries = [c for c in running.server.sent_to(anna.user_id) if c.text == "Напоминание"]
    assert len(tries) == 1, "refused once, never tried again"
    async with running.db.transaction() as session:
        states = list(await session.scalars(select(OutboxMessage.status)))
    assert states == ["blocked"]


async def test_a_notice_whose_answer_was_lost_is_never_sent_twice(running: RunningMaxBot) -> None:
    """MAX took the message but its answer never came (a timeout): the outbox marks it
    «unknown» and does not send it again — a reader is not told twice."""
    anna = await consented(running, 1601)
    person = await people.find(running.db, "max", "1601")
    assert person is not None
    await outbox.enqueue(
        running.db,
        [
            Notice(
                platform="max",
                chat_id="1601",
                person_id=person.id,
                text="Книга ждёт вас",
                purpose="test",
                dedupe_key="max-notice-lost",
                expires_at=utcnow() + timedelta(hours=1),
            )
        ],
    )
    running.server.hang_next("POST /messages")
    impatient = running.config.max.model_copy(update={"timeout_seconds": 0.5})
    await drain_outbox(running.db, max_bot(impatient), "max")
    await deliver_max(running)
    tries = [c for c in running.server.sent_to(anna.user_id) if c.text == "Книга ждёт вас"]
    assert len(tries) == 1
    async with running.db.transaction() as session:
        states = list(await session.scalars(select(OutboxMessage.status)))
    assert states == ["unknown"]
