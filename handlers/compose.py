"""Staff compose an announcement in the bot: text (or a photo), audience, time, preview.

The draft lives in FSM data; nothing is scheduled until «Запланировать». Staff only,
checked for every press and message; the audience in a button is checked against the
config and the events table (`compose_audience`). A link or «Записаться» button and
editing a scheduled text are `compose_buttons`; the list, cancel and recall of scheduled
and sent announcements are `compose_scheduled`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.sender import message_markup
from broadcasts.views.callbacks import ComposeAction, ComposeCb
from broadcasts.views.keyboards import button
from handlers.common import show_menu
from handlers.compose_audience import (
    EVENT_LIST,
    EVENT_PREFIX,
    EVERYONE,
    NKO,
    audience_label,
    audience_of,
    cancel_row,
    choose_branch,
    choose_event,
    event_title,
    topic_choice,
)
from handlers.filters import HasRole
from handlers.routes import Routes
from handlers.subscriptions import topic_name
from storage import outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView

TEXT_LIMIT = 4000
CAPTION_LIMIT = 1000
MAX_BUTTONS = 3
_WHEN = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+(\d{1,2})[:.](\d{2})\s*$")

routes = Routes(__name__)  # staff only, checked on the server for every press and message
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


class ComposeForm(StatesGroup):
    text = State()
    when = State()


def parse_when(text: str, now_local: datetime) -> datetime | None:
    """«25.12 18:00» or «25.12.2026 18:00» in library time; a past day-month means next year."""
    match = _WHEN.match(text)
    if not match:
        return None
    day, month, year, hour, minute = match.groups()
    try:
        moment = now_local.replace(
            year=int(year) if year else now_local.year,
            month=int(month),
            day=int(day),
            hour=int(hour),
            minute=int(minute),
            second=0,
            microsecond=0,
        )
    except ValueError:
        return None
    if not year and moment < now_local - timedelta(days=1):
        moment = moment.replace(year=moment.year + 1)
    return moment


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.NEW))
async def start(
    query: CallbackQuery, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await state.set_state(ComposeForm.text)
    await state.set_data({})
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            texts("compose-ask-text"),
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[cancel_row(texts)]),
        )


@routes.message(ComposeForm.text)
async def take_text(
    message: Message, texts: Texts, config: Config, state: FSMContext, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    photo = message.photo[-1].file_id if message.photo else None
    body = (message.html_text if (message.text or message.caption) else "").strip()
    if not body and not photo:
        await message.answer(texts("compose-empty"))
        return
    limit = CAPTION_LIMIT if photo else TEXT_LIMIT
    if len(body) > limit:
        await message.answer(texts("compose-too-long", length=len(body), limit=limit))
        return
    await state.update_data(text=body, photo=photo)
    rows = [
        [button(topic_name(texts, t), ComposeCb(action=ComposeAction.AUDIENCE, value=t.id).pack())]
        for t in config.subscriptions.topics
    ]
    for value, key in (
        (NKO, "compose-nko"),
        (EVENT_LIST, "compose-event-list"),
        (EVERYONE, "compose-everyone"),
    ):
        rows.append(
            [button(texts(key), ComposeCb(action=ComposeAction.AUDIENCE, value=value).pack())]
        )
    rows.append(cancel_row(texts))
    await message.answer(
        texts("compose-ask-audience"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.AUDIENCE))
async def take_audience(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    draft = await state.get_data()
    value = callback_data.value
    if message is None:
        return
    if "text" in draft and value == EVENT_LIST:
        await choose_event(
            message, texts, config, db, action=ComposeAction.AUDIENCE, question="compose-ask-event"
        )
        return
    title = await event_title(db, value) if value.startswith(EVENT_PREFIX) else None
    known_topic, needs_branch = topic_choice(config, value)
    valid = value in (EVERYONE, NKO) or known_topic or title is not None
    if "text" not in draft or not valid:
        await state.clear()
        await show_menu(message, texts, person, key="compose-draft-gone")
        return
    if needs_branch:
        await choose_branch(message, texts, config, value)
        return
    await state.update_data(audience=value, event_title=title or "")
    await state.set_state(ComposeForm.when)
    choices = [
        ("now", "compose-now"),
        ("urgent", "compose-now-urgent"),
        ("tomorrow", "compose-tomorrow"),
    ]
    rows = [
        [button(texts(key), ComposeCb(action=ComposeAction.WHEN, value=value).pack())]
        for value, key in choices
    ]
    rows.append(cancel_row(texts))
    await message.answer(
        texts("compose-ask-when"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def _preview(
    message: Message,
    bot: Bot,
    texts: Texts,
    config: Config,
    state: FSMContext,
    when: datetime,
    *,
    urgent: bool,
) -> None:
    draft = await state.update_data(when=when.astimezone(UTC).isoformat(), urgent=urgent)
    await state.set_state(None)
    await render_preview(message.chat.id, bot, texts, config, draft)


async def render_preview(
    chat_id: int, bot: Bot, texts: Texts, config: Config, draft: dict[str, Any]
) -> None:
    """The announcement exactly as subscribers will get it (its buttons too), then the
    question: schedule it, add a button, or cancel."""
    markup = message_markup(draft.get("buttons") or [])
    if draft.get("photo"):
        await bot.send_photo(
            chat_id, draft["photo"], caption=draft["text"] or None, reply_markup=markup
        )
    else:
        await bot.send_message(chat_id, draft["text"], reply_markup=markup)
    local = datetime.fromisoformat(draft["when"]).astimezone(config.library.zone)
    rows = [[button(texts("compose-confirm"), ComposeCb(action=ComposeAction.CONFIRM).pack())]]
    if len(draft.get("buttons") or []) < MAX_BUTTONS:
        rows += [
            [button(texts("compose-add-link"), ComposeCb(action=ComposeAction.LINK).pack())],
            [
                button(
                    texts("compose-add-signup"),
                    ComposeCb(action=ComposeAction.SIGNUP, value=EVENT_LIST).pack(),
                )
            ],
        ]
    rows.append(cancel_row(texts))
    await bot.send_message(
        chat_id,
        texts(
            "compose-preview",
            audience=audience_label(texts, config, draft["audience"], draft.get("event_title", "")),
            when=f"{local:%d.%m.%Y %H:%M}",
            urgent="yes" if draft.get("urgent") else "no",
        ),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.WHEN))
async def take_when_button(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    person: PersonView,
    config: Config,
    state: FSMContext,
    bot: Bot,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    draft = await state.get_data()
    if message is None:
        return
    if "audience" not in draft or callback_data.value not in ("now", "urgent", "tomorrow"):
        await state.clear()
        await show_menu(message, texts, person, key="compose-draft-gone")
        return
    now = datetime.now(UTC)
    when = now
    if callback_data.value == "tomorrow":
        local = now.astimezone(config.library.zone) + timedelta(days=1)
        when = local.replace(hour=10, minute=0, second=0, microsecond=0)
    await _preview(message, bot, texts, config, state, when, urgent=callback_data.value == "urgent")


@routes.message(ComposeForm.when, F.text)
async def take_when_text(
    message: Message,
    texts: Texts,
    config: Config,
    state: FSMContext,
    bot: Bot,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    now_local = datetime.now(UTC).astimezone(config.library.zone)
    when = parse_when(message.text or "", now_local)
    if when is None:
        await message.answer(texts("compose-bad-time"))
        return
    if when < now_local:
        await message.answer(texts("compose-past-time"))
        return
    await _preview(message, bot, texts, config, state, when, urgent=False)


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.CONFIRM))
async def confirm(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    draft = await state.get_data()
    await state.clear()
    if message is None:
        return
    if not {"text", "audience", "when"} <= draft.keys():
        await show_menu(message, texts, person, key="compose-draft-gone")
        return
    await message.edit_reply_markup(reply_markup=None)
    audience = draft["audience"]
    when = datetime.fromisoformat(draft["when"])
    author = person.display_name or person.messenger_id
    broadcast_id = await outbox.create(
        db,
        text=draft["text"],
        photo=draft.get("photo"),
        audience=audience_of(audience),
        buttons=draft.get("buttons") or [],
        scheduled_at=when,
        urgent=bool(draft.get("urgent")),
        author_id=person.id,
        author_name=author,
    )
    activity.status = "broadcast scheduled"
    activity.content = draft["text"]
    activity.responsible = author
    activity.notes = f"broadcast={broadcast_id} audience={audience}"
    local = when.astimezone(config.library.zone)
    await show_menu(
        message,
        texts,
        person,
        key="compose-scheduled",
        id=broadcast_id,
        when=f"{local:%d.%m.%Y %H:%M}",
    )


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.CANCEL))
async def cancel_draft(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key="compose-cancelled")
