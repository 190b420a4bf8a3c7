"""A record's card: what it is, and per branch how many copies can be taken now.

Location codes from the export are mapped to configured branches (`codes` in each
`[[library.branches]]`, or the branch id itself); unknown codes are shown as they
are. Lost and written-off copies are never shown to readers.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from bot.kernel.config import Branch
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.records import HIDDEN_STATUSES, ItemStatus
from storage.db import Database


@dataclass
class BranchCopies:
    branch_id: str | None
    name: str
    total: int = 0
    available: int = 0
    call_numbers: list[str] = field(default_factory=list)
    next_due: date | None = None
    statuses: Counter[ItemStatus] = field(default_factory=Counter)


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
    resolve = branch_resolver(branches)
    order = {branch.id: position for position, branch in enumerate(branches)}
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
    grouped: dict[str, BranchCopies] = {}
    for item in items:
        status = ItemStatus(item.status)
        if status in HIDDEN_STATUSES:
            continue
        code = (item.location_code or "").strip()
        branch = resolve.get(code.casefold())
        key = branch.id if branch else f"code:{code}"
        copies = grouped.setdefault(
            key, BranchCopies(branch.id if branch else None, branch.name if branch else code)
        )
        copies.total += 1
        copies.statuses[status] += 1
        if status is ItemStatus.AVAILABLE:
            copies.available += 1
        if item.call_number and item.call_number not in copies.call_numbers:
            copies.call_numbers.append(item.call_number)
        if status is ItemStatus.ON_LOAN and item.due_date is not None:
            copies.next_due = min(filter(None, (copies.next_due, item.due_date)))
    listed = sorted(
        grouped.values(),
        key=lambda b: (b.branch_id is None, order.get(b.branch_id or "", 0), b.name),
    )
    return RecordCard(
        record_id=record.id,
        title=record.title,
        subtitle=record.subtitle,
        authors=record.authors,
        year=record.year,
        publisher=record.publisher,
        isbns=record.isbns,
        branches=listed,
    )
