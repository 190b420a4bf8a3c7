"""What a registered person receives: a calendar file (.ics) and a QR ticket.

The QR code holds a bot link — `https://t.me/<bot>?start=ticket_<code>`, or
`https://vk.me/<community>?ref=ticket_<code>` for a ticket issued in VK: staff scan it
with the phone's camera, the messenger opens the bot, and the bot marks attendance —
after checking, on the server, that the person scanning is staff.
"""

from __future__ import annotations

import io
from datetime import timedelta

import icalendar
import segno

from storage.events.descriptions import plain_text
from storage.events.listing import EventView
from storage.types import utcnow

DEFAULT_LENGTH = timedelta(hours=2)


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
