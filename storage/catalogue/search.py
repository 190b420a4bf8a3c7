"""«Есть ли у вас…?»: a reader's words in, matching records out, with a typo fallback.

Query text is data, never syntax: it is cut to a sane length and reduced to words
of letters and digits before it reaches the index. An ISBN with or without dashes
is recognised and matched exactly. When nothing matches, each word the catalogue
does not know is replaced by its nearest known word (edit distance 1–2) and the
search is tried again, then once more without the words it could not place; the
answer says what it searched for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import func, select

from storage.catalogue.index import Hit, index_for
from storage.catalogue.models import CatalogueTerm
from storage.catalogue.records import isbn13
from storage.catalogue.text import query_words, stem
from storage.db import Database

QUERY_LIMIT = 300  # characters of a question that are looked at
MAX_WORDS = 12
_ISBN_LIKE = re.compile(r"(?<![\dXx])(?:97[89][\d\- ]{10,14}|\d[\d\- ]{8,11}[\dXx])(?![\dXx])")


@dataclass
class SearchResult:
    query: str
    hits: list[Hit] = field(default_factory=list)
    total: int = 0
    broad: bool = False  # more than index.BROAD matches: total is a lower bound
    suggestion: str | None = None  # «Возможно, вы искали: …» when the typo fallback was used


def _terms(query: str) -> list[str]:
    isbns = [n for n in (isbn13(m) for m in _ISBN_LIKE.findall(query)) if n]
    if isbns:
        return isbns[:1]
    return query_words(query)[:MAX_WORDS]


async def search(db: Database, query: str, *, limit: int = 5, offset: int = 0) -> SearchResult:
    query = query[:QUERY_LIMIT]
    result = SearchResult(query=query)
    terms = _terms(query)
    if not terms:
        return result
    index = index_for(db.dialect)
    async with db.connection(writes=False) as reading:
        found = await index.find(reading, terms, limit=limit, offset=offset)
    result.hits, result.total, result.broad = found.hits, found.total, found.broad
    if result.total:
        return result
    corrected, known = await correct(db, terms)
    # Dropping the words the catalogue cannot place is a guess, so the answer shows
    # what was searched for («Возможно, вы искали: …»).
    for attempt in (corrected, known):
        if not attempt or attempt == terms:
            continue
        async with db.connection(writes=False) as reading:
            found = await index.find(reading, attempt, limit=limit, offset=offset)
        result.hits, result.total, result.broad = found.hits, found.total, found.broad
        if result.total:
            result.suggestion = " ".join(attempt)
            break
    return result


async def correct(db: Database, terms: list[str]) -> tuple[list[str], list[str]]:
    """Replace each word the catalogue does not know by its nearest known word.

    Returns the corrected words, and the same without the words that could not be
    corrected (for «мастер AND маргарита» the second drops the stray «and»).
    """
    corrected: list[str] = []
    known: list[str] = []
    async with db.transaction() as session:
        for word in terms:
            term = stem(word)
            if word.isdigit() or len(term) < 3:
                corrected.append(word)
                if word.isdigit() and len(word) == 4:  # a year is worth keeping
                    known.append(word)
                continue
            exact = await session.scalar(
                select(CatalogueTerm.word).where(CatalogueTerm.term == term)
            )
            if exact is not None:
                corrected.append(word)
                known.append(word)
                continue
            slack = 1 if len(term) <= 5 else 2
            lengths = CatalogueTerm.length.between(len(term) - slack, len(term) + slack)
            # substr, not a range: a Russian collation does not sort «я» < chr(ord(«я») + 1).
            same_start = func.substr(CatalogueTerm.term, 1, 1) == term[0]
            # Most typos keep the first letter; «аткрывает» does not, so fall back to
            # words that share the next two letters instead.
            same_middle = func.substr(CatalogueTerm.term, 2, 2) == term[1:3]
            best = None
            for narrowing, allowed in ((same_start, slack), (same_middle, 1)):
                rows = await session.execute(
                    select(CatalogueTerm.term, CatalogueTerm.word).where(narrowing, lengths)
                )
                candidates = dict(rows.all())
                best = process.extractOne(
                    term, list(candidates), scorer=Levenshtein.distance, score_cutoff=allowed
                )
                if best:
                    break
            corrected.append(candidates[best[0]] if best else word)
            if best:
                known.append(candidates[best[0]])
    return corrected, known
