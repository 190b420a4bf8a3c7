"""«Спросить библиотекаря» (#20): a reader's typed question the bot cannot answer becomes a
card in the staff chat; a librarian answers by replying to the card there; the answer reaches
the reader in their messenger; what the reader writes next joins the same card; «Вопрос
решён» ends it with a rating. Outside working hours the reader is told when to expect an
answer, an unanswered question reminds the staff chat once, a good answer becomes a library
FAQ entry in one tap, and /forget takes the reader's questions along. In Telegram and VK, on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiogram.types import User
from sqlalchemy import select

from bot.kernel.config import LIBRARIAN_TOPIC, WEEKDAYS, Config
from bot.kernel.i18n import Locales
from bot.transports.vk.polling import vk_bot
from bot.transports.vk.updates import SentMessages, UpdateFactory
from broadcasts.consultation_notices import librarian_due, sweep_unclaimed
from broadcasts.views.callbacks import CatalogueCb, FrontAction, FrontCb
from storage import outbox
from storage.consultations import requests as desk
from storage.consultations.entries import entries
from storage.consultations.models import ConsultationRequest, EntryKind, RequestStatus
from storage.consultations.register import build_register
from storage.consultations.requests import ERASED
from storage.faq.models import LibraryFaqEntry
from storage.models import Activity, ActivityKind
from storage.outbox import OutboxMessage
from tests.conftest import (
    ADMIN_ID,
    STAFF_CHAT_ID,
    RunningBot,
    RunningVkBot,
    StartBot,
    StartVkBot,
    make_config,
)
from tests.fakes.telegram_api import Call
from tests.harness import Person, Reply, drain_outbox
from tests.test_consultations_bot import last_to
from tests.test_events_bot import deliver
from tests.test_my_books import consented
from tests.vk_harness import VkPerson, VkReply

QUESTION = "Почему в холле на втором этаже так холодно?"
ANSWER = "Там меняют окна: до пятницы лучше заниматься в читальном зале на первом."
VK_STAFF_CHAT = 2_000_000_001
VK_ADMIN = 900001
ALL_DAY = {day: "00:00-23:59" for day in WEEKDAYS}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Notices at any hour; the library answers questions round the clock (so no story
    depends on when the tests run, but the one about closed hours)."""
    return make_config(
        tmp_path, notifications={"quiet_hours": ""}, consultations={"hours": ALL_DAY}
    )


def asked_id(reply: Reply | VkReply) -> int:
    """The id under which the bot remembered a typed message (its answer's buttons carry it)."""
    found = [*_callback_data(reply)]
    for data in found:
        if data.startswith(f"{FrontCb.__prefix__}:"):
            pressed = FrontCb.unpack(data)
            if pressed.action is FrontAction.ASK:
                return pressed.query_id
    for data in found:
        if data.startswith(f"{CatalogueCb.__prefix__}:"):
            return CatalogueCb.unpack(data).query_id
    raise AssertionError(f"no remembered question in {found}")


def _callback_data(reply: Reply | VkReply) -> list[str]:
    if isinstance(reply, Reply):
        return [
            b["callback_data"] for c in reply.messages for b in c.buttons() if "callback_data" in b
        ]
    return [
        json.loads(b["payload"])["c"]
        for c in reply.messages
        for b in c.buttons()
        if b.get("type") == "callback"
    ]


def ask_button(query_id: int) -> str:
    return FrontCb(action=FrontAction.ASK, query_id=query_id).pack()


async def ask_librarian(reader: Person, text: str = QUESTION) -> Reply:
    """The reader types what the bot cannot answer and presses «Спросить библиотекаря»."""
    typed = await reader.send(text)
    return await reader.press(ask_button(asked_id(typed)))


async def only_request(bot: RunningBot | RunningVkBot) -> ConsultationRequest:
    async with bot.db.transaction() as session:
        [request] = list(await session.scalars(select(ConsultationRequest)))
        session.expunge(request)
    return request


async def thread_rows(bot: RunningBot | RunningVkBot, number: int) -> list[OutboxMessage]:
    async with bot.db.transaction() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.thread == outbox.request_thread(number))
                .order_by(OutboxMessage.id)
            )
        )
        for row in rows:
            session.expunge(row)
    return rows


async def logged(bot: RunningBot | RunningVkBot) -> list[Activity]:
    async with bot.db.transaction() as session:
        rows = list(
            await session.scalars(
                select(Activity)
                .where(Activity.kind == ActivityKind.LIBRARIAN_QUESTION)
                .order_by(Activity.id)
            )
        )
        for row in rows:
            session.expunge(row)
    return rows


# --- the whole conversation in Telegram ---------------------------------------------------


