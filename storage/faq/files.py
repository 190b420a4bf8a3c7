"""The library FAQ in a file: what a library writes in a spreadsheet once and loads
(`libbot faq import`), and the list as it stands, written back out (`libbot faq export`).

The file is CSV, with semicolons or commas, in UTF-8 or Windows-1251 (as Excel saves it in
a Russian locale): the columns «Вопрос; Другие формулировки; Ответ» (or question;
phrasings; answer), the other phrasings in one cell, separated by « | » or on lines of
their own. Lines starting with «#» are notes for whoever edits the file — the starter set,
`faq.example.csv`, says there that its answers are examples — and are not read.

A row that breaks a rule of the FAQ (`storage.faq.entries`) is skipped with its line
number and the rest is loaded; a file without the question or answer column is refused
whole. Without `replace`, an entry whose question is in the file (letter case and spaces
aside) is updated and the other rows are added; with it, entries not in the file go.

Exported text that a spreadsheet program would run as a formula starts with an apostrophe
(`storage.spreadsheets`); an import takes that apostrophe off again, so a file exported,
edited and imported says what staff wrote.
"""

from __future__ import annotations

import asyncio
import enum
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import delete, func, select

from storage.catalogue.irbis import text_encoding
from storage.csv_rows import BadLine, Rows
from storage.db import Database
from storage.faq.entries import (
    ENTRIES_LIMIT,
    LIMITS,
    Problem,
    changes_faq,
    check_answer,
    check_phrasings,
    check_question,
    entries,
    question_key,
)
from storage.faq.models import LibraryFaqEntry
from storage.spreadsheets import FORMULA_STARTS, Sheet, to_csv

COLUMNS = {
    "question": ("question", "вопрос"),
    "phrasings": (
        "phrasings",
        "other phrasings",
        "другие формулировки",
        "формулировки",
        "как ещё спрашивают",
    ),
    "answer": ("answer", "ответ"),
}
HEADINGS = ("Вопрос", "Другие формулировки", "Ответ")
NOTE = "#"
SEPARATOR = " | "
_PHRASING_BREAK = re.compile(r"\s*\|\s*|\r?\n")
# A part of an answer the library must write itself: «[пароль Wi‑Fi у библиотекаря]».
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]+\]")
AUTHOR = "libbot faq import"


class FaqFileError(Exception):
    """The file cannot be loaded at all; the message is one line for staff."""


class Skip(enum.StrEnum):
    """Why a row of a file was skipped, besides the rules of an entry (`Problem`)."""

    UNREADABLE = "unreadable"  # the csv module could not read the line
    REPEATED = "repeated"  # the same question as an earlier row


@dataclass(frozen=True, slots=True)
class Skipped:
    line: int
    reason: Problem | Skip
    detail: str = ""  # the csv module's complaint; the earlier row's line

    @property
    def limit(self) -> int:
        return LIMITS.get(self.reason, 0) if isinstance(self.reason, Problem) else 0


@dataclass
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # Lines whose answer still has a «[…]» for the library to fill in.
    placeholders: list[int] = field(default_factory=list)

    @property
    def loaded(self) -> int:
        return self.added + self.updated + self.unchanged


@dataclass(frozen=True, slots=True)
class FileRow:
    line: int
    question: str
    phrasings: tuple[str, ...]
    answer: str


def _folded(heading: str) -> str:
    return " ".join(heading.strip().lstrip("\ufeff").split()).casefold().replace("ё", "е")


def _as_written(cell: str | None) -> str:
    """A cell's text as staff wrote it: an exported cell's defusing apostrophe taken off."""
    text = cell or ""
    if text.startswith("'") and text[1:].startswith(FORMULA_STARTS):
        return text[1:]
    return text


def _is_note(line: str) -> bool:
    return line.lstrip().lstrip('"').startswith(NOTE)


def _lines(path: Path, encoding: str | None) -> tuple[int, list[str]]:
    """The file's lines from its heading on, and how many note lines came before it."""
    raw = path.read_bytes()
    text = raw.decode(text_encoding(path, encoding), errors="replace").lstrip("\ufeff")
    lines = io.StringIO(text, newline="").readlines()
    skipped = 0
    while skipped < len(lines) and (_is_note(lines[skipped]) or not lines[skipped].strip()):
        skipped += 1
    return skipped, lines[skipped:]


