"""The library FAQ as staff keep it: the entries in order, and adding, changing and removing
one, each in one transaction.

The limits are the rules of what an entry may be, here so that every way in (the staff
screens, the file import, «➕ В частые вопросы» from a reader's question) keeps them alike:
a question of up to 300 characters, asked by no other entry (letter case and spaces aside),
up to 20 other phrasings of as many, an answer of up to 3,500 (it is sent with a title in
one message of 4,096) and at most 2,000 entries, so that matching every typed message
against all of them stays cheap. What breaks a rule is
refused with `FaqRefused`, naming the `Problem`; the `check_…` functions say the same
before anything is written (a form checks each answer as it is typed).

`stamp` is what the front door looks at before it answers: the number of entries and the
newest change, so its index of the FAQ is rebuilt only when either moved.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import ParamSpec, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.faq.models import LibraryFaqEntry

P = ParamSpec("P")
R = TypeVar("R")

QUESTION_LIMIT = 300
PHRASING_LIMIT = 300
PHRASINGS_LIMIT = 20
ANSWER_LIMIT = 3500
ENTRIES_LIMIT = 2000
AUTHOR_LIMIT = 200


# Bumped by every change made in this process: the front door rebuilds its index on the
# next message (`storage.front_door.doors`); other processes' changes show by the stamp.
_changes = 0


def generation() -> int:
    return _changes


def changed() -> None:
    """Call after the change is committed, so a rebuild that sees it reads it."""
    global _changes
    _changes += 1


def changes_faq(operation: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    @functools.wraps(operation)
    async def committed_then_counted(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return await operation(*args, **kwargs)
        finally:
            changed()

    return committed_then_counted


class Problem(enum.StrEnum):
    """Why an entry (or a part of one) was refused; each has its words for staff."""

    NO_QUESTION = "no-question"
    LONG_QUESTION = "long-question"
    LONG_PHRASING = "long-phrasing"
    MANY_PHRASINGS = "many-phrasings"
    NO_ANSWER = "no-answer"
    LONG_ANSWER = "long-answer"
    TAKEN = "taken"  # another entry has this question already
    FULL = "full"


# The figure each problem is about, for the words that tell it.
LIMITS = {
    Problem.LONG_QUESTION: QUESTION_LIMIT,
    Problem.LONG_PHRASING: PHRASING_LIMIT,
    Problem.MANY_PHRASINGS: PHRASINGS_LIMIT,
    Problem.LONG_ANSWER: ANSWER_LIMIT,
    Problem.FULL: ENTRIES_LIMIT,
}


class FaqRefused(ValueError):
    """An entry that breaks a rule of the FAQ; nothing was written."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.value)
        self.problem = problem

    @property
    def limit(self) -> int:
        return LIMITS.get(self.problem, 0)


@dataclass(frozen=True, slots=True)
class FaqItem:
    id: int
    question: str
    phrasings: tuple[str, ...]
    answer: str


# --- the rules ------------------------------------------------------------------------


def check_question(text: str) -> str | Problem:
    """A question on one line, its spaces squeezed."""
    question = " ".join(text.split())
    if not question:
        return Problem.NO_QUESTION
    return question if len(question) <= QUESTION_LIMIT else Problem.LONG_QUESTION


def check_phrasings(given: str | Iterable[str], question: str = "") -> tuple[str, ...] | Problem:
    """Other phrasings, one a line (or as a list): each squeezed, the empty ones, repeats
    and the question itself dropped (letter case aside)."""
    lines = given.splitlines() if isinstance(given, str) else given
    seen = {question.casefold()} if question else set()
    kept: list[str] = []
    for line in lines:
        phrasing = " ".join(line.split())
        if not phrasing or phrasing.casefold() in seen:
            continue
        if len(phrasing) > PHRASING_LIMIT:
            return Problem.LONG_PHRASING
        seen.add(phrasing.casefold())
        kept.append(phrasing)
    return tuple(kept) if len(kept) <= PHRASINGS_LIMIT else Problem.MANY_PHRASINGS


def check_answer(text: str) -> str | Problem:
    """An answer as written, lines and all, without the blank edges."""
    answer = text.strip()
    if not answer:
        return Problem.NO_ANSWER
    return answer if len(answer) <= ANSWER_LIMIT else Problem.LONG_ANSWER


def _valid(checked: str | Problem) -> str:
    if isinstance(checked, Problem):
        raise FaqRefused(checked)
    return checked


def _valid_phrasings(checked: tuple[str, ...] | Problem) -> tuple[str, ...]:
    if isinstance(checked, Problem):
        raise FaqRefused(checked)
    return checked


def question_key(question: str) -> str:
    """How two questions are told the same (an import updates the entry it names)."""
    return " ".join(question.split()).casefold().replace("ё", "е")


def _item(row: LibraryFaqEntry) -> FaqItem:
    phrasings = tuple(line for line in (row.phrasings or "").split("\n") if line)
    return FaqItem(row.id, row.question, phrasings, row.answer)


