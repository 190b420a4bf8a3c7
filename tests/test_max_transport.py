"""The MAX transport's own rules: HTML kept, MAX's keyboard and text limits, MAX errors
as the exceptions the Telegram path raises, uploads, button answers once, a long poll
that outlives MAX's hiccups and resumes where it stopped, and the webhook's secret."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot, Dispatcher
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
    TelegramUnauthorizedError,
)
from aiogram.methods import AnswerCallbackQuery, GetMe
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyParameters,
)
from aiohttp import web
from pydantic import SecretStr

from bot.app import build_dispatcher
from bot.kernel.config import Max
from bot.kernel.i18n import Locales
from bot.transports.max.markup import CallbackTokens
from bot.transports.max.polling import MaxPolling, check_token, max_bot, max_session
from bot.transports.max.webhook import add_webhook_route, subscribe
from bot.transports.paced import pace
from broadcasts.pacing import Rates
from storage.db import Database
from tests.conftest import make_config
from tests.fakes.max_api import FakeMax
from tests.max_harness import MaxPerson, max_server, max_settings, with_max

__all__ = ["max_server"]  # the fixture these tests use


@pytest.fixture
async def bot(max_server: FakeMax) -> AsyncIterator[Bot]:
    max_server.add_user(501, "Анна")
    made = max_bot(max_settings(max_server, timeout_seconds=1.0))
    yield made
    await made.session.close()


def keyboard(count: int, per_row: int = 1) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(text=f"Кнопка {n}", callback_data=f"b:{n}") for n in range(count)
    ]
    rows = [buttons[i : i + per_row] for i in range(0, count, per_row)]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def labels(server: FakeMax) -> list[str]:
    return [b["text"] for c in server.calls_of("POST /messages") for b in c.buttons()]


async def test_html_is_kept_and_sent_as_max_html(max_server: FakeMax, bot: Bot) -> None:
    await bot.send_message(
        501, "<b>Лекция</b> &laquo;ИИ&raquo; — <a href='https://lib.example'>запись</a>"
    )
    await bot.send_message(501, "<b>как есть</b>", parse_mode=None)
    first, second = max_server.calls_of("POST /messages")
    assert first.body["format"] == "html"
    assert first.text.startswith("<b>Лекция</b>")
    assert second.body["format"] is None, "no parse mode: plain text"
    assert first.query == {"user_id": "501", "disable_link_preview": "true"}


async def test_a_wide_row_is_split_and_link_rows_hold_three(max_server: FakeMax, bot: Bot) -> None:
    row = [InlineKeyboardButton(text=f"{n}", callback_data=f"d:{n}") for n in range(9)]
    links = [
        InlineKeyboardButton(text=f"Сайт {n}", url=f"https://lib.example/{n}") for n in range(4)
    ]
    await bot.send_message(
        501, "Выберите", reply_markup=InlineKeyboardMarkup(inline_keyboard=[row, links])
    )
    [send] = max_server.calls_of("POST /messages")
    rows = send.attachments[0]["payload"]["buttons"]
    assert [len(r) for r in rows] == [7, 2, 3, 1]
    assert labels(max_server) == [f"{n}" for n in range(9)] + [f"Сайт {n}" for n in range(4)]


async def test_a_keyboard_over_max_limits_continues_in_a_second_message(
    max_server: FakeMax, bot: Bot
) -> None:
    message = await bot.send_message(501, "Выберите", reply_markup=keyboard(45))
    sends = max_server.calls_of("POST /messages")
    assert [len(c.buttons()) for c in sends] == [30, 15]
    assert sends[1].text == "⋯"
    assert labels(max_server) == [f"Кнопка {n}" for n in range(45)], "no button is lost"
    [first] = [m for m in max_server.messages.values() if m["body"]["text"] == "Выберите"]
    assert message.message_id == first["body"]["seq"], "a message is known by its seq"


async def test_a_long_text_is_split_with_the_keyboard_last(max_server: FakeMax, bot: Bot) -> None:
    first = await bot.send_message(501, "Вопрос")
    text = "\n".join(f"Строка {n}: " + "слово " * 8 for n in range(68))
    assert 4000 < len(text) <= 4096  # Telegram would take it in one message
    await bot.send_message(
        501,
        text,
        reply_markup=keyboard(2),
        reply_parameters=ReplyParameters(message_id=first.message_id),
    )
    parts = max_server.calls_of("POST /messages")[1:]
    assert len(parts) == 2
    assert all(len(p.text) <= 4000 for p in parts)
    assert [bool(p.buttons()) for p in parts] == [False, True]
    assert parts[0].body["link"]["type"] == "reply", "the first part answers the question"
    assert parts[1].body["link"] is None


async def test_a_menu_keyboard_becomes_buttons_that_send_their_label(
    max_server: FakeMax, bot: Bot
) -> None:
    menu = ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text="🔎 Найти книгу"), KeyboardButton(text="📚 Мои книги")],
            [KeyboardButton(text="📱 Поделиться номером", request_contact=True)],
        ]
    )
    await bot.send_message(501, "Меню", reply_markup=menu)
    [send] = max_server.calls_of("POST /messages")
    kinds = [(b["type"], b["text"]) for b in send.buttons()]
    assert kinds == [
        ("message", "🔎 Найти книгу"),
        ("message", "📚 Мои книги"),
        ("request_contact", "📱 Поделиться номером"),
    ]


def test_callback_data_longer_than_max_takes_travels_as_a_token() -> None:
    tokens = CallbackTokens()
    assert tokens.payload("ev:reg:12") == "ev:reg:12"
    long = "x" * 1500
    token = tokens.payload(long)
    assert len(token) <= 1024
    assert tokens.data(token) == long
    assert tokens.data("~unknown") is None, "a forgotten token is not handled"


async def test_a_document_travels_alone_and_its_buttons_follow(
    max_server: FakeMax, bot: Bot
) -> None:
    sent = await bot.send_document(
        501,
        BufferedInputFile(b"BEGIN:VCALENDAR", filename="event.ics"),
        caption="Календарь",
        reply_markup=keyboard(1),
    )
    assert sent.document is not None
    [endpoint] = max_server.calls_of("POST /uploads")
    assert endpoint.query == {"type": "file"}
    file_send, buttons = max_server.calls_of("POST /messages")
    assert [a["type"] for a in file_send.attachments] == ["file"]
    assert file_send.text == "Календарь"
    assert buttons.text == "⋯"
    assert [b["text"] for b in buttons.buttons()] == ["Кнопка 0"]
    token = file_send.attachments[0]["payload"]["token"]
    assert max_server.uploads[token] == ("file", "event.ics", b"BEGIN:VCALENDAR")
    await bot.send_document(501, sent.document.file_id)  # sent again by its id: no upload
    assert len(max_server.calls_of("POST /uploads")) == 1
    assert max_server.calls_of("POST /messages")[-1].attachments[0]["payload"] == {"token": token}


async def test_a_photo_is_uploaded_as_an_image_with_its_keyboard(
    max_server: FakeMax, bot: Bot
) -> None:
    await bot.send_photo(
        501, BufferedInputFile(b"\x89PNG qr", filename="ticket.png"), reply_markup=keyboard(1)
    )
    assert max_server.calls_of("POST /uploads")[0].query == {"type": "image"}
    [send] = max_server.calls_of("POST /messages")
    assert [a["type"] for a in send.attachments] == ["image", "inline_keyboard"]


async def test_a_message_sent_before_its_upload_is_ready_is_sent_again(
    max_server: FakeMax, bot: Bot
) -> None:
    max_server.not_ready = 1
    await bot.send_document(501, BufferedInputFile(b"%PDF", filename="a.pdf"))
    tries = max_server.calls_of("POST /messages")
    assert len(tries) == 2, "refused «attachment.not.ready», then delivered"
    assert (
        len([m for m in max_server.messages.values() if m["chat"] == max_server.dialog_chat(501)])
        == 1
    )


async def test_an_edit_repeats_the_files_and_a_new_keyboard(max_server: FakeMax, bot: Bot) -> None:
    sent = await bot.send_photo(
        501,
        BufferedInputFile(b"\x89PNG", filename="p.png"),
        caption="Афиша",
        reply_markup=keyboard(2),
    )
    await bot.edit_message_reply_markup(
        chat_id=501, message_id=sent.message_id, reply_markup=keyboard(1)
    )
    [edit] = max_server.calls_of("PUT /messages")
    assert edit.text == "Афиша", "the text is repeated (MAX replaces the whole message)"
    assert [a["type"] for a in edit.attachments] == ["image", "inline_keyboard"]
    assert len(edit.buttons()) == 1
    await bot.edit_message_text("Новое", chat_id=501, message_id=sent.message_id)
    assert [a["type"] for a in max_server.calls_of("PUT /messages")[1].attachments] == ["image"]


async def test_an_unknown_message_cannot_be_edited_or_deleted(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.edit_message_text("Новое", chat_id=501, message_id=424242)
    with pytest.raises(TelegramBadRequest, match="not found"):
        await bot.delete_message(501, 424242)


async def test_after_a_restart_a_message_is_found_among_the_chats_last(
    max_server: FakeMax, bot: Bot
) -> None:
    """A staff card sent before a restart is edited when someone replies to it: the new
    process finds its mid among the chat's last messages."""
    staff_chat = max_server.add_chat(-70001)
    card = await bot.send_message(staff_chat, "📨 Новое обращение", reply_markup=keyboard(1))
    restarted = max_bot(max_settings(max_server))
    try:
        await restarted.edit_message_text(
            "🛠 В работе", chat_id=staff_chat, message_id=card.message_id
        )
    finally:
        await restarted.session.close()
    [lookup] = max_server.calls_of("GET /messages")
    assert lookup.query == {"chat_id": str(staff_chat), "count": "100"}
    [stored] = [m for m in max_server.messages.values() if m["chat"] == staff_chat]
    assert stored["body"]["text"] == "🛠 В работе"


