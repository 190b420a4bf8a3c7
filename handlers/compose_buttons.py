"""What staff add to an announcement after the preview — a link button, «Записаться» for an
upcoming event — and changing a scheduled announcement's text until it starts. Staff only,
like the rest of composing."""

from __future__ import annotations

import re

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ComposeAction, ComposeCb, EventAction, EventCb
from handlers import compose
from handlers.common import show_menu
from handlers.compose_audience import EVENT_LIST, EVENT_PREFIX, choose_event, event_title
from handlers.filters import HasRole
from handlers.routes import Routes
from storage import outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView

BUTTON_TEXT_LIMIT = 40
URL_LIMIT = 500
_URL = re.compile(r"^https?://[^\s<>\"]+\.[^\s<>\"]+$")

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


class ComposeExtra(StatesGroup):
    link = State()  # waiting for «Текст | https://…»
    edit = State()  # waiting for a scheduled announcement's new text


def parse_link(text: str, default_label: str) -> dict[str, str] | None:
    """«Текст | https://…» or a bare address (the label then is `default_label`)."""
    label, bar, url = text.partition("|")
    if not bar:
        label, url = default_label, text
    label, url = " ".join(label.split()), url.strip()
    if not label or len(label) > BUTTON_TEXT_LIMIT or len(url) > URL_LIMIT or not _URL.match(url):
        return None
    return {"text": label, "url": url}


async def _draft_or_menu(
    message: Message, texts: Texts, person: PersonView, state: FSMContext
) -> dict[str, object] | None:
    draft = await state.get_data()
    if not {"text", "audience", "when"} <= draft.keys():
        await state.clear()
        await show_menu(message, texts, person, key="compose-draft-gone")
        return None
    return draft


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.LINK))
async def ask_link(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    if not isinstance(query.message, Message):
        return
    if await _draft_or_menu(query.message, texts, person, state) is None:
        return
    await state.set_state(ComposeExtra.link)
    await query.message.answer(texts("compose-ask-link"))


@routes.message(ComposeExtra.link, F.text)
async def take_link(
    message: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    bot: Bot,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    draft = await _draft_or_menu(message, texts, person, state)
    if draft is None:
        return
    link = parse_link(message.text or "", texts("compose-link-default"))
    if link is None:
        await message.answer(texts("compose-bad-link", limit=BUTTON_TEXT_LIMIT))
        return
    await _add_button(message.chat.id, texts, config, state, bot, link)


async def _add_button(
    chat_id: int,
    texts: Texts,
    config: Config,
    state: FSMContext,
    bot: Bot,
    extra: dict[str, str],
) -> None:
    draft = await state.get_data()
    buttons = [*(draft.get("buttons") or []), extra][: compose.MAX_BUTTONS]
    draft = await state.update_data(buttons=buttons)
    await state.set_state(None)
    await compose.render_preview(chat_id, bot, texts, config, draft)


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.SIGNUP))
async def signup(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    bot: Bot,
    activity: ActivityNote,
) -> None:
    """«Записаться»: choose the event, and the button opens its registration."""
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None or await _draft_or_menu(message, texts, person, state) is None:
        return
    value = callback_data.value
    if value == EVENT_LIST:
        await choose_event(
            message, texts, config, db, action=ComposeAction.SIGNUP, question="compose-ask-signup"
        )
        return
    title = await event_title(db, value)
    if title is None:
        await message.answer(texts("compose-event-gone"))
        return
    event_id = int(value.removeprefix(EVENT_PREFIX))
    extra = {
        "text": texts("compose-signup-label"),
        "callback_data": EventCb(action=EventAction.REGISTER, id=event_id).pack(),
    }
    await _add_button(message.chat.id, texts, config, state, bot, extra)


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.EDIT))
async def ask_edit(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    if not isinstance(query.message, Message):
        return
    await state.set_state(ComposeExtra.edit)
    await state.update_data(editing=callback_data.broadcast_id)
    await query.message.answer(texts("compose-ask-edit", id=callback_data.broadcast_id))


@routes.message(ComposeExtra.edit, F.text)
async def take_edit(
    message: Message,
    texts: Texts,
    person: PersonView,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    number = int((await state.get_data()).get("editing") or 0)
    body = (message.html_text if message.text else "").strip()
    if not body:
        await message.answer(texts("compose-empty"))
        return
    if len(body) > compose.TEXT_LIMIT:
        await message.answer(texts("compose-too-long", length=len(body), limit=compose.TEXT_LIMIT))
        return
    await state.clear()
    changed = await outbox.edit_text(db, number, body)
    activity.status = "broadcast edited" if changed else "not editable"
    activity.notes = f"broadcast={number}"
    key = "compose-edited" if changed else "compose-not-editable"
    await show_menu(message, texts, person, key=key, id=number)
