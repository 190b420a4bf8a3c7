"""Applications: an organisation's intention to apply («Готовлю заявку»), its status and
sums, staff moving it on, and the member's own answer after the results date.

The steps are готовится → подана → поддержана / не поддержана; staff may also correct a
status back (a mistaken tap). Each change is one conditional UPDATE, so a replayed press
changes nothing twice. An application is the organisation's: /forget only unlinks the
person who pressed (`unlink`), the counts in the reports stay.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from storage.db import Database
from storage.grants.models import Application, Contest, Status
from storage.types import utcnow

ORGANISATION_LIMIT = 300
# Where each status may be moved to by staff (back steps correct a mistaken tap).
MOVES: dict[Status, tuple[Status, ...]] = {
    Status.PREPARING: (Status.SUBMITTED,),
    Status.SUBMITTED: (Status.SUPPORTED, Status.REJECTED, Status.PREPARING),
    Status.SUPPORTED: (Status.SUBMITTED,),
    Status.REJECTED: (Status.SUBMITTED,),
}
DECIDED = (Status.SUPPORTED, Status.REJECTED)


class Moved(enum.Enum):
    DONE = "done"
    SAME = "same"  # already there: a replayed press
    NOT_ALLOWED = "not allowed"
    GONE = "gone"


@dataclass(frozen=True, slots=True)
class ApplicationView:
    id: int
    contest_id: int
    contest_name: str
    organisation: str
    person_id: int | None
    with_help: bool
    status: Status
    requested: int | None
    granted: int | None
    request_id: int | None
    prepared_at: datetime
    submitted_at: datetime | None
    decided_at: datetime | None


def _view(row: Application, contest_name: str) -> ApplicationView:
    return ApplicationView(
        id=row.id,
        contest_id=row.contest_id,
        contest_name=contest_name,
        organisation=row.organisation,
        person_id=row.person_id,
        with_help=row.with_help,
        status=Status(row.status),
        requested=row.requested,
        granted=row.granted,
        request_id=row.request_id,
        prepared_at=row.prepared_at,
        submitted_at=row.submitted_at,
        decided_at=row.decided_at,
    )


def _query():  # type: ignore[no-untyped-def]
    return select(Application, Contest.name).join(Contest, Contest.id == Application.contest_id)


async def prepare(
    db: Database, contest_id: int, person_id: int, organisation: str | None
) -> tuple[ApplicationView, bool]:
    """«Готовлю заявку»: the person's application to the contest (made now, or the one they
    already have), and whether it is new."""
    name = " ".join((organisation or "").split())[:ORGANISATION_LIMIT]
    try:
        async with db.transaction() as session:
            found = (
                await session.execute(
                    _query().where(
                        Application.contest_id == contest_id, Application.person_id == person_id
                    )
                )
            ).first()
            if found is not None:
                return _view(found[0], found[1]), False
            contest = await session.get(Contest, contest_id)
            if contest is None:
                raise LookupError(contest_id)
            row = Application(
                contest_id=contest_id,
                person_id=person_id,
                organisation=name,
                with_help=True,
                status=Status.PREPARING,
                prepared_at=utcnow(),
                updated_at=utcnow(),
            )
            session.add(row)
            await session.flush()
            return _view(row, contest.name), True
    except IntegrityError:  # a double tap made it a moment ago
        mine = await of_person(db, person_id)
        return next(a for a in mine if a.contest_id == contest_id), False


async def link_request(db: Database, application_id: int, request_id: int) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values(request_id=request_id, updated_at=utcnow())
        )


async def get(db: Database, application_id: int) -> ApplicationView | None:
    async with db.transaction() as session:
        found = (await session.execute(_query().where(Application.id == application_id))).first()
        return _view(found[0], found[1]) if found is not None else None


async def of_person(db: Database, person_id: int) -> list[ApplicationView]:
    async with db.transaction() as session:
        rows = await session.execute(
            _query().where(Application.person_id == person_id).order_by(Application.id.desc())
        )
        return [_view(row, name) for row, name in rows.all()]


async def listed(db: Database, *, limit: int = 20, before: int = 0) -> list[ApplicationView]:
    """The applications staff look after: the latest first; `before` an application's id,
    those older than it (the next page: new applications do not shift it)."""
    query = _query()
    if before:
        query = query.where(Application.id < before)
    async with db.transaction() as session:
        rows = await session.execute(query.order_by(Application.id.desc()).limit(limit))
        return [_view(row, name) for row, name in rows.all()]


async def move(
    db: Database,
    application_id: int,
    to: Status,
    *,
    granted: int | None = None,
    requested: int | None = None,
    by_member: bool = False,
) -> Moved:
    """Move an application to `to` if its status allows (a member reporting their result
    may only go from готовится/подана to a decision)."""
    async with db.transaction() as session:
        row = await session.get(Application, application_id)
        if row is None:
            return Moved.GONE
        current = Status(row.status)
        if current is to:
            return Moved.SAME
        allowed = (
            to in DECIDED and current in (Status.PREPARING, Status.SUBMITTED)
            if by_member
            else to in MOVES[current]
        )
        if not allowed:
            return Moved.NOT_ALLOWED
        now = utcnow()
        values: dict[str, object] = {"status": to.value, "updated_at": now}
        if to is Status.SUBMITTED and row.submitted_at is None:
            values["submitted_at"] = now
        if to in DECIDED:
            values["decided_at"] = now
            if row.submitted_at is None:
                values["submitted_at"] = now
        if to is Status.PREPARING:
            values["submitted_at"] = None
        if to is Status.SUBMITTED:
            values["decided_at"] = None
            values["granted"] = None
        if granted is not None:
            values["granted"] = granted
        if requested is not None:
            values["requested"] = requested
        result = await session.execute(
            update(Application)
            .where(Application.id == application_id, Application.status == current.value)
            .values(**values)
        )
        return Moved.DONE if result.rowcount else Moved.SAME


async def set_sum(db: Database, application_id: int, *, field: str, amount: int) -> bool:
    """The requested or granted sum, typed by staff."""
    assert field in ("requested", "granted")
    async with db.transaction() as session:
        result = await session.execute(
            update(Application)
            .where(Application.id == application_id)
            .values({field: amount, "updated_at": utcnow()})
        )
        return bool(result.rowcount)


class Awaiting(NamedTuple):
    """An application whose member is to be asked the outcome."""

    application: ApplicationView
    person_id: int
    results_at: datetime


async def awaiting_result(db: Database, now: datetime, *, since: datetime) -> list[Awaiting]:
    """Applications whose contest announced its results between `since` and now (a question
    older than that has lapsed) and was not cancelled, and whose member has not told the
    outcome."""
    async with db.transaction() as session:
        rows = await session.execute(
            _query()
            .add_columns(Contest.results_at)
            .where(
                Contest.closed_at.is_(None),
                Contest.results_at.is_not(None),
                Contest.results_at <= now,
                Contest.results_at >= since,
                Application.person_id.is_not(None),
                Application.status.in_((Status.PREPARING.value, Status.SUBMITTED.value)),
            )
        )
        return [
            Awaiting(_view(row, name), row.person_id, results_at)
            for row, name, results_at in rows.all()
        ]


async def unlink(db: Database, person_id: int) -> int:
    """/forget: the applications stay the organisation's, without the person."""
    async with db.transaction() as session:
        result = await session.execute(
            update(Application).where(Application.person_id == person_id).values(person_id=None)
        )
        return int(result.rowcount or 0)


async def name_organisation(db: Database, application_id: int, person_id: int, name: str) -> bool:
    """The organisation's name as the member typed it, on their own application."""
    name = " ".join(name.split())[:ORGANISATION_LIMIT]
    async with db.transaction() as session:
        result = await session.execute(
            update(Application)
            .where(Application.id == application_id, Application.person_id == person_id)
            .values(organisation=name, updated_at=utcnow())
        )
        return bool(result.rowcount)