async def test_a_question_goes_to_the_staff_chat_and_the_answer_comes_back(
    bot: RunningBot,
) -> None:
    anna = await consented(bot, 7101, "Анна")
    typed = await anna.send(QUESTION)
    reply = await anna.press(ask_button(asked_id(typed)))
    assert "передан библиотекарю" in reply.text
    again = await anna.press(ask_button(asked_id(typed)))  # a second tap sends nothing twice
    assert "уже передан" in again.text
    assert "Ответ придёт сюда" in reply.text
    assert "просто напишите" in reply.text
    assert "Сейчас мы не работаем" not in reply.text
    request = await only_request(bot)
    number = request.id
    assert request.topic == LIBRARIAN_TOPIC.id
    assert request.question == QUESTION
    assert request.requester_name == "Анна"  # her messenger name, given with her consent
    assert request.contact is None  # the answer comes in the messenger
    assert f"№ {number}" in reply.text

    # The staff chat gets the card, and says how to answer it.
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    assert QUESTION in card.text
    assert "reply" in card.text
    assert "//" in card.text  # how to leave a note for colleagues instead
    assert any("Ответить" in b["text"] for b in card.buttons())

    # Мария replies to the card in the staff chat: the answer goes to Анна.
    maria = bot.admin()
    said = await maria.send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=card)
    [sent] = said.to_chat(STAFF_CHAT_ID)
    assert "Ответ отправлен" in sent.text
    assert sent.reply_to is not None  # under Мария's message
    assert any("В частые вопросы" in b["text"] for b in sent.buttons())
    await deliver(bot)
    answer = last_to(bot, 7101, "Ответ библиотекаря")
    assert ANSWER in answer.text
    assert "просто напишите" in answer.text
    labels = [b["text"] for b in answer.buttons()]
    assert any("Вопрос решён" in label for label in labels)
    assert any("В меню" in label for label in labels)

    # Анна writes again: it joins her question, under the same card in the staff chat.
    reply = await anna.send("А батареи там тоже меняют?")
    assert f"Добавлено к вопросу № {number}" in reply.text
    assert any("Вопрос решён" in label for label in reply.buttons)
    await deliver(bot)
    added = last_to(bot, STAFF_CHAT_ID, "дополнил")
    assert "батареи" in added.text
    notices = [r for r in await thread_rows(bot, number) if r.purpose != "thread_echo"]
    assert [r.purpose for r in notices] == ["request_new", "request_news"]

    # Мария replies to the addition: the same request is answered again.
    said = await maria.send_in_chat(
        STAFF_CHAT_ID, "Да, к понедельнику будет тепло.", reply_to=added
    )
    assert "Ответ отправлен" in said.text
    await deliver(bot)
    second = last_to(bot, 7101, "будет тепло")
    assert "Ответ библиотекаря" in second.text

    # Анна says it is solved and rates the answer.
    reply = await anna.press_on(second, "Вопрос решён")
    assert "Оцените" in reply.text
    reply = await anna.click("5")
    assert "Спасибо за оценку 5" in reply.text
    closed = await desk.get(bot.db, number)
    assert closed is not None
    assert closed.status is RequestStatus.RESOLVED
    assert closed.rating == 5
    assert closed.responsible_name == "Мария Ивановна"
    await deliver(bot)
    assert "решён" in last_to(bot, STAFF_CHAT_ID, "подтвердил").text

    # The thread holds it all; what she typed after the rating is a comment, not a question.
    thread = await entries(bot.db, number, for_requester=False)
    texts = [e.text for e in thread if e.kind in (EntryKind.ANSWER, EntryKind.DETAILS)]
    assert texts == [
        ANSWER,
        "А батареи там тоже меняют?",
        "Да, к понедельнику будет тепло.",
    ]

    # Every question, addition and answer is a «справка» in the work sheet.
    rows = await logged(bot)
    question = next(r for r in rows if r.status == "received")
    assert QUESTION in (question.content or "")
    assert any(r.status == "details added" for r in rows)
    answers = [r for r in rows if r.notes in (ANSWER, "Да, к понедельнику будет тепло.")]
    assert len(answers) == 2
    assert {r.executor for r in answers} == {"Мария Ивановна"}
    assert {r.responsible for r in answers} == {"Мария Ивановна"}

    # And the register lists the question as it lists consultation requests.
    register = await build_register(
        bot.db, bot.config.library.zone, topic_names={LIBRARIAN_TOPIC.id: LIBRARIAN_TOPIC.name}
    )
    [line] = register.rows
    assert line[0] == number
    assert line[2] == "Вопрос библиотекарю"
    assert QUESTION in str(line[3])
    assert "решена" in str(line[6])
    assert line[8] == 5


async def test_the_answer_comes_with_the_card_a_librarian_replies_to(bot: RunningBot) -> None:
    """Messages after the card in the staff chat (the reader's additions) are replies to
    it, so the chat shows the conversation under the card."""
    anna = await consented(bot, 7102, "Анна")
    await ask_librarian(anna)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    await anna.send("И ещё: в детском отделе тоже дует.")
    await deliver(bot)
    added = last_to(bot, STAFF_CHAT_ID, "дополнил")
    assert added.reply_to == card.message_id


async def test_a_question_waits_for_consent_and_is_not_kept_before(start_bot: StartBot) -> None:
    bot = await start_bot()
    boris = bot.person(7103, "Борис")
    await boris.send("/start")
    reply = await ask_librarian(boris, "Почему у входа нет пандуса для коляски?")
    assert "согласие" in reply.text
    assert any("Согласен" in label for label in reply.buttons)
    async with bot.db.transaction() as session:
        assert await session.scalar(select(ConsultationRequest)) is None
    reply = await boris.click("Согласен")
    assert "Согласие записано" in reply.text
    assert "передан библиотекарю" in reply.text
    request = await only_request(bot)
    assert request.question == "Почему у входа нет пандуса для коляски?"
    assert request.requester_name == "Борис"
    assert any(r.status == "received" for r in await logged(bot))
    async with bot.db.transaction() as session:
        kinds = list(await session.scalars(select(Activity.kind)))
    assert ActivityKind.CONSENT in kinds  # the consent is recorded as ever


async def test_refusing_consent_sends_nothing_and_says_how_else(start_bot: StartBot) -> None:
    bot = await start_bot()
    vera = bot.person(7104, "Вера")
    await vera.send("/start")
    await ask_librarian(vera, "Кто рисовал плакаты на втором этаже?")
    reply = await vera.click("Не сейчас")
    assert "вопрос не передан" in reply.text
    assert "+7 (495) 000-00-00" in reply.text
    async with bot.db.transaction() as session:
        assert await session.scalar(select(ConsultationRequest)) is None


async def test_outside_working_hours_the_reader_is_told_when(
    start_bot: StartBot, tmp_path: Path
) -> None:
    tomorrow = datetime.now(UTC).astimezone(make_config(tmp_path).library.zone) + timedelta(days=1)
    open_day = WEEKDAYS[tomorrow.weekday()]
    config = make_config(
        tmp_path,
        notifications={"quiet_hours": ""},
        consultations={"hours": {d: "closed" for d in WEEKDAYS} | {open_day: "09:00-18:00"}},
    )
    bot = await start_bot(config)
    anna = await consented(bot, 7105, "Анна")
    reply = await ask_librarian(anna)
    assert "передан библиотекарю" in reply.text
    assert "Сейчас мы не работаем; ответим после 09:00 завтра." in reply.text


