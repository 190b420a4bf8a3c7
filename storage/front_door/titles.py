"""Is this short message a title the library holds? «Место встречи изменить нельзя» has
«встреча» in it, «Дети капитана Гранта» has «грант», «Почтальон Печкин» begins like
«почта»: the rules would take them for an events, consultations or contacts question.
Before a rule's answer goes to a short message, the catalogue is asked once: when one of
its first hits is that title (or that title and author), the message is a catalogue
question after all."""

from __future__ import annotations

from rapidfuzz import fuzz

from storage.catalogue.search import search
from storage.catalogue.text import fold, query_words
from storage.db import Database

ALIKE = 88  # rapidfuzz ratio between the message and a title (typos, word order)
SHORTEST = 2  # letters: «Мы» is a title


async def is_a_title(db: Database, text: str) -> bool:
    wanted = " ".join(query_words(text))
    if len(wanted.replace(" ", "")) < SHORTEST:
        return False
    found = await search(db, text, limit=3)
    for hit in found.hits:
        title = " ".join(query_words(hit.title))
        with_author = f"{title} {fold(hit.authors or '')}".strip()
        if wanted == title or fuzz.ratio(wanted, title) >= ALIKE:
            return True
        if hit.authors and fuzz.token_sort_ratio(wanted, with_author) >= ALIKE:
            return True
        if len(wanted) >= 10 and title.startswith(wanted):  # the beginning of a long title
            return True
    return False
