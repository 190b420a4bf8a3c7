"""«Есть ли у вас…?»: a reader's words in, matching records out, with a typo fallback.

Query text is data, never syntax: it is cut to a sane length and reduced to words
of letters and digits before it reaches the index. An ISBN with or without dashes
is recognised and matched exactly. When nothing matches, each word the catalogue
does not know is replaced by its nearest known word (edit distance 1–2, same
first letter) and the search is tried once more, reporting what it searched for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein
from sqlalchemy import select

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
    async with db.transaction() as session:
        result.hits, result.total = await index.find(session, terms, limit=limit, offset=offset)
    if result.total or offset:
        return result
    corrected = await correct(db, terms)
    if corrected and corrected != terms:
        async with db.transaction() as session:
            result.hits, result.total = await index.find(
                session, corrected, limit=limit, offset=offset
            )
        if result.total:
            result.suggestion = " ".join(corrected)
    return result


async def correct(db: Database, terms: list[str]) -> list[str]:
    """Replace each word the catalogue does not know by its nearest known word."""
    corrected = []
    async with db.transaction() as session:
        for word in terms:
            term = stem(word)
            if word.isdigit() or len(term) < 3:
                corrected.append(word)
                continue
            known = await session.scalar(
                select(CatalogueTerm.word).where(CatalogueTerm.term == term)
            )
            if known is not None:
                corrected.append(word)
                continue
            slack = 1 if len(term) <= 5 else 2
            first = term[0]
            rows = await session.execute(
                select(CatalogueTerm.term, CatalogueTerm.word).where(
                    CatalogueTerm.term >= first,
                    CatalogueTerm.term < chr(ord(first) + 1),
                    CatalogueTerm.length.between(len(term) - slack, len(term) + slack),
                )
            )
            candidates = dict(rows.all())
            best = process.extractOne(
                term, list(candidates), scorer=Levenshtein.distance, score_cutoff=slack
            )
            corrected.append(candidates[best[0]] if best else word)
    return corrected
