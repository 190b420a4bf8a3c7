"""The same stories as in Telegram, told in a VK community.

The real aiogram Dispatcher and handlers, fed by VK's Bots Long Poll through vk_api
and the fake VK API; the staff chat stays a Telegram group, reached through the fake
Bot API. Each story runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import seed_catalogue
from bot.kernel.config import Config
from bot.kernel.messengers import start_link
from bot.transports.telegram import create_bot
from bot.transports.vk.polling import vk_bot
from broadcasts.views.callbacks import Nav, Screen
from storage import outbox, people
from storage.circulation import library_today
from storage.circulation.local_import import import_holds, import_loans
from storage.consultations.models import ConsultationRequest, RequestEntry
from storage.events import registrations
from storage.events.models import Registration
from storage.models import Activity
from storage.outbox import Notice
from storage.subscriptions import Subscription
from storage.types import utcnow
from tests.conftest import STAFF_CHAT_ID, RunningVkBot, StartVkBot, make_config
from tests.harness import drain_outbox
from tests.test_events_bot import add_event
from tests.test_my_books import PIN, _d, local_config, write_exports
from tests.vk_harness import VkPerson


def uploaded_key(attachment: str) -> str:
    """`doc-777_5_key` → `doc-777_5`: an upload without its access key."""
    return "_".join(attachment.split("_")[:2])


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """These stories run at any hour: a seat offer made during the quiet hours would wait
    for the morning (tests/test_seat_offers_at_night.py covers that), so there are none."""
    return make_config(tmp_path, notifications={"quiet_hours": ""})


@pytest.fixture
async def community(start_vk_bot: StartVkBot) -> RunningVkBot:
    return await start_vk_bot()


async def consented(community: RunningVkBot, user_id: int, name: str = "Анна") -> VkPerson:
    reader = community.person(user_id, name)
    await reader.send("Начать", payload={"command": "start"})
    await reader.click("Согласен")
    return reader


async def test_start_greets_with_the_menu_keyboard_and_asks_consent(
    community: RunningVkBot,
) -> None:
    anna = community.person(501)
    reply = await anna.send("Начать", payload={"command": "start"})
    assert "Здравствуйте" in reply.text
    assert "<b>" not in reply.text, "VK shows no HTML: plain text"
    menus = [c.keyboard for c in reply.messages if c.keyboard and not c.keyboard.get("inline")]
    labels = [b["action"]["label"] for row in menus[0]["buttons"] for b in row]
    assert any("Найти книгу" in label for label in labels)
    assert "152-ФЗ" in reply.text
    reply = await anna.click("Согласен")
    answered = [c for c in reply.calls if c.method == "messages.sendMessageEventAnswer"]
    assert len(answered) == 1, "every press is answered, so VK stops the spinner"
    person = await people.find(community.db, "vk", "501")
    assert person is not None
    assert person.display_name == "Анна Петрова", "the name comes from users.get"
    reply = await anna.send("ℹ️ О библиотеке")
    assert "ул. Ленина, 1" in reply.text
    async with community.db.transaction() as session:
        platforms = set(await session.scalars(select(Activity.platform)))
    assert platforms == {"vk"}


async def test_reader_finds_a_book_and_asks_to_hold_it(community: RunningVkBot) -> None:
    await seed_catalogue(community.db)
    anna = await consented(community, 902)
    reply = await anna.send("есть ли Мастер и Маргарита?")
    assert "Нашлась 1 книга" in reply.text
    card = await anna.click("1. Мастер и Маргарита")
    assert "Центральная библиотека — 2 из 3 на полке" in card.text
    reply = await anna.click("Забронировать")
    assert "Где вам удобнее забрать «Мастер и Маргарита»?" in reply.text
    reply = await anna.click("Детская библиотека")
    assert "Заявку на бронь «Мастер и Маргарита» передали сотрудникам" in reply.text
    # The staff chat is a Telegram group: the card goes there, through Telegram's bot.
    telegram = create_bot(community.telegram.token, api_server=community.telegram.base_url)
    await drain_outbox(community.db, telegram, "telegram")
    to_staff = [c for c in community.telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]
    assert len(to_staff) == 1
    assert "Читатель: Анна Петрова (ВКонтакте), билет не привязан" in to_staff[0].text
    assert "Связь: через бота в ВКонтакте" in to_staff[0].text
    assert "vk:902" not in to_staff[0].text


async def test_reader_links_a_ticket_and_renews_a_book(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    config = local_config(tmp_path)
    community = await start_vk_bot(config)
    today = library_today(config)()
    loans, holds = write_exports(tmp_path, today)
    await import_loans(community.db, loans)
    await import_holds(community.db, holds)
    anna = await consented(community, 2001)
    await anna.send("📚 Мои книги")
    await anna.send("1001")
    reply = await anna.send(PIN)
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert PIN not in reply.text
    old_button = next(
        b for c in reply.messages for b in c.buttons() if "Мастер и Маргарита" in b["label"]
    )
    reply = await anna.click("Продлить: Мастер и Маргарита")
    new_due = _d(today, 5 + 14)
    assert f"✅ «Мастер и Маргарита» — продлено до {new_due}" in reply.text
    assert "продлений: 1 / 2" in reply.text
    # The same (now old) button pressed again: recognised, not renewed a second time.
    reply = await anna.press(json.loads(old_button["payload"])["c"])
    assert reply.alerts == [f"Уже продлено: «Мастер и Маргарита» — до {new_due}."]


async def test_reader_registers_for_a_meetup_and_gets_the_files(community: RunningVkBot) -> None:
    event_id = await add_event(community.db, questions="[]")
    anna = await consented(community, 6001)
    reply = await anna.send("📅 Мероприятия")
    assert "Открытое общение · свободно 65 из 65" in reply.text
    await anna.click("1. Открытое общение")
    reply = await anna.click("Записаться")
    assert "Как вас зовут?" in reply.text
    await anna.send("Анна Петрова")
    await anna.click("Частное лицо")
    reply = await anna.send("8 (900) 123-45-67")
    assert "✅ Вы записаны!" in reply.text
    uploaded = {
        a.split("_")[0][:3]: community.server.uploads[uploaded_key(a)] for a in reply.attachments
    }
    assert uploaded["doc"][1].startswith(b"BEGIN:VCALENDAR")
    assert uploaded["pho"][1].startswith(b"\x89PNG"), "the QR ticket is a picture"
    async with community.db.transaction() as session:
        row = await session.scalar(select(Registration))
    assert row is not None
    assert uploaded["doc"][0] == f"event-{event_id}-{row.id}.ics"  # one name per registration
    assert row.contact == "+79001234567"


async def test_request_with_a_file_reaches_the_staff_chat(community: RunningVkBot) -> None:
    anna = await consented(community, 601)
    await anna.send("Консультация")
    reply = await anna.click("Бухгалтерия и налоги")
    assert "Опишите ваш вопрос" in reply.text
    await anna.send_file(name="устав.pdf")
    reply = await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    await anna.click("Ответить здесь, в чате")
    reply = await anna.click("Вечером")
    assert "Обращение №" in reply.text
    async with community.db.transaction() as session:
        request = await session.scalar(select(ConsultationRequest))
        files = list(
            await session.execute(
                select(
                    RequestEntry.file_platform, RequestEntry.file_name, RequestEntry.file_id
                ).where(RequestEntry.file_id.is_not(None))
            )
        )
    assert request is not None
    assert request.platform == "vk"
    assert [(p, n) for p, n, _ in files] == [("vk", "устав.pdf")]
    assert files[0][2].startswith("doc601_"), "the reader's own VK document, sendable by id"
    # The card reaches the staff chat in Telegram through Telegram's sender.
    staff_bot = create_bot(community.telegram.token, api_server=community.telegram.base_url)
    await drain_outbox(community.db, staff_bot, "telegram")
    cards = [c for c in community.telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]
    assert any(f"№ {request.id}" in c.text and "Анна Петрова" in c.text for c in cards)


async def test_reader_subscribes_with_one_tap(community: RunningVkBot) -> None:
    anna = community.person(1101)
    reply = await anna.send("🔔 Подписки")
    assert "Выберите, о чём вам сообщать" in reply.text
    reply = await anna.click("Новые поступления")
    assert reply.alerts == ["Подписка оформлена: Новые поступления"]
    edited = [c for c in reply.calls if c.method == "messages.edit"]
    assert any(b.get("label") == "✅ Новые поступления" for b in edited[0].buttons())
    person = await people.find(community.db, "vk", "1101")
    assert person is not None
    async with community.db.transaction() as session:
        held = list(await session.scalars(select(Subscription.topic)))
    assert held == ["new_books"]


async def test_forged_button_data_is_answered_politely(community: RunningVkBot) -> None:
    anna = await consented(community, 1201)
    reply = await anna.press("ev:reg:999999")
    assert len([c for c in reply.calls if c.method == "messages.sendMessageEventAnswer"]) == 1
    reply = await anna.press("nonsense")
    assert len([c for c in reply.calls if c.method == "messages.sendMessageEventAnswer"]) == 1


async def test_staff_in_vk_get_the_report_as_a_file(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    """An admin who works in VK: «Для сотрудников» → «Отчёт» → an XLSX through VK's upload."""
    config = make_config(tmp_path, staff={"admins": ["vk:900001"], "chat_id": STAFF_CHAT_ID})
    community = await start_vk_bot(config)
    maria = community.person(900001, "Мария")
    reply = await maria.send("Начать", payload={"command": "start"})
    assert any("Для сотрудников" in b for b in reply.buttons)
    await maria.send("🛠 Для сотрудников")
    await maria.click("Отчёт")
    reply = await maria.click("Этот месяц")
    [attachment] = reply.attachments
    name, data = community.server.uploads[uploaded_key(attachment)]
    assert name.endswith(".xlsx")
    assert data.startswith(b"PK"), "a real spreadsheet (a zip)"
    # A reader pressing the same button's data is refused on the server.
    reader = await consented(community, 1301)
    reply = await reader.press(json.loads(_button(maria, "Этот месяц")["payload"])["c"])
    assert not reply.attachments


