"""The `local` library system: loans kept in libbot's own tables.

For libraries without an automated system (or whose system has no API): staff load
an export with `libbot import-loans`, libbot applies the renewal rules from the
config, and `libbot export-renewals` lists what the bot renewed so staff can mirror
it. Renewal is one conditional UPDATE, so two presses (or two bot processes) cannot
renew the same loan twice from the same state.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.config import LibrarySystem as Rules
from storage.circulation.base import (
    Credentials,
    Hold,
    HoldStatus,
    Loan,
    Outcome,
    Password,
    Patron,
    Refusal,
    Renewal,
    SurnameAndYear,
    Verification,
    normalise_ticket,
)
from storage.circulation.hashing import check_secret, identity_secret
from storage.circulation.models import LocalHold, LocalLoan, LocalPatron, LocalRenewal
from storage.db import Database

# A hold by another reader blocks renewal while it is still to be served.
BLOCKING_HOLDS = (HoldStatus.PENDING, HoldStatus.IN_TRANSIT, HoldStatus.WAITING)


def local_ticket(text: str) -> str:
    """Local tickets compare without case: stored upper-case, spaces dropped."""
    return normalise_ticket(text).upper()


class LocalSystem:
    kind = "local"
    verifications = frozenset(
        {Verification.PASSWORD, Verification.SURNAME_BIRTH_YEAR, Verification.DESK_CODE}
    )

    def __init__(self, db: Database, rules: Rules, *, today: Callable[[], date]) -> None:
        self.db = db
        self.rules = rules
        self.today = today

    async def find_patron(self, ticket: str) -> Patron | None:
        async with self.db.transaction() as session:
            row = await session.get(LocalPatron, local_ticket(ticket))
            return _patron(row) if row is not None else None

    async def patrons_by_phone(self, phone: str) -> list[Patron]:
        """Readers whose export row gave this number (`FindsByPhone`); none when the
        library's export has no phone column."""
        if len(phone) != 10 or not phone.isdigit():
            return []
        async with self.db.transaction() as session:
            rows = await session.scalars(
                select(LocalPatron).where(LocalPatron.phones.contains(phone, autoescape=True))
            )
            return [_patron(row) for row in rows if phone in (row.phones or "").split(",")]

    async def verify(self, ticket: str, credentials: Credentials) -> Patron | None:
        async with self.db.transaction() as session:
            row = await session.get(LocalPatron, local_ticket(ticket))
        if row is None:
            return None
        if isinstance(credentials, Password):
            ok = check_secret(credentials.secret, row.password_hash)
        elif isinstance(credentials, SurnameAndYear):
            secret = identity_secret(credentials.surname, credentials.year)
            ok = check_secret(secret, row.identity_hash)
        else:
            ok = False
        return _patron(row) if ok else None

    async def loans(self, patron: Patron) -> list[Loan]:
        async with self.db.transaction() as session:
            rows = list(
                await session.scalars(
                    select(LocalLoan)
                    .where(LocalLoan.ticket == patron.ref)
                    .order_by(LocalLoan.due, LocalLoan.id)
                )
            )
            reserved = await self._reserved_by_others(session, patron.ref, rows)
        today = self.today()
        return [self._loan(row, patron, today, reserved) for row in rows]

    async def holds(self, patron: Patron) -> list[Hold]:
        async with self.db.transaction() as session:
            rows = await session.scalars(
                select(LocalHold).where(LocalHold.ticket == patron.ref).order_by(LocalHold.id)
            )
            return [
                Hold(
                    ref=str(row.id),
                    title=row.title,
                    status=HoldStatus(row.status),
                    branch=row.branch,
                    pickup_until=row.pickup_until,
                )
                for row in rows
            ]

    async def renew(self, patron: Patron, loan: Loan) -> Renewal:
        today = self.today()
        async with self.db.transaction() as session:
            row = await session.get(LocalLoan, int(loan.ref)) if loan.ref.isdigit() else None
            if row is None or row.ticket != patron.ref:
                return Renewal(loan.ref, loan.title, Outcome.REFUSED, refusal=Refusal.NOT_ON_LOAN)
            reserved = await self._reserved_by_others(session, patron.ref, [row])
            current = self._loan(row, patron, today, reserved)
            if current.refusal is not None:
                return Renewal(loan.ref, row.title, Outcome.REFUSED, refusal=current.refusal)
            new_due = max(row.due, today) + timedelta(days=self.rules.renewal_days)
            changed = await session.execute(
                update(LocalLoan)
                .where(
                    LocalLoan.id == row.id,
                    LocalLoan.due == row.due,
                    LocalLoan.renewals == row.renewals,
                )
                .values(due=new_due, renewals=row.renewals + 1)
                .execution_options(synchronize_session=False)
            )
            if not changed.rowcount:  # renewed by a concurrent press a moment ago
                return Renewal(loan.ref, row.title, Outcome.REFUSED, refusal=Refusal.RULES)
            session.add(
                LocalRenewal(
                    ticket=row.ticket,
                    barcode=row.barcode,
                    title=row.title,
                    issued=row.issued,
                    old_due=row.due,
                    new_due=new_due,
                    renewals=row.renewals + 1,
                )
            )
            return Renewal(loan.ref, row.title, Outcome.RENEWED, due=new_due)

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        return [await self.renew(patron, loan) for loan in loans]

    async def close(self) -> None:
        return None

    async def _reserved_by_others(
        self, session: AsyncSession, ticket: str, rows: Sequence[LocalLoan]
    ) -> set[int]:
        """Ids of loans that another reader holds a reservation for (by copy or by title)."""
        if not self.rules.holds_block_renewal or not rows:
            return set()
        barcodes = {r.barcode for r in rows if r.barcode}
        titles = {r.title.casefold() for r in rows}
        holds = await session.execute(
            select(LocalHold.barcode, LocalHold.title).where(
                LocalHold.ticket != ticket,
                LocalHold.status.in_([s.value for s in BLOCKING_HOLDS]),
                or_(LocalHold.barcode.in_(barcodes), LocalHold.barcode == ""),
            )
        )
        held_barcodes, held_titles = set(), set()
        for barcode, title in holds:
            if barcode:
                held_barcodes.add(barcode)
            else:
                held_titles.add(title.casefold())
        return {
            r.id
            for r in rows
            if r.barcode in held_barcodes or (r.title.casefold() in held_titles & titles)
        }

    def _loan(self, row: LocalLoan, patron: Patron, today: date, reserved: set[int]) -> Loan:
        refusal, opens = self._refusal(row, patron, today, reserved)
        return Loan(
            ref=str(row.id),
            title=row.title,
            due=row.due,
            barcode=row.barcode,
            issued=row.issued,
            renewals=row.renewals,
            max_renewals=self.rules.max_renewals,
            refusal=refusal,
            renewable_from=opens,
        )

    def _refusal(
        self, row: LocalLoan, patron: Patron, today: date, reserved: set[int]
    ) -> tuple[Refusal | None, date | None]:
        rules = self.rules
        if patron.refusal is not None:
            return patron.refusal, None
        if row.renewals >= rules.max_renewals:
            return Refusal.TOO_MANY, None
        if row.id in reserved:
            return Refusal.RESERVED, None
        if (today - row.due).days > rules.overdue_limit_days:
            return Refusal.OVERDUE, None
        if rules.renew_before_days:
            opens = row.due - timedelta(days=rules.renew_before_days)
            if today < opens:
                return Refusal.TOO_SOON, opens
        return None, None


def _patron(row: LocalPatron) -> Patron:
    refusal = Refusal.BLOCKED if row.blocked else Refusal.DEBTS if row.debt else None
    return Patron(ticket=row.ticket, ref=row.ticket, name=row.name, refusal=refusal)
