"""A reader's loans as IRBIS keeps them: one field 40 per book ever lent.

    40: ^aШифр^b1759089^cБулгаков М. Мастер и Маргарита^d20261110^e20261124^f******^h0001234

^f is the return date, or `******` while the book is out — only those are loans. ^a is
the book's shelf code (903 of the catalogue record), ^b its inventory number, ^h its
barcode, ^c the brief description the desk printed, ^d issued and ^e due (YYYYMMDD),
^k the storage place, ^l the last renewal date and ^4 the renewals made.

A loan is named (`ref`) by its copy and the day it was lent, which stay the same
whatever the desk or a renewal changes, so a button made for it still finds it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.circulation.irbis import values
from storage.circulation.irbis.values import NOT_RETURNED, irbis_date, parse_date
from storage.irbis64.records import Field

NO_TITLE = "Без названия"


@dataclass(frozen=True, slots=True)
class LoanEntry:
    """One open field 40: `position` among the record's fields 40, `value` as stored."""

    position: int
    value: str
    due: date
    title: str
    shelf: str = ""
    inventory: str = ""
    barcode: str = ""
    issued: date | None = None
    renewals: int = 0
    place: str = ""

    @property
    def ref(self) -> str:
        copy = self.barcode or self.inventory or self.shelf or f"#{self.position}"
        return f"{copy}@{irbis_date(self.issued)}" if self.issued else copy

    def renewed(self, new_due: date, today: date) -> str:
        """The field as IRBIS's circulation writes a renewal: ^e the new due date, ^l the
        renewal date, ^4 one more renewal; every other subfield as it was."""
        field = Field(40, self.value).with_sub("e", irbis_date(new_due))
        return field.with_sub("l", irbis_date(today)).with_sub("4", str(self.renewals + 1)).value


def entry(position: int, value: str) -> LoanEntry | None:
    """The loan a field 40 records, or None when the book was returned (or the field is
    too damaged to name a due date)."""
    if (values.sub(value, "f") or "") != NOT_RETURNED:
        return None
    due = parse_date(values.sub(value, "e"))
    if due is None:
        return None
    count = values.sub(value, "4") or "0"
    return LoanEntry(
        position=position,
        value=value,
        due=due,
        title=values.sub(value, "c") or NO_TITLE,
        shelf=values.sub(value, "a") or "",
        inventory=values.sub(value, "b") or "",
        barcode=values.sub(value, "h") or "",
        issued=parse_date(values.sub(value, "d")),
        renewals=int(count) if count.isdigit() else 0,
        place=values.sub(value, "k") or "",
    )


def open_loans(fields: Sequence[str]) -> list[LoanEntry]:
    """Every field 40 still out, in the record's order."""
    found = (entry(position, value) for position, value in enumerate(fields))
    return [loan for loan in found if loan is not None]


def find(fields: Sequence[str], ref: str) -> LoanEntry | None:
    """The open loan named `ref` in a (freshly read) record's fields 40."""
    return next((loan for loan in open_loans(fields) if loan.ref == ref), None)