async def test_delete_removes_the_message(max_server: FakeMax, bot: Bot) -> None:
    sent = await bot.send_message(501, "Временно")
    assert await bot.delete_message(501, sent.message_id)
    assert len(max_server.deleted) == 1


@pytest.mark.parametrize(
    ("status", "code", "raised"),
    [
        (403, "chat.denied", TelegramForbiddenError),  # the reader blocked the bot
        (403, "access.denied", TelegramBadRequest),  # the bot's own rights: not a reader to drop
        (401, "verify.token", TelegramUnauthorizedError),
        (429, "too.many.requests", TelegramRetryAfter),
        (500, "internal.error", TelegramNetworkError),  # MAX may have sent it: never again
        (502, "http", TelegramNetworkError),
        (503, "service.unavailable", TelegramServerError),  # not carried out: sent again later
        (400, "proto.payload", TelegramBadRequest),
        (404, "chat.not.found", TelegramBadRequest),
    ],
)
async def test_max_errors_are_the_exceptions_telegram_raises(
    max_server: FakeMax, bot: Bot, status: int, code: str, raised: type[Exception]
) -> None:
    max_server.fail_next("POST /messages", status, code, retry_after=7 if status == 429 else None)
    with pytest.raises(raised) as caught:
        await bot.send_message(501, "Здравствуйте")
    if isinstance(caught.value, TelegramRetryAfter):
        assert caught.value.retry_after == 7
    assert len(max_server.calls_of("POST /messages")) == 1, "a new message is never repeated"


