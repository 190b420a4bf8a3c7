"""Staff compose an announcement in the bot: text (or a photo), audience, time, preview.

The draft lives in FSM data; nothing is scheduled until «Запланировать». The router
is behind HasRole(STAFF); topic ids in buttons are checked against the config.
"""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.sender import message_markup
from broadcasts.views.callbacks import ComposeAction, ComposeCb
from broadcasts.views.keyboards import button, inline
from handlers.common import show_menu
from handlers.filters import HasRole
from handlers.routes import Routes
from handlers.subscriptions import topic_name
from storage import outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.events.listing import upcoming
from storage.events.models import Event, EventStatus
from storage.models import ActivityKind, Role
from storage.outbox import Audience
from storage.people import PersonView
from storage.types import utcnow

TEXT_LIMIT = 4000
CAPTION_LIMIT = 1000
EVERYONE = "*"
NKO = "+nko"  # people who gave an organisation (with consent)
EVENT_LIST = "#"  # show upcoming events to choose from
EVENT_PREFIX = "#"  # "#12": those registered for event 12 (topic ids cannot start so)
EVENT_CHOICES = 8
MAX_BUTTONS = 3
BRANCH_MARK = "@"  # "events@central": a per-branch topic's followers of one branch
_WHEN = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})(?:\.(\d{4}))?\s+(\d{1,2})[:.](\d{2})\s*$")

routes = Routes(__name__)  # staff only, checked on the server for every press and message
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


def preview(announcement: str, limit: int = 60) -> str:
    """The start of an announcement's text as plain text (its HTML tags and escapes
    undone), to be escaped again where it is shown: never cut inside `&amp;`."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", announcement))
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


class ComposeForm(StatesGroup):
    text = State()
    when = State()


def _cancel_row(texts: Texts) -> list[InlineKeyboardButton]:
    return [button(texts("compose-cancel"), ComposeCb(action=ComposeAction.CANCEL).pack())]


def audience_label(texts: Texts, config: Config, value: str, event_title: str = "") -> str:
    if value == EVERYONE:
        return texts("compose-everyone")
    if value == NKO:
        return texts("compose-nko")
    if value.startswith(EVENT_PREFIX):
        return texts("compose-event-audience", title=event_title or value)
    topic_id, _, branch_id = value.partition(BRANCH_MARK)
    topic = config.subscriptions.topic(topic_id)
    label = topic_name(texts, topic) if topic else topic_id
    branch = next((b for b in config.library.branches if b.id == branch_id), None)
    return texts("compose-topic-branch", topic=label, branch=branch.name) if branch else label


def audience_of(value: str) -> Audience:
    """The stored audience for a draft's choice (validated before it reached the draft)."""
    if value == EVERYONE:
        return Audience(everyone=True)
    if value == NKO:
        return Audience(nko=True)
    if value.startswith(EVENT_PREFIX):
        return Audience(event_id=int(value.removeprefix(EVENT_PREFIX)))
    topic, _, branch = value.partition(BRANCH_MARK)
    return Audience(topic=topic, branch=branch)


def value_of(audience: Audience) -> str:
    if audience.everyone:
        return EVERYONE
    if audience.nko:
        return NKO
    if audience.event_id is not None:
        return f"{EVENT_PREFIX}{audience.event_id}"
    if audience.branch:
        return f"{audience.topic or ''}{BRANCH_MARK}{audience.branch}"
    return audience.topic or ""


def _topic_choice(config: Config, value: str) -> tuple[bool, bool]:
    """(a known topic, and its branch is still to be chosen)."""
    topic_id, marked, branch_id = value.partition(BRANCH_MARK)
    topic = config.subscriptions.topic(topic_id)
    if topic is None:
        return False, False
    if not marked:
        return True, topic.per_branch and len(config.library.branches) > 1
    known = branch_id == "" or any(b.id == branch_id for b in config.library.branches)
    return known and topic.per_branch, False


