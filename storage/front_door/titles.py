"""Is this short message a title the library holds? «Место встречи изменить нельзя» has
«встреча» in it, «Дети капитана Гранта» has «грант», «Почтальон Печкин» begins like
«почта»: the rules would take them for an events, consultations or contacts question.
Before a rule's answer goes to a short message, the catalogue is asked once: when one of
its first hits is that title (or that title and author), the message is a catalogue
question after all."""

from __future__ import annotations

from rapidfuzz import fuzz

from storage.catalogue.index import index_for
from storage.catalogue.text import fold, query_words
from storage.db import Database

ALIKE = 88  # rapidfuzz ratio between the message and a title (typos, word order)
SHORTEST = 2  # letters: «Мы» is a title
MAX_WORDS = 8


async def is_a_title(db: Database, text: str) -> bool:
    words = query_words(text)
    wanted = " ".join(words)
    if len(wanted.replace(" ", "")) < SHORTEST:
        return False
    # The index itself, without the search's typo fallback: a title is asked for as typed.
    async with db.connection(writes=False) as reading:
        found = await index_for(db.dialect).find(reading, words[:MAX_WORDS], limit=3, offset=0)
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