async def test_ask_command_a_typed_label_and_a_forgotten_button(bot: RunningBot) -> None:
    anna = await consented(bot, 7106, "Анна")
    reply = await anna.send("/ask")
    assert "Напишите ваш вопрос" in reply.text
    reply = await anna.send("Почему закрыт буфет на третьем этаже?")
    assert "передан библиотекарю" in reply.text

    reply = await anna.send("спросить библиотекаря")
    assert "Напишите ваш вопрос" in reply.text
    reply = await anna.send("🙂")
    assert "несколькими словами" in reply.text
    reply = await anna.click("Не спрашивать")
    assert "Напишите ваш вопрос" not in reply.text

    reply = await anna.press(ask_button(999))
    assert "Напишите вопрос ещё раз" in reply.text
    reply = await anna.send("Кто ведёт кружок оригами по субботам?")
    assert "передан библиотекарю" in reply.text
    async with bot.db.transaction() as session:
        asked = set(await session.scalars(select(ConsultationRequest.question)))
    assert asked == {
        "Почему закрыт буфет на третьем этаже?",
        "Кто ведёт кружок оригами по субботам?",
    }


async def test_switched_off_the_press_gives_the_phone(start_bot: StartBot, tmp_path: Path) -> None:
    bot = await start_bot(make_config(tmp_path, librarian={"enabled": False}))
    anna = await consented(bot, 7107, "Анна")
    reply = await ask_librarian(anna)
    assert "не принимаются" in reply.text
    assert "+7 (495) 000-00-00" in reply.text
    reply = await anna.send("/ask")
    assert "+7 (495) 000-00-00" in reply.text
    async with bot.db.transaction() as session:
        assert await session.scalar(select(ConsultationRequest)) is None


async def test_an_unanswered_question_reminds_the_staff_chat_once(bot: RunningBot) -> None:
    anna = await consented(bot, 7108, "Анна")
    await ask_librarian(anna)
    boris = await consented(bot, 7118, "Борис")
    await ask_librarian(boris, "Кто дежурит у гардероба по вечерам?")
    first, second = sorted(await desk.open_requests(bot.db), key=lambda r: r.id)
    maria = bot.admin()
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "гардероба")
    await maria.send_in_chat(STAFF_CHAT_ID, "Вечером дежурит охрана.", reply_to=card)

    due = librarian_due(bot.config, first.received_at)  # an hour of working time later
    assert due is not None
    locales = Locales()
    assert await sweep_unclaimed(bot.db, locales, bot.config, now=due - timedelta(seconds=1)) == 0
    assert await sweep_unclaimed(bot.db, locales, bot.config, now=due + timedelta(minutes=1)) == 1
    # Once only; and Борис's question, answered, never.
    assert await sweep_unclaimed(bot.db, locales, bot.config, now=due + timedelta(days=3)) == 0
    await deliver(bot)
    reminder = last_to(bot, STAFF_CHAT_ID, "нет ответа")
    assert f"№ {first.id}" in reminder.text
    # It is a line of the question's thread: replying to it answers the question.
    said = await maria.send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=reminder)
    assert "Ответ отправлен" in said.text
    answered = await desk.get(bot.db, first.id)
    assert answered is not None
    assert answered.status is RequestStatus.AWAITING
    reminders = [c.text for c in bot.server.calls_of("sendMessage") if "нет ответа" in c.text]
    assert not [text for text in reminders if f"№ {second.id} " in text]


async def test_reminders_count_working_minutes(tmp_path: Path) -> None:
    config = make_config(tmp_path)  # Mon–Fri 09:00–18:00 by default
    zone = config.library.zone
    friday_evening = datetime(2026, 12, 4, 17, 30, tzinfo=zone)
    due = librarian_due(config, friday_evening)
    assert due == datetime(2026, 12, 7, 9, 30, tzinfo=zone)
    never = make_config(tmp_path, librarian={"remind_after_minutes": 0})
    assert librarian_due(never, friday_evening) is None


PERSONAL = "Я Анна Петрова, билет 123456, потеряла книгу Пушкина — что мне делать?"
PERSONAL_ANSWER = "Анна Петрова, принесите такую же книгу или равноценную замену на абонемент."


async def answered_in_chat(bot: RunningBot, reader: Person, question: str, answer: str) -> Call:
    """The reader asks, Мария answers by replying to the card: her «✅ Ответ отправлен»."""
    await ask_librarian(reader, question)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    said = await bot.admin().send_in_chat(STAFF_CHAT_ID, answer, reply_to=card)
    [sent] = said.to_chat(STAFF_CHAT_ID)
    return sent


async def faq_rows(bot: RunningBot) -> list[LibraryFaqEntry]:
    async with bot.db.transaction() as session:
        rows = list(await session.scalars(select(LibraryFaqEntry)))
        for row in rows:
            session.expunge(row)
    return rows


