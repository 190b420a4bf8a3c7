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
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import and_, bindparam, func, or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

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
    # One connection for the search and its typo fallback: on PostgreSQL each checkout
    # costs round trips of its own (the pool's ping, BEGIN, the rollback on return).
    async with db.connection(writes=False) as reading:
        found = await index.find(reading, terms, limit=limit, offset=offset)
        result.hits, result.total, result.broad = found.hits, found.total, found.broad
        if result.total:
            return result
        corrected, known = await _correct(reading, terms)
        # Dropping the words the catalogue cannot place is a guess, so the answer shows
        # what was searched for («Возможно, вы искали: …»).
        for attempt in (corrected, known):
            if not attempt or attempt == terms:
                continue
            found = await index.find(reading, attempt, limit=limit, offset=offset)
            result.hits, result.total, result.broad = found.hits, found.total, found.broad
            if result.total:
                result.suggestion = " ".join(attempt)
                break
    return result


# The typo fallback reads the vocabulary in two statements whatever the question's length:
# which of its words the catalogue knows, then the near words of all the others at once.
# No ORM session: they only read, so on SQLite they need not wait for the writer's turn.
_TERMS = CatalogueTerm.__table__
_KNOWN = select(_TERMS.c.term).where(_TERMS.c.term.in_(bindparam("terms", expanding=True)))


@dataclass(frozen=True, slots=True)
class _Near:
    """Where a word's near words are looked for: the same first letter (most typos keep
    it), else — «аткрывает» — the same next two letters; within `slack` letters of length."""

    term: str

    @property
    def slack(self) -> int:
        return 1 if len(self.term) <= 5 else 2

    def condition(self) -> Any:
        lengths = _TERMS.c.length.between(len(self.term) - self.slack, len(self.term) + self.slack)
        # substr, not a range: a Russian collation does not sort «я» < chr(ord(«я») + 1).
        start = func.substr(_TERMS.c.term, 1, 1) == self.term[0]
        middle = func.substr(_TERMS.c.term, 2, 2) == self.term[1:3]
        return and_(lengths, or_(start, middle))

    def narrowings(self, rows: list[tuple[str, str, int]]) -> list[tuple[dict[str, str], int]]:
        """The candidates by first letter (a distance of `slack` allowed), then by the
        middle (one)."""
        near = [
            (term, word)
            for term, word, length in rows
            if abs(length - len(self.term)) <= self.slack
        ]
        return [
            ({t: w for t, w in near if t[:1] == self.term[:1]}, self.slack),
            ({t: w for t, w in near if t[1:3] == self.term[1:3]}, 1),
        ]


def _looked_up(word: str, term: str) -> bool:
    """Whether the vocabulary is asked about the word (a number or a short stem is kept)."""
    return not (word.isdigit() or len(term) < 3)


async def correct(db: Database, terms: list[str]) -> tuple[list[str], list[str]]:
    """Replace each word the catalogue does not know by its nearest known word.

    Returns the corrected words, and the same without the words that could not be
    corrected (for «мастер AND маргарита» the second drops the stray «and»).
    """
    async with db.connection(writes=False) as reading:
        return await _correct(reading, terms)


async def _correct(reading: AsyncConnection, terms: list[str]) -> tuple[list[str], list[str]]:
    pairs = list(zip(terms, [stem(word) for word in terms], strict=True))
    asked = sorted({term for word, term in pairs if _looked_up(word, term)})
    rows: list[tuple[str, str, int]] = []
    vocabulary: set[str] = set()
    if asked:
        vocabulary = set((await reading.scalars(_KNOWN, {"terms": asked})).all())
    unknown = [_Near(term) for term in asked if term not in vocabulary]
    if unknown:
        near = select(_TERMS.c.term, _TERMS.c.word, _TERMS.c.length).where(
            or_(*(n.condition() for n in unknown))
        )
        rows = [(t, w, n) for t, w, n in (await reading.execute(near)).all()]
    corrected: list[str] = []
    known: list[str] = []
    for word, term in pairs:
        if not _looked_up(word, term):
            corrected.append(word)
            if word.isdigit() and len(word) == 4:  # a year is worth keeping
                known.append(word)
            continue
        if term in vocabulary:
            corrected.append(word)
            known.append(word)
            continue
        best = None
        for candidates, allowed in _Near(term).narrowings(rows):
            best = process.extractOne(
                term, list(candidates), scorer=Levenshtein.distance, score_cutoff=allowed
            )
            if best:
                corrected.append(candidates[best[0]])
                known.append(candidates[best[0]])
                break
        if not best:
            corrected.append(word)
    return corrected, known
