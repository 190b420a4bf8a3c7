"""`libbot import-catalogue`: records in, idempotently, with a summary that adds up.

Records are keyed by control number (001), else ISBN + title, so re-importing the
same export changes nothing; a changed record is updated in place and its copies
replaced; with `full=True` the files are the whole catalogue and records they do
not contain are withdrawn (hidden from readers, kept for statistics). A damaged
record is skipped and counted with its reason and position; the import goes on.
Parsing runs in a worker thread, so a scheduled import never blocks the bot.

An IRBIS64 master file (`IBIS.mst` with its `.xrf`) is read record by record and mapped
as the IRBIS text export is; records read from an IRBIS64 server come in batches
(`run_chunks`, see `storage.catalogue.irbis_sync`).
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime
from itertools import islice
from pathlib import Path

from sqlalchemy import bindparam, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.catalogue.import_summary import ImportSummary
from storage.catalogue.index import IndexedText, index_for
from storage.catalogue.irbis import from_fields
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.readers import read_records
from storage.catalogue.records import BibRecord, SkipRecord, scrub
from storage.catalogue.text import fold, stem, words
from storage.db import Database
from storage.irbis64.master import MasterFileError, read_master
from storage.types import utcnow

BATCH = 1000
# A full export with more damaged than good records is not trusted to withdraw anything.
MAX_SKIPPED_SHARE = 1.0
ANALYZE_AFTER_BATCHES = frozenset({1, 5, 20, 100, 300, 1000, 3000})
RECORDS = CatalogueRecord.__table__
ITEMS = CatalogueItem.__table__
DUPLICATE = "the same record again in one batch (the later copy was kept)"


def _document(record: BibRecord, record_id: int) -> IndexedText:
    other = " ".join(
        part
        for part in (
            record.subtitle,
            record.series,
            " ".join(record.subjects),
            record.publisher,
            record.year,
            " ".join(record.isbns),
        )
        if part
    )
    return IndexedText(record_id, record.title, " ".join(record.authors), other)


def _row(record: BibRecord, now: datetime) -> dict[str, object]:
    return {
        "source_key": record.source_key,
        "source_format": record.source_format,
        "title": record.title[:1000],
        "subtitle": record.subtitle[:1000] if record.subtitle else None,
        "authors": "; ".join(record.authors)[:1000] or None,
        "series": record.series[:500] if record.series else None,
        "subjects": "; ".join(record.subjects) or None,
        "publisher": record.publisher[:500] if record.publisher else None,
        "year": record.year,
        "isbns": " ".join(record.isbns)[:500] or None,
        "content_hash": record.content_hash(),
        "withdrawn": False,
        "seen_at": now,
        "updated_at": now,
    }


def _item_rows(record: BibRecord, record_id: int) -> list[dict[str, object]]:
    rows: dict[str, dict[str, object]] = {}
    for item in record.items:
        rows[item.item_key[:120]] = {
            "record_id": record_id,
            "item_key": item.item_key[:120],
            "location_code": item.location_code[:120] if item.location_code else None,
            "call_number": item.call_number[:200] if item.call_number else None,
            "barcode": item.barcode[:120] if item.barcode else None,
            "inventory_number": item.inventory_number[:120] if item.inventory_number else None,
            "status": item.status.value,
            "due_date": item.due_date,
            "withdrawn": False,
        }
    return list(rows.values())


class Importer:
    def __init__(self, db: Database, *, dry_run: bool = False, full: bool = False) -> None:
        self.db = db
        self.index = index_for(db.dialect)
        self.dry_run = dry_run
        self.full = full
        self.summary = ImportSummary(dry_run=dry_run)
        self.started = utcnow()
        self._known_terms: set[str] = set()
        self._batches = 0

    async def run(
        self,
        paths: Sequence[Path],
        *,
        format: str | None = None,
        encoding: str | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportSummary:
        clock = time.perf_counter()
        # Batches are committed as they go (a crash keeps what was imported; re-running
        # is idempotent); a dry run keeps everything in one transaction and rolls it back.
        async with self.db.sessions() as session:
            try:
                good_per_file = []
                for path in paths:
                    before = self.summary.read - self.summary.skipped_total
                    records = _file_records(path, format=format, encoding=encoding)
                    chunks = _prefetched(records)
                    await self._import_chunks(session, path.name, chunks, progress)
                    good_per_file.append(self.summary.read - self.summary.skipped_total - before)
                if self.full:
                    refusal = self._withdrawal_refusal(good_per_file)
                    if refusal:
                        self.summary.withdrawal_refused = refusal
                    else:
                        await self._withdraw_unseen(session)
            except BaseException:
                await session.rollback()
                raise
            if self.dry_run:
                await session.rollback()
            else:
                await session.commit()
        self.summary.seconds = time.perf_counter() - clock
        return self.summary

    async def run_chunks(
        self,
        name: str,
        chunks: AsyncIterator[list[BibRecord | SkipRecord]],
        *,
        withdraw: Callable[[], Sequence[str]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> ImportSummary:
        """Import records as a source hands them over in batches (an IRBIS64 server);
        then withdraw the source keys `withdraw` names (records deleted there), or — a
        full import — every record the source did not hand over."""
        clock = time.perf_counter()
        async with self.db.sessions() as session:
            try:
                await self._import_chunks(session, name, chunks, progress)
                if self.full:
                    refusal = self._withdrawal_refusal([self.summary.read])
                    if refusal:
                        self.summary.withdrawal_refused = refusal
                    else:
                        await self._withdraw_unseen(session)
                elif withdraw is not None:
                    await self._withdraw_keys(session, withdraw())
            except BaseException:
                await session.rollback()
                raise
            if self.dry_run:
                await session.rollback()
            else:
                await session.commit()
        self.summary.seconds = time.perf_counter() - clock
        return self.summary

    async def _import_chunks(
        self,
        session: AsyncSession,
        name: str,
        chunks: AsyncIterator[list[BibRecord | SkipRecord]],
        progress: Callable[[int], None] | None,
    ) -> None:
        position = 0
        async for chunk in chunks:
            batch: dict[str, BibRecord] = {}
            for entry in chunk:
                position += 1
                self.summary.read += 1
                if isinstance(entry, SkipRecord):
                    self.summary.skip(str(entry), f"{name} {entry.where or f'#{position}'}")
                    continue
                entry = scrub(entry)
                if entry.source_key in batch:  # the same record twice: the later one wins
                    self.summary.skipped[DUPLICATE] += 1
                batch[entry.source_key] = entry
            await self._store(session, list(batch.values()))
            self._batches += 1
            if self.db.dialect == "postgresql" and self._batches in ANALYZE_AFTER_BATCHES:
                await self._analyze(session)
            if not self.dry_run:
                await session.commit()
            if progress is not None:
                progress(self.summary.read)

    async def _store(self, session: AsyncSession, batch: list[BibRecord]) -> None:
        if not batch:
            return
        now = self.started
        existing = {
            key: (record_id, digest, withdrawn)
            for record_id, key, digest, withdrawn in await session.execute(
                select(
                    CatalogueRecord.id,
                    CatalogueRecord.source_key,
                    CatalogueRecord.content_hash,
                    CatalogueRecord.withdrawn,
                ).where(CatalogueRecord.source_key.in_([r.source_key for r in batch]))
            )
        }
        new = [r for r in batch if r.source_key not in existing]
        changed = [
            r
            for r in batch
            if r.source_key in existing
            and (existing[r.source_key][1] != r.content_hash() or existing[r.source_key][2])
        ]
        unchanged_ids = [
            existing[r.source_key][0]
            for r in batch
            if r.source_key in existing and r not in changed
        ]
        self.summary.added += len(new)
        self.summary.updated += len(changed)
        self.summary.unchanged += len(unchanged_ids)

        # Core executemany, not ORM bulk operations: one round trip per statement and
        # batch instead of one per row (the difference is 10× on aiosqlite).
        ids: dict[str, int] = {}
        if new:
            rows = [{**_row(r, now), "imported_at": now} for r in new]
            await session.execute(insert(RECORDS), rows)
            fresh = await session.execute(
                select(RECORDS.c.id, RECORDS.c.source_key).where(
                    RECORDS.c.source_key.in_([r.source_key for r in new])
                )
            )
            ids.update({key: record_id for record_id, key in fresh})
        if changed:
            for record in changed:
                ids[record.source_key] = existing[record.source_key][0]
            await session.execute(
                update(RECORDS).where(RECORDS.c.id == bindparam("record_id")),
                [{**_row(r, now), "record_id": ids[r.source_key]} for r in changed],
            )
            await self._replace_items(session, changed, ids)
        if unchanged_ids:
            await session.execute(
                update(CatalogueRecord)
                .where(CatalogueRecord.id.in_(unchanged_ids))
                .values(seen_at=now)
            )
        item_rows = [row for r in new for row in _item_rows(r, ids[r.source_key])]
        if item_rows:
            await session.execute(insert(ITEMS), item_rows)
        touched = new + changed
        await self.index.replace(session, [_document(r, ids[r.source_key]) for r in touched])
        await self._add_terms(session, touched)

    async def _analyze(self, session: AsyncSession) -> None:
        """Refresh PostgreSQL's statistics while a first import grows the tables.

        Without them (autovacuum off, or not yet run) the planner keeps assuming empty
        tables and looks records up by sequential scan: 1000× slower at a million rows.
        """
        await session.execute(text("ANALYZE catalogue_records, catalogue_items, catalogue_terms"))

    async def _replace_items(
        self, session: AsyncSession, changed: list[BibRecord], ids: dict[str, int]
    ) -> None:
        record_ids = [ids[r.source_key] for r in changed]
        before: dict[int, set[str]] = {}
        for record_id, key in await session.execute(
            select(CatalogueItem.record_id, CatalogueItem.item_key).where(
                CatalogueItem.record_id.in_(record_ids), CatalogueItem.withdrawn.is_(False)
            )
        ):
            before.setdefault(record_id, set()).add(key)
        rows = [row for r in changed for row in _item_rows(r, ids[r.source_key])]
        after: dict[int, set[str]] = {}
        for row in rows:
            after.setdefault(int(row["record_id"]), set()).add(str(row["item_key"]))  # type: ignore[call-overload]
        self.summary.items_withdrawn += sum(
            len(keys - after.get(record_id, set())) for record_id, keys in before.items()
        )
        await session.execute(delete(ITEMS).where(ITEMS.c.record_id.in_(record_ids)))
        if rows:
            await session.execute(insert(ITEMS), rows)

    async def _add_terms(self, session: AsyncSession, records: list[BibRecord]) -> None:
        """Grow the vocabulary used for «Возможно, вы искали…» (titles and authors only)."""
        fresh: dict[str, str] = {}
        for record in records:
            for word in words(f"{record.title} {' '.join(record.authors)}"):
                if len(word) < 3 or word.isdigit():
                    continue
                term = stem(word)
                if term not in self._known_terms and term not in fresh:
                    fresh[term] = word
        if not fresh:
            return
        self._known_terms.update(fresh)
        # Plain ON CONFLICT DO NOTHING: the same statement on SQLite and PostgreSQL.
        await session.execute(
            text(
                "INSERT INTO catalogue_terms (term, word, length) VALUES (:term, :word, :length) "
                "ON CONFLICT DO NOTHING"
            ),
            [
                {"term": term[:100], "word": fold(word)[:100], "length": len(term)}
                for term, word in fresh.items()
            ],
        )

    def _withdrawal_refusal(self, good_per_file: list[int]) -> str | None:
        """A broken or empty export must not hide the catalogue: say why not to withdraw."""
        if any(good == 0 for good in good_per_file):
            return "a file gave no usable records (a failed export?)"
        good = self.summary.read - self.summary.skipped_total
        if self.summary.skipped_total > good * MAX_SKIPPED_SHARE:
            return f"too many damaged records ({self.summary.skipped_total} of {self.summary.read})"
        return None

    async def _withdraw_unseen(self, session: AsyncSession) -> None:
        unseen = select(CatalogueRecord.id).where(
            CatalogueRecord.seen_at < self.started, CatalogueRecord.withdrawn.is_(False)
        )
        await self._withdraw(session, [record_id for (record_id,) in await session.execute(unseen)])

    async def _withdraw_keys(self, session: AsyncSession, keys: Sequence[str]) -> None:
        """Withdraw the records with these source keys (deleted in the library's system)."""
        gone: list[int] = []
        for start in range(0, len(keys), BATCH):
            found = select(CatalogueRecord.id).where(
                CatalogueRecord.source_key.in_(keys[start : start + BATCH]),
                CatalogueRecord.withdrawn.is_(False),
            )
            gone += [record_id for (record_id,) in await session.execute(found)]
        await self._withdraw(session, gone)

    async def _withdraw(self, session: AsyncSession, gone: list[int]) -> None:
        if not gone:
            return
        self.summary.withdrawn_records += len(gone)
        for start in range(0, len(gone), BATCH):
            part = gone[start : start + BATCH]
            self.summary.items_withdrawn += int(
                await session.scalar(
                    select(func.count()).where(
                        CatalogueItem.record_id.in_(part), CatalogueItem.withdrawn.is_(False)
                    )
                )
                or 0
            )
            await session.execute(
                update(CatalogueRecord).where(CatalogueRecord.id.in_(part)).values(withdrawn=True)
            )
            await self.index.remove(session, part)
            await session.execute(
                update(CatalogueItem)
                .where(CatalogueItem.record_id.in_(part))
                .values(withdrawn=True)
            )


def _file_records(
    path: Path, *, format: str | None, encoding: str | None
) -> Iterator[BibRecord | SkipRecord]:
    """A file's records: an IRBIS64 master file (`.mst`, its `.xrf` beside it) record by
    record, mapped as the IRBIS text export is; any other file by its format."""
    if path.suffix.lower() == ".mst" and format in (None, "", "irbis"):
        return master_records(path)
    return read_records(path, format=format, encoding=encoding)


def master_records(path: Path) -> Iterator[BibRecord | SkipRecord]:
    try:
        for record in read_master(path):
            mapped = from_fields((f.tag, f.value) for f in record.fields)
            if isinstance(mapped, SkipRecord) and mapped.where is None:
                mapped.where = f"MFN {record.mfn}"
            yield mapped
    except MasterFileError as damaged:  # the records before it are kept
        yield SkipRecord("damaged master file: the rest was not read", where=str(damaged))


async def _prefetched(
    records: Iterator[BibRecord | SkipRecord],
) -> AsyncIterator[list[BibRecord | SkipRecord]]:
    """Batches of a file's records, the next parsed in a thread while this one is written:
    two cores busy."""

    def next_chunk() -> list[BibRecord | SkipRecord]:
        return list(islice(records, BATCH))

    pending = asyncio.ensure_future(asyncio.to_thread(next_chunk))
    while True:
        chunk = await pending
        if not chunk:
            return
        pending = asyncio.ensure_future(asyncio.to_thread(next_chunk))
        yield chunk


@asynccontextmanager
async def rehearsal_database(db: Database, *, dry_run: bool) -> AsyncIterator[Database]:
    """Where an import writes: the database itself, or — a dry run on SQLite — a snapshot
    of it, since a dry run's one long transaction would hold SQLite's write lock and stall
    the running bot for minutes."""
    if not (dry_run and db.dialect == "sqlite"):
        yield db
        return
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "rehearsal.sqlite3"
        async with db.engine.connect() as conn:
            await conn.exec_driver_sql(f"VACUUM INTO '{copy}'")
        rehearsal = Database(f"sqlite+aiosqlite:///{copy}")
        try:
            yield rehearsal
        finally:
            await rehearsal.dispose()


async def import_catalogue(
    db: Database,
    paths: Sequence[Path],
    *,
    format: str | None = None,
    encoding: str | None = None,
    dry_run: bool = False,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    async with rehearsal_database(db, dry_run=dry_run) as target:
        importer = Importer(target, dry_run=dry_run, full=full)
        return await importer.run(paths, format=format, encoding=encoding, progress=progress)