async def test_an_answer_becomes_a_library_faq_entry_once_staff_take_the_reader_out(
    bot: RunningBot,
) -> None:
    """One tap publishes nothing: the entry is written in Мария's private chat with the
    bot, from the reader's question and the answer, with names and ticket numbers out."""
    anna = await consented(bot, 7109, "Анна")
    maria = bot.admin()
    await maria.send("/start")
    sent = await answered_in_chat(bot, anna, PERSONAL, PERSONAL_ANSWER)
    number = (await only_request(bot)).id

    reply = await maria.press_on(sent, "В частые вопросы")
    assert any("личном чате" in alert for alert in reply.alerts)
    assert not reply.to_chat(STAFF_CHAT_ID)  # nothing said to the whole chat
    assert not await faq_rows(bot)  # nothing saved yet
    [asked] = reply.to_chat(ADMIN_ID)  # her private chat: the question, as the reader put it
    assert PERSONAL in asked.text
    assert "Уберите имена, номера билетов" in asked.text
    assert "шаг 1 из 3" in asked.text
    assert any("Оставить как есть" in b["text"] for b in asked.buttons())

    reply = await maria.send("Я потеряла библиотечную книгу — что делать?")
    assert "Шаг 2 из 3" in reply.text
    reply = await maria.send("потеряла книгу\nкнига пропала")
    assert "Шаг 3 из 3" in reply.text
    assert PERSONAL_ANSWER in reply.text  # the answer she gave, offered
    assert "Оставить как есть" in " ".join(reply.buttons)
    reply = await maria.send("Принесите такую же книгу или равноценную замену на абонемент.")
    assert "Вопрос добавлен" in reply.text
    [entry] = await faq_rows(bot)
    assert entry.question == "Я потеряла библиотечную книгу — что делать?"
    assert entry.phrasings == "потеряла книгу\nкнига пропала"
    assert entry.answer.startswith("Принесите такую же книгу")
    assert entry.source_person_id is None  # rewritten: the question is not the reader's
    assert entry.updated_by == "Мария Ивановна"
    # The request's thread says so, for staff only.
    thread = await entries(bot.db, number, for_requester=False)
    assert [e.text for e in thread if e.kind is EntryKind.NOTE] == ["➕ Добавлено в частые вопросы"]
    mine = await entries(bot.db, number, for_requester=True)
    assert not [e for e in mine if e.kind is EntryKind.NOTE]

    reply = await maria.press_on(sent, "В частые вопросы")  # a second tap adds nothing
    assert any("уже добавлен" in alert for alert in reply.alerts)
    assert not reply.to_chat(ADMIN_ID)
    anna_presses = await anna.press_on(sent, "В частые вопросы")  # a reader: refused
    assert any("только для сотрудников" in alert for alert in anna_presses.alerts)

    # Another reader now gets the answer from the bot, and nothing of Анна's.
    boris = await consented(bot, 7119, "Борис")
    reply = await boris.send("Я потеряла библиотечную книгу, что делать?")
    assert "равноценную замену" in reply.text
    assert "Петрова" not in reply.text
    assert "123456" not in reply.text


async def test_kept_as_the_reader_wrote_it_the_entry_goes_with_their_forget(
    bot: RunningBot,
) -> None:
    anna = await consented(bot, 7120, "Анна")
    maria = bot.admin()
    await maria.send("/start")
    sent = await answered_in_chat(bot, anna, QUESTION, ANSWER)
    await maria.press_on(sent, "В частые вопросы")
    reply = await maria.click("Оставить как есть")
    assert "Шаг 2 из 3" in reply.text
    reply = await maria.click("Пропустить")
    assert "Шаг 3 из 3" in reply.text
    reply = await maria.click("Оставить как есть")
    assert "Вопрос добавлен" in reply.text
    [entry] = await faq_rows(bot)
    assert (entry.question, entry.answer) == (QUESTION, ANSWER)
    request = await only_request(bot)
    assert entry.source_person_id == request.person_id

    await anna.send("/forget")
    await anna.click("Да, удалить")
    assert not await faq_rows(bot)


async def test_a_question_already_in_the_faq_is_told_at_its_step(bot: RunningBot) -> None:
    anna = await consented(bot, 7121, "Анна")
    maria = bot.admin()
    await maria.send("/start")
    sent = await answered_in_chat(bot, anna, QUESTION, ANSWER)
    await maria.send("🛠 Для сотрудников")  # meanwhile, someone added it by hand
    await maria.click("❓ Частые вопросы")
    await maria.click("Добавить")
    await maria.send(QUESTION)
    await maria.click("Пропустить")
    await maria.send("Окна меняют до пятницы.")

    await maria.press_on(sent, "В частые вопросы")
    reply = await maria.click("Оставить как есть")
    assert "Такой вопрос уже есть" in reply.text
    reply = await maria.click("Отмена")
    assert "Ничего не изменено" in reply.text
    assert len(await faq_rows(bot)) == 1


async def test_staff_who_never_wrote_to_the_bot_are_asked_to_first(bot: RunningBot) -> None:
    anna = await consented(bot, 7122, "Анна")
    sent = await answered_in_chat(bot, anna, QUESTION, ANSWER)
    maria = bot.admin()
    bot.server.blocked.add(ADMIN_ID)  # the bot may not write to her privately
    reply = await maria.press_on(sent, "В частые вопросы")
    assert any("откройте чат с ботом" in alert for alert in reply.alerts)
    bot.server.blocked.discard(ADMIN_ID)
    reply = await maria.send(QUESTION)  # no form was begun: she asks like anyone
    assert "шаг" not in reply.text.lower()
    assert not await faq_rows(bot)


async def test_a_readers_forget_during_the_form_saves_nothing_of_theirs(bot: RunningBot) -> None:
    anna = await consented(bot, 7123, "Анна")
    maria = bot.admin()
    await maria.send("/start")
    sent = await answered_in_chat(bot, anna, PERSONAL, PERSONAL_ANSWER)
    await maria.press_on(sent, "В частые вопросы")
    await anna.send("/forget")
    await anna.click("Да, удалить")
    reply = await maria.click("Оставить как есть")
    assert any("удалил свои данные" in alert for alert in reply.alerts)
    reply = await maria.send("Что делать, если потерял книгу?")  # the form is over
    assert "Шаг 2" not in reply.text
    assert not await faq_rows(bot)


async def test_no_faq_entry_before_an_answer(bot: RunningBot) -> None:
    anna = await consented(bot, 7110, "Анна")
    await ask_librarian(anna)
    request = await only_request(bot)
    maria = bot.admin()
    await maria.send("/start")
    data = f"desk:tofaq:{request.id}:0"
    reply = await maria.press(data)
    assert any("ещё нет ответа" in alert for alert in reply.alerts)


