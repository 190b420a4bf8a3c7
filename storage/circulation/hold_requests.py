"""Holds readers ask for from a catalogue card, and staff answers to them.

One row per reader and record: a second press while the first is still open is
recognised («уже забронировано») instead of sending staff a second hold. A row is open
until staff answer «нет в наличии», until the pickup date they gave has passed, or, when
nobody answered, for `OPEN_DAYS`; after that the same reader may ask again and the row
is reused.

The catalogue knows a book by its record; the library system by its copies. `wish_for`
turns a record and a pickup branch into the `HoldWish` a connector places. What a press
on «Забронировать» comes to is `hold_rules`.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.elements import ColumnElement

from bot.kernel.config import Branch
from storage.catalogue.availability import branch_resolver
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.records import HIDDEN_STATUSES, ItemStatus
from storage.circulation.base import HoldWish
from storage.circulation.models import ReaderHold
from storage.db import Database
from storage.types import utcnow

OPEN_DAYS = 30  # an unanswered request stops blocking a new one after this long
MAX_COPIES = 5  # barcodes handed to the connector: enough to find the book, few requests


class State(enum.StrEnum):
    REQUESTED = "requested"  # staff told; not placed in the library system
    PLACED = "placed"  # the library system took it
    READY = "ready"  # staff put it aside until `pickup_until`
    UNAVAILABLE = "unavailable"  # staff: «нет в наличии»


ANSWERABLE = (State.REQUESTED, State.PLACED)


@dataclass(frozen=True, slots=True)
class HoldView:
    id: int
    person_id: int
    record_id: int
    title: str
    branch_id: str | None
    state: State
    system_ref: str | None
    pickup_until: date | None
    created_at: datetime


def _view(row: ReaderHold) -> HoldView:
    return HoldView(
        row.id,
        row.person_id,
        row.record_id,
        row.title,
        row.branch_id,
        State(row.status),
        row.system_ref,
        row.pickup_until,
        row.created_at,
    )


def _still_open(today: date) -> ColumnElement[bool]:
    """Rows that block a new request from the same reader for the same record."""
    stale = utcnow() - timedelta(days=OPEN_DAYS)
    return or_(
        and_(ReaderHold.status.in_(list(ANSWERABLE)), ReaderHold.created_at > stale),
        and_(ReaderHold.status == State.READY, ReaderHold.pickup_until >= today),
    )


async def open_hold(db: Database, person_id: int, record_id: int, today: date) -> HoldView | None:
    """The reader's open hold on this record, if any."""
    async with db.transaction() as session:
        row = await session.scalar(
            select(ReaderHold).where(
                ReaderHold.person_id == person_id,
                ReaderHold.record_id == record_id,
                _still_open(today),
            )
        )
        return _view(row) if row is not None else None


async def claim(
    db: Database,
    *,
    person_id: int,
    record_id: int,
    title: str,
    branch_id: str | None,
    today: date,
) -> HoldView | None:
    """Record a new request; None when this reader already has one open for the record
    (a second press, or two presses racing)."""
    values = {
        "title": title[:1000],
        "branch_id": branch_id,
        "status": State.REQUESTED.value,
        "system_ref": None,
        "pickup_until": None,
        "created_at": utcnow(),
        "answered_at": None,
    }
    mine = (ReaderHold.person_id == person_id, ReaderHold.record_id == record_id)
    try:
        async with db.transaction() as session:
            existing = await session.scalar(select(ReaderHold.id).where(*mine))
            if existing is None:
                session.add(ReaderHold(person_id=person_id, record_id=record_id, **values))
            else:  # an old, closed request: reused, only if it is still closed now
                reused = await session.execute(
                    update(ReaderHold)
                    .where(ReaderHold.id == existing, ~_still_open(today))
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if not reused.rowcount:
                    return None
    except IntegrityError:  # a double tap raced the first one
        return None
    return await get_hold(db, await _id_of(db, person_id, record_id))


async def _id_of(db: Database, person_id: int, record_id: int) -> int:
    async with db.transaction() as session:
        found = await session.scalar(
            select(ReaderHold.id).where(
                ReaderHold.person_id == person_id, ReaderHold.record_id == record_id
            )
        )
        return int(found or 0)


async def get_hold(db: Database, hold_id: int) -> HoldView | None:
    async with db.transaction() as session:
        row = await session.get(ReaderHold, hold_id)
        return _view(row) if row is not None else None


async def forget_claim(db: Database, hold_id: int) -> None:
    """Undo a claim nobody was told about (the staff chat could not be reached), so the
    reader may press again instead of being told it is already reserved."""
    async with db.transaction() as session:
        row = await session.get(ReaderHold, hold_id)
        if row is not None and row.status == State.REQUESTED:
            await session.delete(row)


async def mark_placed(db: Database, hold_id: int, system_ref: str | None) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(ReaderHold)
            .where(ReaderHold.id == hold_id, ReaderHold.status == State.REQUESTED)
            .values(status=State.PLACED.value, system_ref=(system_ref or "")[:64] or None)
        )


