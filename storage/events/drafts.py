"""A new event before it is published: the draft staff fill in step by step (kept in the
form's data as plain values), read as the very event readers will see, and publishing it.

Nothing reaches the listing before `publish`, so a misread date is caught on the preview.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from storage.db import Database
from storage.events import schedule
from storage.events.listing import EventView
from storage.events.models import NKO_KINDS, EventKind, EventStatus
from storage.types import utcnow

Draft = Mapping[str, Any]  # title, kind, starts, ends, branch, room, seats, description


def moment(draft: Draft, key: str) -> datetime | None:
    """A time of the draft ("starts", "ends"), kept as ISO text."""
    value = draft.get(key)
    return datetime.fromisoformat(value) if value else None


def new_start(draft: Draft, starts_at: datetime) -> dict[str, str]:
    """The values a new start changes: the start, and an end already given moves with it."""
    values = {"starts": starts_at.isoformat()}
    before, ends = moment(draft, "starts"), moment(draft, "ends")
    if before is not None and ends is not None:
        values["ends"] = (starts_at + (ends - before)).isoformat()
    return values


def draft_view(draft: Draft) -> EventView:
    """The draft as an event, so the preview is the very card readers will get."""
    kind = EventKind(draft["kind"])
    starts = moment(draft, "starts")
    assert starts is not None  # the preview comes after the start
    return EventView(
        id=0,
        title=draft["title"],
        kind=kind,
        starts_at=starts,
        ends_at=moment(draft, "ends"),
        branch_id=draft.get("branch"),
        room=draft.get("room"),
        description=draft.get("description"),
        photo=None,
        seats=draft.get("seats"),
        taken=0,
        waitlist=True,
        registration_opens_at=None,
        registration_closes_at=None,
        questions=(),
        ask_organisation=kind in NKO_KINDS,
        ask_contact=True,  # required or «Пропустить» by kind: EventView.contact_required
        status=EventStatus.SCHEDULED,
    )


def start_passed(event: EventView, now: datetime | None = None) -> bool:
    """The preview waited past the start: the start must be asked again before publishing."""
    return event.starts_at <= (now or utcnow())


async def publish(db: Database, event: EventView, *, created_by: str) -> int:
    """Put the previewed event in the listing; its id."""
    return await schedule.create_event(
        db,
        title=event.title,
        kind=event.kind.value,
        starts_at=event.starts_at,
        ends_at=event.ends_at,
        branch_id=event.branch_id,
        room=event.room,
        seats=event.seats,
        waitlist=event.waitlist,
        description=event.description,
        ask_organisation=event.ask_organisation,
        ask_contact=event.ask_contact,
        created_by=created_by,
    )
