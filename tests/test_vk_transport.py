"""The VK transport's own rules: plain text, VK's keyboard limits, VK errors as the
exceptions the Telegram path raises, and a long poll that outlives VK's hiccups."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.methods import AnswerCallbackQuery
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.app import build_dispatcher
from bot.kernel.config import Vk
from bot.kernel.i18n import Locales
from bot.transports.vk.markup import plain_text
from bot.transports.vk.polling import VkPolling, vk_bot
from bot.transports.vk.updates import event_query_id
from storage.db import Database
from tests.conftest import StartVkBot, make_config, with_vk
from tests.fakes.vk_api import FakeVk
from tests.vk_harness import VkPerson


@pytest.fixture
async def bot(vk: FakeVk) -> AsyncIterator[Bot]:
    made = vk_bot(Vk(token=vk.token, group_id=vk.group_id, api_server=vk.base_url))
    yield made
    await made.session.close()


def keyboard(count: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=f"Кнопка {n}", callback_data=f"b:{n}")] for n in range(count)
        ]
    )


def test_html_becomes_plain_text_and_links_keep_their_address() -> None:
    text = (
        '<b>Лекция</b> &laquo;ИИ&raquo; &lt;b&gt; — <a href="https://lib.example/?a=1&amp;b=2">'
        'запись</a>, <a href="https://lib.example">https://lib.example</a>'
    )
    assert plain_text(text) == (
        "Лекция «ИИ» <b> — запись (https://lib.example/?a=1&b=2), https://lib.example"
    )
    assert plain_text("<b>как есть</b>", None) == "<b>как есть</b>"


async def test_a_keyboard_over_vk_limits_continues_in_a_second_message(
    vk: FakeVk, bot: Bot
) -> None:
    message = await bot.send_message(501, "Выберите", reply_markup=keyboard(13))
    sends = vk.calls_of("messages.send")
    assert [len(c.buttons()) for c in sends] == [10, 3]
    assert sends[1].text == "⋯"
    assert message.message_id == vk.messages[(501, 1)]["conversation_message_id"]
    labels = [b["label"] for c in sends for b in c.buttons()]
    assert labels == [f"Кнопка {n}" for n in range(13)], "no button is lost"


async def test_ten_one_button_rows_are_paired_into_one_keyboard(vk: FakeVk, bot: Bot) -> None:
    """A list of results with «В меню» (ten rows) fits VK's six rows in one message."""
    await bot.send_message(501, "Нашлось 9 книг", reply_markup=keyboard(10))
    [send] = vk.calls_of("messages.send")
    rows = send.keyboard["buttons"]
    assert len(rows) == 6
    assert [b["action"]["label"] for row in rows for b in row] == [
        f"Кнопка {n}" for n in range(10)
    ], "order kept"


async def test_long_labels_are_cut_to_vk_forty_characters(vk: FakeVk, bot: Bot) -> None:
    long = "Очень длинное название книги, которое не влезет в кнопку ВКонтакте"
    markup = InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=long, callback_data="x")]]
    )
    await bot.send_message(501, "Книга", reply_markup=markup)
    [label] = [b["label"] for b in vk.calls_of("messages.send")[0].buttons()]
    assert len(label) == 40
    assert label.endswith("…")


@pytest.mark.parametrize(
    ("code", "raised"),
    [
        (901, TelegramForbiddenError),  # the person never allowed the community to write
        (900, TelegramForbiddenError),  # blacklisted
        (902, TelegramForbiddenError),  # privacy settings
        (15, TelegramBadRequest),  # community messages off: the library's setting, not a reader
        (7, TelegramBadRequest),  # the token lacks a right
        (6, TelegramRetryAfter),  # too many requests per second
        (10, TelegramServerError),  # VK's internal error
        (914, TelegramBadRequest),  # message too long
    ],
)
async def test_vk_errors_are_the_exceptions_telegram_raises(
    vk: FakeVk, bot: Bot, code: int, raised: type[Exception]
) -> None:
    vk.fail_next("messages.send", code)
    with pytest.raises(raised):
        await bot.send_message(501, "Здравствуйте")


async def test_an_http_error_is_a_server_error_and_a_dead_server_a_connector_error(
    vk: FakeVk, bot: Bot
) -> None:
    vk.fail_next_http("messages.send", 502)
    with pytest.raises(TelegramServerError):
        await bot.send_message(501, "Здравствуйте")
    dead = vk_bot(Vk(token=vk.token, group_id=vk.group_id, api_server="http://127.0.0.1:9"))
    with pytest.raises(TelegramNetworkError, match="ClientConnectorError"):
        await dead.send_message(501, "Здравствуйте")
    await dead.session.close()


