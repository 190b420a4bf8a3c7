"""How an event looks in a message: its time in library time, its branch, its card.

Shared by the conversation and the notices the bot sends on its own (reminders,
offers, changes), so an event reads the same wherever it appears.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Config
from bot.i18n import Texts
from bot.transports.text_limits import MESSAGE_LIMIT
from storage.events.descriptions import fit
from storage.events.listing import EventView

# What `show_event` may add under the card (the reader's place, «registration closed»).
CARD_TAIL = 300


def when(config: Config, moment: datetime) -> str:
    return f"{moment.astimezone(config.library.zone):%d.%m.%Y %H:%M}"


def branch_name(config: Config, branch_id: str | None) -> str:
    for branch in config.library.branches:
        if branch.id == branch_id:
            return branch.name
    return branch_id or "none"


def seats_text(texts: Texts, event: EventView) -> str:
    if event.seats_left is None:
        return texts("events-seats-unlimited")
    if event.seats_left == 0:
        return texts("events-seats-none", waitlist="yes" if event.waitlist else "no")
    return texts("events-seats-left", left=event.seats_left, total=event.seats or 0)


def event_card(texts: Texts, config: Config, event: EventView) -> str:
    """The card as one message. The description gets the room the rest leaves: a row stored
    before descriptions had a limit is shortened as text (`fit`) rather than sent too long,
    which would have the card split or cut inside its HTML and refused by Telegram."""
    lines = [
        texts("events-card-title", title=event.title),
        texts("events-card-kind", kind=texts(f"event-kind-{event.kind.value}")),
        texts("events-card-when", when=when(config, event.starts_at)),
        texts(
            "events-card-where",
            branch=branch_name(config, event.branch_id),
            room=event.room or "none",
        ),
    ]
    tail = ["", seats_text(texts, event)]
    if event.description:
        room = MESSAGE_LIMIT - CARD_TAIL - len("\n".join([*lines, "", *tail])) - 1
        lines += ["", fit(event.description, room)]
    return "\n".join([*lines, *tail])
