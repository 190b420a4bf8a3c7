"""The MAX transport where a mistake would reach the wrong person or repeat itself: a
message known by its chat and seq (seqs repeat across chats), a contact's owner only as
MAX names it, a pressed button that keeps the message's formatting, a send in several
messages never sent twice, a keyboard's «⋯» message edited rather than repeated, and one
unreadable update that stops nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup
from aiohttp import web

from bot.app import build_dispatcher
from bot.kernel.i18n import Locales
from bot.transports.max.polling import MaxPolling, max_bot, max_session
from bot.transports.max.webhook import add_webhook_route
from broadcasts.sender import Outcome, classify
from storage.db import Database
from tests.conftest import make_config
from tests.fakes.max_api import FakeMax
from tests.max_harness import MaxPerson, max_server, max_settings, with_max

__all__ = ["max_server"]  # the fixture these tests use

ANNA, BORIS = 501, 502


@pytest.fixture
async def bot(max_server: FakeMax) -> AsyncIterator[Bot]:
    max_server.add_user(ANNA, "Анна")
    max_server.add_user(BORIS, "Борис")
    made = max_bot(max_settings(max_server, timeout_seconds=1.0))
    yield made
    await made.session.close()


def keyboard(count: int, prefix: str = "b") -> InlineKeyboardMarkup:
    rows = [
        [InlineKeyboardButton(text=f"Кнопка {n}", callback_data=f"{prefix}:{n}")]
        for n in range(count)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def texts_in(server: FakeMax, user_id: int) -> list[str]:
    chat = server.dialog_chat(user_id)
    return [m["body"]["text"] for m in server.messages.values() if m["chat"] == chat]


def press(server: FakeMax, bot: Bot, user_id: int, mid: str) -> None:
    """A press of the bot's message `mid`, read by the transport as the poll would."""
    number = server.message_callback(user_id, "b:0", mid)
    assert max_session(bot).updates.convert(server.updates[number - 1]) is not None


# --- 1. a seq names a message only in its own chat ---------------------------------------


async def test_two_readers_messages_share_a_seq_and_each_edit_stays_in_its_chat(
    max_server: FakeMax, bot: Bot
) -> None:
    to_anna = await bot.send_message(ANNA, "Анна, ваша книга готова")
    to_boris = await bot.send_message(BORIS, "Борис, ваша книга готова")
    assert to_anna.message_id == to_boris.message_id, "MAX numbers each chat on its own"

    await bot.edit_message_text("Анна, книга выдана", chat_id=ANNA, message_id=to_anna.message_id)
    assert texts_in(max_server, ANNA) == ["Анна, книга выдана"]
    assert texts_in(max_server, BORIS) == ["Борис, ваша книга готова"], "Борис's is untouched"


async def test_a_seq_known_only_in_another_chat_is_not_found(max_server: FakeMax, bot: Bot) -> None:
    await bot.send_message(ANNA, "Анна: первое")
    await bot.send_message(BORIS, "Борис: первое")
    borises = await bot.send_message(BORIS, "Борис: второе")  # a seq Анна's chat has not got
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("Чужое", chat_id=ANNA, message_id=borises.message_id)
    with pytest.raises(TelegramBadRequest, match="message to delete not found"):
        await bot.delete_message(ANNA, borises.message_id)
    assert texts_in(max_server, BORIS) == ["Борис: первое", "Борис: второе"]
    assert not max_server.calls_of("PUT /messages")
    assert not max_server.calls_of("DELETE /messages")


# --- 2. a contact's owner is only the MAX account MAX names --------------------------------


def contact_owner(server: FakeMax, bot: Bot, card: dict[str, Any]) -> int | None:
    number = server.message_created(ANNA, "", attachments=[card])
    update = max_session(bot).updates.convert(server.updates[number - 1])
    assert update is not None
    assert update.message is not None
    assert update.message.contact is not None
    return update.message.contact.user_id


async def test_a_contacts_owner_is_only_the_max_account_max_names(
    max_server: FakeMax, bot: Bot
) -> None:
    own = max_server.contact_attachment(ANNA, "+79001234567")
    assert contact_owner(max_server, bot, own) == ANNA

    phone_book = max_server.phone_book_card("Соседка", "+79007654321")
    assert contact_owner(max_server, bot, phone_book) is None, "not a MAX account: nobody's"

    forged = max_server.phone_book_card("Анна", "+79007654321")
    forged["payload"]["hash"] = "made-up-hash"  # a hash proves nothing we can check
    assert contact_owner(max_server, bot, forged) is None


