"""The library's renewal rules, as libbot applies them for IRBIS64.

IRBIS's own circulation (АРМ «Книговыдача») enforces its rules at the desk, not over
the protocol, so libbot applies the rules of `[library_system]` — the same keys the
`local` system uses: `renewal_days`, `max_renewals`, `renew_before_days`,
`overdue_limit_days`, `holds_block_renewal`.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Protocol

from storage.circulation.base import Refusal
from storage.circulation.irbis.loans import LoanEntry


class Rules(Protocol):
    renewal_days: int
    max_renewals: int
    renew_before_days: int
    overdue_limit_days: int
    holds_block_renewal: bool


def refusal(
    loan: LoanEntry, rules: Rules, today: date, *, waiting: bool, card: Refusal | None = None
) -> tuple[Refusal | None, date | None]:
    """Why this loan cannot be renewed now (and, when it is too soon, from when it can);
    (None, None) when it can. `waiting`: another reader has ordered this book."""
    if card is not None:
        return card, None
    if loan.renewals >= rules.max_renewals:
        return Refusal.TOO_MANY, None
    if waiting and rules.holds_block_renewal:
        return Refusal.RESERVED, None
    if (today - loan.due).days > rules.overdue_limit_days:
        return Refusal.OVERDUE, None
    if rules.renew_before_days:
        opens = loan.due - timedelta(days=rules.renew_before_days)
        if today < opens:
            return Refusal.TOO_SOON, opens
    return None, None


def new_due(loan: LoanEntry, rules: Rules, today: date) -> date:
    """`renewal_days` from the due date, or from today when the book is already overdue."""
    return max(loan.due, today) + timedelta(days=rules.renewal_days)
