"""«Для сотрудников» → «Мероприятия»: counts, the attendance list with ticks, the list
of participants as XLSX or CSV, a message to everyone registered, cancelling an event.
Behind HasRole(STAFF), checked on the server for every update; the forms (new, move, add,
edit) are `handlers.staff_event_forms` and `handlers.staff_event_new`."""

from __future__ import annotations

from datetime import timedelta

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.event_notices import tell_registrants
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.event_view import when
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole, TextWithinLimit
from handlers.routes import Routes
from handlers.staff_event_buttons import NamedEvent, OnMessage, cb, pressed
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import attendance, changes
from storage.events.export import export_file
from storage.events.listing import EventView, get, upcoming
from storage.events.models import EventStatus
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.types import utcnow

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))

Action = StaffEventAction
# The presses this module answers (its catch-all answers the forged and stale ones).
SCREENS = {
    Action.LIST,
    Action.SHOW,
    Action.PEOPLE,
    Action.TICK,
    Action.XLSX,
    Action.CSV,
    Action.MESSAGE,
    Action.CANCEL,
    Action.CANCEL_YES,
}
SHEETS = {Action.XLSX: "xlsx", Action.CSV: "csv"}  # the file each button sends


class StaffEventForm(StatesGroup):
    message = State()


def _card(texts: Texts, config: Config, event: EventView, tally: attendance.Tally) -> str:
    return texts(
        "staff-event-card",
        title=event.title,
        when=when(config, event.starts_at),
        confirmed=tally.confirmed,
        seats=event.seats if event.seats is not None else "∞",
        waiting=tally.waiting,
        offered=tally.offered,
        cancelled=tally.cancelled,
        attended=tally.attended,
        status=texts(f"staff-event-status-{event.status.value}"),
    )


def _card_rows(texts: Texts, event: EventView) -> list[list[InlineKeyboardButton]]:
    rows = [
        [button(texts("staff-event-people"), cb(Action.PEOPLE, event.id))],
        [
            button(texts("staff-event-xlsx"), cb(Action.XLSX, event.id)),
            button(texts("staff-event-csv"), cb(Action.CSV, event.id)),
        ],
        [button(texts("staff-event-message"), cb(Action.MESSAGE, event.id))],
        [button(texts("staff-event-add"), cb(Action.ADD, event.id))],
    ]
    if event.status == EventStatus.SCHEDULED:  # a cancelled event is not changed any more
        rows.append(
            [
                button(texts("staff-event-edit"), cb(Action.EDIT, event.id)),
                button(texts("staff-event-move"), cb(Action.MOVE, event.id)),
            ]
        )
        rows.append([button(texts("staff-event-cancel"), cb(Action.CANCEL, event.id))])
    return rows


async def _people_rows(
    texts: Texts, db: Database, event_id: int, page: int
) -> list[list[InlineKeyboardButton]]:
    sheet = await attendance.attendance_page(db, event_id, page)
    rows = [
        [
            button(
                ("✅ " if p.id in sheet.present else "☐ ") + (p.name or "—")[:50],
                cb(Action.TICK, p.id, page),
            )
        ]
        for p in sheet.places
    ]
    if sheet.more:
        rows.append([button(texts("events-more"), cb(Action.PEOPLE, event_id, page + 1))])
    rows.append([button(texts("events-list-button"), cb(Action.SHOW, event_id))])
    return rows


