"""The renewal decision on its own: which loans a press means, and what became of them.

The readers of `test_my_books` on the `local` system — Анна (1001) with five books in
every state a renewal can meet, Борис (1002) with one — press buttons, old and new,
their own and each other's; `storage.circulation.renewal` decides, no bot in between.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.kernel.config import Config
from storage import people
from storage.circulation import library_today, open_library_system
from storage.circulation.base import (
    LibrarySystem,
    Loan,
    Outcome,
    Patron,
    Refusal,
    Renewal,
    SystemUnavailable,
)
from storage.circulation.loan_keys import loan_key, state_digest
from storage.circulation.local import LocalSystem
from storage.circulation.local_import import import_holds, import_loans
from storage.circulation.renewal import (
    Chosen,
    RenewAll,
    RenewOne,
    Stop,
    Stopped,
    choose,
    record,
    renew,
)
from storage.db import Database
from storage.models import Activity, ActivityKind
from tests.test_my_books import local_config, write_exports


@pytest.fixture
async def library(database: Database, tmp_path: Path) -> tuple[LibrarySystem, Config]:
    config = local_config(tmp_path)
    loans, holds = write_exports(tmp_path, library_today(config)())
    await import_loans(database, loans)
    await import_holds(database, holds)
    system = open_library_system(config, database)
    assert system is not None
    return system, config


async def _annas_loans(system: LibrarySystem) -> tuple[Patron, list[Loan]]:
    patron = await system.find_patron("1001")
    assert patron is not None
    return patron, await system.loans(patron)


def _button(patron: Patron, loan: Loan) -> RenewOne:
    """«Продлить» as the list drew it for this reader."""
    return RenewOne(loan_key(patron.ref, loan.ref), loan.due.toordinal())


def _titled(loans: Sequence[Loan], title: str) -> Loan:
    return next(loan for loan in loans if loan.title == title)


async def test_anna_renews_one_book_and_its_old_button_says_already_renewed(
    library: tuple[LibrarySystem, Config],
) -> None:
    system, config = library
    today = library_today(config)()
    anna, loans = await _annas_loans(system)
    master = _titled(loans, "Мастер и Маргарита")
    pressed = _button(anna, master)

    chosen = await choose(system, "1001", pressed)
    assert chosen == Chosen(anna, (master,))
    done = await renew(system, chosen)
    new_due = today + timedelta(days=5 + 14)
    assert [(r.title, r.outcome, r.due) for r in done.results] == [
        ("Мастер и Маргарита", Outcome.RENEWED, new_due)
    ]
    assert done.just_renewed == {master.ref}  # no «Продлить» for it right after
    assert done.fresh is not None
    assert _titled(done.fresh, "Мастер и Маргарита").due == new_due

    # The same button again: the due date it was made for has passed on, nothing is sent.
    again = await choose(system, "1001", pressed)
    assert isinstance(again, Stopped)
    assert again.stop is Stop.ALREADY_RENEWED
    assert again.loan is not None
    assert (again.loan.title, again.loan.due) == ("Мастер и Маргарита", new_due)


async def test_anna_renews_all_and_refused_books_are_never_sent(
    library: tuple[LibrarySystem, Config], database: Database
) -> None:
    system, config = library
    today = library_today(config)()
    anna, loans = await _annas_loans(system)
    sent: list[str] = []

    class Watched(LocalSystem):
        async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
            sent.extend(loan.title for loan in loans)
            return await super().renew_all(patron, loans)

    watched = Watched(database, config.library_system, today=library_today(config))
    chosen = await choose(watched, "1001", RenewAll(state_digest(anna.ref, loans)))
    assert isinstance(chosen, Chosen)
    done = await renew(watched, chosen)
    assert sorted(sent) == ["Мастер и Маргарита", "Тихий Дон"]  # one request for both
    # One result per book, in the order of the list Anna saw.
    assert [(r.title, r.outcome, r.refusal or r.due) for r in done.results] == [
        ("Обломов", Outcome.REFUSED, Refusal.OVERDUE),
        ("Тихий Дон", Outcome.RENEWED, today + timedelta(days=16)),
        ("Война и мир", Outcome.REFUSED, Refusal.TOO_MANY),
        ("Мастер и Маргарита", Outcome.RENEWED, today + timedelta(days=19)),
        ("Лавр", Outcome.REFUSED, Refusal.RESERVED),
    ]
    assert done.just_renewed == {
        _titled(loans, "Тихий Дон").ref,
        _titled(loans, "Мастер и Маргарита").ref,
    }

    # Each attempt is a row of the продление sheet.
    person = await people.resolve(database, "telegram", "4001")
    await record(database, person, done.results, update_id=None)
    async with database.transaction() as session:
        rows = list(
            await session.scalars(select(Activity).where(Activity.kind == ActivityKind.RENEWAL))
        )
    assert sorted((a.content, a.status) for a in rows) == [
        ("Война и мир", "refused: too_many"),
        ("Лавр", "refused: reserved"),
        ("Мастер и Маргарита", "renewed"),
        ("Обломов", "refused: overdue"),
        ("Тихий Дон", "renewed"),
    ]

    # «Продлить все» on the list as it was before: it changed, so it is shown again first.
    stale = await choose(system, "1001", RenewAll(state_digest(anna.ref, loans)))
    assert isinstance(stale, Stopped)
    assert stale.stop is Stop.STALE_LIST
    assert [x.due for x in stale.loans] != [x.due for x in loans]


async def test_boris_cannot_renew_annas_book_with_her_button_or_a_forged_one(
    library: tuple[LibrarySystem, Config],
) -> None:
    system, _ = library
    anna, loans = await _annas_loans(system)
    master = _titled(loans, "Мастер и Маргарита")
    replayed = await choose(system, "1002", _button(anna, master))
    assert isinstance(replayed, Stopped)
    assert replayed.stop is Stop.NOT_THEIRS
    boris = await system.find_patron("1002")
    assert boris is not None
    forged = RenewOne(loan_key(boris.ref, master.ref), master.due.toordinal())
    assert await choose(system, "1002", forged) == Stopped(
        Stop.NOT_THEIRS, boris, tuple(await system.loans(boris))
    )
    # A ticket the library no longer knows renews nothing either.
    gone = await choose(system, "999999", _button(anna, master))
    assert gone == Stopped(Stop.TICKET_GONE)


async def test_a_system_that_stops_answering_changes_nothing_and_says_so(
    library: tuple[LibrarySystem, Config], database: Database
) -> None:
    system, config = library
    anna, loans = await _annas_loans(system)
    master = _titled(loans, "Мастер и Маргарита")

    class Down(LocalSystem):
        async def find_patron(self, ticket: str) -> Patron | None:
            raise SystemUnavailable("down")

    class Falling(LocalSystem):
        """Lists the loans, then falls silent when asked to renew."""

        async def renew(self, patron: Patron, loan: Loan) -> Renewal:
            self.fallen = True
            raise SystemUnavailable("timeout")

        async def loans(self, patron: Patron) -> list[Loan]:
            if getattr(self, "fallen", False):
                raise SystemUnavailable("still down")
            return await super().loans(patron)

    today = library_today(config)
    down = Down(database, config.library_system, today=today)
    assert await choose(down, "1001", _button(anna, master)) == Stopped(Stop.UNAVAILABLE)

    falling = Falling(database, config.library_system, today=today)
    chosen = await choose(falling, "1001", _button(anna, master))
    assert isinstance(chosen, Chosen)
    done = await renew(falling, chosen)
    assert [(r.title, r.outcome) for r in done.results] == [
        ("Мастер и Маргарита", Outcome.UNAVAILABLE)
    ]
    assert done.fresh is None  # the summary goes alone, without the list
    assert done.just_renewed == frozenset()
    _, after = await _annas_loans(system)
    assert _titled(after, "Мастер и Маргарита").due == master.due
