"""The deadline reminders of a contest waiting in the outbox, and dropping them when the
deadline they name no longer holds (moved, or the contest cancelled).

The outbox has no operation for taking back personal notices of one subject (a recall is
for broadcasts), so this is the smallest one: still-queued reminders of the contest are
marked expired, like a notice that lost its point before it could be sent. The reminder's
dedupe key names the deadline's moment, so the moved deadline gets its own reminders.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.outbox import Delivery, OutboxMessage
from storage.types import utcnow

# The purposes of the reminders before a deadline (`broadcasts.grant_reminders`).
DEADLINE_PURPOSES = ("grant_14d", "grant_3d")


def reminder_key(purpose: str, contest_id: int, deadline: datetime, person_id: int) -> str:
    """One reminder per kind, contest, deadline and person: a moved deadline is a new one."""
    return f"{purpose}:{contest_id}:{int(deadline.timestamp())}:{person_id}"


async def drop_reminders(session: AsyncSession, contest_id: int, why: str) -> int:
    """Expire the contest's deadline reminders not yet being sent (a claimed one is only
    sent if still claimed, as a recall relies on too); how many."""
    prefixes = [f"{purpose}:{contest_id}:" for purpose in DEADLINE_PURPOSES]
    result = await session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.purpose.in_(DEADLINE_PURPOSES),
            OutboxMessage.status.in_((Delivery.PENDING, Delivery.CLAIMED)),
            or_(*(OutboxMessage.dedupe_key.startswith(p, autoescape=True) for p in prefixes)),
        )
        .values(status=Delivery.EXPIRED, error=why[:300], updated_at=utcnow())
    )
    return int(result.rowcount or 0)
