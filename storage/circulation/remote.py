"""What the adapters of remote library systems (Koha, SIP2) decide alike.

A remote system can stop answering in the middle of «Продлить все». A renewal whose
answer was lost may or may not have happened, and one that could not be sent tells us
the system is down: either way the loans after it are not sent (UNAVAILABLE), so a
reader is never renewed twice by a blind retry and a dead server is not asked N times.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from storage.circulation.base import Loan, Outcome, Renewal

_LOST = (Outcome.UNAVAILABLE, Outcome.UNCONFIRMED)


def unsent(loans: Sequence[Loan], outcome: Outcome = Outcome.UNAVAILABLE) -> list[Renewal]:
    """Every loan with one outcome: none of them was (knowingly) renewed."""
    return [Renewal(loan.ref, loan.title, outcome) for loan in loans]


async def renew_in_turn(
    loans: Sequence[Loan], renew_one: Callable[[Loan], Awaitable[Renewal]]
) -> list[Renewal]:
    """Renew one loan after another; once the system stops answering, the rest are not
    sent and come back UNAVAILABLE."""
    results: list[Renewal] = []
    for loan in loans:
        if results and results[-1].outcome in _LOST:
            results.append(Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE))
        else:
            results.append(await renew_one(loan))
    return results