# --- 3. a press keeps the message's formatting ---------------------------------------------


async def test_a_pressed_buttons_message_keeps_its_html_when_its_keyboard_changes(
    max_server: FakeMax, bot: Bot
) -> None:
    source = "<b>Выдача</b> книг &amp; журналов"
    sent = await bot.send_message(ANNA, source, reply_markup=keyboard(2))
    [shown] = max_server.messages
    assert max_server.messages[shown]["body"]["text"] == "Выдача книг & журналов"  # MAX: plain
    press(max_server, bot, ANNA, shown)
    await bot.edit_message_reply_markup(
        chat_id=ANNA, message_id=sent.message_id, reply_markup=keyboard(1)
    )
    [edit] = max_server.calls_of("PUT /messages")
    assert edit.body["text"] == source, "the bold and the escaped & are sent as they were"
    assert edit.body["format"] == "html"


async def test_after_a_restart_a_pressed_messages_plain_text_is_sent_back_escaped(
    max_server: FakeMax, bot: Bot
) -> None:
    sent = await bot.send_message(
        ANNA, "Книги &lt;2000 г.&gt; &amp; журналы", reply_markup=keyboard(2)
    )
    [shown] = max_server.messages
    restarted = max_bot(max_settings(max_server, timeout_seconds=1.0))
    try:
        press(max_server, restarted, ANNA, shown)
        await restarted.edit_message_reply_markup(
            chat_id=ANNA, message_id=sent.message_id, reply_markup=keyboard(1)
        )
    finally:
        await restarted.session.close()
    [edit] = max_server.calls_of("PUT /messages")
    assert edit.body["text"] == "Книги &lt;2000 г.&gt; &amp; журналы"
    assert max_server.messages[shown]["body"]["text"] == "Книги <2000 г.> & журналы"


# --- 4. a send in several messages is never sent twice -------------------------------------


async def test_a_long_text_whose_second_part_fails_is_a_lost_answer_not_resent(
    max_server: FakeMax, bot: Bot
) -> None:
    text = "\n".join(f"Строка {n}: " + "слово " * 8 for n in range(68))
    assert len(text) > 4000
    max_server.fail_next("POST /messages", 503, after=1)
    with pytest.raises(TelegramNetworkError) as caught:
        await bot.send_message(ANNA, text)
    failure = classify(caught.value)
    assert failure is not None
    assert failure.outcome is Outcome.UNCERTAIN, "the first part was delivered: never resent"
    assert len(texts_in(max_server, ANNA)) == 1


async def test_an_overflow_keyboard_that_fails_after_its_message_is_a_lost_answer(
    max_server: FakeMax, bot: Bot
) -> None:
    max_server.fail_next("POST /messages", 503, after=1)
    with pytest.raises(TelegramNetworkError):
        await bot.send_message(ANNA, "Выберите", reply_markup=keyboard(45))


async def test_a_send_that_fails_at_once_keeps_its_own_error(max_server: FakeMax, bot: Bot) -> None:
    max_server.fail_next("POST /messages", 503)
    with pytest.raises(TelegramServerError) as caught:
        await bot.send_message(ANNA, "Выберите", reply_markup=keyboard(45))
    failure = classify(caught.value)
    assert failure is not None
    assert failure.outcome is Outcome.UNREACHED, "nothing was delivered: safe to send again"


# --- 5. a file's keyboard message is edited, not repeated ---------------------------------


async def test_editing_a_documents_buttons_edits_its_keyboard_message(
    max_server: FakeMax, bot: Bot
) -> None:
    sent = await bot.send_document(
        ANNA, BufferedInputFile(b"%PDF-1.4", "устав.pdf"), caption="Устав", reply_markup=keyboard(2)
    )
    assert len(max_server.calls_of("POST /messages")) == 2, "the file, then its buttons"
    for round_ in ("x", "y"):
        await bot.edit_message_caption(
            chat_id=ANNA,
            message_id=sent.message_id,
            caption=f"Устав ({round_})",
            reply_markup=keyboard(3, round_),
        )
    assert len(max_server.calls_of("POST /messages")) == 2, "no new «⋯» message per edit"
    keyboards = [m for m in max_server.messages.values() if m["body"]["text"] == "⋯"]
    [only] = keyboards
    buttons = only["body"]["attachments"][0]["payload"]["buttons"]
    assert [row[0]["text"] for row in buttons] == ["Кнопка 0", "Кнопка 1", "Кнопка 2"]

    await bot.edit_message_caption(chat_id=ANNA, message_id=sent.message_id, caption="Устав")
    assert not [m for m in max_server.messages.values() if m["body"]["text"] == "⋯"], (
        "no buttons any more: their message is gone, nothing stale to press"
    )


