"""The full-text index, behind one small adapter per database.

SQLite: an FTS5 table whose text is already stemmed by us (FTS5 has no Russian
stemmer), ranked by bm25 with title above authors above the rest (weights set in
the migration). PostgreSQL: a tsvector built with `libbot_russian` (the `russian`
configuration without stop lists, so «Мы» is a title, not noise) with
the same weights and a GIN index. Both take only words made of letters and digits,
so reader text can never become query syntax.

Only records readers may see are in the index: withdrawn ones are removed from it.
Ranking costs time per match, so a broad question (more than BROAD matches, e.g.
«роман») is answered unranked with «уточните запрос» instead of sorting 100,000 rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from storage.catalogue.text import fold, stemmed

BROAD = 3000

# `rank` is bm25 with the weights the migration set; a broad match skips ranking.
_SQLITE_RANKED = (
    "SELECT r.id, r.title, r.authors, r.year FROM ("
    "SELECT rowid AS id, rank FROM catalogue_search WHERE catalogue_search MATCH :query "
    "ORDER BY rank LIMIT :limit OFFSET :offset) s "
    "JOIN catalogue_records r ON r.id = s.id ORDER BY s.rank"
)
_SQLITE_BROAD = (
    "SELECT r.id, r.title, r.authors, r.year FROM ("
    "SELECT rowid AS id FROM catalogue_search WHERE catalogue_search MATCH :query "
    "LIMIT :limit OFFSET :offset) s "
    "JOIN catalogue_records r ON r.id = s.id ORDER BY s.id"
)
_POSTGRES_RANKED = (
    "SELECT r.id, r.title, r.authors, r.year FROM ("
    "SELECT s.record_id, ts_rank(s.document, q) AS rank "
    "FROM catalogue_search s, to_tsquery('libbot_russian', :query) q "
    "WHERE s.document @@ q ORDER BY rank DESC, s.record_id LIMIT :limit OFFSET :offset"
    ") m JOIN catalogue_records r ON r.id = m.record_id ORDER BY m.rank DESC, r.id"
)
_POSTGRES_BROAD = (
    "SELECT r.id, r.title, r.authors, r.year FROM ("
    "SELECT s.record_id FROM catalogue_search s "
    "WHERE s.document @@ to_tsquery('libbot_russian', :query) "
    "ORDER BY s.record_id LIMIT :limit OFFSET :offset"
    ") m JOIN catalogue_records r ON r.id = m.record_id ORDER BY r.id"
)


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


@dataclass(frozen=True, slots=True)
class Found:
    hits: list[Hit]
    total: int  # exact when not broad, else BROAD
    broad: bool = False


class SearchIndex:
    """One full-text index; subclasses give the SQL and how words become a query."""

    dialect: str
    key_column: str
    insert_sql: str
    count_sql: str
    ranked_sql: str
    broad_sql: str

    def query(self, words: Sequence[str]) -> str:
        raise NotImplementedError

    def row(self, doc: IndexedText) -> dict[str, object]:
        raise NotImplementedError

    async def remove(self, session: AsyncSession, record_ids: Sequence[int]) -> None:
        if record_ids:
            statement = text(
                f"DELETE FROM catalogue_search WHERE {self.key_column} IN :ids"  # noqa: S608 - constant
            ).bindparams(bindparam("ids", expanding=True))
            await session.execute(statement, {"ids": list(record_ids)})

    async def replace(self, session: AsyncSession, docs: Sequence[IndexedText]) -> None:
        if docs:
            await self.remove(session, [d.record_id for d in docs])
            await session.execute(text(self.insert_sql), [self.row(d) for d in docs])

    async def find(
        self, connection: AsyncConnection, words: Sequence[str], *, limit: int, offset: int
    ) -> Found:
        query = self.query(words)
        if not query:
            return Found([], 0)
        params = {"query": query, "cap": BROAD + 1}
        total = int(await connection.scalar(text(self.count_sql), params) or 0)
        if not total:
            return Found([], 0)
        broad = total > BROAD
        rows = await connection.execute(
            text(self.broad_sql if broad else self.ranked_sql),
            {"query": query, "limit": limit, "offset": offset},
        )
        return Found([Hit(*row) for row in rows], min(total, BROAD), broad)


class SqliteIndex(SearchIndex):
    dialect = "sqlite"
    key_column = "rowid"
    insert_sql = (
        "INSERT INTO catalogue_search (rowid, title, authors, other) "
        "VALUES (:id, :title, :authors, :other)"
    )
    count_sql = (
        "SELECT count(*) FROM (SELECT 1 FROM catalogue_search "
        "WHERE catalogue_search MATCH :query LIMIT :cap)"
    )
    ranked_sql = _SQLITE_RANKED
    broad_sql = _SQLITE_BROAD

    def query(self, words: Sequence[str]) -> str:
        # Each stem quoted: FTS5 reads it as a plain token, never as an operator.
        return " ".join(f'"{stemmed(w)}"' for w in words if stemmed(w))

    def row(self, doc: IndexedText) -> dict[str, object]:
        return {
            "id": doc.record_id,
            "title": stemmed(doc.title),
            "authors": stemmed(doc.authors),
            "other": stemmed(doc.other),
        }


class PostgresIndex(SearchIndex):
    dialect = "postgresql"
    key_column = "record_id"
    insert_sql = (
        "INSERT INTO catalogue_search (record_id, document) VALUES (:id, "
        "setweight(to_tsvector('libbot_russian', :title), 'A') || "
        "setweight(to_tsvector('libbot_russian', :authors), 'B') || "
        "setweight(to_tsvector('libbot_russian', :other), 'C'))"
    )
    count_sql = (
        "SELECT count(*) FROM (SELECT 1 FROM catalogue_search "
        "WHERE document @@ to_tsquery('libbot_russian', :query) LIMIT :cap) m"
    )
    ranked_sql = _POSTGRES_RANKED
    broad_sql = _POSTGRES_BROAD

    def query(self, words: Sequence[str]) -> str:
        # Words are [0-9a-zа-я]+ only (see text.words), so joining them with & is safe.
        return " & ".join(fold(w) for w in words)

    def row(self, doc: IndexedText) -> dict[str, object]:
        return {
            "id": doc.record_id,
            "title": fold(doc.title),
            "authors": fold(doc.authors),
            "other": fold(doc.other),
        }


def index_for(dialect: str) -> SearchIndex:
    return PostgresIndex() if dialect == "postgresql" else SqliteIndex()
