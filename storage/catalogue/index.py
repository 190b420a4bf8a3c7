"""The full-text index, behind one small adapter per database.

SQLite: an FTS5 table whose text is already stemmed by us (FTS5 has no Russian
stemmer). PostgreSQL: a tsvector built by `to_tsvector('russian', …)` with a GIN
index. Both rank title above authors above the rest, and both take only words
made of letters and digits, so reader text can never become query syntax.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from storage.catalogue.text import fold, stemmed


@dataclass(frozen=True, slots=True)
class IndexedText:
    record_id: int
    title: str
    authors: str
    other: str  # subtitle, series, subjects, publisher, year, ISBNs


@dataclass(frozen=True, slots=True)
class Hit:
    record_id: int
    title: str
    authors: str | None
    year: str | None


class SearchIndex:
    dialect: str

    async def replace(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        raise NotImplementedError

    async def find(
        self, session: AsyncSession, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[Hit], int]:
        raise NotImplementedError


class SqliteIndex(SearchIndex):
    dialect = "sqlite"

    async def replace(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if not docs:
            return
        await session.execute(
            text("DELETE FROM catalogue_search WHERE rowid IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": [d.record_id for d in docs]},
        )
        await session.execute(
            text(
                "INSERT INTO catalogue_search (rowid, title, authors, other) "
                "VALUES (:id, :title, :authors, :other)"
            ),
            [
                {
                    "id": d.record_id,
                    "title": stemmed(d.title),
                    "authors": stemmed(d.authors),
                    "other": stemmed(d.other),
                }
                for d in docs
            ],
        )

    async def find(
        self, session: AsyncSession, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[Hit], int]:
        match = " ".join(f'"{stemmed(w)}"' for w in words if stemmed(w))
        if not match:
            return [], 0
        rows = await session.execute(
            text(
                "SELECT r.id, r.title, r.authors, r.year FROM catalogue_search s "
                "JOIN catalogue_records r ON r.id = s.rowid "
                "WHERE catalogue_search MATCH :match AND r.withdrawn = 0 "
                "ORDER BY bm25(catalogue_search, 10.0, 5.0, 1.0), r.id "
                "LIMIT :limit OFFSET :offset"
            ),
            {"match": match, "limit": limit, "offset": offset},
        )
        hits = [Hit(*row) for row in rows]
        if offset == 0 and len(hits) < limit:
            return hits, len(hits)
        total = await session.scalar(
            text(
                "SELECT count(*) FROM catalogue_search s "
                "JOIN catalogue_records r ON r.id = s.rowid "
                "WHERE catalogue_search MATCH :match AND r.withdrawn = 0"
            ),
            {"match": match},
        )
        return hits, int(total or 0)


class PostgresIndex(SearchIndex):
    dialect = "postgresql"

    async def replace(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if not docs:
            return
        await session.execute(
            text("DELETE FROM catalogue_search WHERE record_id IN :ids").bindparams(
                bindparam("ids", expanding=True)
            ),
            {"ids": [d.record_id for d in docs]},
        )
        await session.execute(
            text(
                "INSERT INTO catalogue_search (record_id, document) VALUES (:id, "
                "setweight(to_tsvector('russian', :title), 'A') || "
                "setweight(to_tsvector('russian', :authors), 'B') || "
                "setweight(to_tsvector('russian', :other), 'C'))"
            ),
            [
                {
                    "id": d.record_id,
                    "title": fold(d.title),
                    "authors": fold(d.authors),
                    "other": fold(d.other),
                }
                for d in docs
            ],
        )

    async def find(
        self, session: AsyncSession, words: Sequence[str], *, limit: int, offset: int
    ) -> tuple[list[Hit], int]:
        # Words are [0-9a-zа-я]+ only (see text.words), so joining them with & is safe.
        query = " & ".join(fold(w) for w in words)
        if not query:
            return [], 0
        rows = await session.execute(
            text(
                "SELECT r.id, r.title, r.authors, r.year FROM catalogue_search s "
                "JOIN catalogue_records r ON r.id = s.record_id, "
                "to_tsquery('russian', :query) q "
                "WHERE s.document @@ q AND NOT r.withdrawn "
                "ORDER BY ts_rank(s.document, q) DESC, r.id LIMIT :limit OFFSET :offset"
            ),
            {"query": query, "limit": limit, "offset": offset},
        )
        hits = [Hit(*row) for row in rows]
        if offset == 0 and len(hits) < limit:
            return hits, len(hits)
        total = await session.scalar(
            text(
                "SELECT count(*) FROM catalogue_search s "
                "JOIN catalogue_records r ON r.id = s.record_id "
                "WHERE s.document @@ to_tsquery('russian', :query) AND NOT r.withdrawn"
            ),
            {"query": query},
        )
        return hits, int(total or 0)


def index_for(dialect: str) -> SearchIndex:
    return PostgresIndex() if dialect == "postgresql" else SqliteIndex()