async def test_only_staff_answer_from_the_staff_chat(bot: RunningBot) -> None:
    anna = await consented(bot, 7111, "Анна")
    await ask_librarian(anna)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    number = (await only_request(bot)).id

    # A reader who is in the chat (or anyone) replying changes nothing.
    boris = await consented(bot, 7112, "Борис")
    said = await boris.send_in_chat(STAFF_CHAT_ID, "Я тоже хочу знать!", reply_to=card)
    assert "только сотрудники" in said.text
    stranger = bot.person(7113, "Гость")
    said = await stranger.send_in_chat(STAFF_CHAT_ID, "Привет всем", reply_to=card)
    assert "только сотрудники" in said.text
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.NEW
    thread = await entries(bot.db, number, for_requester=False)
    assert not [e for e in thread if e.kind is EntryKind.ANSWER]

    # Chat talk that replies to nothing of the bot's, or to no request, is not answered.
    maria = bot.admin()
    said = await maria.send_in_chat(STAFF_CHAT_ID, "Коллеги, кто сегодня на абонементе?")
    assert not said.messages
    said = await maria.send_in_chat(STAFF_CHAT_ID, "Это не про вопрос", reply_to=999_999)
    assert not said.messages
    await deliver(bot)
    assert not [
        c
        for c in bot.server.calls_of("sendMessage")
        if c.chat_id == 7111 and "Ответ библиотекаря" in c.text
    ]


async def test_a_closed_question_is_not_answered(bot: RunningBot) -> None:
    anna = await consented(bot, 7114, "Анна")
    await ask_librarian(anna)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    maria = bot.admin()
    await maria.send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=card)
    await deliver(bot)
    reply = await anna.press_on(last_to(bot, 7114, "Ответ библиотекаря"), "Вопрос решён")
    assert "Оцените" in reply.text
    said = await maria.send_in_chat(STAFF_CHAT_ID, "И ещё одно…", reply_to=card)
    assert "уже закрыт" in said.text
    # What Анна writes now is not an addition to a closed question.
    reply = await anna.send("Спасибо!")
    assert "Добавлено к вопросу" not in reply.text


async def test_old_questions_do_not_take_new_messages(bot: RunningBot) -> None:
    anna = await consented(bot, 7115, "Анна")
    await ask_librarian(anna)
    number = (await only_request(bot)).id
    async with bot.db.transaction() as session:
        request = await session.get(ConsultationRequest, number)
        assert request is not None
        request.received_at -= timedelta(hours=bot.config.librarian.follow_up_hours + 1)
    reply = await anna.send("Мастер и Маргарита")
    assert "Добавлено к вопросу" not in reply.text


async def test_forget_erases_the_readers_questions(bot: RunningBot) -> None:
    anna = await consented(bot, 7116, "Анна")
    await ask_librarian(anna, "Кто нашёл мой шарф 7116-секрет?")
    await anna.send("Отдайте его, пожалуйста, моей дочке, её номер 8-900-716-16-16")
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    maria = bot.admin()
    await maria.send("/start")
    said = await maria.send_in_chat(
        STAFF_CHAT_ID, "Шарф 7116-секрет у гардеробщицы.", reply_to=card
    )
    await maria.press_on(said.to_chat(STAFF_CHAT_ID)[0], "В частые вопросы")
    await maria.click("Оставить как есть")
    await maria.click("Пропустить")
    await maria.click("Оставить как есть")
    assert len(await faq_rows(bot)) == 1
    await deliver(bot)

    await anna.send("/forget")
    await anna.click("Да, удалить")

    request = await only_request(bot)
    assert request.question == ERASED
    assert request.person_id is None
    assert request.requester_name is None
    thread = await entries(bot.db, request.id, for_requester=False)
    assert all(e.text is None for e in thread)
    async with bot.db.transaction() as session:
        texts = list(await session.scalars(select(OutboxMessage.text)))
        faq = list(await session.scalars(select(LibraryFaqEntry)))
        notes = list(await session.scalars(select(Activity.content)))
        answers = list(await session.scalars(select(Activity.notes)))
    for kept in (*texts, *notes, *answers):
        assert "7116-секрет" not in (kept or "")
        assert "716-16-16" not in (kept or "")
    assert not faq  # the FAQ entry made from her question went with her


async def test_consultation_topics_do_not_offer_the_librarian_topic(bot: RunningBot) -> None:
    anna = await consented(bot, 7117, "Анна")
    reply = await anna.send("Консультация")
    assert reply.buttons
    assert not any("библиотекарю" in label.lower() for label in reply.buttons)
    index = [t.id for t in bot.config.consultations.topics].index(LIBRARIAN_TOPIC.id)
    reply = await anna.press(f"rq:topic:0:{index}")  # a forged button: the topics again
    assert not any("библиотекарю" in label.lower() for label in reply.buttons)
    maria = bot.admin()
    await maria.send("/start")
    reply = await maria.press("desk:faq:0:0")
    assert reply.buttons
    assert not any("библиотекарю" in label.lower() for label in reply.buttons)


async def staff_chat_lines(bot: RunningBot) -> list[str]:
    await deliver(bot)
    return [c.text for c in bot.server.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]


