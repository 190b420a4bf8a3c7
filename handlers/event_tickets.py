"""A participant's ticket: the confirmation of a seat with the calendar file (.ics) and the
QR code staff scan at the door, sent after registering and again on request from «Мои
записи» or the event's card; and the scan itself (`/start ticket_…`), which marks them
present.

The files are named per registration («event-7-42.ics», «ticket-7-42.png»): the demo saves
what the bot sends under these names, and one ticket must not overwrite another.
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.filters import CommandObject, CommandStart, Filter
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from bot.kernel.messengers import start_link
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import location, span
from broadcasts.views.keyboards import button, inline
from handlers.event_routes import form_routes, routes
from handlers.filters import HasRole
from handlers.forms import Shown
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations, roster
from storage.events.listing import EventView, get
from storage.events.models import RegistrationStatus
from storage.events.places import Place
from storage.events.registrations import Registered
from storage.events.tickets import ticket_files
from storage.models import ActivityKind, Role
from storage.people import PersonView

TICKET_LINK = CommandStart(deep_link=True, magic=F.args.regexp(r"^ticket_[\w-]{8,32}$"))


def ticket_filename(event_id: int, registration_id: int, extension: str) -> str:
    """«event-7-42.ics», «ticket-7-42.png»: the event and the registration in the name."""
    stem = "event" if extension == "ics" else "ticket"
    return f"{stem}-{event_id}-{registration_id}.{extension}"


async def send_ticket(
    target: Message, bot: Bot, texts: Texts, config: Config, event: EventView, place: Place
) -> None:
    """The calendar file and the QR ticket that staff scan at the door (drawn once per
    registration, off the event loop: see storage.events.tickets)."""
    where = ", ".join(p for p in location(config, event.branch_id, event.room) if p != "none")
    link = await start_link(bot, f"ticket_{place.ticket}")
    ics, qr = await ticket_files(
        event, location=where, library=config.library.name, registration_id=place.id, link=link
    )
    # Named per registration: the demo saves files under these names, and the tickets of
    # two events must not overwrite each other.
    await target.answer_document(
        BufferedInputFile(ics, filename=ticket_filename(event.id, place.id, "ics")),
        caption=texts("events-ics-caption"),
    )
    await target.answer_photo(
        BufferedInputFile(qr, filename=ticket_filename(event.id, place.id, "png")),
        caption=texts("events-ticket-caption", title=event.title, name=place.name or "none"),
    )


async def confirm_place(
    target: Message,
    bot: Bot,
    texts: Texts,
    config: Config,
    event: EventView,
    result: Registered,
    activity: ActivityNote,
) -> None:
    """«Вы записаны» (or the place in the waiting list) with the event's details, and the
    ticket when the seat was taken just now — after the confirmation, never holding it up."""
    await confirm_text(target, texts, config, event, result, activity)
    if result.ticket_due:
        await send_ticket(target, bot, texts, config, event, result.place)


async def confirm_text(
    target: Message,
    texts: Texts,
    config: Config,
    event: EventView,
    result: Registered,
    activity: ActivityNote,
) -> None:
    """The confirmation alone: what the reader waits for first."""
    place = result.place
    activity.status = "duplicate" if result.existing else place.status.value
    branch, room = location(config, event.branch_id, event.room)
    details = texts(
        "events-details",
        title=event.title,
        when=span(config, event.starts_at, event.ends_at),
        branch=branch,
        room=room,
    )
    key = (
        "events-registered" if place.status is RegistrationStatus.CONFIRMED else "events-waitlisted"
    )
    text = texts(key, position=place.position or 0) + "\n\n" + details
    cancel = button(
        texts("events-cancel-button"), EventCb(action=EventAction.CANCEL, id=place.id).pack()
    )
    mine = button(texts("events-mine-button"), EventCb(action=EventAction.MINE).pack())
    await target.answer(text, reply_markup=inline(texts, [cancel], [mine]))


class OwnTicket(Filter):
    """The presser's own confirmed place at an event still on (the button's id is only a
    choice): injects `place` and `event`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: EventCb, db: Database, person: PersonView
    ) -> bool | dict[str, Any]:
        place = await registrations.ticket_place(db, callback_data.id, person.id)
        event = await get(db, place.event_id) if place is not None else None
        return {"place": place, "event": event} if place and event else False


@form_routes.callback_query(EventCb.filter(F.action == EventAction.TICKET), Shown(), OwnTicket())
async def ticket_again(
    query: CallbackQuery,
    target: Message,
    place: Place,
    event: EventView,
    bot: Bot,
    texts: Texts,
    config: Config,
    activity: ActivityNote,
) -> None:
    """The calendar file and QR ticket of one's own confirmed place, sent again. The same
    ticket code, so a QR sent earlier still works; the same calendar UID, so a calendar
    updates the entry instead of adding a second one."""
    activity.kind = ActivityKind.MENU
    await query.answer()
    await send_ticket(target, bot, texts, config, event, place)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.TICKET), Shown())
async def no_ticket(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """Someone else's place, not confirmed, cancelled, or the event is off."""
    activity.kind = ActivityKind.MENU
    await query.answer(texts.plain("events-ticket-none"), show_alert=True)


@routes.message(TICKET_LINK, HasRole(Role.STAFF))
async def ticket_scanned(
    message: Message,
    command: CommandObject,
    texts: Texts,
    person: PersonView,
    db: Database,
    activity: ActivityNote,
) -> None:
    """Staff scanned a participant's QR ticket: mark them present."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.content = None
    ticket = (command.args or "").removeprefix("ticket_")
    attendance = await roster.mark_attended(db, ticket=ticket)
    activity.responsible = person.display_name or person.messenger_id
    if attendance is None:
        activity.status = "unknown ticket"
        await message.answer(texts("events-ticket-unknown"), reply_markup=inline(texts))
        return
    activity.status = "attended (again)" if attendance.already else "attended"
    activity.content = attendance.event_title
    activity.customer = attendance.place.name
    activity.about_person_id = attendance.place.person_id
    key = "events-ticket-again" if attendance.already else "events-ticket-ok"
    await message.answer(
        texts(key, name=attendance.place.name or "none", title=attendance.event_title),
        reply_markup=inline(texts),
    )


@routes.message(TICKET_LINK)
async def ticket_shown(message: Message, texts: Texts, activity: ActivityNote) -> None:
    """Anyone else who opens the link (the participant themselves) is told what the ticket
    is for."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.content = None
    activity.status = "ticket shown"
    await message.answer(texts("events-ticket-not-staff"), reply_markup=inline(texts))
