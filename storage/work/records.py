"""Work records: made, read, changed and deleted, every change kept (who, when, what).

Who may change a record is decided here, not by the button that asks: its author or an
admin, and only while the record's quarter is the current report period (a quarter handed
in stays as it was handed in; `storage.reports.offline.open_quarter` names it). A refused
change raises `WorkRefused` and changes nothing.

Each record has an activity row (`ActivityKind.WORK_RECORD`) so the log holds all of the
centre's work; it is written on the system platform, so the channel mix («каналы») does not
count offline work as a messenger's. The row names no customer: a customer may be a person,
and their name lives only in `work_records`, where /forget and `libbot work forget-customer`
find it (see `storage.erasure`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Protocol

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.activity import CONTENT_LIMIT
from storage.consultations.models import ConsultationRequest
from storage.db import Database
from storage.models import Activity, ActivityKind, WorkRecord, WorkRecordChange
from storage.types import utcnow

# The log's platform for rows the bot writes itself (left out of the channel mix).
SYSTEM_PLATFORM = "bot"
LIMITS = {
    "kind": 60,
    "content": 1000,
    "responsible": 200,
    "customer": 300,
    "executor": 200,
    "notes": 1000,
}
PEOPLE_LIMIT = 100_000
EDITABLE = ("kind", "content", "done_at", "all_day", "responsible", "customer", "executor")
EDITABLE += ("people", "notes")


class Span(Protocol):
    """A report period (`storage.reports.periods.Period`): its first moment, the moment
    after its last, both in UTC."""

    @property
    def start(self) -> datetime: ...

    @property
    def end(self) -> datetime: ...

    def contains(self, moment: datetime) -> bool: ...


class Refusal(enum.StrEnum):
    GONE = "gone"  # no such record, or deleted
    NOT_YOURS = "not-yours"  # neither its author nor an admin
    CLOSED = "closed"  # its quarter is no longer the current one
    EMPTY = "empty"  # no kind or no content


class WorkRefused(Exception):
    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WorkDraft:
    """What a record says; `done_at` is aware (UTC or the library's zone)."""

    kind: str
    content: str
    done_at: datetime
    all_day: bool = False
    responsible: str = ""
    customer: str = ""
    executor: str = ""
    people: int | None = None
    notes: str = ""

    def cleaned(self) -> WorkDraft:
        """Spaces squeezed, lengths clipped; text stays as typed otherwise (a leading «=» is
        text: exports defuse it, `storage.spreadsheets`)."""
        values = {name: squeeze(getattr(self, name), limit) for name, limit in LIMITS.items()}
        people = self.people
        if people is not None and not 0 <= people <= PEOPLE_LIMIT:
            people = None
        draft = replace(self, people=people, **values)
        if not draft.kind or not draft.content:
            raise WorkRefused(Refusal.EMPTY)
        return draft


@dataclass(frozen=True, slots=True)
class WorkItem:
    id: int
    draft: WorkDraft
    author_id: int | None
    author: str
    source: str
    created_at: datetime
    deleted: bool


@dataclass(frozen=True, slots=True)
class Actor:
    """Who asks for a change: checked against the record on the server."""

    person_id: int | None
    name: str
    admin: bool = False


@dataclass(frozen=True, slots=True)
class Change:
    at: datetime
    by: str
    action: str
    field: str | None
    old: str | None
    new: str | None


def squeeze(text: str | None, limit: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _item(row: WorkRecord) -> WorkItem:
    draft = WorkDraft(
        kind=row.kind,
        content=row.content,
        done_at=row.done_at,
        all_day=row.all_day,
        responsible=row.responsible,
        customer=row.customer,
        executor=row.executor,
        people=row.people,
        notes=row.notes,
    )
    return WorkItem(
        id=row.id,
        draft=draft,
        author_id=row.author_id,
        author=row.author,
        source=row.source,
        created_at=row.created_at,
        deleted=row.deleted_at is not None,
    )


def _shown(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


def _log_values(draft: WorkDraft) -> dict[str, object]:
    """The activity row of a record: its kind and content, who did it; no customer."""
    return {
        "occurred_at": draft.done_at,
        "platform": SYSTEM_PLATFORM,
        "kind": ActivityKind.WORK_RECORD,
        "content": squeeze(f"{draft.kind}: {draft.content}", CONTENT_LIMIT),
        "responsible": draft.responsible or None,
        "executor": draft.executor or None,
        "status": "recorded",
    }


async def _insert(
    session: AsyncSession, draft: WorkDraft, author_id: int | None, author: str, source: str
) -> WorkRecord:
    """The record, its activity row and the «created» line of its history."""
    logged = Activity(**_log_values(draft))
    session.add(logged)
    await session.flush()
    row = WorkRecord(
        activity_id=logged.id,
        **{f.name: getattr(draft, f.name) for f in fields(WorkDraft)},
        author_id=author_id,
        author=squeeze(author, 200),
        source=source,
    )
    session.add(row)
    await session.flush()
    session.add(
        WorkRecordChange(record_id=row.id, by_id=author_id, by=row.author, action="created")
    )
    await session.flush()
    return row


async def add(
    db: Database,
    draft: WorkDraft,
    *,
    author_id: int | None,
    author: str,
    source: str = "bot",
    open_period: Span | None = None,
) -> WorkItem:
    """A new record (its text squeezed and checked: `WorkDraft.cleaned`). With
    `open_period` (the bot) a record dated outside it is refused (`Refusal.CLOSED`): it
    would land in a quarter already handed in, where its author could no longer correct or
    delete it. `libbot work add`/`import` pass none: adding past work is their purpose."""
    cleaned = draft.cleaned()
    if open_period is not None and not open_period.contains(cleaned.done_at):
        raise WorkRefused(Refusal.CLOSED)
    async with db.transaction() as session:
        row = await _insert(session, cleaned, author_id, author, source)
        await session.refresh(row)
        return _item(row)


async def add_many(
    db: Database, drafts: list[WorkDraft], *, author: str, source: str = "import"
) -> int:
    """Many records in one transaction (an import): all of them or none."""
    async with db.transaction() as session:
        for draft in drafts:
            await _insert(session, draft.cleaned(), None, author, source)
    return len(drafts)


async def get(db: Database, record_id: int) -> WorkItem | None:
    async with db.transaction() as session:
        row = await session.get(WorkRecord, record_id)
        return _item(row) if row is not None else None


def may_change(item: WorkItem, actor: Actor, open_period: Span) -> Refusal | None:
    """Why `actor` may not change `item` now, or None when they may."""
    if item.deleted:
        return Refusal.GONE
    if not actor.admin and (actor.person_id is None or item.author_id != actor.person_id):
        return Refusal.NOT_YOURS
    if not open_period.contains(item.draft.done_at):
        return Refusal.CLOSED
    return None


async def change(
    db: Database, record_id: int, actor: Actor, open_period: Span, **values: object
) -> WorkItem:
    """Change some fields; each changed field is a line in the history."""
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise TypeError(f"not editable: {sorted(unknown)}")
    async with db.transaction() as session:
        row = await session.get(WorkRecord, record_id, with_for_update=True)
        if row is None:
            raise WorkRefused(Refusal.GONE)
        before = _item(row)
        refused = may_change(before, actor, open_period)
        if refused is not None:
            raise WorkRefused(refused)
        after = replace(before.draft, **values).cleaned()  # type: ignore[arg-type]
        if "done_at" in values and not open_period.contains(after.done_at):
            raise WorkRefused(Refusal.CLOSED)
        for name in EDITABLE:
            old, new = getattr(before.draft, name), getattr(after, name)
            if old == new:
                continue
            setattr(row, name, new)
            session.add(
                WorkRecordChange(
                    record_id=row.id,
                    by_id=actor.person_id,
                    by=squeeze(actor.name, 200),
                    action="changed",
                    field=name,
                    old=_shown(old),
                    new=_shown(new),
                )
            )
        if row.activity_id is not None:
            logged = _log_values(after)
            await session.execute(
                update(Activity)
                .where(Activity.id == row.activity_id)
                .values(
                    occurred_at=logged["occurred_at"],
                    content=logged["content"],
                    responsible=logged["responsible"],
                    executor=logged["executor"],
                )
            )
        await session.flush()
        await session.refresh(row)
        return _item(row)


async def delete(db: Database, record_id: int, actor: Actor, open_period: Span) -> None:
    """Mark the record deleted (it leaves the workbook; it and its history stay)."""
    async with db.transaction() as session:
        row = await session.get(WorkRecord, record_id, with_for_update=True)
        if row is None:
            raise WorkRefused(Refusal.GONE)
        refused = may_change(_item(row), actor, open_period)
        if refused is not None:
            raise WorkRefused(refused)
        row.deleted_at = utcnow()
        session.add(
            WorkRecordChange(
                record_id=row.id,
                by_id=actor.person_id,
                by=squeeze(actor.name, 200),
                action="deleted",
            )
        )
        if row.activity_id is not None:
            await session.execute(
                update(Activity).where(Activity.id == row.activity_id).values(status="deleted")
            )


async def history(db: Database, record_id: int) -> list[Change]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(WorkRecordChange)
            .where(WorkRecordChange.record_id == record_id)
            .order_by(WorkRecordChange.changed_at, WorkRecordChange.id)
        )
        return [Change(r.changed_at, r.by, r.action, r.field, r.old, r.new) for r in rows]


async def in_period(db: Database, period: Span) -> list[WorkItem]:
    """The records the period's workbook shows (deleted ones left out), oldest first."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(WorkRecord)
            .where(
                WorkRecord.deleted_at.is_(None),
                WorkRecord.done_at >= period.start,
                WorkRecord.done_at < period.end,
            )
            .order_by(WorkRecord.done_at, WorkRecord.id)
        )
        return [_item(row) for row in rows]


async def between(db: Database, first: datetime, last: datetime) -> list[WorkItem]:
    """Records (deleted ones left out) done from `first` to `last`, both included."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(WorkRecord).where(
                WorkRecord.deleted_at.is_(None),
                WorkRecord.done_at >= first,
                WorkRecord.done_at <= last,
            )
        )
        return [_item(row) for row in rows]


