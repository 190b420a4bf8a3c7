"""Staff answering in the staff chat itself: a reply (the messenger's own «reply») to any
message of a request's thread there — its card, a reader's addition, a reminder — is the
answer to that request, for any request (a question to a librarian or a consultation).

The staff chat is `[staff] chat_id` on `[staff] chat_messenger` (a Telegram group, a VK or
MAX chat). Group messages are not a conversation with the bot, so nobody is resolved for them
beforehand: the writer is looked up here, and only staff (or the expert a request was passed
to) may answer — checked in storage for every reply, as for every press. Nothing else said
in the chat is answered. The answer is logged as the request's step like one given with
«Ответить».

A reply that begins with «//» (or «#») is a remark for colleagues, not an answer: kept as
a staff note of the request (the reader never sees notes) and acknowledged with
«🔒 Заметка». What the bot says under a reply («✅ Ответ отправлен», «🔒 Заметка») belongs
to the request's thread as well (`storage.outbox.remember`): replying to it works like
replying to the card. The card, edited after an answer, keeps its line saying how to
answer.
"""

from __future__ import annotations

import contextlib
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import InlineKeyboardMarkup, Message, User

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import (
    STAFF_LANGUAGE,
    card_lead,
    card_text,
    is_librarian,
    send_answer,
    to_faq_row,
)
from broadcasts.views.request_view import desk_card, desk_rows
from handlers.consultation_activity import log_step, request_kind
from handlers.desk_cards import refusal_text
from handlers.desk_forms import TEXT_LIMIT
from handlers.librarian_routes import staff_chat_routes
from storage import activity as activity_log
from storage import outbox, people
from storage.activity import ActivityNote
from storage.consultations import access, transitions
from storage.consultations.access import Permitted, Work
from storage.consultations.requests import Actor, RequestView
from storage.consultations.transitions import Refusal, Refused
from storage.db import Database
from storage.models import Role
from storage.people import PersonView

# A reply beginning with one of these is a note for colleagues, not an answer to the reader.
NOTE_MARKS = ("//", "#")


class ThreadReply(Filter):
    """A message in the staff chat replying to one of the bot's messages about a request:
    injects the request's number as `request_id`."""

    async def __call__(
        self, message: Message, config: Config, db: Database, platform: str = "telegram"
    ) -> bool | dict[str, Any]:
        chat_id = config.staff.chat_id
        replied = message.reply_to_message
        if (
            chat_id is None
            or message.chat.id != chat_id
            or platform != config.staff.chat_messenger
            or replied is None
            or message.from_user is None
            or message.from_user.is_bot
        ):
            return False
        thread = await outbox.thread_of(db, platform, str(chat_id), str(replied.message_id))
        request_id = outbox.request_of(thread)
        return {"request_id": request_id} if request_id is not None else False


async def writer(db: Database, config: Config, platform: str, user: User) -> PersonView | None:
    """Who wrote in the staff chat, as the bot knows them: an admin named in the config
    (known from now on), someone who has talked to the bot, or nobody."""
    messenger_id = f"{platform}:{user.id}"
    if messenger_id in config.staff.admins:
        person = await people.resolve(db, platform, str(user.id), language_hint=STAFF_LANGUAGE)
        return person.with_roles(frozenset({Role.ADMIN, Role.STAFF}))
    return await people.find(db, platform, str(user.id))


@staff_chat_routes.message(ThreadReply())
async def reply_in_chat(
    message: Message,
    request_id: int,
    locales: Locales,
    config: Config,
    db: Database,
    platform: str = "telegram",
) -> None:
    """The reply reaches the requester in their own messenger, as an answer given with
    «Ответить» would; the chat is told it went (or why not)."""
    texts = locales.texts(STAFF_LANGUAGE)
    assert message.from_user is not None  # ThreadReply let only a person's reply through
    who = await writer(db, config, platform, message.from_user)
    if who is None:
        await message.reply(texts("lib-reply-staff-only"))
        return
    text = (message.text or "").strip()
    note = _note(text)
    work = Work.ANSWER if note is None else Work.NOTE
    verdict = await access.may_work(db, who, request_id, work, message.from_user.full_name)
    if isinstance(verdict, access.Denied):
        key = "lib-reply-gone" if verdict.reason is Refusal.GONE else "lib-reply-staff-only"
        await message.reply(texts(key))
        return
    if isinstance(verdict, access.Closed):
        await _say(
            message, db, platform, verdict.request, texts("lib-reply-closed", number=request_id)
        )
        return
    if note is not None:
        await _note_down(message, texts, config, db, platform, verdict, note)
        return
    if not text:
        await message.reply(texts("lib-reply-text-only"))
        return
    if len(text) > TEXT_LIMIT:
        await message.reply(texts("desk-text-size", limit=TEXT_LIMIT))
        return
    await _answer(message, texts, locales, config, db, platform, verdict, text)


