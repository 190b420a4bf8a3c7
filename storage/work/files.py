"""Last season's hand-kept work sheets (`libbot work import FILE.xlsx|csv`) read into records.

The regional columns — Содержание работы, Дата, Ответственный, Заказчик, Исполнитель,
Примечания — in any order, under headings spelt a little differently («Дата проведения»,
«Примечание»), with other columns beside them (ignored), and optionally «Вид работы» and
«Количество». In an XLSX every sheet with such headings is read (a title row or two above
them is fine, as in the workbook the bot makes); a sheet without «Вид работы» takes its kind
from `--kind`, else from its own name when that is a configured kind.

A row that cannot be a record (no content, no readable date, a count that is not a number)
is reported with its row number and the reason, and the others are loaded. Text is kept as
text: a cell that reads like a formula (`=HYPERLINK(…)`) is stored as written and defused
again on export (`storage.spreadsheets`); an XLSX is read without evaluating anything.
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.kernel.config.work import ResourceWork
from bot.kernel.dates import WhenError, read_written_date
from storage.catalogue.irbis import text_encoding
from storage.csv_rows import BadLine, Rows
from storage.db import Database
from storage.spreadsheets import FORMULA_STARTS
from storage.work import records
from storage.work.records import LIMITS, PEOPLE_LIMIT, WorkDraft

MAX_ROWS = 50_000  # a season's sheet has hundreds; more is the wrong file
HEADER_SEARCH = 10  # rows above the headings: a title, a blank line
DEFAULT_KIND = "Другая работа"
COLUMNS = {
    "content": ("содержание работы", "содержание", "наименование работы", "что сделано"),
    "done_at": ("дата", "дата проведения", "дата работы", "когда"),
    "responsible": ("ответственный", "ответственное лицо", "ответственный сотрудник"),
    "customer": ("заказчик", "заказчик организация", "получатель услуги", "организация"),
    "executor": ("исполнитель", "исполнители"),
    "notes": ("примечания", "примечание", "комментарий", "комментарии"),
    "kind": ("вид работы", "вид", "тип работы", "вид деятельности"),
    "people": ("количество", "кол во", "количество человек", "число участников"),
}


class WorkFileError(Exception):
    """The file as a whole cannot be read; one line for the operator."""


@dataclass(frozen=True, slots=True)
class BadRow:
    where: str  # «строка 7» or «лист «Консультации», строка 7»
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


@dataclass
class ReadFile:
    drafts: list[tuple[str, WorkDraft]] = field(default_factory=list)  # (where, draft)
    bad: list[BadRow] = field(default_factory=list)


def folded(heading: object) -> str:
    text = str(heading or "").lstrip("\ufeff").casefold().replace("ё", "е")
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


def column_of(heading: object) -> str | None:
    """Which field a heading names: exactly one of the spellings, or one of them followed
    by more words («Содержание работы (кратко)», «Дата проведения консультации»)."""
    text = folded(heading)
    if not text:
        return None
    for name, spellings in COLUMNS.items():
        if text in spellings:
            return name
    for name, spellings in COLUMNS.items():
        if any(text.startswith(spelling + " ") for spelling in spellings if " " in spelling):
            return name
    return None


def as_written(value: object) -> str:
    """A cell's text as staff wrote it; an exported cell's defusing apostrophe taken off."""
    text = "" if value is None else str(value)
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def read_date(value: object, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """(the moment, whether it is a whole day) from a date cell or a typed date."""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=zone)
        return moment, value.time() == time()
    if isinstance(value, date):
        return datetime.combine(value, time(), zone), True
    try:
        return read_written_date(str(value or ""), zone)
    except WhenError:
        return None


def read_people(value: object) -> int | str | None:
    """The count, None when empty, or the reason it is not one."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "«Количество» не число"
    if isinstance(value, int | float) and float(value).is_integer():
        number = int(value)
    else:
        text = str(value).strip()
        if not text.isdigit():
            return f"«Количество» не число: {text[:30]!r}"
        number = int(text)
    if not 0 <= number <= PEOPLE_LIMIT:
        return f"«Количество» вне пределов 0…{PEOPLE_LIMIT}"
    return number


@dataclass
class _Table:
    """One sheet's cells from its headings on."""

    name: str | None  # the XLSX sheet, None for a CSV
    columns: dict[int, str]  # position → field
    rows: Iterator[tuple[int, list[object]] | BadLine]


def _where(table: _Table, number: int) -> str:
    return f"лист «{table.name}», строка {number}" if table.name else f"строка {number}"


def _draft(
    table: _Table,
    cells: list[object],
    *,
    settings: ResourceWork,
    default_kind: str,
    zone: ZoneInfo,
    now: datetime,
) -> WorkDraft | str | None:
    """A record, the reason the row is bad, or None for an empty row."""
    values = {name: cells[at] if at < len(cells) else None for at, name in table.columns.items()}
    if not any(str(v).strip() for v in values.values() if v is not None):
        return None
    content = " ".join(as_written(values.get("content")).split())
    if not content:
        return "нет «Содержание работы»"
    raw_date = values.get("done_at")
    if raw_date is None or not str(raw_date).strip():
        return "нет «Дата»"
    when = read_date(raw_date, zone)
    if when is None:
        return f"«Дата» не читается: {str(raw_date)[:30]!r} (нужно 12.11.2025 или 12.11.2025 14:30)"
    done_at, all_day = when
    if done_at > now:
        return f"«Дата» в будущем: {done_at:%d.%m.%Y}"
    people = read_people(values.get("people"))
    if isinstance(people, str):
        return people
    kind = " ".join(as_written(values.get("kind")).split()) or default_kind
    configured = settings.kind(kind)
    text = {name: as_written(values.get(name)) for name in LIMITS if name not in ("kind",)}
    return WorkDraft(
        kind=configured.name if configured else kind,
        content=content,
        done_at=done_at,
        all_day=all_day,
        responsible=text["responsible"],
        customer=text["customer"],
        executor=text["executor"],
        people=people,
        notes=text["notes"],
    ).cleaned()


