"""Who is coming and who came, as staff see an event: the tally on its card, the list of
participants with ticks a page at a time, and a tick that marks or unmarks someone."""

from __future__ import annotations

from dataclasses import dataclass

from storage.db import Database
from storage.events import roster
from storage.events.models import RegistrationStatus
from storage.events.places import Place
from storage.events.roster import Attendance

PEOPLE_PAGE = 20


@dataclass(frozen=True, slots=True)
class Tally:
    """Registrations by status, and how many were marked as having come."""

    confirmed: int
    waiting: int
    offered: int
    cancelled: int
    attended: int


async def tally(db: Database, event_id: int) -> Tally:
    counts = await roster.counts(db, event_id)
    return Tally(
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waiting=counts.get(RegistrationStatus.WAITLISTED, 0),
        offered=counts.get(RegistrationStatus.OFFERED, 0),
        cancelled=counts.get(RegistrationStatus.CANCELLED, 0),
        attended=len(await roster.attended_ids(db, event_id)),
    )


@dataclass(frozen=True, slots=True)
class AttendancePage:
    """One page of the confirmed participants, by name, and which of them came."""

    places: list[Place]
    present: set[int]  # registration ids marked as having come
    more: bool  # a next page follows


async def attendance_page(db: Database, event_id: int, page: int) -> AttendancePage:
    places = await roster.attendees(db, event_id)
    present = await roster.attended_ids(db, event_id)
    start = page * PEOPLE_PAGE
    return AttendancePage(
        places[start : start + PEOPLE_PAGE], present, start + PEOPLE_PAGE < len(places)
    )


async def toggle(db: Database, registration_id: int) -> Attendance | None:
    """Mark a confirmed participant as having come; a second tick takes the mark away
    (`already` is then True). None when the registration is not a confirmed one."""
    present = await roster.mark_attended(db, registration_id=registration_id)
    if present is None or not present.already:
        return present
    return await roster.mark_attended(db, registration_id=registration_id, present=False)
