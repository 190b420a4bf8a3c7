"""`libbot grants import FILE.csv|xlsx`: contests from a file staff keep (or the example,
`grants.example.csv`). A row that cannot be a contest (no name, no readable deadline, a link
that is not http(s), a range the wrong way round) is told by its row number and reason, and
every other row is loaded; a contest already on the calendar (same name and deadline) is
not added twice, so a file may be imported again after it grew.

An XLSX is read without evaluating anything, and text that looks like a formula is kept as
the text it is (exports defuse it, `storage.spreadsheets`).
"""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from openpyxl import load_workbook

from storage.csv_rows import BadLine, Rows
from storage.db import Database
from storage.grants import contests
from storage.grants.contests import ContestDraft, Invalid

MAX_ROWS = 5_000
HEADER_SEARCH = 10
COLUMNS = {
    "name": ("название", "название конкурса", "конкурс"),
    "operator": ("оператор", "грантодатель", "организатор", "фонд"),
    "link": ("ссылка", "сайт", "адрес"),
    "opens": ("начало приёма", "начало приема", "приём с", "прием с", "открыт с"),
    "deadline": ("срок подачи", "дедлайн", "приём до", "прием до", "окончание приёма"),
    "zone": ("часовой пояс", "пояс"),
    "results": ("итоги", "дата итогов", "объявление итогов"),
    "amount": ("сумма", "размер гранта", "сумма гранта"),
    "eligible": ("кто может подать", "участники", "кто может участвовать"),
    "tags": ("темы", "тематика", "направления"),
}


class GrantsFileError(Exception):
    """The file as a whole cannot be read (one line for staff)."""


@dataclass(frozen=True, slots=True)
class BadRow:
    number: int
    reason: str

    def __str__(self) -> str:
        return f"строка {self.number}: {self.reason}"


@dataclass
class Imported:
    added: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)
    bad: list[BadRow] = field(default_factory=list)


def _folded(heading: object) -> str:
    return re.sub(r"[^\w]+", " ", str(heading or "").casefold().replace("ё", "е")).strip()


def column_of(heading: object) -> str | None:
    folded = _folded(heading)
    for name, spellings in COLUMNS.items():
        if folded in {_folded(s) for s in spellings}:
            return name
    return None


def _text(value: object) -> str:
    if isinstance(value, datetime):
        return (
            f"{value:%d.%m.%Y %H:%M}"
            if (value.hour, value.minute) != (0, 0)
            else (f"{value:%d.%m.%Y}")
        )
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def draft_of(row: dict[str, str], zone: str) -> ContestDraft:
    """One row as a contest, or `Invalid` with the reason."""
    name = contests.read_name(row.get("name", ""))
    tz = contests.read_zone(row.get("zone"), zone)
    deadline = contests.read_moment(row.get("deadline"), tz, end_of_day=True)
    if deadline is None:
        raise Invalid("нет срока подачи")
    low, high = contests.read_amounts(row.get("amount"))
    return contests.checked(
        ContestDraft(
            name=name,
            deadline=deadline,
            zone=tz,
            operator=contests.read_operator(row.get("operator")),
            link=contests.read_link(row.get("link")),
            opens_at=contests.read_moment(row.get("opens"), tz, end_of_day=False),
            results_at=contests.read_moment(row.get("results"), tz, end_of_day=True),
            amount_min=low,
            amount_max=high,
            eligible=contests.read_eligible(row.get("eligible")),
            tags=contests.read_tags(row.get("tags")),
        )
    )


def _csv_rows(path: Path) -> Iterator[tuple[int, dict[str, str]] | BadLine]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1251", errors="replace")
    lines = io.StringIO(text, newline="").readlines()
    if not lines:
        raise GrantsFileError(f"{path.name}: the file is empty")
    delimiter = max((";", ",", "\t"), key=lines[0].count)
    reader = Rows(iter(lines), delimiter=delimiter)
    header = reader.header()
    if isinstance(header, BadLine):
        raise GrantsFileError(f"{path.name}, line {header.number}: {header.reason}")
    columns = {h: name for h in header if (name := column_of(h))}
    if "name" not in columns.values() or "deadline" not in columns.values():
        raise GrantsFileError(f"{path.name}: no «Название» and «Срок подачи» columns")
    for entry in reader:
        if isinstance(entry, BadLine):
            yield entry
            continue
        number, found = entry
        yield number, {columns[h]: _text(v) for h, v in found.items() if h in columns}


def _xlsx_rows(path: Path) -> Iterator[tuple[int, dict[str, str]] | BadLine]:
    try:
        book = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable workbook is one line for staff
        raise GrantsFileError(f"{path.name}: not a readable XLSX workbook ({exc})") from None
    rows = book.worksheets[0].iter_rows(values_only=True)
    for number, cells in enumerate(rows, start=1):
        if number > HEADER_SEARCH:
            break
        columns = {at: name for at, h in enumerate(cells) if (name := column_of(h))}
        if {"name", "deadline"} <= set(columns.values()):
            for at_row, values in enumerate(rows, start=number + 1):
                if all(v is None for v in values):
                    continue
                yield at_row, {columns[i]: _text(v) for i, v in enumerate(values) if i in columns}
            return
    raise GrantsFileError(f"{path.name}: no «Название» and «Срок подачи» columns")


def read_file(path: Path, zone: str) -> tuple[list[tuple[int, ContestDraft]], list[BadRow]]:
    """Every row as a contest or a bad row."""
    reader = _xlsx_rows if path.suffix.lower() == ".xlsx" else _csv_rows
    good: list[tuple[int, ContestDraft]] = []
    bad: list[BadRow] = []
    for count, entry in enumerate(reader(path)):
        if count >= MAX_ROWS:
            raise GrantsFileError(f"{path.name}: more than {MAX_ROWS} rows, the wrong file?")
        if isinstance(entry, BadLine):
            bad.append(BadRow(entry.number, entry.reason))
            continue
        number, row = entry
        if not any(v.strip() for v in row.values()):
            continue
        try:
            good.append((number, draft_of(row, zone)))
        except Invalid as exc:
            bad.append(BadRow(number, str(exc)))
    return good, bad


async def import_file(
    db: Database, path: Path, *, zone: str, by: str, dry_run: bool = False
) -> Imported:
    good, bad = await asyncio.to_thread(read_file, path, zone)
    done = Imported(bad=bad)
    for _, draft in good:
        if await contests.same_exists(db, draft.name, draft.deadline):
            done.repeated.append(draft.name)
            continue
        if not dry_run:
            await contests.add(db, draft, by=by, source="import")
        done.added.append(draft.name)
    return done
