"""What a report reads: events held, the requests, the day-by-day tallies of enquiries from the
activity log, broadcasts and digests with their reach, the channel mix. Queries only — the
rows are turned into sheets by `storage.reports.build`.

The activity log can hold millions of rows a year; it is streamed once, in partitions, and
tallied per local day, so memory stays flat however long the period.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from storage.db import Database
from storage.events.models import SEATED, Event, EventStatus, Registration
from storage.models import Activity, ActivityKind
from storage.outbox import Audience, Broadcast, BroadcastStatus, Delivery, OutboxMessage
from storage.reports.periods import Period
from storage.reports.work import Kind
from storage.spreadsheets import sheet_time

PARTITION = 20_000
# Messages that reached the chat (a recalled one was deleted from it).
REACHED = (Delivery.SENT, Delivery.UNRECALLED)
NOT_REACHED = (Delivery.FAILED, Delivery.BLOCKED, Delivery.UNKNOWN, Delivery.EXPIRED)
# Rows the bot writes by itself (broadcast reports, digests): not a person's interaction.
SYSTEM_PLATFORM = "bot"


@dataclass(frozen=True, slots=True)
class HeldEvent:
    id: int
    title: str
    kind: str
    starts_at: datetime  # local, naive
    branch_id: str | None
    room: str | None
    created_by: str | None
    registered: int  # holding a seat at the end
    attended: int  # marked present
    waitlisted: int
    organisations: tuple[str, ...]  # as typed, of those counted as participants

    @property
    def attendance_marked(self) -> bool:
        return self.attended > 0

    @property
    def participants(self) -> int:
        """Those marked present; the registered when nobody marked attendance."""
        return self.attended if self.attendance_marked else self.registered


async def held_events(
    db: Database, period: Period, *, now: datetime, branch_id: str | None = None
) -> list[HeldEvent]:
    """Events that took place in the period (not cancelled, already started)."""
    async with db.transaction() as session:
        query = (
            select(Event)
            .where(
                Event.status != EventStatus.CANCELLED,
                Event.starts_at >= period.start,
                Event.starts_at < min(period.end, now),
            )
            .order_by(Event.starts_at, Event.id)
        )
        if branch_id is not None:
            query = query.where(Event.branch_id == branch_id)
        events = list(await session.scalars(query))
        ids = [e.id for e in events]
        places: dict[int, list[tuple[str, str | None, datetime | None]]] = defaultdict(list)
        for offset in range(0, len(ids), 500):
            rows = await session.execute(
                select(
                    Registration.event_id,
                    Registration.status,
                    Registration.organisation,
                    Registration.attended_at,
                ).where(Registration.event_id.in_(ids[offset : offset + 500]))
            )
            for event_id, status, organisation, attended_at in rows:
                places[event_id].append((status, organisation, attended_at))
    held = []
    for event in events:
        rows = places[event.id]
        attended = [r for r in rows if r[2] is not None]
        seated = [r for r in rows if r[0] in SEATED]
        counted = attended or seated
        held.append(
            HeldEvent(
                id=event.id,
                title=event.title,
                kind=event.kind,
                starts_at=sheet_time(event.starts_at, period.zone),
                branch_id=event.branch_id,
                room=event.room,
                created_by=event.created_by,
                registered=len(seated),
                attended=len(attended),
                waitlisted=sum(1 for r in rows if r[0] == "waitlisted"),
                organisations=tuple(r[1] for r in counted if r[1] and r[1].strip()),
            )
        )
    return held


@dataclass(slots=True)
class DayTally:
    """One kind of enquiry on one local day."""

    amount: int = 0
    outcomes: Counter[str] = field(default_factory=Counter)


def classify(kind: str, status: str) -> tuple[Kind, str, bool] | None:
    """(вид работы, outcome for the notes, whether it adds to «Количество»), or None for rows
    that are part of an enquiry already counted (a prompt, a page, a record opened)."""
    if kind == ActivityKind.CATALOGUE_QUERY:
        if status in ("found", "not found", "suggested"):
            return Kind.CATALOGUE, status, True
        if status.startswith("hold request"):
            return Kind.HOLD, "hold", True
        if status.startswith("purchase request"):
            return Kind.PURCHASE, "purchase", True
        if status == "watch":
            return Kind.WATCH, "watch", True
        return None
    if kind == ActivityKind.RENEWAL:
        return Kind.RENEWAL, status.split(":")[0], status == "renewed"
    if kind == ActivityKind.LOAN_ENQUIRY:
        return (Kind.LOANS, "shown", True) if status == "shown" else None
    if kind == ActivityKind.LIBRARY_INFO:
        return Kind.LIBRARY_INFO, "shown", True
    if kind == ActivityKind.FAQ_ANSWER:
        return (Kind.FAQ, "answered", True) if status == "answered" else None
    if kind == ActivityKind.SUBSCRIPTION:
        if status == "subscribed":
            return Kind.SUBSCRIPTION, "subscribed", True
        if status in ("unsubscribed", "stopped"):
            return Kind.SUBSCRIPTION, "unsubscribed", False
        return None
    return None


TALLIED_KINDS = (
    ActivityKind.CATALOGUE_QUERY,
    ActivityKind.RENEWAL,
    ActivityKind.LOAN_ENQUIRY,
    ActivityKind.LIBRARY_INFO,
    ActivityKind.FAQ_ANSWER,
    ActivityKind.SUBSCRIPTION,
)


async def daily_tallies(db: Database, period: Period) -> dict[tuple[date, Kind], DayTally]:
    """Enquiries, renewals and subscriptions per local day, from one pass over the log."""
    tallies: dict[tuple[date, Kind], DayTally] = {}
    zone = period.zone
    query = (
        select(Activity.occurred_at, Activity.kind, Activity.status)
        .where(
            Activity.kind.in_([k.value for k in TALLIED_KINDS]),
            Activity.occurred_at >= period.start,
            Activity.occurred_at < period.end,
        )
        .execution_options(yield_per=PARTITION)
    )
    seen: dict[tuple[str, str], tuple[Kind, str, bool] | None] = {}
    async with db.transaction() as session:
        result = await session.stream(query)
        async for partition in result.partitions():
            for occurred_at, kind, status in partition:
                key = (kind, status)
                if key not in seen:
                    seen[key] = classify(kind, status)
                found = seen[key]
                if found is None:
                    continue
                work_kind, outcome, counts = found
                day = occurred_at.astimezone(zone).date()
                tally = tallies.get((day, work_kind))
                if tally is None:
                    tally = tallies[(day, work_kind)] = DayTally()
                tally.outcomes[outcome] += 1
                if counts:
                    tally.amount += 1
    return tallies


async def channel_mix(db: Database, period: Period) -> dict[str, int]:
    """People's interactions per messenger (the bot's own rows left out)."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(Activity.platform, func.count())
            .where(
                Activity.occurred_at >= period.start,
                Activity.occurred_at < period.end,
                Activity.platform != SYSTEM_PLATFORM,
            )
            .group_by(Activity.platform)
        )
        return {platform: count for platform, count in rows.all()}