async def test_a_blocked_reader_is_forbidden(max_server: FakeMax, bot: Bot) -> None:
    max_server.blocked.add(501)
    with pytest.raises(TelegramForbiddenError):
        await bot.send_message(501, "Здравствуйте")


async def test_a_gateway_error_on_a_safe_call_is_retried(max_server: FakeMax, bot: Bot) -> None:
    max_server.fail_next("GET /me", 502)
    me = await bot.get_me()
    assert me.username == max_server.username
    assert len(max_server.calls_of("GET /me")) == 2
    max_server.fail_next("DELETE /messages", 500)
    sent = await bot.send_message(501, "Временно")
    with pytest.raises(TelegramServerError):  # a repeatable call: a plain server error
        await bot.delete_message(501, sent.message_id)
    max_server.fail_next("POST /uploads", 500)  # an upload URL shows nothing to anyone
    with pytest.raises(TelegramServerError):
        await bot.send_document(501, BufferedInputFile(b"%PDF", filename="a.pdf"))


async def test_a_lost_answer_is_uncertain_and_a_dead_server_is_not(
    max_server: FakeMax, bot: Bot
) -> None:
    """A send that timed out may have arrived (the outbox marks it unknown, never resends
    it); one that never connected did not (safe to send again)."""
    max_server.hang_next("POST /messages")
    with pytest.raises(TelegramNetworkError) as lost:
        await bot.send_message(501, "Здравствуйте")
    assert "ClientConnectorError" not in lost.value.message
    dead = max_bot(
        max_settings(max_server, timeout_seconds=1.0).model_copy(
            update={"api_server": "http://127.0.0.1:9"}
        )
    )
    with pytest.raises(TelegramNetworkError, match="ClientConnectorError"):
        await dead.send_message(501, "Здравствуйте")
    await dead.session.close()