async def test_with_a_question_open_the_bot_still_answers_what_it_can(bot: RunningBot) -> None:
    """Hours, a title, unsubscribing: the bot answers them itself while a question is open;
    only what is for the librarian joins the question."""
    anna = await consented(bot, 7124, "Анна")
    await ask_librarian(anna)
    number = (await only_request(bot)).id
    before = await staff_chat_lines(bot)

    reply = await anna.send("когда вы работаете в субботу?")
    assert "Центральная библиотека: 11:00–17:00" in reply.text
    assert "Добавлено к вопросу" not in reply.text
    reply = await anna.send("Мастер и Маргарита")
    assert "Добавлено к вопросу" not in reply.text
    reply = await anna.send("отписаться")
    assert "Отписаться от всего" in " ".join(reply.buttons)
    assert "Добавлено к вопросу" not in reply.text
    reply = await anna.send("👍")
    assert "Добавлено к вопросу" not in reply.text
    assert await staff_chat_lines(bot) == before  # the staff chat heard none of it
    thread = await entries(bot.db, number, for_requester=False)
    assert not [e for e in thread if e.kind is EntryKind.DETAILS]

    # What the bot has no answer for, and a word for the librarian, join the question.
    reply = await anna.send("А в читальном зале тоже меняют окна?")
    assert f"Добавлено к вопросу № {number}" in reply.text
    reply = await anna.send("Здравствуйте")
    assert f"Добавлено к вопросу № {number}" in reply.text
    lines = await staff_chat_lines(bot)
    assert any("читальном зале" in line for line in lines)


async def test_the_button_under_a_search_joins_the_open_question(bot: RunningBot) -> None:
    """A short line is searched in the catalogue even while a question is open; handed to
    the librarian with the button under the result, it joins that question."""
    anna = await consented(bot, 7131, "Анна")
    await ask_librarian(anna)
    number = (await only_request(bot)).id
    searched = await anna.send("И в гардеробе тоже холодно.")
    assert "Добавлено к вопросу" not in searched.text
    reply = await anna.press(ask_button(asked_id(searched)))
    assert f"Добавлено к вопросу № {number}" in reply.text
    again = await anna.press(ask_button(asked_id(searched)))
    assert "уже передан" in again.text
    async with bot.db.transaction() as session:
        assert len(list(await session.scalars(select(ConsultationRequest)))) == 1
    thread = await entries(bot.db, number, for_requester=False)
    assert [e.text for e in thread if e.kind is EntryKind.DETAILS] == [
        "И в гардеробе тоже холодно."
    ]
    lines = await staff_chat_lines(bot)
    assert len([line for line in lines if "гардеробе" in line]) == 1


async def test_thanks_after_an_answer_reach_the_librarian(bot: RunningBot) -> None:
    anna = await consented(bot, 7125, "Анна")
    await answered_in_chat(bot, anna, QUESTION, ANSWER)
    number = (await only_request(bot)).id
    reply = await anna.send("Спасибо большое!")
    assert "Передам библиотекарю" in reply.text
    assert any("Вопрос решён" in label for label in reply.buttons)
    await deliver(bot)
    thanks = last_to(bot, STAFF_CHAT_ID, "дополнил")
    assert "Спасибо большое!" in thanks.text
    assert f"№ {number}" in thanks.text


async def test_a_reply_beginning_with_slashes_is_a_note_for_colleagues(bot: RunningBot) -> None:
    anna = await consented(bot, 7126, "Анна")
    await ask_librarian(anna)
    number = (await only_request(bot)).id
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    assert "начните с //" in card.text.lower()
    maria = bot.admin()

    said = await maria.send_in_chat(STAFF_CHAT_ID, "// Коллеги, кто возьмёт?", reply_to=card)
    assert "🔒 Заметка, читатель её не видит" in said.text
    said_hash = await maria.send_in_chat(STAFF_CHAT_ID, "#Позвоню в хозчасть", reply_to=card)
    assert "🔒 Заметка" in said_hash.text
    empty = await maria.send_in_chat(STAFF_CHAT_ID, "//", reply_to=card)
    assert "после //" in empty.text
    await deliver(bot)
    assert not [
        c
        for c in bot.server.calls_of("sendMessage")
        if c.chat_id == 7126 and "Ответ библиотекаря" in c.text
    ]
    thread = await entries(bot.db, number, for_requester=False)
    notes = [e.text for e in thread if e.kind is EntryKind.NOTE]
    assert notes == ["Коллеги, кто возьмёт?", "Позвоню в хозчасть"]
    assert not [e for e in await entries(bot.db, number, for_requester=True) if e.text in notes]
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.NEW  # a note is not an answer

    # A reader in the chat cannot leave notes either.
    boris = await consented(bot, 7127, "Борис")
    said_boris = await boris.send_in_chat(STAFF_CHAT_ID, "// моя заметка", reply_to=card)
    assert "только сотрудники" in said_boris.text

    # Replying to the bot's «🔒 Заметка» is a reply in the same question's thread.
    [noted] = said.to_chat(STAFF_CHAT_ID)
    answered = await maria.send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=noted)
    assert "Ответ отправлен" in answered.text
    await deliver(bot)
    assert ANSWER in last_to(bot, 7126, "Ответ библиотекаря").text


async def test_replying_to_the_bots_acknowledgement_answers_again(bot: RunningBot) -> None:
    anna = await consented(bot, 7128, "Анна")
    sent = await answered_in_chat(bot, anna, QUESTION, ANSWER)
    number = (await only_request(bot)).id
    maria = bot.admin()
    said = await maria.send_in_chat(STAFF_CHAT_ID, "И тёплые пледы у дежурной.", reply_to=sent)
    assert f"Ответ отправлен (№ {number})" in said.text
    await deliver(bot)
    assert "тёплые пледы" in last_to(bot, 7128, "Ответ библиотекаря").text
    thread = await entries(bot.db, number, for_requester=False)
    assert [e.text for e in thread if e.kind is EntryKind.ANSWER] == [
        ANSWER,
        "И тёплые пледы у дежурной.",
    ]
    # The bot's own messages are kept in the thread as sent: no sender posts them again.
    echoes = [r for r in await thread_rows(bot, number) if r.purpose == "thread_echo"]
    assert len(echoes) == 2
    assert {r.status for r in echoes} == {"sent"}
    calls = len(bot.server.calls_of("sendMessage"))
    await deliver(bot)
    assert len(bot.server.calls_of("sendMessage")) == calls


