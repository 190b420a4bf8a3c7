"""Announcements already scheduled or sent: the list staff see, changing one's mind before
it starts («Отменить»), and recalling one that went out («Отозвать», asked once)."""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ComposeAction, ComposeCb
from broadcasts.views.keyboards import button, inline
from handlers.common import show_menu
from handlers.compose_audience import EVENT_PREFIX, audience_label, event_title, preview, value_of
from handlers.filters import HasRole
from handlers.routes import Routes
from storage import outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.outbox import Audience
from storage.people import PersonView
from storage.types import utcnow

routes = Routes(__name__)  # staff only, like composing
routes.filter("callback_query", HasRole(Role.STAFF))


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


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.RECALL))
async def ask_recall(
    query: CallbackQuery, callback_data: ComposeCb, texts: Texts, activity: ActivityNote
) -> None:
    """«Отозвать» is asked once: the messages already delivered will be deleted."""
    activity.kind = ActivityKind.STAFF_ACTION
    activity.notes = f"broadcast={callback_data.broadcast_id}"
    await query.answer()
    if not isinstance(query.message, Message):
        return
    number = callback_data.broadcast_id
    yes = ComposeCb(action=ComposeAction.RECALL_YES, broadcast_id=number)
    await query.message.answer(
        texts("compose-recall-confirm", id=number),
        reply_markup=inline(texts, [button(texts("compose-recall-yes"), yes.pack())]),
    )


@routes.callback_query(ComposeCb.filter(F.action == ComposeAction.RECALL_YES))
async def recall(
    query: CallbackQuery,
    callback_data: ComposeCb,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The sent messages are deleted by the sender (within the messenger's 48 hours) and
    the unsent ones dropped."""
    activity.kind = ActivityKind.STAFF_ACTION
    activity.notes = f"broadcast={callback_data.broadcast_id}"
    await query.answer()
    if not isinstance(query.message, Message):
        return
    number = callback_data.broadcast_id
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