async def test_a_rejected_token_is_unauthorized(max_server: FakeMax) -> None:
    wrong = max_bot(Max(token=SecretStr("not-the-right-token-123"), api_server=max_server.base_url))
    with pytest.raises(TelegramUnauthorizedError):
        await check_token(wrong)
    await wrong.session.close()


async def test_a_retry_after_is_waited_out_under_pacing(max_server: FakeMax, bot: Bot) -> None:
    """Handlers' replies pass the Paced middleware serve attaches: a 429 is retried
    after MAX's Retry-After, and the reader gets the answer once."""
    pace(bot, Rates(25.0, chat_interval=0.0))
    max_server.fail_next("POST /messages", 429, retry_after=1)
    started = time.monotonic()
    await bot.send_message(501, "Здравствуйте")
    assert time.monotonic() - started >= 0.9
    assert len(max_server.messages) == 1


async def test_the_rate_limit_mode_refuses_past_the_limit(max_server: FakeMax, bot: Bot) -> None:
    max_server.rate_limit = 3
    for _ in range(3):
        await bot.send_message(501, "Раз")
    with pytest.raises(TelegramRetryAfter):
        await bot.send_message(501, "Лишнее")


async def test_a_press_is_answered_once_through_answers(max_server: FakeMax, bot: Bot) -> None:
    number = max_server.message_callback(501, "b:1", None)
    callback_id = max_server.updates[number - 1]["callback"]["callback_id"]
    await bot(AnswerCallbackQuery(callback_query_id=callback_id, text="Готово"))
    await bot(AnswerCallbackQuery(callback_query_id=callback_id))  # a second answer: not taken
    assert max_server.answers == {callback_id: {"notification": "Готово"}}
    assert len(max_server.calls_of("POST /answers")) == 2


async def test_typing_is_shown_in_a_dialog_max_told_us_about(max_server: FakeMax, bot: Bot) -> None:
    await bot.send_chat_action(501, "typing")
    assert not max_server.calls_of("POST /chats/{chatId}/actions"), "no dialog known yet"
    await bot.send_message(501, "Ищу…")  # MAX's answer names the dialog's chat id
    await bot.send_chat_action(501, "typing")
    assert max_server.actions == [(max_server.dialog_chat(501), "typing_on")]


async def test_a_method_max_cannot_carry_out_fails_in_one_line(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="MAX cannot carry out sendPoll"):
        await bot.send_poll(501, "Вопрос", options=["Да", "Нет"])


async def test_the_start_link_is_a_max_deep_link(max_server: FakeMax, bot: Bot) -> None:
    link = await max_session(bot).start_link(bot, "ticket_ABC")
    assert link == f"https://max.ru/{max_server.username}?start=ticket_ABC"


def test_a_shared_contact_is_the_senders_own(max_server: FakeMax) -> None:
    """A `request_contact` press: MAX sends the reader's vCard with her account (`max_info`)."""
    bot = max_bot(max_settings(max_server))
    max_server.add_user(777, "Анна")
    number = max_server.message_created(
        777, "", attachments=[max_server.contact_attachment(777, "+79001234567")]
    )
    update = max_session(bot).updates.convert(max_server.updates[number - 1])
    assert update is not None
    message = update.message
    assert isinstance(message, Message)
    assert message.contact is not None
    assert message.contact.phone_number == "+79001234567"
    assert message.contact.user_id == message.from_user.id == 777  # type: ignore[union-attr]
    assert message.chat.id == 777, "a dialog is the reader's own id"
    assert message.chat.type == "private"


def test_a_group_chat_message_keeps_the_chat_and_the_reply(max_server: FakeMax) -> None:
    bot = max_bot(max_settings(max_server))
    staff_chat = max_server.add_chat(-70001)
    max_server.add_user(900, "Мария")
    first = max_server.message_created(900, "Карточка", chat_id=staff_chat)
    mid = max_server.updates[first - 1]["message"]["body"]["mid"]
    number = max_server.message_created(900, "Ответ", chat_id=staff_chat, reply_to=mid)
    update = max_session(bot).updates.convert(max_server.updates[number - 1])
    assert update is not None
    assert update.message is not None
    assert update.message.chat.id == staff_chat
    assert update.message.chat.type == "group"
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "Карточка"


# --- the long poll and the webhook ------------------------------------------------------