async def test_the_answered_card_still_says_how_to_answer(bot: RunningBot) -> None:
    anna = await consented(bot, 7129, "Анна")
    await answered_in_chat(bot, anna, QUESTION, ANSWER)
    [edited] = [c for c in bot.server.calls_of("editMessageText") if c.chat_id == STAFF_CHAT_ID]
    assert "ответьте на это сообщение (reply)" in edited.text
    assert "//" in edited.text
    assert QUESTION in edited.text
    assert "Мария Ивановна" in edited.text  # whose it is now
    assert any("В частые вопросы" in b["text"] for b in edited.buttons())


async def test_a_note_may_follow_a_closed_question(bot: RunningBot) -> None:
    anna = await consented(bot, 7130, "Анна")
    await answered_in_chat(bot, anna, QUESTION, ANSWER)
    await deliver(bot)
    card = next(
        c
        for c in bot.server.calls_of("sendMessage")
        if c.chat_id == STAFF_CHAT_ID and "Вопрос библиотекарю" in c.text
    )
    await anna.press_on(last_to(bot, 7130, "Ответ библиотекаря"), "Вопрос решён")
    maria = bot.admin()
    said = await maria.send_in_chat(STAFF_CHAT_ID, "// Читательница довольна", reply_to=card)
    assert "🔒 Заметка" in said.text
    said = await maria.send_in_chat(STAFF_CHAT_ID, "Ещё одно…", reply_to=card)
    assert "уже закрыт" in said.text


# --- VK -----------------------------------------------------------------------------------


async def vk_consented(community: RunningVkBot, user_id: int, name: str = "Анна") -> VkPerson:
    reader = community.person(user_id, name)
    await reader.send("Начать", payload={"command": "start"})
    await reader.click("Согласен")
    return reader


async def vk_ask(reader: VkPerson, text: str = QUESTION) -> VkReply:
    typed = await reader.send(text)
    return await reader.press(ask_button(asked_id(typed)))


async def deliver_vk(community: RunningVkBot) -> None:
    await drain_outbox(community.db, vk_bot(community.config.vk), "vk")


async def test_a_reader_in_vk_gets_the_answer_from_the_telegram_staff_chat(
    start_bot: StartBot, start_vk_bot: StartVkBot, config: Config
) -> None:
    """The community's bot and the Telegram bot of the staff chat, one library."""
    staff_bot = await start_bot(config)
    community = await start_vk_bot(config)
    anna = await vk_consented(community, 7201)
    reply = await vk_ask(anna)
    assert "передан библиотекарю" in reply.text
    number = (await only_request(community)).id
    await deliver(staff_bot)
    card = last_to(staff_bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    maria = staff_bot.admin()
    said = await maria.send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=card)
    assert "Ответ отправлен" in said.text
    await deliver_vk(community)
    [shown] = [m for m in anna.shown() if "Ответ библиотекаря" in m["text"]]
    assert ANSWER in shown["text"]
    reply = await anna.send("А до какого числа будет холодно?")
    assert f"Добавлено к вопросу № {number}" in reply.text
    reply = await anna.click("Вопрос решён")
    assert "Оцените" in reply.text


def vk_staff_config(tmp_path: Path) -> Config:
    return make_config(
        tmp_path,
        notifications={"quiet_hours": ""},
        consultations={"hours": ALL_DAY},
        staff={"admins": [f"vk:{VK_ADMIN}"], "chat_id": VK_STAFF_CHAT, "chat_messenger": "vk"},
    )


@pytest.mark.parametrize("forwarded", [False, True], ids=["reply_message", "fwd_messages"])
async def test_a_vk_staff_chat_answers_by_replying_to_the_card(
    start_vk_bot: StartVkBot, tmp_path: Path, forwarded: bool
) -> None:
    community = await start_vk_bot(vk_staff_config(tmp_path))
    anna = await vk_consented(community, 7202)
    await vk_ask(anna)
    number = (await only_request(community)).id
    await deliver_vk(community)
    maria = community.person(VK_ADMIN, "Мария")
    [card] = maria.shown(VK_STAFF_CHAT)
    assert "Вопрос библиотекарю" in card["text"]

    said = await maria.send_in_chat(
        VK_STAFF_CHAT,
        f"[club{community.server.group_id}|Библиотека], {ANSWER}",
        reply_to=card["conversation_message_id"],
        forwarded=forwarded,
    )
    assert "Ответ отправлен" in said.text
    assert "что-то пошло не так" not in said.text
    await deliver_vk(community)
    [shown] = [m for m in anna.shown() if "Ответ библиотекаря" in m["text"]]
    assert ANSWER in shown["text"]
    assert "[club" not in shown["text"]  # the mention of the community is not the answer

    await anna.send("А где сейчас заниматься?")
    await deliver_vk(community)
    added = maria.shown(VK_STAFF_CHAT)[0]
    assert "заниматься" in added["text"]
    said = await maria.send_in_chat(
        VK_STAFF_CHAT, "В читальном зале.", reply_to=added["conversation_message_id"]
    )
    assert "Ответ отправлен" in said.text
    thread = await entries(community.db, number, for_requester=False)
    assert [e.text for e in thread if e.kind is EntryKind.ANSWER] == [ANSWER, "В читальном зале."]
    assert not community.telegram.calls_of("sendMessage"), "nothing went to Telegram"