async def by_author(
    db: Database, author_id: int, period: Span, *, limit: int = 10
) -> list[WorkItem]:
    """Someone's own records in the period, newest first: «Мои записи»."""
    async with db.transaction() as session:
        rows = await session.scalars(
            select(WorkRecord)
            .where(
                WorkRecord.author_id == author_id,
                WorkRecord.deleted_at.is_(None),
                WorkRecord.done_at >= period.start,
                WorkRecord.done_at < period.end,
            )
            .order_by(WorkRecord.done_at.desc(), WorkRecord.id.desc())
            .limit(limit)
        )
        return [_item(row) for row in rows]


def _key(text: str) -> str:
    return " ".join(text.casefold().replace("ё", "е").split())


async def customers(db: Database, typed: str, *, limit: int = 5) -> list[str]:
    """Customers already named in work records and organisations named in consultation
    requests whose name holds what was typed (case and «ё» ignored), most used first."""
    wanted = _key(typed)
    if len(wanted) < 2:
        return []
    counts: dict[str, tuple[int, str]] = {}
    async with db.transaction() as session:
        sources = (
            select(WorkRecord.customer, func.count())
            .where(WorkRecord.customer != "", WorkRecord.deleted_at.is_(None))
            .group_by(WorkRecord.customer),
            select(ConsultationRequest.organisation, func.count())
            .where(ConsultationRequest.organisation.is_not(None))
            .group_by(ConsultationRequest.organisation),
        )
        for query in sources:
            for name, count in await session.execute(query):
                shown = " ".join((name or "").split())
                key = _key(shown)
                if not key or wanted not in key:
                    continue
                before = counts.get(key, (0, shown))
                counts[key] = (before[0] + count, before[1])
    ranked = sorted(counts.values(), key=lambda pair: (-pair[0], pair[1].casefold()))
    return [name for _, name in ranked[:limit]]


