"""A participant's ticket: the calendar file (.ics) and the QR code staff scan at the door,
sent after registering and again on request from «Мои записи» or the event's card.

The files are named per registration («event-7-42.ics», «ticket-7-42.png»): the demo saves
what the bot sends under these names, and one ticket must not overwrite another.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from bot.kernel.messengers import start_link
from broadcasts.views.event_view import location
from storage.db import Database
from storage.events import registrations
from storage.events.listing import EventView, get
from storage.events.models import EventStatus
from storage.events.registrations import Place
from storage.events.tickets import calendar_file, qr_png
from storage.people import PersonView


def ticket_filename(event_id: int, registration_id: int, extension: str) -> str:
    """«event-7-42.ics», «ticket-7-42.png»: the event and the registration in the name."""
    stem = "event" if extension == "ics" else "ticket"
    return f"{stem}-{event_id}-{registration_id}.{extension}"


async def send_ticket(
    target: Message, bot: Bot, texts: Texts, config: Config, event: EventView, place: Place
) -> None:
    """The calendar file and the QR ticket that staff scan at the door."""
    where = ", ".join(p for p in location(config, event.branch_id, event.room) if p != "none")
    ics = calendar_file(
        event, location=where, library=config.library.name, registration_id=place.id
    )
    # Named per registration: the demo saves files under these names, and the tickets of
    # two events must not overwrite each other.
    await target.answer_document(
        BufferedInputFile(ics, filename=ticket_filename(event.id, place.id, "ics")),
        caption=texts("events-ics-caption"),
    )
    link = await start_link(bot, f"ticket_{place.ticket}")
    await target.answer_photo(
        BufferedInputFile(qr_png(link), filename=ticket_filename(event.id, place.id, "png")),
        caption=texts("events-ticket-caption", title=event.title, name=place.name or "none"),
    )


async def ticket_again(
    query: CallbackQuery,
    target: Message,
    bot: Bot,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    registration_id: int,
) -> None:
    """The calendar file and QR ticket of one's own confirmed place, sent again. The same
    ticket code, so a QR sent earlier still works; the same calendar UID, so a calendar
    updates the entry instead of adding a second one."""
    place = await registrations.confirmed_place(db, registration_id, person.id)
    event = await get(db, place.event_id) if place is not None else None
    if place is None or event is None or event.status is not EventStatus.SCHEDULED:
        await query.answer(texts.plain("events-ticket-none"), show_alert=True)
        return
    await query.answer()
    await send_ticket(target, bot, texts, config, event, place)