def headings(path: Path, encoding: str | None = None) -> list[str]:
    """The file's column headings, folded (lower case, ё as е), notes before them skipped."""
    _, lines = _lines(path, encoding)
    if not lines:
        return []
    header_line = lines[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    found = Rows(iter([header_line]), delimiter=delimiter).header()
    return [] if isinstance(found, BadLine) else [_folded(h) for h in found if h]


def read_file(path: Path, encoding: str | None = None) -> tuple[list[FileRow], list[Skipped]]:
    """The rows that make entries, and the rows skipped with their line numbers."""
    offset, lines = _lines(path, encoding)
    if not lines:
        raise FaqFileError(f"{path.name}: the file is empty")
    # The heading line decides the delimiter (a semicolon inside a quoted answer of a
    # comma file must not fool it).
    delimiter = max((";", ",", "\t"), key=lines[0].count)
    reader = Rows(iter(lines), delimiter=delimiter)
    found = reader.header()
    if isinstance(found, BadLine):
        raise FaqFileError(f"{path.name}, line {found.number + offset}: {found.reason}")
    aliases = {alias: name for name, names in COLUMNS.items() for alias in names}
    column = {h: aliases.get(_folded(h)) for h in found if h}
    for needed in ("question", "answer"):
        if needed not in column.values():
            expected = ", ".join(COLUMNS[needed])
            raise FaqFileError(f"{path.name}: no {needed} column (expected one of: {expected})")
    rows: list[FileRow] = []
    skipped: list[Skipped] = []
    first_line: dict[str, int] = {}
    for entry in reader:
        if isinstance(entry, BadLine):
            skipped.append(Skipped(entry.number + offset, Skip.UNREADABLE, entry.reason))
            continue
        number, raw = entry
        line = number + offset
        cells = {column[k]: _as_written(v) for k, v in raw.items() if k and column.get(k)}
        if _is_note(cells.get("question", "")):
            continue
        if not any(text.strip() for text in cells.values()):
            continue  # a row of empty cells, as spreadsheets leave them
        made = _row(line, cells)
        if isinstance(made, Skipped):
            skipped.append(made)
            continue
        key = question_key(made.question)
        if key in first_line:
            skipped.append(Skipped(line, Skip.REPEATED, str(first_line[key])))
            continue
        first_line[key] = line
        rows.append(made)
    return rows, skipped


def _row(line: int, cells: dict[str | None, str]) -> FileRow | Skipped:
    question = check_question(cells.get("question", ""))
    if isinstance(question, Problem):
        return Skipped(line, question)
    phrasings = check_phrasings(_PHRASING_BREAK.split(cells.get("phrasings", "")), question)
    if isinstance(phrasings, Problem):
        return Skipped(line, phrasings)
    answer = check_answer(cells.get("answer", ""))
    if isinstance(answer, Problem):
        return Skipped(line, answer)
    return FileRow(line, question, phrasings, answer)


@changes_faq
async def import_file(
    db: Database,
    path: Path,
    *,
    replace: bool,
    encoding: str | None = None,
    author: str | None = AUTHOR,
) -> ImportSummary:
    """Load a file into the FAQ in one transaction (see the module's docstring). With
    `replace`, a file with no row to load is refused: it would empty the FAQ."""
    rows, skipped = await asyncio.to_thread(read_file, path, encoding)
    if replace and not rows:
        raise FaqFileError(f"{path.name}: no question to load; nothing was removed")
    summary = ImportSummary(skipped=skipped)
    summary.placeholders = [row.line for row in rows if _PLACEHOLDER.search(row.answer)]
    async with db.transaction() as session:
        known: dict[str, LibraryFaqEntry] = {}
        twins: list[int] = []  # a second entry with a question already seen
        for entry in await session.scalars(
            select(LibraryFaqEntry).order_by(LibraryFaqEntry.position, LibraryFaqEntry.id)
        ):
            if known.setdefault(question_key(entry.question), entry) is not entry:
                twins.append(entry.id)
        in_file = {question_key(row.question) for row in rows}
        if replace:
            gone = twins + [entry.id for key, entry in known.items() if key not in in_file]
            if gone:
                await session.execute(delete(LibraryFaqEntry).where(LibraryFaqEntry.id.in_(gone)))
            summary.removed = len(gone)
            room = ENTRIES_LIMIT
            last = 0
        else:
            room = ENTRIES_LIMIT - len(known) - len(twins)
            last = int(await session.scalar(select(func.max(LibraryFaqEntry.position))) or 0)
        for order, row in enumerate(rows, start=1):
            existing = known.get(question_key(row.question))
            if existing is None:
                if room <= 0:
                    summary.skipped.append(Skipped(row.line, Problem.FULL))
                    continue
                room -= 1
                last += 1
                session.add(
                    LibraryFaqEntry(
                        question=row.question,
                        phrasings="\n".join(row.phrasings),
                        answer=row.answer,
                        position=order if replace else last,
                        updated_by=author,
                    )
                )
                summary.added += 1
                continue
            if replace:
                room -= 1
                existing.position = order
            phrasings = "\n".join(row.phrasings)
            same = (existing.question, existing.phrasings, existing.answer) == (
                row.question,
                phrasings,
                row.answer,
            )
            if same:
                summary.unchanged += 1
                continue
            existing.question = row.question
            existing.phrasings = phrasings
            existing.answer = row.answer
            existing.source_person_id = None  # staff's own now
            existing.updated_by = author
            summary.updated += 1
    summary.skipped.sort(key=lambda skip: skip.line)
    return summary


def export_bytes(items: list[tuple[str, tuple[str, ...], str]]) -> bytes:
    """The FAQ as a CSV file Excel opens as it is (semicolons, a BOM), formulas defused."""
    rows: list[list[object]] = [
        [question, SEPARATOR.join(phrasings), answer] for question, phrasings, answer in items
    ]
    return to_csv(Sheet(HEADINGS, rows))


async def export_file(db: Database, path: Path) -> int:
    """Write every entry, in order, to a CSV file the import reads back; how many."""
    items = [(e.question, e.phrasings, e.answer) for e in await entries(db)]
    await asyncio.to_thread(path.write_bytes, export_bytes(items))
    return len(items)