def _author(author: str | None) -> str | None:
    return (author or "").strip()[:AUTHOR_LIMIT] or None


# --- the operations -------------------------------------------------------------------


async def _taken(session: AsyncSession, question: str, but: int | None = None) -> bool:
    """Whether another entry asks this question already (letter case and spaces aside)."""
    key = question_key(question)
    rows = await session.execute(select(LibraryFaqEntry.id, LibraryFaqEntry.question))
    return any(question_key(text) == key and entry_id != but for entry_id, text in rows)


async def taken(db: Database, question: str, *, but: int | None = None) -> bool:
    """Whether an entry (other than `but`) asks this question already: a form says so at
    the question, before the rest is typed."""
    async with db.transaction() as session:
        return await _taken(session, question, but)


async def entries(db: Database) -> list[FaqItem]:
    """Every entry, in the order staff keep them (by position, then as added)."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(LibraryFaqEntry).order_by(LibraryFaqEntry.position, LibraryFaqEntry.id)
        )
        return [_item(row) for row in rows]


async def stamp(db: Database) -> tuple[int, datetime | None]:
    """(how many entries, the newest change): when either moves, the FAQ has changed."""
    async with db.connection(writes=False) as conn:
        count, newest = (
            await conn.execute(
                select(func.count(LibraryFaqEntry.id), func.max(LibraryFaqEntry.updated_at))
            )
        ).one()
    return int(count or 0), newest


async def get(db: Database, entry_id: int) -> FaqItem | None:
    async with db.transaction() as session:
        row = await session.get(LibraryFaqEntry, entry_id)
        return _item(row) if row else None


@changes_faq
async def add(
    db: Database,
    question: str,
    answer: str,
    phrasings: Iterable[str] = (),
    *,
    author: str | None = None,
    source_person_id: int | None = None,
) -> FaqItem:
    """A new entry at the end of the list. `source_person_id`: made from that reader's
    question (their /forget takes it along until staff rewrite the question). Raises
    `FaqRefused`
    (`Problem.TAKEN` when an entry asks the same question: change that one instead)."""
    clean_question = _valid(check_question(question))
    clean_phrasings = _valid_phrasings(check_phrasings(phrasings, clean_question))
    clean_answer = _valid(check_answer(answer))
    async with db.transaction() as session:
        count, last = (
            await session.execute(
                select(func.count(LibraryFaqEntry.id), func.max(LibraryFaqEntry.position))
            )
        ).one()
        if count >= ENTRIES_LIMIT:
            raise FaqRefused(Problem.FULL)
        if await _taken(session, clean_question):
            raise FaqRefused(Problem.TAKEN)
        row = LibraryFaqEntry(
            question=clean_question,
            phrasings="\n".join(clean_phrasings),
            answer=clean_answer,
            position=(last or 0) + 1,
            source_person_id=source_person_id,
            updated_by=_author(author),
        )
        session.add(row)
        await session.flush()
        return _item(row)


@changes_faq
async def update(
    db: Database,
    entry_id: int,
    *,
    question: str | None = None,
    phrasings: Iterable[str] | None = None,
    answer: str | None = None,
    author: str | None,
) -> FaqItem | None:
    """Change what is given and leave the rest; None when the entry is gone. With its
    question (or its phrasings) rewritten by staff, an entry is theirs: it no longer goes
    with the reader it was made from. A new answer alone (or the question saved as it was)
    leaves that: the question still quotes the reader. Raises `FaqRefused`."""
    clean_question = None if question is None else _valid(check_question(question))
    clean_answer = None if answer is None else _valid(check_answer(answer))
    async with db.transaction() as session:
        row = await session.get(LibraryFaqEntry, entry_id)
        if row is None:
            return None
        rewritten = phrasings is not None
        if clean_question is not None:
            if await _taken(session, clean_question, but=entry_id):
                raise FaqRefused(Problem.TAKEN)
            rewritten = rewritten or question_key(clean_question) != question_key(row.question)
            row.question = clean_question
        if phrasings is not None:
            kept = _valid_phrasings(check_phrasings(phrasings, row.question))
            row.phrasings = "\n".join(kept)
        elif clean_question is not None:  # a phrasing that is now the question goes
            row.phrasings = "\n".join(
                _valid_phrasings(check_phrasings(row.phrasings.split("\n"), row.question))
            )
        if clean_answer is not None:
            row.answer = clean_answer
        if rewritten:
            row.source_person_id = None
        row.updated_by = _author(author)
        await session.flush()
        return _item(row)


@changes_faq
async def drop(db: Database, entry_id: int) -> bool:
    """Remove an entry; False when it was gone already."""
    async with db.transaction() as session:
        result = await session.execute(
            delete(LibraryFaqEntry).where(LibraryFaqEntry.id == entry_id)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
