"""Event descriptions: Telegram HTML (what staff type, formatting kept; an imported plain text
escaped), shown inside the event card — one message of at most 4096 characters with the title,
time, place and seats around it.

A description longer than `DESCRIPTION_LIMIT` is refused where it comes in (the staff form,
`libbot events import`) with the limit named, never cut: a cut HTML string can end inside a tag
or an entity, and Telegram then refuses the whole card, so every reader opening the event got
an apology (issue #18). Rows stored before the limit may still be longer: `fit` shortens their
plain text and escapes it again, so even they render.
"""

from __future__ import annotations

import html
import re

# Characters of stored HTML (tags and entities count: they are what the card is made of).
# The rest of the card — title up to 200, kind, time, place, seats, the reader's place —
# takes well under 1,000 of the 4096, so a description up to this fits with its formatting.
DESCRIPTION_LIMIT = 3000
_TAG = re.compile(r"<[^>]*>")
# How far back from the cut a word break is looked for, before cutting inside a word.
_WORD_BREAK = 80


def over_limit(description: str) -> bool:
    return len(description) > DESCRIPTION_LIMIT


def from_plain_text(text: str) -> str:
    """Plain text (an imported file's column) as stored HTML: «&», «<», «>» escaped, so a
    «6+ & родители <3» is shown as written instead of breaking the card."""
    return html.escape(text, quote=False)


def plain_text(description: str) -> str:
    """What a reader sees of the stored HTML: tags dropped, entities decoded (a calendar
    file has no HTML, and shortening must work on this, not on markup)."""
    return html.unescape(_TAG.sub("", description))


def fit(description: str, room: int) -> str:
    """The description as HTML of at most `room` characters: as stored when it fits; else its
    plain text cut at a word with «…» and escaped again — cut on text, never inside a tag or
    an entity. The formatting of such an old over-long row is the price of showing it."""
    if len(description) <= room:
        return description
    text = plain_text(description)
    cut = max(min(room - 1, len(text)), 0)
    while cut > 0:
        space = text.rfind(" ", 0, cut)
        end = space if space > cut - _WORD_BREAK else cut
        short = from_plain_text(text[:end].rstrip()) + "…"
        if len(short) <= room:
            return short
        cut -= len(short) - room  # escaping lengthened it: cut that much earlier
    return "…"
