"""What a registered person receives: a calendar file (.ics) and a QR ticket.

The QR code holds a bot link — `https://t.me/<bot>?start=ticket_<code>`, or
`https://vk.me/<community>?ref=ticket_<code>` for a ticket issued in VK: staff scan it
with the phone's camera, the messenger opens the bot, and the bot marks attendance —
after checking, on the server, that the person scanning is staff.

Drawing them (the QR code above all) takes milliseconds of pure Python, and when a
popular meetup fills up dozens are drawn within the same second: `ticket_files` draws a
registration's pair once, in a thread of its own, so the bot goes on deciding seats and
answering meanwhile, and keeps it for the next time it is asked for («Билет» again).
"""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import icalendar
import segno

from storage.events.descriptions import plain_text
from storage.events.listing import EventView
from storage.types import utcnow

DEFAULT_LENGTH = timedelta(hours=2)
KEPT_TICKETS = 2_000  # drawn pairs kept in memory (a few kilobytes each)
# One thread draws: the event loop keeps most of the interpreter while it does.
_drawing = ThreadPoolExecutor(max_workers=1, thread_name_prefix="tickets")
# What a pair is drawn from → (.ics, .png). A changed event (moved, renamed, another room)
# or another ticket code is another key, so nothing stale is sent.
TicketKey = tuple[object, ...]
_drawn: OrderedDict[TicketKey, tuple[bytes, bytes]] = OrderedDict()


def calendar_file(event: EventView, *, location: str, library: str, registration_id: int) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//libbot//events//RU")
    calendar.add("version", "2.0")
    entry = icalendar.Event()
    entry.add("uid", f"libbot-event-{event.id}-{registration_id}@libbot")
    entry.add("dtstamp", utcnow())
    entry.add("dtstart", event.starts_at)
    entry.add("dtend", event.ends_at or event.starts_at + DEFAULT_LENGTH)
    entry.add("summary", event.title)
    entry.add("location", location)
    if event.description:
        # Stored as Telegram HTML; a calendar shows text.
        entry.add("description", plain_text(event.description))
    entry.add("contact", library)
    alarm = icalendar.Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", event.title)
    alarm.add("trigger", timedelta(hours=-2))
    entry.add_component(alarm)
    calendar.add_component(entry)
    return calendar.to_ical()


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=3)
    return out.getvalue()


async def ticket_files(
    event: EventView, *, location: str, library: str, registration_id: int, link: str
) -> tuple[bytes, bytes]:
    """The calendar file and the QR code of one registration, drawn once (off the event
    loop) and kept: the same bytes each time they are sent."""
    key: TicketKey = (
        registration_id,
        link,
        event.id,
        event.title,
        event.starts_at,
        event.ends_at,
        event.description,
        location,
        library,
    )
    drawn = _drawn.get(key)
    if drawn is None:
        drawn = await asyncio.get_running_loop().run_in_executor(
            _drawing, _draw, event, location, library, registration_id, link
        )
        _drawn[key] = drawn
        while len(_drawn) > KEPT_TICKETS:
            _drawn.popitem(last=False)
    _drawn.move_to_end(key)
    return drawn


def _draw(
    event: EventView, location: str, library: str, registration_id: int, link: str
) -> tuple[bytes, bytes]:
    ics = calendar_file(event, location=location, library=library, registration_id=registration_id)
    return ics, qr_png(link)