@routes.callback_query(pressed(Action.LIST), OnMessage())
async def list_events(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    events, _ = await upcoming(db, limit=30)
    rows = [
        [button(f"{when(config, e.starts_at)} {e.title}"[:60], cb(Action.SHOW, e.id))]
        for e in events
    ]
    rows.append([button(texts("staff-event-new"), cb(Action.NEW))])
    key = "staff-events-title" if events else "events-none"
    await target.answer(texts(key), reply_markup=inline(texts, *rows))


@routes.callback_query(pressed(Action.SHOW), NamedEvent())
async def show(
    query: CallbackQuery,
    event: EventView,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    card = _card(texts, config, event, await attendance.tally(db, event.id))
    await target.answer(card, reply_markup=inline(texts, *_card_rows(texts, event)))


@routes.callback_query(pressed(Action.PEOPLE), NamedEvent())
async def people(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    event: EventView,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    rows = await _people_rows(texts, db, event.id, callback_data.page)
    title = texts("staff-event-people-title", title=event.title)
    await target.answer(title, reply_markup=inline(texts, *rows))


@routes.callback_query(pressed(Action.TICK), OnMessage())
async def tick(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """A tick marks a participant as come; a second one takes the mark away."""
    staff_at_work(activity, person)
    present = await attendance.toggle(db, callback_data.id)
    if present is None:
        await query.answer(texts("events-ticket-unknown"), show_alert=True)
        return
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.content = present.event_title
    activity.customer = present.place.name
    activity.about_person_id = present.place.person_id
    activity.status = "unmarked" if present.already else "attended"
    await query.answer()
    rows = await _people_rows(texts, db, present.place.event_id, callback_data.page)
    await target.edit_reply_markup(reply_markup=inline(texts, *rows))


@routes.callback_query(pressed(*SHEETS), NamedEvent())
async def export(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    event: EventView,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The participants as the file the button names (XLSX or CSV)."""
    staff_at_work(activity, person)
    await query.answer()
    title = f"{event.title} — {when(config, event.starts_at)}"
    extension = SHEETS[callback_data.action]
    sheet = await export_file(db, event.id, title, config.library.zone, extension)
    activity.status = f"exported {sheet.name}"
    await target.answer_document(
        BufferedInputFile(sheet.data, filename=sheet.name),
        caption=texts("staff-event-exported", title=event.title, count=sheet.rows),
    )


@routes.callback_query(pressed(Action.MESSAGE), OnMessage())
async def ask_message(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    target: Message,
    texts: Texts,
    state: FSMContext,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    await state.set_state(StaffEventForm.message)
    await state.update_data(event_id=callback_data.id)
    await target.answer(texts("staff-event-ask-message"), reply_markup=inline(texts))


@routes.callback_query(pressed(Action.CANCEL), OnMessage())
async def ask_cancel(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    target: Message,
    texts: Texts,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    yes = button(texts("staff-event-cancel-yes"), cb(Action.CANCEL_YES, callback_data.id))
    no = button(texts("events-cancel-no"), cb(Action.SHOW, callback_data.id))
    await target.answer(texts("staff-event-cancel-confirm"), reply_markup=inline(texts, [yes, no]))


@routes.callback_query(pressed(Action.CANCEL_YES), OnMessage())
async def cancel(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """Cancel the event and tell everyone registered (an event already cancelled, or
    gone, is «не найдено»)."""
    staff_at_work(activity, person)
    await query.answer()
    event = await changes.cancel(db, callback_data.id)
    if event is None:
        await target.answer(texts("events-gone"), reply_markup=inline(texts))
        return
    told = await tell_registrants(
        db,
        locales,
        event.id,
        purpose="event_cancelled",
        key=event.starts_at.isoformat(),
        expires_at=event.starts_at,
        text=lambda t: t(
            "events-cancelled-by-library", title=event.title, when=when(config, event.starts_at)
        ),
    )
    activity.content = event.title
    activity.status = "event cancelled"
    await target.answer(
        texts("staff-event-cancelled", title=event.title, count=told), reply_markup=inline(texts)
    )


@routes.callback_query(pressed(Action.SHOW), OnMessage())
async def show_gone(
    query: CallbackQuery, target: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """No such event (a forged button): said so."""
    staff_at_work(activity, person)
    await query.answer()
    await target.answer(texts("events-gone"), reply_markup=inline(texts))


@routes.callback_query(pressed(*SCREENS))
async def quietly(query: CallbackQuery, person: PersonView, activity: ActivityNote) -> None:
    """A press whose message Telegram no longer shows, or a list or a file of an event
    that is not there: answered, with nothing to add, as it always was."""
    staff_at_work(activity, person)
    await query.answer()


@routes.message(StaffEventForm.message, F.text, TextWithinLimit())
async def message_everyone(
    message: Message,
    texts: Texts,
    locales: Locales,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    event_id = int((await state.get_data()).get("event_id", 0))
    await state.clear()
    event = await get(db, event_id)
    if event is None:
        await message.answer(texts("events-gone"), reply_markup=inline(texts))
        return
    body = message.html_text or ""
    added = await tell_registrants(
        db,
        locales,
        event_id,
        purpose="event_message",
        key=f"{message.message_id}:{utcnow().isoformat()}",
        expires_at=max(event.starts_at, utcnow() + timedelta(hours=12)),
        text=lambda t: t("staff-event-message-to-people", title=event.title) + "\n\n" + body,
    )
    activity.content = event.title
    activity.status = f"message to {added}"
    await message.answer(texts("staff-event-message-sent", count=added), reply_markup=inline(texts))
