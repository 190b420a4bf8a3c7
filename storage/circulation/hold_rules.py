"""What a reader's «Забронировать» comes to, before staff are told.

A book already on the reader's card is not held again (`on_their_card`); it is picked
up at a branch that has a copy, or at any branch when none is at a known one
(`pickup_branches`). A request is claimed once per reader and record (`request`): a
second press is answered with the open one. The hold is placed in the library system
when the system takes holds from the bot and the ticket is linked — and, like a
renewal, a request that went out without an answer is never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from bot.kernel.config import Branch
from storage.catalogue.availability import RecordCard
from storage.circulation import hold_requests
from storage.circulation.base import (
    HoldOutcome,
    HoldPlacement,
    LibrarySystem,
    Patron,
    SystemUnavailable,
    fold_name,
    hold_placer,
)
from storage.circulation.hold_requests import HoldView
from storage.db import Database

log = logging.getLogger(__name__)


def pickup_branches(branches: Sequence[Branch], card: RecordCard) -> list[Branch]:
    """Where the reader may pick the book up: the configured branches holding a copy, or
    every configured branch when no copy is at one (the library moves books between them)."""
    holding = {copies.branch_id for copies in card.branches if copies.branch_id}
    found = [b for b in branches if b.id in holding]
    return found or list(branches)


async def on_their_card(
    db: Database,
    system: LibrarySystem | None,
    patron: Patron | None,
    card: RecordCard,
    branches: Sequence[Branch],
) -> bool:
    """Whether one of the reader's loans is this book: a copy's barcode, or the title.

    A system that does not answer does not stop the hold: staff will see the card."""
    if system is None or patron is None:
        return False
    try:
        loans = await system.loans(patron)
    except SystemUnavailable:
        return False
    copies = await hold_requests.copies(db, card.record_id, branches)
    barcodes = {c.barcode.casefold() for c in copies if c.barcode}
    title = fold_name(card.title)
    return any(
        (loan.barcode and loan.barcode.casefold() in barcodes) or fold_name(loan.title) == title
        for loan in loans
    )


@dataclass(frozen=True, slots=True)
class Requested:
    """A new request. `placement` is what the system said (None: it was not asked); `unlinked`
    — it takes holds, but the reader has no ticket linked, so staff place it by hand."""

    hold: HoldView
    placement: HoldPlacement | None
    unlinked: bool

    @property
    def placed(self) -> bool:
        return self.placement is not None and self.placement.outcome is HoldOutcome.PLACED


@dataclass(frozen=True, slots=True)
class AlreadyAsked:
    """The reader's request for this record is open already (`held`; None: answered between
    the two reads — still not a second request)."""

    held: HoldView | None


async def request(
    db: Database,
    system: LibrarySystem | None,
    patron: Patron | None,
    *,
    person_id: int,
    card: RecordCard,
    branch: Branch | None,
    branches: Sequence[Branch],
    today: date,
) -> Requested | AlreadyAsked:
    """Claim the request (once), and place it in the system when it can be."""
    hold = await hold_requests.claim(
        db,
        person_id=person_id,
        record_id=card.record_id,
        title=card.title,
        branch_id=branch.id if branch else None,
        today=today,
    )
    if hold is None:  # a second press on the branch buttons, or a double tap
        return AlreadyAsked(await hold_requests.open_hold(db, person_id, card.record_id, today))
    placer = hold_placer(system)
    placement: HoldPlacement | None = None
    if placer is not None and patron is not None:
        wish = await hold_requests.wish_for(db, card.record_id, card.title, branch, branches)
        placement = await placer.place_hold(patron, wish)
        log.info("Hold %s in the library system: %s", hold.id, placement.outcome.value)
        if placement.outcome is HoldOutcome.PLACED:
            await hold_requests.mark_placed(db, hold.id, placement.ref)
    return Requested(hold, placement, unlinked=placer is not None and patron is None)