async def test_a_personal_notice_with_a_button_reaches_vk_through_the_outbox(
    community: RunningVkBot,
) -> None:
    """Reminders and answers are outbox notices: VK's sender delivers them with their
    callback buttons, and the press is handled like any other."""
    anna = await consented(community, 1401)
    person = await people.find(community.db, "vk", "1401")
    assert person is not None
    await outbox.enqueue(
        community.db,
        [
            Notice(
                platform="vk",
                chat_id="1401",
                person_id=person.id,
                text="<b>Напоминание</b>: встреча завтра",
                purpose="test",
                dedupe_key="vk-notice-1",
                expires_at=utcnow() + timedelta(hours=1),
                buttons=[{"text": "В меню", "callback_data": Nav(to=Screen.MENU).pack()}],
            )
        ],
    )
    await deliver_vk(community)
    assert anna.shown()[0]["text"] == "Напоминание: встреча завтра"
    reply = await anna.click("В меню")
    assert "Чем могу помочь" in reply.text


def _button(person: VkPerson, label: str) -> dict[str, str]:
    for message in person.shown():
        for row in (message.get("keyboard") or {}).get("buttons") or []:
            for button in row:
                if label in button["action"].get("label", ""):
                    return button["action"]
    raise AssertionError(label)


async def test_an_event_photo_staff_sent_in_telegram_shows_in_vk(community: RunningVkBot) -> None:
    """The photo is a Telegram file id: fetched through the Bot API once, uploaded to VK."""
    community.telegram.files["tg-photo-1"] = b"\xff\xd8\xff\xe0 jpeg of the hall"
    await add_event(community.db, photo="tg-photo-1")
    anna = await consented(community, 6101)
    await anna.send("📅 Мероприятия")
    reply = await anna.click("1. Открытое общение")
    assert "📍 Центральная библиотека, Зал 2" in reply.text
    [photo] = reply.attachments
    assert community.server.uploads[uploaded_key(photo)][1] == b"\xff\xd8\xff\xe0 jpeg of the hall"
    await anna.send("📅 Мероприятия")
    await anna.click("1. Открытое общение")
    assert len(community.telegram.calls_of("getFile")) == 1, "uploaded to VK once"