async def _choose_branch(message: Message, texts: Texts, config: Config, topic: str) -> None:
    def choice(label: str, branch: str) -> list[InlineKeyboardButton]:
        value = f"{topic}{BRANCH_MARK}{branch}"
        return [button(label, ComposeCb(action=ComposeAction.AUDIENCE, value=value).pack())]

    rows = [choice(texts("compose-all-branches"), "")]
    rows += [choice(b.name, b.id) for b in config.library.branches]
    rows.append(_cancel_row(texts))
    await message.answer(
        texts("compose-ask-branch"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def event_title(db: Database, value: str) -> str | None:
    """The title of a scheduled event named by "#<id>", or None."""
    number = value.removeprefix(EVENT_PREFIX)
    if not number.isdigit() or len(number) > 9:
        return None
    async with db.transaction() as session:
        event = await session.get(Event, int(number))
    if event is None or event.status != EventStatus.SCHEDULED:
        return None
    return event.title


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
            reply_markup=InlineKeyboardMarkup(inline_keyboard=[_cancel_row(texts)]),
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
    rows.append(_cancel_row(texts))
    await message.answer(
        texts("compose-ask-audience"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def choose_event(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    *,
    action: ComposeAction,
    question: str,
) -> None:
    """Upcoming events as buttons carrying "#<id>" for `action` (an audience, a «Записаться»
    button), with «Отменить»; a word instead when there are none."""
    events, _ = await upcoming(db, now=utcnow(), limit=EVENT_CHOICES)
    rows = [
        [
            button(
                f"{e.starts_at.astimezone(config.library.zone):%d.%m} {e.title}"[:60],
                ComposeCb(action=action, value=f"{EVENT_PREFIX}{e.id}").pack(),
            )
        ]
        for e in events
    ]
    rows.append(_cancel_row(texts))
    await message.answer(
        texts(question if events else "compose-no-events"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
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
    known_topic, needs_branch = _topic_choice(config, value)
    valid = value in (EVERYONE, NKO) or known_topic or title is not None
    if "text" not in draft or not valid:
        await state.clear()
        await show_menu(message, texts, person, key="compose-draft-gone")
        return
    if needs_branch:
        await _choose_branch(message, texts, config, value)
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
    rows.append(_cancel_row(texts))
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
    rows.append(_cancel_row(texts))
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


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.LIST))
async def list_scheduled(
    query: CallbackQuery, texts: Texts, config: Config, db: Database, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    if not isinstance(query.message, Message):
        return
    pending = await outbox.scheduled(db)
    sent = await outbox.recent(db, utcnow())
    if not pending and not sent:
        await query.message.answer(texts("compose-none-scheduled"), reply_markup=inline(texts))
        return
    lines, rows = [], []
    for broadcast in pending:
        value = value_of(Audience.load(broadcast.audience))
        title = await event_title(db, value) if value.startswith(EVENT_PREFIX) else ""
        label = audience_label(texts, config, value, title or "")
        local = broadcast.scheduled_at.astimezone(config.library.zone)
        lines.append(
            texts(
                "compose-list-line",
                id=broadcast.id,
                when=f"{local:%d.%m.%Y %H:%M}",
                audience=label,
                text=preview(broadcast.text),
            )
        )
        drop = ComposeCb(action=ComposeAction.DROP, broadcast_id=broadcast.id)
        edit = ComposeCb(action=ComposeAction.EDIT, broadcast_id=broadcast.id)
        rows.append(
            [
                button(texts("compose-edit", id=broadcast.id), edit.pack()),
                button(texts("compose-drop", id=broadcast.id), drop.pack()),
            ]
        )
    for broadcast in sent:
        started = (broadcast.started_at or utcnow()).astimezone(config.library.zone)
        lines.append(
            texts(
                "compose-sent-line",
                id=broadcast.id,
                when=f"{started:%d.%m.%Y %H:%M}",
                text=preview(broadcast.text),
            )
        )
        recall = ComposeCb(action=ComposeAction.RECALL, broadcast_id=broadcast.id)
        rows.append([button(texts("compose-recall", id=broadcast.id), recall.pack())])
    await query.message.answer("\n".join(lines), reply_markup=inline(texts, *rows))


@routes.callback_query(
    ComposeCb.filter(F.action.in_({ComposeAction.RECALL, ComposeAction.RECALL_YES}))
)
async def recall(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Отозвать»: asked once, then the sent messages are deleted by the sender (within the
    messenger's 48 hours) and the unsent ones dropped."""
    activity.kind = ActivityKind.STAFF_ACTION
    activity.notes = f"broadcast={callback_data.broadcast_id}"
    await query.answer()
    if not isinstance(query.message, Message):
        return
    number = callback_data.broadcast_id
    if callback_data.action is ComposeAction.RECALL:
        yes = ComposeCb(action=ComposeAction.RECALL_YES, broadcast_id=number)
        await query.message.answer(
            texts("compose-recall-confirm", id=number),
            reply_markup=inline(texts, [button(texts("compose-recall-yes"), yes.pack())]),
        )
        return
    taken_back = await outbox.request_recall(db, number, utcnow())
    if taken_back is None:
        activity.status = "not recallable"
        await show_menu(query.message, texts, person, key="compose-not-recallable", id=number)
        return
    activity.status = "broadcast recalled"
    activity.responsible = person.display_name or person.messenger_id
    await show_menu(
        query.message,
        texts,
        person,
        key="compose-recalled",
        id=number,
        deleting=taken_back.to_delete,
        dropped=taken_back.dropped,
        old=taken_back.too_old,
    )


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.DROP))
async def drop(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    cancelled = await outbox.cancel(db, callback_data.broadcast_id)
    activity.status = "broadcast cancelled" if cancelled else "not cancellable"
    activity.notes = f"broadcast={callback_data.broadcast_id}"
    if isinstance(query.message, Message):
        key = "compose-dropped" if cancelled else "compose-not-droppable"
        await show_menu(query.message, texts, person, key=key, id=callback_data.broadcast_id)
