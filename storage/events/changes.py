"""Staff changing an event that is in the listing: cancelling or moving it, adding someone
by hand, editing a field. Each operation returns what happened — the event as it was, the
registration, the refusal and why — for the conversation to tell; the rules (what a title
may be, no fewer seats than are taken, a moved or cancelled event must still be on) are here.
"""

from __future__ import annotations

import enum
import json
from collections.abc import Awaitable, Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from bot.kernel.i18n import normalise_label
from storage.db import Database
from storage.events import registrations, schedule
from storage.events.descriptions import over_limit
from storage.events.fields import seat_count, title_of
from storage.events.importing import parse_questions
from storage.events.listing import EventView, get
from storage.events.registrations import Promotion, Refused, Registered

# What «Изменить» offers, in this order (a button carries the index).
EDITABLE = ("title", "description", "seats", "questions", "photo")
# Typed for the seat count, these mean «без ограничения» in any language.
SEATS_UNLIMITED = frozenset({"0", "∞"})
NAME_MIN, NAME_MAX = 2, 200
ORGANISATION_LIMIT, CONTACT_LIMIT = 300, 200  # the columns' sizes


async def _if_on(
    db: Database, event_id: int, change: Callable[[], Awaitable[bool]]
) -> EventView | None:
    """The event as it was before `change`, or None when it is gone or no longer on."""
    before = await get(db, event_id)
    if before is None or not await change():
        return None
    return before


async def cancel(db: Database, event_id: int) -> EventView | None:
    """Staff cancel an event: the event as it was, or None when it is gone or was cancelled."""
    return await _if_on(db, event_id, lambda: schedule.cancel_event(db, event_id))


async def move(db: Database, event_id: int, starts_at: datetime) -> EventView | None:
    """A new start (the end moves with it): the event as it was (its old time, for the
    people told), or None when it is gone or cancelled."""
    return await _if_on(db, event_id, lambda: schedule.move_event(db, event_id, starts_at))


@dataclass(frozen=True, slots=True)
class ByHand:
    """Someone staff add themselves: a name, and an organisation and a contact if given."""

    name: str
    organisation: str | None
    contact: str | None


def by_hand(text: str) -> ByHand | None:
    """«Имя, организация, телефон» as staff type it (only the name is needed); None when
    the name is not 2 to 200 characters. Whatever follows the organisation is the contact."""
    parts = [part.strip() for part in text.split(",")]
    name = parts[0]
    if not NAME_MIN <= len(name) <= NAME_MAX:
        return None
    organisation = parts[1][:ORGANISATION_LIMIT] if len(parts) > 1 and parts[1] else None
    return ByHand(name, organisation, ", ".join(parts[2:])[:CONTACT_LIMIT] or None)


async def add_by_hand(
    db: Database, event_id: int, who: ByHand, *, added_by: str
) -> Registered | Refused:
    """A seat or a place on the waiting list, whatever the registration window says."""
    return await registrations.register(
        db,
        event_id,
        None,
        name=who.name,
        organisation=who.organisation,
        contact=who.contact,
        added_by=added_by,
        ignore_window=True,
    )


class EditProblem(enum.StrEnum):
    """Why an edit was not saved (the form stays at the field, for another try)."""

    BAD_TITLE = "bad_title"  # not 3 to 200 characters
    TOO_LONG = "too_long"  # a description over `DESCRIPTION_LIMIT`
    BAD_QUESTIONS = "bad_questions"  # more than 10
    BAD_SEATS = "bad_seats"  # not a number of seats
    TOO_FEW_SEATS = "too_few_seats"  # fewer than are already taken
    PHOTO_EXPECTED = "photo_expected"  # text came for the photo
    TEXT_EXPECTED = "text_expected"  # a photo came for a text field


@dataclass(frozen=True, slots=True)
class Edited:
    field: str
    promotions: tuple[Promotion, ...] = ()  # seats added went to these people, waiting


@dataclass(frozen=True, slots=True)
class EditRefused:
    problem: EditProblem
    taken: int = 0  # the seats already taken (TOO_FEW_SEATS)


async def edit(
    db: Database,
    event_id: int,
    field: str,
    *,
    text: str = "",
    html: str = "",
    photo: str | None = None,
    unlimited: Collection[str] = (),
) -> Edited | EditRefused:
    """Change `field` (one of `EDITABLE`) to what staff sent: a `photo`, or `text` as
    plain text and `html` with its formatting (kept for the description). `unlimited` are
    the words, normalised, that mean «без ограничения» in the staff member's language."""
    if photo is not None:
        if field != "photo":
            return EditRefused(EditProblem.TEXT_EXPECTED)
        await schedule.update_event(db, event_id, photo=photo)
        return Edited(field)
    text = text.strip()
    if field == "title":
        title = title_of(text)
        if title is None:
            return EditRefused(EditProblem.BAD_TITLE)
        await schedule.update_event(db, event_id, title=title)
    elif field == "description":
        if over_limit(html):
            return EditRefused(EditProblem.TOO_LONG)
        await schedule.update_event(db, event_id, description=html)
    elif field == "questions":
        try:
            questions = parse_questions(text)
        except ValueError:
            return EditRefused(EditProblem.BAD_QUESTIONS)
        await schedule.update_event(
            db, event_id, questions=json.dumps(questions, ensure_ascii=False)
        )
    elif field == "seats":
        return await _set_seats(db, event_id, text, unlimited)
    else:
        return EditRefused(EditProblem.PHOTO_EXPECTED)
    return Edited(field)


async def _set_seats(
    db: Database, event_id: int, text: str, unlimited: Collection[str]
) -> Edited | EditRefused:
    """A new seat count: seats added go to those waiting; never fewer than are taken."""
    seats: int | None = None
    if text not in SEATS_UNLIMITED and normalise_label(text) not in unlimited:
        seats = seat_count(text)
        if seats is None:
            return EditRefused(EditProblem.BAD_SEATS)
    promotions = await registrations.set_seats(db, event_id, seats)
    if promotions is None:
        event = await get(db, event_id)
        return EditRefused(EditProblem.TOO_FEW_SEATS, taken=event.taken if event else 0)
    return Edited("seats", tuple(promotions))