@dataclass(frozen=True, slots=True)
class SentBroadcast:
    id: int
    text: str
    started_at: datetime  # local, naive
    author: str | None
    audience: Audience
    status: str
    reached: int
    not_reached: int
    blocked: int
    recalled: int


async def broadcasts(
    db: Database, period: Period, *, branch_id: str | None = None
) -> list[SentBroadcast]:
    """Announcements that went out in the period, with how many chats they reached."""
    async with db.transaction() as session:
        rows = list(
            await session.scalars(
                select(Broadcast)
                .where(
                    Broadcast.started_at >= period.start,
                    Broadcast.started_at < period.end,
                    Broadcast.status.in_(
                        [BroadcastStatus.DONE, BroadcastStatus.SENDING, BroadcastStatus.RECALLED]
                    ),
                )
                .order_by(Broadcast.started_at, Broadcast.id)
            )
        )
        counts: dict[int, Counter[str]] = defaultdict(Counter)
        ids = [b.id for b in rows]
        for offset in range(0, len(ids), 500):
            tally = await session.execute(
                select(OutboxMessage.broadcast_id, OutboxMessage.status, func.count())
                .where(OutboxMessage.broadcast_id.in_(ids[offset : offset + 500]))
                .group_by(OutboxMessage.broadcast_id, OutboxMessage.status)
            )
            for broadcast_id, status, count in tally:
                counts[broadcast_id][status] = count
    sent = []
    for row in rows:
        audience = Audience.load(row.audience)
        if branch_id is not None and audience.branch != branch_id:
            continue
        mine = counts[row.id]
        assert row.started_at is not None
        sent.append(
            SentBroadcast(
                id=row.id,
                text=row.text,
                started_at=sheet_time(row.started_at, period.zone),
                author=row.author_name,
                audience=audience,
                status=row.status,
                reached=sum(mine[s] for s in REACHED),
                not_reached=sum(mine[s] for s in NOT_REACHED),
                blocked=mine[Delivery.BLOCKED],
                recalled=mine[Delivery.RECALLED],
            )
        )
    return sent


@dataclass(frozen=True, slots=True)
class SentDigest:
    week: str
    first_sent: datetime  # local, naive
    reached: int
    not_reached: int


_DIGEST_KEY = re.compile(r"^weekly_digest:([^:]+):")


def _week_of(weeks: dict[str, list[tuple[str, datetime]]], moment: datetime, period: Period) -> str:
    """The week of a notice whose key is gone (/forget blanks it): the digest sent within a
    day of it, else the ISO week it was sent in — never a row of its own."""
    for week, notices in weeks.items():
        if any(abs(moment - sent) <= timedelta(days=1) for _, sent in notices):
            return week
    year, number, _ = moment.astimezone(period.zone).isocalendar()
    return f"{year}-W{number:02d}"


async def digests(db: Database, period: Period) -> list[SentDigest]:
    """The weekly «Афиша на неделю», one row per week, by the personal notices it became."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.dedupe_key, OutboxMessage.status, OutboxMessage.not_before).where(
                OutboxMessage.purpose == "weekly_digest",
                OutboxMessage.not_before >= period.start,
                OutboxMessage.not_before < period.end,
            )
        )
        weeks: dict[str, list[tuple[str, datetime]]] = defaultdict(list)
        keyless: list[tuple[str, datetime]] = []
        for key, status, not_before in rows:
            found = _DIGEST_KEY.match(key or "")
            if found:
                weeks[found[1]].append((status, not_before))
            else:
                keyless.append((status, not_before))
    for status, not_before in keyless:
        weeks[_week_of(weeks, not_before, period)].append((status, not_before))
    result = []
    for week, notices in weeks.items():
        first = min(moment for _, moment in notices)
        result.append(
            SentDigest(
                week=week,
                first_sent=sheet_time(first, period.zone),
                reached=sum(1 for status, _ in notices if status in REACHED),
                not_reached=sum(1 for status, _ in notices if status in NOT_REACHED),
            )
        )
    return sorted(result, key=lambda d: d.first_sent)