async def erase_customer(session: AsyncSession, name: str) -> int:
    """Blank `name` as a customer (case, spaces and «ё» ignored) in every record and every
    line of history that held it, within the caller's transaction; the records whose
    customer or history named them."""
    wanted = _key(name)
    if not wanted:
        return 0
    rows = await session.execute(
        select(WorkRecord.id, WorkRecord.customer).where(WorkRecord.customer != "")
    )
    ids = {record_id for record_id, customer in rows if _key(customer) == wanted}
    # Every «customer» line of history that names them, before or after, whatever the
    # record says now (one corrected since to another customer, too): both sides blanked,
    # as the other side alone would still hint at the correction.
    lines = await session.execute(
        select(
            WorkRecordChange.id,
            WorkRecordChange.record_id,
            WorkRecordChange.old,
            WorkRecordChange.new,
        ).where(WorkRecordChange.field == "customer")
    )
    named: list[int] = []
    touched = set(ids)
    for line_id, record_id, old, new in lines:
        if record_id in ids or wanted in (_key(old or ""), _key(new or "")):
            named.append(line_id)
            touched.add(record_id)
    if ids:
        await session.execute(update(WorkRecord).where(WorkRecord.id.in_(ids)).values(customer=""))
    if named:
        await session.execute(
            update(WorkRecordChange)
            .where(WorkRecordChange.id.in_(named))
            .values(old=None, new=None)
        )
    return len(touched)


async def forget_customer(db: Database, name: str) -> int:
    """A person named as a customer asked to be forgotten (in person, not in the bot):
    `libbot work forget-customer NAME`."""
    async with db.transaction() as session:
        return await erase_customer(session, name)