def _note(text: str) -> str | None:
    """What a reply says for colleagues only (after «//» or «#»), or None: an answer."""
    for mark in NOTE_MARKS:
        if text.startswith(mark):
            return text.removeprefix(mark).strip()
    return None


async def _say(
    message: Message,
    db: Database,
    platform: str,
    request: RequestView,
    text: str,
    markup: InlineKeyboardMarkup | None = None,
) -> None:
    """The bot's word under a staff member's reply, kept in the request's thread: a reply
    to it is about the same request."""
    said = await message.reply(text, reply_markup=markup)
    await outbox.remember(
        db,
        platform,
        str(message.chat.id),
        str(said.message_id),
        outbox.request_thread(request.id),
        about_person_id=request.person_id,
    )


async def _note_down(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    platform: str,
    permitted: Permitted,
    note: str,
) -> None:
    """«// …»: a staff note of the request; the reader is not told."""
    if not note:
        await message.reply(texts("lib-note-empty"))
        return
    if len(note) > TEXT_LIMIT:
        await message.reply(texts("desk-text-size", limit=TEXT_LIMIT))
        return
    outcome = await transitions.note(db, permitted.request.id, permitted.actor, note)
    if isinstance(outcome, Refused):
        await message.reply(refusal_text(texts, outcome))
        return
    await _log(db, config, platform, outcome.request, permitted.actor, "note")
    await _say(message, db, platform, outcome.request, texts("lib-note-saved"))


async def _answer(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    platform: str,
    permitted: Permitted,
    text: str,
) -> None:
    actor = permitted.actor
    outcome = await transitions.answer(db, permitted.request.id, actor, text)
    if isinstance(outcome, Refused):
        key = (
            texts("lib-reply-closed", number=permitted.request.id)
            if outcome.reason is Refusal.CLOSED
            else refusal_text(texts, outcome)
        )
        await message.reply(key)
        return
    request = outcome.request
    stamp = f"chat:{message.message_id}"
    delivered = await send_answer(db, locales, config, request, text, stamp=stamp)
    await _log(db, config, platform, request, actor, "answer", text)
    rows = [to_faq_row(texts, request)] if is_librarian(request) and delivered else []
    key = "lib-reply-sent" if delivered else "lib-reply-kept"
    markup = InlineKeyboardMarkup(inline_keyboard=rows) if rows else None
    await _say(message, db, platform, request, texts(key, number=request.id), markup)
    await _refresh_card(message, texts, config, db, platform, request)


async def _log(
    db: Database,
    config: Config,
    platform: str,
    request: RequestView,
    actor: Actor,
    step: str,
    text: str | None = None,
) -> None:
    """The answer (or the note, without its text) as a step of the request in the work
    sheet (a group message has no row of its own)."""
    note = ActivityNote(
        platform=platform, kind=request_kind(config, request.topic), person_id=actor.person_id
    )
    log_step(note, config, request, actor, step, notes=text)
    await activity_log.record(db, note)


async def _refresh_card(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    platform: str,
    request: RequestView,
) -> None:
    """The card in the chat shows the request as it is now (answered, whose it is), with
    its line saying how to answer it."""
    thread = outbox.request_thread(request.id)
    chat_id = str(message.chat.id)
    card = await outbox.opening_message(db, platform, chat_id, thread)
    if card is None or message.bot is None:
        return
    rows = desk_rows(texts, request)
    text = desk_card(texts, config, request)  # «📨 Новое обращение» is no longer true
    if is_librarian(request):
        rows.append(to_faq_row(texts, request))
        text = card_text(texts, config, request, card_lead(request))  # how to answer, still
    # Too old to edit, or not changed: the next card shown is fresh anyway.
    with contextlib.suppress(TelegramAPIError):
        await message.bot.edit_message_text(
            text,
            chat_id=message.chat.id,
            message_id=int(card),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
        )
