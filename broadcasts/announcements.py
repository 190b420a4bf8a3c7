"""Starting due announcements (outside quiet hours unless urgent) and reporting finished ones."""

from __future__ import annotations

from datetime import datetime

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.kernel.messengers import Messengers
from broadcasts.staff_chat import notify_staff
from storage import activity, outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.outbox import Broadcast, Delivery, Report, StartOutcome


async def start_due(
    db: Database, config: Config, *, platforms: tuple[str, ...], now: datetime
) -> list[int]:
    """Start every announcement whose time has come (through `outbox.start`, so at night
    those that are not urgent wait for the morning); return the ids started."""
    started = []
    for broadcast_id in await outbox.due_broadcasts(db, now):
        result = await outbox.start(db, broadcast_id, config=config, platforms=platforms, now=now)
        if result.outcome is StartOutcome.STARTED:
            started.append(broadcast_id)
    return started


def report_text(locales: Locales, report: Report, broadcast: Broadcast) -> str:
    texts = locales.texts(None)
    counts = report.counts
    minutes = 0.0
    if report.started_at and report.finished_at:
        minutes = (report.finished_at - report.started_at).total_seconds() / 60
    reasons = "; ".join(f"{error or '—'}: {n}" for error, n in report.errors.items()) or "—"
    return texts(
        "broadcast-report",
        id=report.broadcast_id,
        text=broadcast.text[:60],
        sent=counts.get(Delivery.SENT, 0),
        total=sum(counts.values()),
        blocked=counts.get(Delivery.BLOCKED, 0),
        failed=counts.get(Delivery.FAILED, 0),
        reasons=reasons,
        unknown=counts.get(Delivery.UNKNOWN, 0),
        minutes=f"{minutes:.1f}",
    )


async def on_finished(
    db: Database,
    messengers: Messengers,
    locales: Locales,
    config: Config,
    report: Report,
    *,
    platform: str,
) -> None:
    """Tell the staff chat, and log the broadcast's reach as resource-centre work."""
    async with db.transaction() as session:
        broadcast = await session.get(Broadcast, report.broadcast_id)
    if broadcast is None:
        return
    await notify_staff(messengers, config, report_text(locales, report, broadcast))
    await activity.record(
        db,
        ActivityNote(
            platform=platform,
            kind=ActivityKind.SERVICE_PROMOTION,
            content=broadcast.text,
            responsible=broadcast.author_name,
            executor=activity.BOT_EXECUTOR,
            status="sent",
            notes=" ".join(f"{status}={count}" for status, count in sorted(report.counts.items())),
        ),
    )
