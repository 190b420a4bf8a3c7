"""«Мероприятия»: upcoming events, a card per event, «Мои записи», cancelling a place and
confirming (or declining) a seat offered from the waiting list.

The feature's other parts have modules of their own: the sign-up form
(handlers/event_signup.py) and the tickets (handlers/event_tickets.py). All declare their
handlers on the feature's two `Routes` (handlers/event_routes.py), which this module
re-exports for `handlers.PARTS`; it imports the others first, so the catch-all at its end
is declared last.

Registration ids in buttons are only a choice: storage acts only on a registration of the
person pressing. Seats are taken in storage, in one transaction per change (see
storage.events.registrations).
"""

from __future__ import annotations

from datetime import datetime

from aiogram import Bot, F
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.event_notices import offer_window, tell_promoted
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import event_card, place_line, seats_text, when
from broadcasts.views.keyboards import button, inline
from handlers import event_signup, event_tickets
from handlers.event_routes import form_routes, routes
from handlers.filters import MenuButton
from handlers.forms import Shown
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.listing import get, my_places, upcoming
from storage.events.models import EventKind, RegistrationStatus
from storage.events.registrations import Opening, Registered
from storage.models import ActivityKind
from storage.people import PersonView
from storage.types import utcnow

# `handlers.PARTS` reads these two; event_signup is imported for the handlers it declares.
__all__ = ["event_signup", "form_routes", "routes"]

PAGE = 5
KIND_CODES = {
    EventKind.MEETUP: "m",
    EventKind.TRAINING: "t",
    EventKind.PUBLIC: "p",
    EventKind.CONSULTATION_DAY: "c",
    EventKind.OTHER: "o",
}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}


def _cb(action: EventAction, id_: int = 0) -> str:
    return EventCb(action=action, id=id_).pack()


async def show_event(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView, event_id: int
) -> None:
    """The card, the reader's place under it (with the ticket and «Отменить запись»), or
    what they may do: register, join the waiting list, or nothing — registration closed."""
    event = await get(db, event_id)
    if event is None:
        await target.answer(texts("events-gone"), reply_markup=inline(texts))
        return
    standing = await registrations.standing(db, event.id, person.id)
    rows: list[list[InlineKeyboardButton]] = []
    text = event_card(texts, config, event)
    if event.photo:
        await target.answer_photo(event.photo)
    place = standing.place
    if place is not None:
        text += "\n\n" + place_line(texts, place)
        if place.status is RegistrationStatus.CONFIRMED:
            rows.append(
                [button(texts("events-ticket-card-button"), _cb(EventAction.TICKET, place.id))]
            )
        rows.append([button(texts("events-cancel-button"), _cb(EventAction.CANCEL, place.id))])
    elif standing.opening is not Opening.NONE:
        seat = standing.opening is Opening.SEAT
        label = "events-register-button" if seat else "events-waitlist-button"
        rows.append([button(texts(label), _cb(EventAction.REGISTER, event.id))])
    elif not standing.open:
        text += "\n\n" + texts("events-registration-closed")
    rows.append([button(texts("events-list-button"), _cb(EventAction.LIST))])
    await target.answer(text, reply_markup=inline(texts, *rows))


async def show_list(
    target: Message, texts: Texts, config: Config, db: Database, data: EventCb
) -> None:
    kind = KINDS_BY_CODE.get(data.kind)
    events, total = await upcoming(
        db, kind=kind.value if kind else "", branch=data.branch, offset=data.offset, limit=PAGE
    )
    rows: list[list[InlineKeyboardButton]] = []
    lines = [texts("events-none")] if not total else [texts("events-title", total=total)]
    for number, event in enumerate(events, start=data.offset + 1):
        lines.append(
            texts(
                "events-line",
                number=str(number),
                when=when(config, event.starts_at),
                title=event.title,
                seats=seats_text(texts, event),
            )
        )
        rows.append([button(f"{number}. {event.title[:40]}", _cb(EventAction.SHOW, event.id))])
    if data.offset + PAGE < total:
        more = EventCb(
            action=EventAction.LIST, kind=data.kind, branch=data.branch, offset=data.offset + PAGE
        )
        rows.append([button(texts("events-more"), more.pack())])
    rows.append(
        [
            button(texts("events-filter-button"), _cb(EventAction.FILTER)),
            button(texts("events-mine-button"), _cb(EventAction.MINE)),
        ]
    )
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))


async def show_between(
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    *,
    title: str,
    after: datetime,
    before: datetime,
    kind: str = "",
    branch: str = "",
) -> bool:
    """The events of a stretch of days a reader asked about («в субботу», «на этой
    неделе»); False, and nothing sent, when there are none (the caller says so and shows
    all upcoming ones)."""
    events, total = await upcoming(
        db, now=after, before=before, kind=kind, branch=branch, limit=PAGE
    )
    if not total:
        return False
    lines = [title]
    rows: list[list[InlineKeyboardButton]] = []
    for number, event in enumerate(events, start=1):
        lines.append(
            texts(
                "events-line",
                number=str(number),
                when=when(config, event.starts_at),
                title=event.title,
                seats=seats_text(texts, event),
            )
        )
        rows.append([button(f"{number}. {event.title[:40]}", _cb(EventAction.SHOW, event.id))])
    rows.append([button(texts("events-all-button"), _cb(EventAction.LIST))])
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))
    return True


