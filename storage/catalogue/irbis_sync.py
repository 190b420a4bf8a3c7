"""`libbot import-catalogue --from-irbis`: the catalogue read from the IRBIS64 server itself.

No export file: the catalogue databases (`[library_system.irbis64] catalogue_databases`)
are read over the protocol, record by record, and mapped as the IRBIS text export is.

IRBIS cannot be asked «what changed since», but every record carries a version the
server raises at each save. So each run keeps, per database, every record's version (a
watermark file in the data directory); the next run imports only records that are new
or whose version moved, and withdraws those deleted in IRBIS since — the catalogue's
tables are not rewritten for the 99 % that did not change. The records are still read
(IRBIS has no cheaper way to learn a version), a few at a time, so a run takes minutes
for a large catalogue and never blocks the bot. `--full` imports every record and
withdraws those no longer there, and rewrites the watermark.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.kernel.config.library_system import Irbis64
from storage.catalogue.import_summary import ImportSummary
from storage.catalogue.importer import BATCH, Importer, rehearsal_database
from storage.catalogue.irbis import from_fields
from storage.catalogue.records import BibRecord, SkipRecord
from storage.db import Database
from storage.irbis64 import Irbis64Client, Record

log = logging.getLogger(__name__)

WATERMARK_FILE = "irbis-catalogue.json"
READ_AT_ONCE = 200  # records asked for per batch (the client reads a few in parallel)


@dataclass
class Watermark:
    """Per database: MFN → the version last imported, and MFN → the catalogue key it was
    imported under (so a record deleted in IRBIS — which may come back with no fields —
    or gone altogether can still be withdrawn). JSON keys are strings."""

    path: Path
    server: str
    versions: dict[str, dict[str, int]] = field(default_factory=dict)
    keys: dict[str, dict[str, str]] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path, server: str) -> Watermark:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(path, server)
        if not isinstance(data, dict) or data.get("server") != server:
            return cls(path, server)  # another server: start afresh
        versions = data.get("versions")
        keys = data.get("keys")  # absent in files written before keys were kept
        return cls(
            path,
            server,
            versions if isinstance(versions, dict) else {},
            keys if isinstance(keys, dict) else {},
        )

    def save(self) -> None:
        """Written beside, then moved into place: a crash leaves the old one whole."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        draft = self.path.with_suffix(".tmp")
        kept = {"server": self.server, "versions": self.versions, "keys": self.keys}
        draft.write_text(json.dumps(kept))
        os.replace(draft, self.path)


def source_key(record: Record) -> str | None:
    """The catalogue key a record of this database has (its 903), as the import makes it."""
    mapped = from_fields((f.tag, f.value) for f in record.fields)
    return mapped.source_key if isinstance(mapped, BibRecord) else None


async def import_from_irbis(
    db: Database,
    settings: Irbis64,
    *,
    data_dir: Path,
    call_timeout: float,
    full: bool = False,
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import the catalogue databases' new and changed records (every record with
    `full`); IrbisError when the server cannot be read (nothing is withdrawn then)."""
    password = settings.password.get_secret_value() if settings.password else ""
    client = Irbis64Client(
        settings.host,
        settings.port,
        settings.username,
        password,
        workstation=settings.workstation,
        timeout=call_timeout,
    )
    server = f"{settings.host}:{settings.port}"
    mark = Watermark.load(data_dir / WATERMARK_FILE, server)
    fresh: dict[str, dict[str, int]] = {}
    fresh_keys: dict[str, dict[str, str]] = {}
    deleted: list[str] = []

    async def chunks() -> AsyncIterator[list[BibRecord | SkipRecord]]:
        for database in settings.catalogue_databases:
            seen = {} if full else dict(mark.versions.get(database, {}))
            known_keys = mark.keys.get(database, {})
            kept = fresh.setdefault(database, {})
            kept_keys = fresh_keys.setdefault(database, {})
            # The O command answers the last MFN or the next one, as servers differ: one
            # past it is read too, and an MFN that is not there is simply skipped.
            last = await client.max_mfn(database)
            for start in range(1, last + 1, READ_AT_ONCE):
                mfns = range(start, min(start + READ_AT_ONCE, last + 1))
                batch: list[BibRecord | SkipRecord] = []
                for record in await client.read_many(database, mfns):
                    mfn = str(record.mfn)
                    known = seen.pop(mfn, None)
                    if record.deleted:
                        key = known_keys.get(mfn) or source_key(record)
                        if known is not None and key:
                            deleted.append(key)
                        continue
                    kept[mfn] = record.version
                    if known == record.version:
                        if mfn in known_keys:
                            kept_keys[mfn] = known_keys[mfn]
                        continue
                    mapped = from_fields((f.tag, f.value) for f in record.fields)
                    if isinstance(mapped, SkipRecord) and mapped.where is None:
                        mapped.where = f"{database} MFN {record.mfn}"
                    if isinstance(mapped, BibRecord) and mapped.source_key:
                        kept_keys[mfn] = mapped.source_key
                    batch.append(mapped)
                for part in range(0, len(batch), BATCH):
                    yield batch[part : part + BATCH]
            # Gone altogether (deleted physically, the database reorganised): withdrawn
            # by the key they were imported under.
            gone = [known_keys[mfn] for mfn in seen if mfn in known_keys]
            deleted.extend(gone)
            if seen:
                log.info("IRBIS %s: %d records no longer there", database, len(seen))

    try:
        await client.connect()
        name = "+".join(settings.catalogue_databases)
        async with rehearsal_database(db, dry_run=dry_run) as target:
            importer = Importer(target, dry_run=dry_run, full=full)
            summary = await importer.run_chunks(
                f"IRBIS64 {name}", chunks(), withdraw=lambda: deleted, progress=progress
            )
    finally:
        await client.close()
    if not dry_run:
        mark.versions, mark.keys = fresh, fresh_keys
        mark.save()
    return summary