async def test_a_ticket_issued_in_vk_is_scanned_by_staff_in_vk(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    """The QR holds a vk.me link with the ticket as `ref`; VK staff open it and the bot
    marks attendance (a reader opening it only learns it is a ticket)."""
    config = make_config(tmp_path, staff={"admins": ["vk:900001"], "chat_id": STAFF_CHAT_ID})
    community = await start_vk_bot(config)
    event_id = await add_event(community.db)
    anna = await consented(community, 6201)
    person = await people.find(community.db, "vk", "6201")
    assert person is not None
    result = await registrations.register(community.db, event_id, person.id, name="Анна Петрова")
    assert isinstance(result, registrations.Registered)
    bot = vk_bot(community.config.vk)
    link = await start_link(bot, f"ticket_{result.place.ticket}")
    await bot.session.close()
    assert link == f"https://vk.me/club777?ref=ticket_{result.place.ticket}"
    reply = await anna.open_link(link)
    assert "Это билет участника" in reply.text
    maria = community.person(900001, "Мария")
    reply = await maria.open_link(link)
    assert "✅ Анна Петрова отмечен(а) на «Открытое общение»." in reply.text


async def deliver_vk(community: RunningVkBot) -> None:
    """What the VK sender of `libbot run` does: the outbox rows for VK go out."""
    await drain_outbox(community.db, vk_bot(community.config.vk), "vk")


async def test_waitlist_cancel_and_the_offered_seat_taken_in_vk(community: RunningVkBot) -> None:
    event_id = await add_event(community.db, seats=1, ask_organisation=False, ask_contact=False)
    anna = await consented(community, 6301, "Анна")
    boris = await consented(community, 6302, "Борис")
    for reader, name in ((anna, "Анна Петрова"), (boris, "Борис Сидоров")):
        await reader.send(f"/start event_{event_id}")
        await reader.click("Записаться" if reader is anna else "лист ожидания")
        reply = await reader.send(name)
    assert "вы в листе ожидания: 1-й" in reply.text
    await anna.send("📅 Мероприятия")
    await anna.click("Мои записи")
    await anna.click("Открытое общение")
    await anna.click("Отменить запись")
    reply = await anna.click("Да, отменить")
    assert "Запись отменена" in reply.text
    await deliver_vk(community)
    offer = boris.shown()[0]
    assert "Освободилось место на «Открытое общение»" in offer["text"]
    reply = await boris.click("Приду")
    assert "✅ Вы записаны!" in reply.text
    async with community.db.transaction() as session:
        statuses = sorted(r.status for r in await session.scalars(select(Registration)))
    assert statuses == ["cancelled", "confirmed"]


async def test_more_results_edit_the_list_in_place(community: RunningVkBot) -> None:
    await seed_catalogue(community.db)
    anna = community.person(6401)
    reply = await anna.send("роман")
    assert "Первые 5" in reply.text
    page = await anna.click("Ещё")
    assert "Ещё по запросу «роман» (6–10 из" in page.text
    assert "6. " in page.text


async def test_stop_language_and_forget_in_vk(community: RunningVkBot) -> None:
    anna = await consented(community, 6501)
    await anna.send("Подписки")
    await anna.click("Новые поступления")
    reply = await anna.send("/stop")
    assert "Вы отписаны от всех рассылок" in reply.text
    reply = await anna.click("Неинтересно")
    assert "Спасибо, учтём" in reply.text
    await anna.send("/language")
    reply = await anna.click("English")
    assert "Language: English" in reply.text
    menus = [c.keyboard for c in reply.messages if c.keyboard and not c.keyboard.get("inline")]
    assert any("Find a book" in b["action"]["label"] for row in menus[-1]["buttons"] for b in row)
    await anna.send("/forget")
    reply = await anna.click("Yes, delete")
    assert "your data is deleted" in reply.text
    assert await people.find(community.db, "vk", "6501") is None


VK_STAFF_CHAT = 2_000_000_001


async def test_a_vk_only_library_works_requests_in_a_vk_staff_chat(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    """`[staff] chat_messenger = "vk"`: the request's card goes to a VK group chat, and an
    admin takes it there with the card's button; the card changes for everyone."""
    config = make_config(
        tmp_path,
        staff={"admins": ["vk:900001"], "chat_id": VK_STAFF_CHAT, "chat_messenger": "vk"},
    )
    community = await start_vk_bot(config)
    anna = await consented(community, 6601)
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    await anna.click("Ответить здесь, в чате")
    await anna.click("Вечером")
    await deliver_vk(community)
    maria = community.person(900001, "Мария")
    await maria.send("Начать", payload={"command": "start"})
    [card] = maria.shown(VK_STAFF_CHAT)
    assert "Новое обращение" in card["text"]
    assert "Анна Петрова" in card["text"]
    reply = await maria.click("Взять", in_chat=VK_STAFF_CHAT)
    assert any("теперь ваше" in alert for alert in reply.alerts)
    edited = [c for c in reply.calls if c.method == "messages.edit"]
    assert edited
    assert edited[0].params["peer_id"] == str(VK_STAFF_CHAT)
    assert "в работе" in maria.shown(VK_STAFF_CHAT)[0]["text"]
    assert not community.telegram.calls_of("sendMessage"), "nothing went to Telegram"