def _csv_tables(path: Path, encoding: str | None) -> list[_Table]:
    raw = path.read_bytes()
    text = raw.decode(text_encoding(path, encoding), errors="replace").lstrip("\ufeff")
    lines = io.StringIO(text, newline="").readlines()
    skipped = 0
    while skipped < len(lines) and not lines[skipped].strip():
        skipped += 1
    lines = lines[skipped:]
    if not lines:
        raise WorkFileError(f"{path.name}: the file is empty")
    delimiter = max((";", ",", "\t"), key=lines[0].count)
    reader = Rows(iter(lines), delimiter=delimiter)
    header = reader.header()
    if isinstance(header, BadLine):
        raise WorkFileError(f"{path.name}, line {header.number + skipped}: {header.reason}")
    columns = {at: name for at, h in enumerate(header) if (name := column_of(h))}

    def rows() -> Iterator[tuple[int, list[object]] | BadLine]:
        for entry in reader:
            if isinstance(entry, BadLine):
                yield BadLine(entry.number + skipped, entry.reason)
                continue
            number, found = entry
            yield number + skipped, [found.get(h) for h in header]

    return [_Table(None, columns, rows())]


def _xlsx_tables(path: Path) -> list[_Table]:
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one line for staff
        raise WorkFileError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    tables = []
    for ws in book.worksheets:
        rows = ws.iter_rows(values_only=True)
        for number, cells in enumerate(rows, start=1):
            if number > HEADER_SEARCH:
                break
            columns = {at: name for at, h in enumerate(cells) if (name := column_of(h))}
            if "content" in columns.values() and "done_at" in columns.values():
                numbered = ((n, list(c)) for n, c in enumerate(rows, start=number + 1))
                tables.append(_Table(ws.title, columns, numbered))
                break
    return tables


def read_file(
    path: Path,
    settings: ResourceWork,
    *,
    zone: ZoneInfo,
    now: datetime,
    kind: str | None = None,
    encoding: str | None = None,
) -> ReadFile:
    """Every row of the file as a record or a bad row; a file nothing can be read from
    raises WorkFileError."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        tables = _xlsx_tables(path)
    elif suffix in (".csv", ".txt"):
        tables = _csv_tables(path, encoding)
    else:
        raise WorkFileError(f"{path.name}: expected an .xlsx or .csv file")
    usable = [t for t in tables if {"content", "done_at"} <= set(t.columns.values())]
    if not usable:
        raise WorkFileError(
            f"{path.name}: no columns «Содержание работы» and «Дата»"
            " (expected the regional headings: Содержание работы, Дата, Ответственный,"
            " Заказчик, Исполнитель, Примечания)"
        )
    found = ReadFile()
    read = 0
    for table in usable:
        default_kind = kind or DEFAULT_KIND
        if kind is None and table.name and (named := settings.kind(table.name)):
            default_kind = named.name
        for entry in table.rows:
            read += 1
            if read > MAX_ROWS:
                found.bad.append(
                    BadRow(_where(table, 0), f"more than {MAX_ROWS} rows: the rest not read")
                )
                return found
            if isinstance(entry, BadLine):
                found.bad.append(BadRow(_where(table, entry.number), entry.reason))
                continue
            number, cells = entry
            made = _draft(
                table, cells, settings=settings, default_kind=default_kind, zone=zone, now=now
            )
            if made is None:
                continue
            if isinstance(made, str):
                found.bad.append(BadRow(_where(table, number), made))
                continue
            found.drafts.append((_where(table, number), made))
    return found


@dataclass
class Imported:
    """What an import did: records added, rows already there (a file loaded twice), bad rows."""

    added: list[WorkDraft] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)  # where, for rows loaded before
    bad: list[BadRow] = field(default_factory=list)


def _same(draft: WorkDraft) -> tuple[str, str, datetime, str]:
    return (draft.kind, draft.content, draft.done_at, draft.customer)


async def import_file(
    db: Database,
    path: Path,
    settings: ResourceWork,
    *,
    zone: ZoneInfo,
    now: datetime,
    kind: str | None = None,
    author: str = "libbot work import",
    dry_run: bool = False,
) -> Imported:
    """Read the file and add its records; a row matching a record already there (same kind,
    content, date and customer) is not added twice, so a file fixed and loaded again adds
    only the rows that were bad."""
    found = await asyncio.to_thread(read_file, path, settings, zone=zone, now=now, kind=kind)
    result = Imported(bad=found.bad)
    if found.drafts:
        moments = [draft.done_at for _, draft in found.drafts]
        there = await records.between(db, min(moments), max(moments))
        seen = {_same(item.draft) for item in there}
        for where, draft in found.drafts:
            key = _same(draft)
            if key in seen:
                result.repeated.append(where)
                continue
            seen.add(key)
            result.added.append(draft)
    if result.added and not dry_run:
        await records.add_many(db, result.added, author=author, source="import")
    return result
