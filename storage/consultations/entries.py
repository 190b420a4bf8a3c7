"""A request's thread as it is read back: what the requester and staff wrote, the files,
each step. The requester's view leaves the internal notes out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from storage.consultations.models import Author, EntryKind, RequestEntry
from storage.consultations.requests import Attachment
from storage.db import Database


@dataclass(frozen=True, slots=True)
class EntryView:
    id: int
    at: datetime
    kind: EntryKind
    author: Author
    author_name: str | None
    text: str | None
    visible: bool
    status_from: str | None
    status_to: str | None
    to_whom: str | None
    file: Attachment | None


def _entry_view(row: RequestEntry) -> EntryView:
    file = None
    if row.kind == EntryKind.FILE and row.file_id:
        file = Attachment(
            platform=row.file_platform or "",
            file_id=row.file_id,
            kind=row.file_kind or "document",
            name=row.file_name,
            size=row.file_size,
        )
    return EntryView(
        id=row.id,
        at=row.at,
        kind=EntryKind(row.kind),
        author=Author(row.author),
        author_name=row.author_name,
        text=row.text,
        visible=row.visible,
        status_from=row.status_from,
        status_to=row.status_to,
        to_whom=row.to_whom,
        file=file,
    )


async def entries(db: Database, request_id: int, *, for_requester: bool) -> list[EntryView]:
    """The thread, oldest first; the requester's view leaves internal notes out."""
    async with db.transaction() as session:
        query = select(RequestEntry).where(RequestEntry.request_id == request_id)
        if for_requester:
            query = query.where(RequestEntry.visible.is_(True))
        rows = await session.scalars(query.order_by(RequestEntry.at, RequestEntry.id))
        return [_entry_view(r) for r in rows]


async def attachments(db: Database, request_id: int) -> list[Attachment]:
    """The files of the thread, oldest first."""
    return [e.file for e in await entries(db, request_id, for_requester=False) if e.file]


async def last_answer(db: Database, request_id: int) -> EntryView | None:
    """The newest answer staff or an expert gave the requester, or None."""
    async with db.transaction() as session:
        row = await session.scalar(
            select(RequestEntry)
            .where(RequestEntry.request_id == request_id)
            .where(RequestEntry.kind == EntryKind.ANSWER)
            .order_by(RequestEntry.at.desc(), RequestEntry.id.desc())
            .limit(1)
        )
        return _entry_view(row) if row is not None else None
