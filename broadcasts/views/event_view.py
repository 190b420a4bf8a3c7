"""How an event looks in a message: its time in library time, its branch, its card.

Shared by the conversation and the notices the bot sends on its own (reminders,
offers, changes), so an event reads the same wherever it appears.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.config import Config
from bot.kernel.dates import Unreadable, example_start
from bot.kernel.i18n import Texts
from bot.kernel.text_limits import MESSAGE_LIMIT
from storage.events.descriptions import DESCRIPTION_LIMIT, fit
from storage.events.listing import EventView
from storage.events.models import RegistrationStatus
from storage.events.places import Place
from storage.people import PersonView

# What `show_event` may add under the card (the reader's place, «registration closed»).
CARD_TAIL = 300


def when(config: Config, moment: datetime) -> str:
    return f"{moment.astimezone(config.library.zone):%d.%m.%Y %H:%M}"


def span(config: Config, starts: datetime, ends: datetime | None) -> str:
    """«19.12.2026 18:30–20:00» (or the end's date too when it ends another day)."""
    if ends is None:
        return when(config, starts)
    zone = config.library.zone
    if starts.astimezone(zone).date() == ends.astimezone(zone).date():
        return f"{when(config, starts)}–{ends.astimezone(zone):%H:%M}"
    return f"{when(config, starts)} – {when(config, ends)}"


def long_when(texts: Texts, config: Config, moment: datetime) -> str:
    """«пятница, 19 декабря 2026, 18:30»: how a typed date was read, weekday included, so
    staff can see at a glance that «в пятницу» meant the Friday they meant."""
    local = moment.astimezone(config.library.zone)
    return texts(
        "date-long",
        weekday=local.weekday(),
        day=local.day,
        month=local.month,
        year=str(local.year),  # a number would be formatted «2 026»
        time=f"{local:%H:%M}",
    )


def date_examples(texts: Texts, config: Config, now: datetime) -> dict[str, str]:
    """Examples for a date prompt, computed (the next Friday, 18:30) so that an example is
    never a date that has already passed: `short` «19.12 18:30», `long` «19 декабря 18:30»."""
    moment = example_start(config.library.zone, now)
    day_month = texts("date-day-month", day=moment.day, month=moment.month)
    return {"short": f"{moment:%d.%m %H:%M}", "long": f"{day_month} {moment:%H:%M}"}


def when_problem(
    texts: Texts, config: Config, reason: Unreadable, typed: str, now: datetime
) -> str:
    """The polite answer to a date that could not be taken, with an example that works."""
    examples = date_examples(texts, config, now)
    if reason is Unreadable.WORDS:
        return texts("staff-new-bad-when", text=typed.strip()[:60], **examples)
    return texts(f"staff-when-{reason.value}", **examples)


def end_example(config: Config, starts: datetime) -> str:
    """An end two hours after the start, as a time: what «Когда окончание?» suggests."""
    return f"{(starts + timedelta(hours=2)).astimezone(config.library.zone):%H:%M}"


def author(person: PersonView) -> str:
    """How a staff member is named in an event's `created_by` and the activity log."""
    return person.display_name or person.messenger_id


def too_long(texts: Texts, description: str) -> str:
    """Refusing a description over the limit, with both lengths: it is never cut, since a
    cut can fall inside the formatting and leave a card Telegram refuses to show."""
    return texts("staff-description-too-long", length=len(description), limit=DESCRIPTION_LIMIT)


def branch_name(config: Config, branch_id: str | None) -> str:
    """The branch's name; for an event outside the branches the library's (the organiser) —
    reminders and the digest showed «none»."""
    for branch in config.library.branches:
        if branch.id == branch_id:
            return branch.name
    return branch_id or config.library.name


def location(config: Config, branch_id: str | None, room: str | None) -> tuple[str, str]:
    """(place, room) for «📍 {place}, {room}» (room "none": no room). An event outside the
    branches shows its room as the place, or the library's name — never «none»."""
    if branch_id:
        return branch_name(config, branch_id), room or "none"
    return room or config.library.name, "none"


def seats_text(texts: Texts, event: EventView) -> str:
    if event.seats_left is None:
        return texts("events-seats-unlimited")
    if event.seats_left == 0:
        return texts("events-seats-none", waitlist="yes" if event.waitlist else "no")
    return texts("events-seats-left", left=event.seats_left, total=event.seats or 0)


def place_line(texts: Texts, place: Place) -> str:
    """The reader's own place, under the card and in «Мои записи»."""
    if place.status is RegistrationStatus.WAITLISTED:
        return texts("events-you-wait", position=place.position or 0)
    if place.status is RegistrationStatus.OFFERED:
        return texts("events-you-offered")
    return texts("events-you-registered")


def event_card(texts: Texts, config: Config, event: EventView) -> str:
    """The card as one message. The description gets the room the rest leaves: a row stored
    before descriptions had a limit is shortened as text (`fit`) rather than sent too long,
    which would have the card split or cut inside its HTML and refused by Telegram."""
    place, hall = location(config, event.branch_id, event.room)
    lines = [
        texts("events-card-title", title=event.title),
        texts("events-card-kind", kind=texts(f"event-kind-{event.kind.value}")),
        texts("events-card-when", when=span(config, event.starts_at, event.ends_at)),
        texts("events-card-where", branch=place, room=hall),
    ]
    tail = ["", seats_text(texts, event)]
    if event.description:
        room = MESSAGE_LIMIT - CARD_TAIL - len("\n".join([*lines, "", *tail])) - 1
        lines += ["", fit(event.description, room)]
    return "\n".join([*lines, *tail])