async def test_an_old_message_vk_will_not_edit_is_sent_anew(vk: FakeVk, bot: Bot) -> None:
    """VK lets a community edit its messages for a day: a press on an older button gets
    its answer as a new message instead of an error."""
    sent = await bot.send_message(501, "Старое", reply_markup=keyboard(1))
    vk.too_old_to_edit.add(sent.message_id)
    edited = await bot.edit_message_text(
        "Новое", chat_id=501, message_id=sent.message_id, reply_markup=keyboard(2)
    )
    assert not isinstance(edited, bool)
    assert edited.message_id != sent.message_id
    newest = vk.calls_of("messages.send")[-1]
    assert newest.text == "Новое"
    assert len(newest.buttons()) == 2
    vk.fail_next("messages.edit", 100)  # any other refusal stays an error
    with pytest.raises(TelegramBadRequest):
        await bot.edit_message_text("Ещё", chat_id=501, message_id=edited.message_id)


async def test_a_keyboard_only_edit_after_a_restart_asks_vk_for_the_text(
    vk: FakeVk, bot: Bot
) -> None:
    sent = await bot.send_message(501, "Подписки", reply_markup=keyboard(2))
    restarted = vk_bot(Vk(token=vk.token, group_id=vk.group_id, api_server=vk.base_url))
    await restarted.edit_message_reply_markup(
        chat_id=501, message_id=sent.message_id, reply_markup=keyboard(1)
    )
    await restarted.session.close()
    assert vk.calls_of("messages.getByConversationMessageId")
    edit = vk.calls_of("messages.edit")[0]
    assert edit.text == "Подписки"
    assert len(edit.buttons()) == 1


async def test_a_long_button_answer_comes_as_a_message(vk: FakeVk, bot: Bot) -> None:
    ts = vk.message_event(501, {"c": "x"}, conversation_message_id=1)
    event_id = vk.update(ts)["object"]["event_id"]
    long = "Эту книгу сейчас нельзя продлить: её ждёт другой читатель. " * 2
    await bot(AnswerCallbackQuery(callback_query_id=event_query_id(event_id, 501, 501), text=long))
    answer = vk.calls_of("messages.sendMessageEventAnswer")[0]
    assert answer.event_data is None, "VK's snackbar holds 90 characters: not cut"
    assert vk.delivered == [(501, long)]


async def test_a_method_vk_cannot_carry_out_fails_loudly(bot: Bot) -> None:
    with pytest.raises(TelegramBadRequest, match="VK cannot carry out sendPoll"):
        await bot.send_poll(501, "Вопрос", options=["Да", "Нет"])


async def test_the_long_poll_reconnects_after_vk_expires_its_key(
    start_vk_bot: StartVkBot, vk: FakeVk
) -> None:
    community = await start_vk_bot()
    servers = len(vk.calls_of("groups.getLongPollServer"))
    vk.fail_longpoll(2)  # the check after the next event: «key expired»
    reader = community.person(777001, "Анна")
    await reader.send("ℹ️ О библиотеке")
    reply = await reader.send("ℹ️ О библиотеке")
    assert "ул. Ленина, 1" in reply.text, "served on after a fresh key"
    assert len(vk.calls_of("groups.getLongPollServer")) == servers + 1


async def test_messages_sent_while_the_bot_was_down_are_answered_after_a_restart(
    vk: FakeVk, sqlite_db: Database, tmp_path: Path
) -> None:
    """The long poll's position is saved: a restart resumes from it, not from «now»."""
    config = with_vk(make_config(tmp_path), vk)
    position = tmp_path / "vk-longpoll-position"

    async def serving() -> tuple[asyncio.Event, asyncio.Task[None], Bot]:
        community_bot = vk_bot(config.vk)
        dp = build_dispatcher(config, sqlite_db, Locales())
        polling = VkPolling(
            dp, community_bot, wait=1, handle_as_tasks=False, position_file=position
        )
        stop = asyncio.Event()
        polls = vk.longpoll_requests
        task = asyncio.create_task(polling.run(stop))
        await vk.wait_polls(polls)
        return stop, task, community_bot

    anna = VkPerson(vk, 777002, "Анна")
    stop, task, community_bot = await serving()
    await anna.send("Начать", payload={"command": "start"})
    stop.set()
    await task
    await community_bot.session.close()
    ts = vk.message_new(777002, "ℹ️ О библиотеке")  # while nobody polls
    stop, task, community_bot = await serving()
    try:
        await vk.wait_processed(ts)
    finally:
        stop.set()
        await task
        await community_bot.session.close()
    answers = [c.text for c in vk.calls_of("messages.send") if 777002 in c.peer_ids]
    assert any("ул. Ленина, 1" in text for text in answers)
