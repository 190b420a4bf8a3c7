"""«Для сотрудников» → «Мероприятия»: counts, the attendance list with ticks, the list
of participants as XLSX or CSV, a message to everyone registered, cancelling an event.
Behind HasRole(STAFF), checked on the server for every update."""

from __future__ import annotations

from datetime import timedelta

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.event_notices import tell_registrants
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.event_view import when
from broadcasts.views.keyboards import button, inline
from handlers.filters import HasRole, TextWithinLimit
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.export import participants, to_csv, to_xlsx
from storage.events.listing import EventView, get, upcoming
from storage.events.models import RegistrationStatus
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.types import utcnow

PEOPLE_PAGE = 20
# Actions this router answers; the forms (new, move, add) live in staff_event_forms.
SCREENS = {
    StaffEventAction.LIST,
    StaffEventAction.SHOW,
    StaffEventAction.PEOPLE,
    StaffEventAction.TICK,
    StaffEventAction.XLSX,
    StaffEventAction.CSV,
    StaffEventAction.MESSAGE,
    StaffEventAction.CANCEL,
    StaffEventAction.CANCEL_YES,
}


class StaffEventForm(StatesGroup):
    message = State()


def _cb(action: StaffEventAction, id_: int = 0, page: int = 0) -> str:
    return StaffEventCb(action=action, id=id_, page=page).pack()


async def _summary(texts: Texts, config: Config, db: Database, event: EventView) -> str:
    counts = await registrations.counts(db, event.id)
    attended = len(await registrations.attended_ids(db, event.id))
    return texts(
        "staff-event-card",
        title=event.title,
        when=when(config, event.starts_at),
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        seats=event.seats if event.seats is not None else "∞",
        waiting=counts.get(RegistrationStatus.WAITLISTED, 0),
        offered=counts.get(RegistrationStatus.OFFERED, 0),
        cancelled=counts.get(RegistrationStatus.CANCELLED, 0),
        attended=attended,
        status=texts(f"staff-event-status-{event.status.value}"),
    )


async def _show(target: Message, texts: Texts, config: Config, db: Database, event_id: int) -> None:
    event = await get(db, event_id)
    if event is None:
        await target.answer(texts("events-gone"), reply_markup=inline(texts))
        return
    rows = [
        [button(texts("staff-event-people"), _cb(StaffEventAction.PEOPLE, event.id))],
        [
            button(texts("staff-event-xlsx"), _cb(StaffEventAction.XLSX, event.id)),
            button(texts("staff-event-csv"), _cb(StaffEventAction.CSV, event.id)),
        ],
        [button(texts("staff-event-message"), _cb(StaffEventAction.MESSAGE, event.id))],
        [button(texts("staff-event-add"), _cb(StaffEventAction.ADD, event.id))],
    ]
    if event.status == "scheduled":
        rows.append(
            [
                button(texts("staff-event-edit"), _cb(StaffEventAction.EDIT, event.id)),
                button(texts("staff-event-move"), _cb(StaffEventAction.MOVE, event.id)),
            ]
        )
        rows.append([button(texts("staff-event-cancel"), _cb(StaffEventAction.CANCEL, event.id))])
    await target.answer(await _summary(texts, config, db, event), reply_markup=inline(texts, *rows))


