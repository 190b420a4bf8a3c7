"""CSV fallback: one row per copy; rows of one record share `id` (or ISBN and title),
anywhere in the file.

Header (UTF-8 or CP1251, comma or semicolon):
    id,title,subtitle,authors,year,publisher,isbn,series,subjects,
    branch,call_number,barcode,inventory_number,status,due_date
`authors` and `subjects` are separated by ';'. `status` is one of available,
on_loan, reserved, in_transit, reading_room, unavailable, lost, withdrawn (or
the Russian: на полке, выдан, забронирован, в пути, читальный зал, недоступен,
утерян, списан); empty means available. `due_date` is YYYY-MM-DD or DD.MM.YYYY.
Only `title` is required.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TextIO

from storage.catalogue.irbis import text_encoding
from storage.catalogue.records import (
    BibRecord,
    Item,
    ItemStatus,
    SkipRecord,
    clean,
    isbn13,
    year_of,
)

COLUMNS = (
    "id", "title", "subtitle", "authors", "year", "publisher", "isbn", "series", "subjects",
    "branch", "call_number", "barcode", "inventory_number", "status", "due_date",
)  # fmt: skip
STATUS_WORDS = {
    **{status.value: status for status in ItemStatus},
    "": ItemStatus.AVAILABLE,
    "на полке": ItemStatus.AVAILABLE,
    "выдан": ItemStatus.ON_LOAN,
    "выдана": ItemStatus.ON_LOAN,
    "забронирован": ItemStatus.RESERVED,
    "в пути": ItemStatus.IN_TRANSIT,
    "читальный зал": ItemStatus.READING_ROOM,
    "недоступен": ItemStatus.UNAVAILABLE,
    "утерян": ItemStatus.LOST,
    "списан": ItemStatus.WITHDRAWN,
}


def _date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for pattern, order in (
        (r"(\d{4})-(\d{2})-(\d{2})", (1, 2, 3)),
        (r"(\d{2})\.(\d{2})\.(\d{4})", (3, 2, 1)),
    ):
        match = re.fullmatch(pattern, text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            return date(year, month, day)
    raise ValueError(f"due_date {text!r} is not YYYY-MM-DD")


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def read_csv(path: Path, *, encoding: str | None = None) -> Iterator[BibRecord | SkipRecord]:
    with path.open(encoding=text_encoding(path, encoding), errors="replace", newline="") as handle:
        yield from _rows(handle)


def _rows(handle: TextIO) -> Iterator[BibRecord | SkipRecord]:
    sample = handle.read(4096)
    handle.seek(0)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:  # one column (just `title`) has no delimiter to find
        dialect = csv.excel
    rows = csv.DictReader(handle, dialect=dialect)
    unknown = [c for c in (rows.fieldnames or []) if c.strip().lower() not in COLUMNS]
    if "title" not in [c.strip().lower() for c in rows.fieldnames or []]:
        yield SkipRecord("CSV has no 'title' column in its header")
        return
    if unknown:
        yield SkipRecord(f"unknown CSV columns ignored: {', '.join(unknown)}")
    records: dict[str, BibRecord] = {}
    for row in rows:
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items() if k}
        title = clean(row.get("title"))
        if not title:
            yield SkipRecord("row without a title")
            continue
        isbns = [n for n in (isbn13(row.get("isbn", "")),) if n]
        key = row.get("id") or f"{isbns[0] if isbns else ''}|{title.casefold()}"
        current = records.get(key)
        if current is None:
            current = records[key] = BibRecord(
                source_format="csv",
                control_number=row.get("id") or None,
                title=title,
                subtitle=clean(row.get("subtitle")),
                authors=_split(row.get("authors", "")),
                series=clean(row.get("series")),
                subjects=_split(row.get("subjects", "")),
                publisher=clean(row.get("publisher")),
                year=year_of(row.get("year")),
                isbns=isbns,
            )
        if row.get("branch") or row.get("barcode") or row.get("inventory_number"):
            status = STATUS_WORDS.get(row.get("status", "").lower())
            try:
                due = _date(row.get("due_date", ""))
            except ValueError as exc:
                yield SkipRecord(str(exc))
                continue
            if status is None:
                yield SkipRecord(f"unknown status {row.get('status')!r}")
                continue
            current.items.append(
                Item(
                    item_key=row.get("barcode")
                    or row.get("inventory_number")
                    or f"csv#{len(current.items) + 1}",
                    location_code=row.get("branch") or None,
                    call_number=row.get("call_number") or None,
                    barcode=row.get("barcode") or None,
                    inventory_number=row.get("inventory_number") or None,
                    status=status,
                    due_date=due,
                )
            )
    # Records come out at the end: rows of one record need not be next to each other.
    yield from records.values()