# --- 6. one unreadable update stops nothing ------------------------------------------------


def broken_message(server: FakeMax, user_id: int) -> dict[str, Any]:
    """A message_created whose attachments hold a null (what MAX has been seen to send)."""
    number = server.message_created(user_id, "ℹ️ О библиотеке")
    update = server.updates.pop(number - 1)
    update["message"]["body"]["attachments"] = [None]
    return update


async def test_the_long_poll_skips_an_unreadable_update_and_answers_the_next(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    config = with_max(make_config(tmp_path), max_server)
    bot = max_bot(config.max)
    dp = build_dispatcher(config, sqlite_db, Locales())
    polling = MaxPolling(dp, bot, wait=1, handle_as_tasks=False)
    stop = asyncio.Event()
    polls = max_server.polls
    task = asyncio.create_task(polling.run(stop))
    try:
        await max_server.wait_polls(polls)
        anna = MaxPerson(max_server, 777101, "Анна")
        max_server.push(broken_message(max_server, 777101))
        reply = await anna.send("ℹ️ О библиотеке")
        assert "ул. Ленина, 1" in reply.text
        assert not task.done(), "the poll goes on"
    finally:
        stop.set()
        await task
        await bot.session.close()


async def test_the_webhook_answers_200_to_an_unreadable_update(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    config = with_max(make_config(tmp_path), max_server)
    bot = max_bot(config.max)
    app = web.Application()
    dp = build_dispatcher(config, sqlite_db, Locales())
    add_webhook_route(app, "/max", dp, bot, "s3cret-webhook", handle_in_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    max_server.subscription = {"url": "https://bot.example/max", "secret": "s3cret-webhook"}
    try:
        update = broken_message(max_server, 777102)
        assert await max_server.webhook_post(f"http://127.0.0.1:{port}/max", update) == 200
    finally:
        await runner.cleanup()
        await bot.session.close()


async def test_a_webhook_without_a_secret_refuses_every_request(
    max_server: FakeMax, sqlite_db: Database, tmp_path: Path
) -> None:
    config = with_max(make_config(tmp_path), max_server)
    bot = max_bot(config.max)
    app = web.Application()
    dp = build_dispatcher(config, sqlite_db, Locales())
    add_webhook_route(app, "/max", dp, bot, None, handle_in_background=False)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        max_server.add_user(777103, "Анна")
        number = max_server.message_created(777103, "ℹ️ О библиотеке")
        url = f"http://127.0.0.1:{port}/max"
        assert await max_server.webhook_post(url, max_server.updates[number - 1]) == 401
        assert not max_server.sent_to(777103)
    finally:
        await runner.cleanup()
        await bot.session.close()


async def test_a_reply_to_an_author_max_names_without_an_id_still_arrives(
    max_server: FakeMax, bot: Bot
) -> None:
    staff_chat = max_server.add_chat(-70001)
    first = max_server.message_created(BORIS, "Карточка", chat_id=staff_chat)
    mid = max_server.updates[first - 1]["message"]["body"]["mid"]
    number = max_server.message_created(ANNA, "Беру", chat_id=staff_chat, reply_to=mid)
    max_server.updates[number - 1]["message"]["link"]["sender"] = {"name": "Борис"}
    update = max_session(bot).updates.convert(max_server.updates[number - 1])
    assert update is not None, "the reader's message is not dropped"
    assert update.message is not None
    assert update.message.text == "Беру"
    assert update.message.reply_to_message is not None
    assert update.message.reply_to_message.text == "Карточка"


# --- 7. the fake refuses what MAX refuses ----------------------------------------------------


async def test_the_bot_cannot_write_first_to_someone_who_never_started_it(
    max_server: FakeMax, bot: Bot
) -> None:
    stranger = MaxPerson(max_server, 777104, "Вера")
    with pytest.raises(TelegramForbiddenError, match=r"chat\.denied"):
        await bot.send_message(stranger.user_id, "Здравствуйте")
    max_server.bot_started(stranger.user_id)  # she opens the bot: now it may write
    await bot.send_message(stranger.user_id, "Здравствуйте")