async def show_filters(target: Message, texts: Texts, config: Config) -> None:
    rows = [
        [
            button(
                texts(f"event-kind-{kind.value}"),
                EventCb(action=EventAction.LIST, kind=code).pack(),
            )
        ]
        for kind, code in KIND_CODES.items()
    ]
    rows += [
        [button(branch.name[:60], EventCb(action=EventAction.LIST, branch=branch.id).pack())]
        for branch in config.library.branches
    ]
    rows.append([button(texts("events-all-button"), _cb(EventAction.LIST))])
    await target.answer(texts("events-filter-title"), reply_markup=inline(texts, *rows))


async def show_mine(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView
) -> None:
    places = await my_places(db, person.id)
    if not places:
        await target.answer(texts("events-mine-none"), reply_markup=inline(texts))
        return
    lines = [texts("events-mine-title")]
    rows = []
    for event, place in places:
        lines.append(
            texts(
                "events-mine-line",
                when=when(config, event.starts_at),
                title=event.title,
                state=place_line(texts, place),
            )
        )
        rows.append([button(f"{event.title[:40]}", _cb(EventAction.SHOW, event.id))])
        if place.status is RegistrationStatus.CONFIRMED:
            # The QR and the calendar file again: lost in the chat, or on a new phone.
            ticket = _cb(EventAction.TICKET, place.id)
            rows.append([button(texts("events-ticket-button", title=event.title[:30]), ticket)])
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))


# --- the menu entry and the deep link: navigation (they abandon half-filled forms) ------


@routes.message(CommandStart(deep_link=True, magic=F.args.regexp(r"^event_\d{1,9}$")))
async def deep_link(
    message: Message,
    command: CommandObject,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    activity.status = "event link"
    event_id = int((command.args or "event_0").removeprefix("event_"))
    await show_event(message, texts, config, db, person, event_id)


@routes.message(MenuButton("menu-events"))
async def events_menu(
    message: Message, texts: Texts, config: Config, db: Database, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    activity.status = "events"
    await show_list(message, texts, config, db, EventCb(action=EventAction.LIST))


# --- the buttons ------------------------------------------------------------------------


@form_routes.callback_query(EventCb.filter(F.action == EventAction.LIST), Shown())
async def list_pressed(
    query: CallbackQuery,
    callback_data: EventCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await show_list(target, texts, config, db, callback_data)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.FILTER), Shown())
async def filter_pressed(
    query: CallbackQuery, target: Message, texts: Texts, config: Config, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await show_filters(target, texts, config)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.SHOW), Shown())
async def event_pressed(
    query: CallbackQuery,
    callback_data: EventCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await show_event(target, texts, config, db, person, callback_data.id)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.MINE), Shown())
async def mine_pressed(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await show_mine(target, texts, config, db, person)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.CANCEL), Shown())
async def cancel_asked(
    query: CallbackQuery,
    callback_data: EventCb,
    target: Message,
    texts: Texts,
    activity: ActivityNote,
) -> None:
    """«Отменить запись»: asked once — the seat goes to the next person waiting."""
    activity.kind = ActivityKind.MENU
    await query.answer()
    yes = button(texts("events-cancel-yes"), _cb(EventAction.CANCEL_YES, callback_data.id))
    no = button(texts("events-cancel-no"), _cb(EventAction.MINE))
    await target.answer(texts("events-cancel-confirm"), reply_markup=inline(texts, [yes, no]))


@form_routes.callback_query(
    EventCb.filter(F.action.in_({EventAction.CANCEL_YES, EventAction.DECLINE})), Shown()
)
async def cancelled(
    query: CallbackQuery,
    callback_data: EventCb,
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Да, отменить», or «Не смогу» on a seat offered: the place is given up, and the seat
    offered to the next person waiting."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    done = await registrations.cancel(
        db, callback_data.id, person_id=person.id, window=offer_window(config, utcnow())
    )
    if done is None:
        activity.status = "not theirs or gone"
        await query.answer(texts("events-not-yours"), show_alert=True)
        return
    place, promotion = done
    declined = callback_data.action is EventAction.DECLINE
    activity.status = "declined offer" if declined else "cancelled"
    await query.answer()
    await target.answer(texts("events-cancelled"), reply_markup=inline(texts))
    await tell_promoted(db, locales, config, place.event_id, promotion)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.CONFIRM), Shown())
async def offer_taken(
    query: CallbackQuery,
    callback_data: EventCb,
    target: Message,
    bot: Bot,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Приду» on a seat offered from the waiting list, before the offer lapses."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    place = await registrations.confirm_offer(db, callback_data.id, person_id=person.id)
    if place is None:
        activity.status = "offer lapsed or not theirs"
        await query.answer(texts("events-offer-gone"), show_alert=True)
        return
    activity.status = "confirmed offer"
    event = await get(db, place.event_id)
    await query.answer()
    if event is not None:
        await event_tickets.confirm_place(
            target, bot, texts, config, event, Registered(place), activity
        )


@form_routes.callback_query(EventCb.filter())
async def out_of_reach(query: CallbackQuery, activity: ActivityNote) -> None:
    """A button under a message the bot can no longer answer under: acknowledged."""
    activity.kind = ActivityKind.MENU
    await query.answer()