async def answer(
    db: Database, hold_id: int, state: State, *, pickup_until: date | None = None
) -> HoldView | None:
    """Staff's answer; None when the hold is gone or was answered already (two staff
    members pressing at once: one answer reaches the reader)."""
    async with db.transaction() as session:
        changed = await session.execute(
            update(ReaderHold)
            .where(ReaderHold.id == hold_id, ReaderHold.status.in_(list(ANSWERABLE)))
            .values(status=state.value, pickup_until=pickup_until, answered_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not changed.rowcount:
            return None
        row = await session.get(ReaderHold, hold_id)
        return _view(row) if row is not None else None


# --- from a record to what the library system needs -------------------------------------


@dataclass(frozen=True, slots=True)
class Copy:
    barcode: str | None
    location_code: str | None
    branch_id: str | None


async def copies(db: Database, record_id: int, branches: Sequence[Branch]) -> list[Copy]:
    """The record's copies a reader can see (not lost, not written off), by branch."""
    resolve = branch_resolver(branches)
    async with db.transaction() as session:
        rows = await session.execute(
            select(CatalogueItem.barcode, CatalogueItem.location_code, CatalogueItem.status)
            .join(CatalogueRecord, CatalogueRecord.id == CatalogueItem.record_id)
            .where(
                CatalogueItem.record_id == record_id,
                CatalogueItem.withdrawn.is_(False),
                CatalogueRecord.withdrawn.is_(False),
            )
            .order_by(CatalogueItem.id)
        )
        found = []
        for barcode, code, status in rows:
            if ItemStatus(status) in HIDDEN_STATUSES:
                continue
            branch = resolve.get((code or "").strip().casefold())
            found.append(Copy(barcode or None, code, branch.id if branch else None))
        return found


async def control_number(db: Database, record_id: int) -> str | None:
    """The export's 001, when the record was keyed by it."""
    async with db.transaction() as session:
        key = await session.scalar(
            select(CatalogueRecord.source_key).where(CatalogueRecord.id == record_id)
        )
    return key.removeprefix("001:") if key and key.startswith("001:") else None


async def wish_for(
    db: Database, record_id: int, title: str, branch: Branch | None, branches: Sequence[Branch]
) -> HoldWish:
    """The hold to place: copies at the pickup branch first, and the branch's code as the
    library system writes it (the location code its copies carry, else its configured
    codes, else its id)."""
    found = await copies(db, record_id, branches)
    here = [c for c in found if branch is not None and c.branch_id == branch.id]
    ordered = here + [c for c in found if c not in here]
    barcodes = tuple(dict.fromkeys(c.barcode for c in ordered if c.barcode))[:MAX_COPIES]
    pickup = None
    if branch is not None:
        codes = [c.location_code for c in here if c.location_code]
        pickup = (codes or branch.codes or [branch.id])[0].strip()
    return HoldWish(
        title=title,
        barcodes=barcodes,
        control_number=await control_number(db, record_id),
        pickup=pickup,
    )