async def test_additions_in_a_vk_staff_chat_come_under_the_card(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    community = await start_vk_bot(vk_staff_config(tmp_path))
    anna = await vk_consented(community, 7205)
    await vk_ask(anna)
    await deliver_vk(community)
    maria = community.person(VK_ADMIN, "Мария")
    [card] = maria.shown(VK_STAFF_CHAT)
    await anna.send("И в гардеробе тоже холодно, можно что-то сделать?")
    await deliver_vk(community)
    added = maria.shown(VK_STAFF_CHAT)[0]
    assert "гардеробе" in added["text"]
    assert added.get("reply_to") == card["conversation_message_id"]


async def test_a_vk_reader_replying_in_the_vk_staff_chat_changes_nothing(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    community = await start_vk_bot(vk_staff_config(tmp_path))
    anna = await vk_consented(community, 7203)
    await vk_ask(anna)
    await deliver_vk(community)
    boris = await vk_consented(community, 7204, "Борис")
    [card] = boris.shown(VK_STAFF_CHAT)
    said = await boris.send_in_chat(
        VK_STAFF_CHAT, "Отвечу за вас!", reply_to=card["conversation_message_id"]
    )
    assert "только сотрудники" in said.text
    request = await only_request(community)
    assert request.status == RequestStatus.NEW


async def test_in_vk_an_open_question_leaves_the_bots_answers_to_the_bot(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    community = await start_vk_bot(vk_staff_config(tmp_path))
    anna = await vk_consented(community, 7206)
    await vk_ask(anna)
    number = (await only_request(community)).id
    reply = await anna.send("когда вы работаете в субботу?")
    assert "Центральная библиотека: 11:00–17:00" in reply.text
    assert "Добавлено к вопросу" not in reply.text
    reply = await anna.send("Спасибо!")
    assert "Передам библиотекарю" in reply.text
    thread = await entries(community.db, number, for_requester=False)
    assert [e.text for e in thread if e.kind is EntryKind.DETAILS] == ["Спасибо!"]


async def test_in_a_vk_staff_chat_notes_replies_to_the_bot_and_a_faq_suggestion(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    community = await start_vk_bot(vk_staff_config(tmp_path))
    mention = f"[club{community.server.group_id}|Библиотека],"
    anna = await vk_consented(community, 7207)
    await vk_ask(anna)
    number = (await only_request(community)).id
    await deliver_vk(community)
    maria = community.person(VK_ADMIN, "Мария")
    await maria.send("Начать", payload={"command": "start"})  # she writes to the bot too
    [card] = maria.shown(VK_STAFF_CHAT)
    assert "//" in card["text"]

    said = await maria.send_in_chat(
        VK_STAFF_CHAT, f"{mention} // спрошу у завхоза", reply_to=card["conversation_message_id"]
    )
    assert "🔒 Заметка" in said.text
    noted = maria.shown(VK_STAFF_CHAT)[0]
    said = await maria.send_in_chat(
        VK_STAFF_CHAT, f"{mention} {ANSWER}", reply_to=noted["conversation_message_id"]
    )
    assert "Ответ отправлен" in said.text
    sent = maria.shown(VK_STAFF_CHAT)[0]
    assert "Ответ отправлен" in sent["text"]
    said = await maria.send_in_chat(
        VK_STAFF_CHAT, "И пледы у дежурной.", reply_to=sent["conversation_message_id"]
    )
    assert "Ответ отправлен" in said.text
    await deliver_vk(community)
    answers = [m["text"] for m in anna.shown() if "Ответ библиотекаря" in m["text"]]
    assert len(answers) == 2
    assert not [text for text in answers if "завхоз" in text]
    thread = await entries(community.db, number, for_requester=False)
    assert [e.text for e in thread if e.kind is EntryKind.NOTE] == ["спрошу у завхоза"]

    # «➕ В частые вопросы» continues in her private conversation with the community.
    reply = await maria.click("В частые вопросы", in_chat=VK_STAFF_CHAT)
    asked = maria.shown()[0]
    assert QUESTION in asked["text"]
    assert "Уберите имена" in asked["text"]
    reply = await maria.click("Оставить как есть")
    assert "Шаг 2 из 3" in reply.text
    await maria.click("Пропустить")
    reply = await maria.click("Оставить как есть")
    assert "Вопрос добавлен" in reply.text
    async with community.db.transaction() as session:
        [entry] = list(await session.scalars(select(LibraryFaqEntry)))
    assert entry.question == QUESTION
    assert entry.answer == "И пледы у дежурной."  # the last answer she gave


def _chat_message(**fields: object) -> dict[str, object]:
    return {
        "type": "message_new",
        "object": {
            "message": {
                "id": 0,
                "date": 1_700_000_000,
                "peer_id": VK_STAFF_CHAT,
                "from_id": VK_ADMIN,
                "text": "[club777|Библиотека], Да, можно.",
                "conversation_message_id": 9,
                "attachments": [],
                "fwd_messages": [],
                **fields,
            }
        },
    }


def _quoted(cmid: int, peer_id: int = VK_STAFF_CHAT) -> dict[str, object]:
    return {
        "conversation_message_id": cmid,
        "date": 1,
        "from_id": -777,
        "peer_id": peer_id,
        "text": "Карточка",
    }


@pytest.mark.parametrize(
    ("fields", "replied"),
    [
        ({"reply_message": _quoted(4)}, 4),
        ({"fwd_messages": [_quoted(5)]}, 5),  # how some VK clients reply
        ({"fwd_messages": [_quoted(5), _quoted(6)]}, None),  # forwarding is not replying
        ({"fwd_messages": [_quoted(5, peer_id=VK_STAFF_CHAT + 1)]}, None),  # another chat's
        ({}, None),
    ],
)
def test_vk_replies_in_a_chat_become_replies(
    fields: dict[str, object], replied: int | None
) -> None:
    factory = UpdateFactory(User(id=777, is_bot=True, first_name="libbot"), SentMessages())
    update = factory.convert(_chat_message(**fields))
    assert update is not None
    assert update.message is not None
    assert update.message.text == "Да, можно."  # the mention of the community is not the text
    assert update.message.chat.type == "group"
    reply = update.message.reply_to_message
    assert (reply.message_id if reply else None) == replied
    if reply is not None:
        assert reply.chat.id == VK_STAFF_CHAT
        assert reply.from_user is not None
        assert reply.from_user.is_bot