async def _people_rows(
    texts: Texts, db: Database, event_id: int, page: int
) -> list[list[InlineKeyboardButton]]:
    places = await registrations.attendees(db, event_id)
    present = await registrations.attended_ids(db, event_id)
    chunk = places[page * PEOPLE_PAGE : (page + 1) * PEOPLE_PAGE]
    rows = [
        [
            button(
                ("✅ " if p.id in present else "☐ ") + (p.name or "—")[:50],
                _cb(StaffEventAction.TICK, p.id, page),
            )
        ]
        for p in chunk
    ]
    if (page + 1) * PEOPLE_PAGE < len(places):
        rows.append(
            [button(texts("events-more"), _cb(StaffEventAction.PEOPLE, event_id, page + 1))]
        )
    rows.append([button(texts("events-list-button"), _cb(StaffEventAction.SHOW, event_id))])
    return rows


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.STAFF))
    router.callback_query.filter(HasRole(Role.STAFF))

    @router.callback_query(StaffEventCb.filter(F.action.in_(SCREENS)))
    async def pressed(
        query: CallbackQuery,
        callback_data: StaffEventCb,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = person.display_name or person.messenger_id
        target = query.message if isinstance(query.message, Message) else None
        if target is None:
            await query.answer()
            return
        action, item = callback_data.action, callback_data.id
        if action is StaffEventAction.TICK:
            present = await registrations.mark_attended(db, registration_id=item)
            if present is None:
                await query.answer(texts("events-ticket-unknown"), show_alert=True)
                return
            if present.already:  # a second tick takes the mark away
                present = await registrations.mark_attended(db, registration_id=item, present=False)
            assert present is not None
            activity.kind = ActivityKind.EVENT_REGISTRATION
            activity.content = present.event_title
            activity.customer = present.place.name
            activity.about_person_id = present.place.person_id
            activity.status = "unmarked" if present.already else "attended"
            await query.answer()
            rows = await _people_rows(texts, db, present.place.event_id, callback_data.page)
            await target.edit_reply_markup(reply_markup=inline(texts, *rows))
            return
        await query.answer()
        if action is StaffEventAction.LIST:
            events, _ = await upcoming(db, limit=30)
            rows = [
                [
                    button(
                        f"{when(config, e.starts_at)} {e.title}"[:60],
                        _cb(StaffEventAction.SHOW, e.id),
                    )
                ]
                for e in events
            ]
            rows.append([button(texts("staff-event-new"), _cb(StaffEventAction.NEW))])
            key = "staff-events-title" if events else "events-none"
            await target.answer(texts(key), reply_markup=inline(texts, *rows))
        elif action is StaffEventAction.SHOW:
            await _show(target, texts, config, db, item)
        elif action is StaffEventAction.PEOPLE:
            event = await get(db, item)
            if event is not None:
                rows = await _people_rows(texts, db, item, callback_data.page)
                await target.answer(
                    texts("staff-event-people-title", title=event.title),
                    reply_markup=inline(texts, *rows),
                )
        elif action in (StaffEventAction.XLSX, StaffEventAction.CSV):
            event = await get(db, item)
            if event is None:
                return
            sheet = await participants(db, item, config.library.zone)
            title = f"{event.title} — {when(config, event.starts_at)}"
            if action is StaffEventAction.XLSX:
                data, name = to_xlsx(sheet, title), f"event-{item}.xlsx"
            else:
                data, name = to_csv(sheet), f"event-{item}.csv"
            activity.status = f"exported {name}"
            await target.answer_document(
                BufferedInputFile(data, filename=name),
                caption=texts("staff-event-exported", title=event.title, count=len(sheet.rows)),
            )
        elif action is StaffEventAction.MESSAGE:
            await state.set_state(StaffEventForm.message)
            await state.update_data(event_id=item)
            await target.answer(texts("staff-event-ask-message"), reply_markup=inline(texts))
        elif action is StaffEventAction.CANCEL:
            yes = button(texts("staff-event-cancel-yes"), _cb(StaffEventAction.CANCEL_YES, item))
            no = button(texts("events-cancel-no"), _cb(StaffEventAction.SHOW, item))
            await target.answer(
                texts("staff-event-cancel-confirm"), reply_markup=inline(texts, [yes, no])
            )
        elif action is StaffEventAction.CANCEL_YES:
            event = await get(db, item)
            if event is None or not await registrations.cancel_event(db, item):
                await target.answer(texts("events-gone"), reply_markup=inline(texts))
                return
            told = await tell_registrants(
                db,
                locales,
                item,
                purpose="event_cancelled",
                key=event.starts_at.isoformat(),
                expires_at=event.starts_at,
                text=lambda t: t(
                    "events-cancelled-by-library",
                    title=event.title,
                    when=when(config, event.starts_at),
                ),
            )
            activity.kind = ActivityKind.STAFF_ACTION
            activity.content = event.title
            activity.status = "event cancelled"
            await target.answer(
                texts("staff-event-cancelled", title=event.title, count=told),
                reply_markup=inline(texts),
            )

    @router.message(StaffEventForm.message, F.text, TextWithinLimit())
    async def message_everyone(
        message: Message,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = person.display_name or person.messenger_id
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
        await message.answer(
            texts("staff-event-message-sent", count=added), reply_markup=inline(texts)
        )

    return router
