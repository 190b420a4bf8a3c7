"""Readers' orders (holds) in the library's orders database (`orders_database`, e.g. RQST).

One record per order, as libbot reads and writes it:

    30   the reader's ticket
    1    the catalogue database the book is in
    903  the book's shelf code (903 of the catalogue record, 40^a of a loan)
    201  the brief description (title) shown to the reader
    40   the order date, YYYYMMDD
    102  the pickup place (a storage place code, 910^d)
    43   on the pickup shelf since (YYYYMMDD) — the order is ready
    44   to be picked up until (YYYYMMDD)
    41   fulfilled (YYYYMMDD), 42 refused (text): either closes the order

An open order for a shelf code by another reader is «someone is waiting for that
title», which stops a renewal (`holds_block_renewal`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from storage.circulation.base import HoldStatus
from storage.circulation.irbis.values import irbis_date, parse_date
from storage.irbis64.records import Field, Record

TICKET, DATABASE, CODE, TITLE, ORDERED, PICKUP = 30, 1, 903, 201, 40, 102
READY, PICKUP_UNTIL, FULFILLED, REFUSED = 43, 44, 41, 42


@dataclass(frozen=True, slots=True)
class Order:
    mfn: int
    ticket: str
    code: str
    title: str
    status: HoldStatus
    pickup: str = ""
    pickup_until: date | None = None


def _text(record: Record, tag: int) -> str:
    return (record.fv(tag) or "").strip()


def order(record: Record) -> Order | None:
    """The open order a record holds; None when it is fulfilled, refused or deleted."""
    if record.deleted or _text(record, FULFILLED) or _text(record, REFUSED):
        return None
    ready = parse_date(_text(record, READY))
    return Order(
        mfn=record.mfn,
        ticket=_text(record, TICKET),
        code=_text(record, CODE),
        title=_text(record, TITLE) or _text(record, CODE),
        status=HoldStatus.WAITING if ready else HoldStatus.PENDING,
        pickup=_text(record, PICKUP),
        pickup_until=parse_date(_text(record, PICKUP_UNTIL)) if ready else None,
    )


def new_order(
    *, ticket: str, database: str, code: str, title: str, pickup: str, today: date
) -> Record:
    """A new order record (MFN 0: the server numbers it)."""
    fields = [
        Field(TICKET, ticket),
        Field(DATABASE, database),
        Field(CODE, code),
        Field(TITLE, title),
        Field(ORDERED, irbis_date(today)),
    ]
    if pickup:
        fields.append(Field(PICKUP, pickup))
    return Record(fields=fields)