async def serving(
    server: FakeMax, db: Database, tmp_path: Path, position: Path | None = None
) -> tuple[asyncio.Event, asyncio.Task[None], Bot, Dispatcher]:
    config = with_max(make_config(tmp_path), server)
    bot = max_bot(config.max)
    dp = build_dispatcher(config, db, Locales())
    polling = MaxPolling(dp, bot, wait=1, handle_as_tasks=False, position_file=position)
    stop = asyncio.Event()
    polls = server.polls
    task = asyncio.create_task(polling.run(stop))
    await server.wait_polls(polls)
    return stop, task, bot, dp


async def test_the_long_poll_outlives_max_errors(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    stop, task, bot, _dp = await serving(max_server, sqlite_db, tmp_path)
    try:
        max_server.fail_next("GET /updates", 500)  # the poll backs off and asks again
        max_server.fail_next("GET /updates", 429, retry_after=1)
        anna = MaxPerson(max_server, 777001, "Анна")
        reply = await anna.send("ℹ️ О библиотеке")
        assert "ул. Ленина, 1" in reply.text
    finally:
        stop.set()
        await task
        await bot.session.close()


async def test_polling_ends_a_webhook_subscription_left_from_webhook_mode(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    max_server.subscription = {"url": "https://old.example/max", "secret": None, "time": 0}
    stop, task, bot, _dp = await serving(max_server, sqlite_db, tmp_path)
    try:
        assert max_server.subscription is None
        reply = await MaxPerson(max_server, 777004, "Анна").send("ℹ️ О библиотеке")
        assert "ул. Ленина, 1" in reply.text
    finally:
        stop.set()
        await task
        await bot.session.close()


async def test_a_rejected_token_ends_the_long_poll(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    config = with_max(make_config(tmp_path), max_server)
    wrong = max_bot(config.max.model_copy(update={"token": SecretStr("revoked-token-000000")}))
    polling = MaxPolling(build_dispatcher(config, sqlite_db, Locales()), wrong, wait=1)
    with pytest.raises(TelegramUnauthorizedError):
        await asyncio.wait_for(polling.run(asyncio.Event()), 10)
    await wrong.session.close()


async def test_messages_sent_while_the_bot_was_down_are_answered_after_a_restart(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    """The marker is saved: a restart resumes from it (without one MAX would give only
    the latest update)."""
    position = tmp_path / "max-longpoll-position"
    anna = MaxPerson(max_server, 777002, "Анна")
    stop, task, bot, _dp = await serving(max_server, sqlite_db, tmp_path, position)
    await anna.start()
    stop.set()
    await task
    await bot.session.close()
    first = max_server.message_created(777002, "ℹ️ О библиотеке")  # while nobody polls
    second = max_server.message_created(777002, "🔎 Найти книгу")
    stop, task, bot, _dp = await serving(max_server, sqlite_db, tmp_path, position)
    try:
        await max_server.wait_processed(second)
    finally:
        stop.set()
        await task
        await bot.session.close()
    answers = [c.text for c in max_server.sent_to(777002)]
    assert any("ул. Ленина, 1" in text for text in answers), f"update {first} was answered"


async def test_the_webhook_takes_updates_only_with_the_secret(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    config = with_max(make_config(tmp_path), max_server)
    bot = max_bot(config.max)
    dp = build_dispatcher(config, sqlite_db, Locales())
    await subscribe(bot, "https://bot.library.example/max", "s3cret-webhook")
    assert max_server.subscription is not None
    assert max_server.subscription["secret"] == "s3cret-webhook"
    with pytest.raises(TelegramBadRequest):  # MAX's long poll is off while subscribed
        await max_session(bot).client.call(GetMe(), "GET", "/updates")
    app = web.Application()
    add_webhook_route(app, "/max", dp, bot, "s3cret-webhook", handle_in_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        max_server.add_user(777003, "Анна")
        number = max_server.message_created(777003, "ℹ️ О библиотеке")
        update = max_server.updates[number - 1]
        url = f"http://127.0.0.1:{port}/max"
        max_server.subscription["secret"] = "someone-elses"
        assert await max_server.webhook_post(url, update) == 401
        assert not max_server.sent_to(777003), "a forged request reaches nobody"
        max_server.subscription["secret"] = "s3cret-webhook"
        assert await max_server.webhook_post(url, update) == 200
        assert any("ул. Ленина, 1" in c.text for c in max_server.sent_to(777003))
    finally:
        await runner.cleanup()
        await bot.session.close()
