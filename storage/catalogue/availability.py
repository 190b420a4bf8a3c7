"""A record's card: what it is, and per branch how many copies can be taken now.

Location codes from the export are mapped to configured branches (`codes` in each
`[[library.branches]]`, or the branch id itself); unknown codes are shown as they
are. Lost and written-off copies are never shown to readers.

A library system that can say where its copies are right now (`LiveCopies`: IRBIS64)
replaces the nightly index's copies when the card is opened (`with_live_copies`) — but
only if it answers within a short timeout; otherwise the card shows the index and the
time it was read («данные на HH:MM»), and a system that has just failed is not asked
again for a minute, so a card never waits on a server that is down.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Protocol, runtime_checkable

from sqlalchemy import select

from bot.kernel.config import Branch
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.records import HIDDEN_STATUSES, ItemStatus
from storage.db import Database

log = logging.getLogger(__name__)


@dataclass
class BranchCopies:
    branch_id: str | None
    name: str
    total: int = 0
    available: int = 0
    call_numbers: list[str] = field(default_factory=list)
    next_due: date | None = None
    statuses: Counter[ItemStatus] = field(default_factory=Counter)


@dataclass(frozen=True, slots=True)
class CopyRef:
    """How the library system knows one of the record's copies."""

    barcode: str | None
    inventory: str | None


@dataclass
class RecordCard:
    record_id: int
    title: str
    subtitle: str | None
    authors: str | None
    year: str | None
    publisher: str | None
    isbns: str | None
    branches: list[BranchCopies]
    # What the live check needs: the export's key ("001:<control number>") and copies.
    source_key: str = ""
    copies: tuple[CopyRef, ...] = ()
    indexed: tuple[LiveCopy, ...] = ()  # the index's copies, to group them again
    # When the nightly index last read the record, and whether the copies shown are live
    # (None: the library system cannot say; False: it did not answer in time).
    indexed_at: datetime | None = None
    live: bool | None = None

    @property
    def available(self) -> int:
        return sum(b.available for b in self.branches)

    @property
    def on_loan(self) -> int:
        return sum(b.statuses[ItemStatus.ON_LOAN] for b in self.branches)


def branch_resolver(branches: Sequence[Branch]) -> dict[str, Branch]:
    """Folded location code → configured branch."""
    mapping: dict[str, Branch] = {}
    for branch in branches:
        for code in (branch.id, *branch.codes):
            mapping[code.casefold().strip()] = branch
    return mapping


async def record_card(
    db: Database, record_id: int, branches: Sequence[Branch]
) -> RecordCard | None:
    async with db.transaction() as session:
        record = await session.get(CatalogueRecord, record_id)
        if record is None or record.withdrawn:
            return None
        items = (
            await session.scalars(
                select(CatalogueItem)
                .where(CatalogueItem.record_id == record_id, CatalogueItem.withdrawn.is_(False))
                .order_by(CatalogueItem.id)
            )
        ).all()
    indexed = tuple(
        LiveCopy(
            ItemStatus(item.status),
            item.location_code or "",
            call_number=item.call_number,
            due=item.due_date,
        )
        for item in items
    )
    listed = _grouped(indexed, branches)
    return RecordCard(
        record_id=record.id,
        title=record.title,
        subtitle=record.subtitle,
        authors=record.authors,
        year=record.year,
        publisher=record.publisher,
        isbns=record.isbns,
        branches=listed,
        source_key=record.source_key,
        copies=tuple(CopyRef(item.barcode, item.inventory_number) for item in items),
        indexed_at=record.seen_at,
        indexed=indexed,
    )


@dataclass(frozen=True, slots=True)
class LiveCopy:
    """A copy — or a group of `total` copies of which `lent` are out — as the library
    system says it is now. `location` is a branch id or a location code."""

    status: ItemStatus
    location: str
    total: int = 1
    lent: int = 0
    due: date | None = None
    call_number: str | None = None


def _grouped(copies: Sequence[LiveCopy], branches: Sequence[Branch]) -> list[BranchCopies]:
    """Copies per branch, in the configured branches' order; hidden statuses left out."""
    resolve = branch_resolver(branches)
    order = {branch.id: position for position, branch in enumerate(branches)}
    grouped: dict[str, BranchCopies] = {}
    for copy in copies:
        if copy.status in HIDDEN_STATUSES or copy.total <= 0:
            continue
        code = copy.location.strip()
        branch = resolve.get(code.casefold())
        key = branch.id if branch else f"code:{code}"
        found = grouped.setdefault(
            key, BranchCopies(branch.id if branch else None, branch.name if branch else code)
        )
        lent = min(copy.lent, copy.total)
        here = copy.total - lent
        found.total += copy.total
        found.statuses[copy.status] += here
        if lent:
            found.statuses[ItemStatus.ON_LOAN] += lent
        if copy.status is ItemStatus.AVAILABLE:
            found.available += here
        if copy.call_number and copy.call_number not in found.call_numbers:
            found.call_numbers.append(copy.call_number)
        if copy.status is ItemStatus.ON_LOAN and copy.due is not None:
            found.next_due = min(filter(None, (found.next_due, copy.due)))
    return sorted(
        grouped.values(),
        key=lambda b: (b.branch_id is None, order.get(b.branch_id or "", 0), b.name),
    )


class LiveUnavailable(Exception):
    """The library system could not say where the copies are now."""


@runtime_checkable
class LiveCopies(Protocol):
    """A library system that can tell where a record's copies are at this moment."""

    live_timeout: float

    def branch_of(self, place: str) -> str:
        """A location code as the branch id the system's settings map it to (else as is)."""
        ...

    async def live_copies(self, card: RecordCard) -> list[LiveCopy] | None:
        """The record's copies now; None when the system does not hold this record.
        Raises `LiveUnavailable` when it cannot say (the card falls back to the index)."""
        ...


# After a failed or slow answer, cards are drawn from the index for this long.
QUIET_AFTER_FAILURE = 60.0
_failed_at: weakref.WeakKeyDictionary[object, float] = weakref.WeakKeyDictionary()


async def with_live_copies(
    system: object, card: RecordCard, branches: Sequence[Branch]
) -> RecordCard:
    """The card with its copies as the library system says they are now, or — when the
    system cannot say, is slow or down — the card from the index, marked as such."""
    if not isinstance(system, LiveCopies):
        return card
    failed = _failed_at.get(system)
    if failed is not None and time.monotonic() - failed < QUIET_AFTER_FAILURE:
        return _from_index(system, card, branches, live=False)
    try:
        copies = await asyncio.wait_for(system.live_copies(card), system.live_timeout)
    except (LiveUnavailable, TimeoutError) as exc:
        log.warning("Live copies of record %s unavailable: %r", card.record_id, exc)
        _failed_at[system] = time.monotonic()
        return _from_index(system, card, branches, live=False)
    _failed_at.pop(system, None)
    if copies is None:
        return _from_index(system, card, branches, live=None)
    return replace(card, branches=_grouped(copies, branches), live=True)


def _from_index(
    system: LiveCopies, card: RecordCard, branches: Sequence[Branch], *, live: bool | None
) -> RecordCard:
    """The index's copies, their locations mapped as the system maps its own."""
    copies = [replace(copy, location=system.branch_of(copy.location)) for copy in card.indexed]
    return replace(card, branches=_grouped(copies, branches), live=live)
