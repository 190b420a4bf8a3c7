"""What staff may type for an event's fields: checked alike in «Новое мероприятие» and
when an event is edited, so a title or a seat count the one takes the other takes too."""

from __future__ import annotations

TITLE_MIN, TITLE_MAX = 3, 200
ROOM_LIMIT = 200  # the column's size
SEATS_MAX = 100_000


def _spaced(text: str) -> str:
    """The text with its runs of spaces and line breaks made one space."""
    return " ".join(text.split())


def title_of(text: str) -> str | None:
    """The title as it is stored, or None when it is not 3 to 200 characters."""
    title = _spaced(text)
    return title if TITLE_MIN <= len(title) <= TITLE_MAX else None


def room_of(text: str) -> str | None:
    """A hall or room, or None when it is empty or longer than the column."""
    room = _spaced(text)
    return room if 1 <= len(room) <= ROOM_LIMIT else None


def seat_count(text: str) -> int | None:
    """A number of seats, 1 to 100,000, or None for anything else."""
    text = text.strip()
    return int(text) if text.isdigit() and 1 <= int(text) <= SEATS_MAX else None
