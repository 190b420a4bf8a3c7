"""CSV fallback: one row per copy; rows of one record share `id` (or ISBN and title),
anywhere in the file.

Header (UTF-8 or CP1251, comma or semicolon), English or Russian:
    id,title,subtitle,authors,year,publisher,isbn,series,subjects,
    branch,call_number,barcode,inventory_number,status,due_date
    Номер;Название;Подзаголовок;Автор;Год;Издательство;ISBN;Серия;Рубрики;
    Филиал;Шифр;Штрихкод;Инвентарный номер;Статус;Срок возврата
`authors` and `subjects` are separated by ';'. `status` is one of available,
on_loan, reserved, in_transit, reading_room, unavailable, lost, withdrawn (or
the Russian: на полке, выдан, забронирован, в пути, читальный зал, недоступен,
утерян, списан); empty means available. `due_date` is YYYY-MM-DD or DD.MM.YYYY.
Only `title` is required. A line the csv module cannot read (a field over its
131,072-character limit) is skipped with its number; the rest of the file is read.
"""

from __future__ import annotations

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
from storage.csv_rows import BadLine, Rows

# Each column and the headings it goes by (any case), as the loans and events imports do.
COLUMNS = {
    "id": ("id", "номер", "номер записи", "идентификатор"),
    "title": ("title", "название", "заглавие"),
    "subtitle": ("subtitle", "подзаголовок"),
    "authors": ("authors", "author", "автор", "авторы"),
    "year": ("year", "год", "год издания"),
    "publisher": ("publisher", "издательство", "издатель"),
    "isbn": ("isbn", "исбн"),
    "series": ("series", "серия"),
    "subjects": ("subjects", "рубрики", "предметные рубрики", "темы"),
    "branch": ("branch", "филиал", "отдел"),
    "call_number": ("call_number", "шифр", "шифр хранения", "полочный индекс"),
    "barcode": ("barcode", "штрихкод", "штрих-код"),
    "inventory_number": ("inventory_number", "инвентарный номер", "инв. номер"),
    "status": ("status", "статус"),
    "due_date": ("due_date", "срок", "срок возврата", "дата возврата"),
}
ALIASES = {alias: column for column, names in COLUMNS.items() for alias in names}
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
    # The header line decides the delimiter, as in the loans import: csv.Sniffer guesses
    # from a 4 KB sample, which a long first row (or a quoted ';' in a comma file) fools.
    header_line = handle.readline()
    handle.seek(0)
    delimiter = max((",", ";", "\t"), key=header_line.count)
    # One column (just `title`) has none to count: the csv module's comma, as before.
    rows = Rows(handle, delimiter=delimiter if delimiter in header_line else None)
    header = rows.header()
    if isinstance(header, BadLine):
        yield SkipRecord(f"CSV header unreadable: {header.reason}", where=f"line {header.number}")
        return
    columns = {name: ALIASES.get(name.strip().lower()) for name in header if name}
    if "title" not in columns.values():
        yield SkipRecord("CSV has no title column (title or Название) in its header")
        return
    unknown = [name for name, column in columns.items() if column is None]
    if unknown:
        yield SkipRecord(f"unknown CSV columns ignored: {', '.join(unknown)}")
    records: dict[str, BibRecord] = {}
    for entry in rows:
        if isinstance(entry, BadLine):
            yield SkipRecord(entry.reason, where=f"line {entry.number}")
            continue
        line, raw = entry
        where = f"line {line}"
        row = {
            column: (value or "").strip()
            for name, value in raw.items()
            if name and isinstance(value, str) and (column := columns.get(name))
        }
        title = clean(row.get("title"))
        if not title:
            yield SkipRecord("row without a title", where=where)
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
                yield SkipRecord(str(exc), where=where)
                continue
            if status is None:
                yield SkipRecord(f"unknown status {row.get('status')!r}", where=where)
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
