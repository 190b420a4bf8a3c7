"""The activity log: one row per interaction or staff action, the spine of every report."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select

from storage.db import Database
from storage.models import Activity, ActivityKind
from storage.types import utcnow

CONTENT_LIMIT = 500
# How the work sheet names the executor of answers the bot gave by itself.
BOT_EXECUTOR = "бот"
# What the log keeps of a message that carried a secret (a PIN, a desk code).
HIDDEN = "[скрыто]"


@dataclass(slots=True)
class ActivityNote:
    """What a handler wants logged about the update it handled.

    The activity middleware creates one per update with sensible defaults; handlers
    refine it (kind, content, status) and the middleware writes it afterwards.
    """

    platform: str
    kind: ActivityKind
    person_id: int | None = None
    content: str | None = None
    customer: str | None = None
    responsible: str | None = None
    executor: str | None = None
    status: str = "done"
    notes: str | None = None
    update_id: int | None = None
    # The reader a staff action was about: /forget erases what the row says of them.
    about_person_id: int | None = None
    skip: bool = False


def _clip(text: str | None, limit: int) -> str | None:
    if text is None:
        return None
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _row(note: ActivityNote, at: datetime | None) -> dict[str, Any]:
    return {
        "occurred_at": at or utcnow(),
        "platform": note.platform,
        "person_id": note.person_id,
        "kind": note.kind,
        "content": _clip(note.content, CONTENT_LIMIT),
        "customer": _clip(note.customer, 300),
        "responsible": _clip(note.responsible, 200),
        "executor": _clip(note.executor, 200),
        "status": note.status,
        "notes": note.notes,
        "update_id": note.update_id,
        "about_person_id": note.about_person_id,
    }


class _GroupCommit:
    """Rows of updates handled together are written together.

    Every update writes one row; one transaction each was a large share of the bot's
    work under load. A caller says how many updates are in progress alongside its own
    (`expected`); the writer waits up to `LINGER_SECONDS` for their rows, so they share
    one transaction. A lone update (a quiet bot, a test) is written at once. Either way
    a caller returns only once its row is committed: nothing is lost by waiting.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self._queue: list[tuple[dict[str, Any], asyncio.Future[None]]] = []
        self._expected = 1
        self._filled: asyncio.Event | None = None  # set once the expected rows are in
        self._writer: asyncio.Task[None] | None = None

    async def write(self, row: dict[str, Any], *, expected: int = 1) -> None:
        done = asyncio.get_running_loop().create_future()
        self._queue.append((row, done))
        self._expected = max(self._expected, min(expected, MAX_BATCH))
        if self._filled is not None and len(self._queue) >= self._expected:
            self._filled.set()
        if self._writer is None or self._writer.done():
            # A fresh context: a caller's open transaction must not look like the writer's.
            self._writer = asyncio.create_task(self._drain(), context=contextvars.Context())
        await done

    async def _drain(self) -> None:
        while self._queue:
            if len(self._queue) < self._expected:
                self._filled = asyncio.Event()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._filled.wait(), LINGER_SECONDS)
                self._filled = None
            batch, self._queue = self._queue[:MAX_BATCH], self._queue[MAX_BATCH:]
            self._expected = 1
            try:
                await self._insert([row for row, _ in batch])
            except Exception as exc:  # noqa: BLE001 - handed to the callers
                if len(batch) == 1:
                    _settle(batch, exc)
                    continue
                # One bad row must not take the others with it: write them one by one.
                for row, done in batch:
                    try:
                        await self._insert([row])
                    except Exception as exc:  # noqa: BLE001 - handed to the caller
                        _settle([(row, done)], exc)
                    else:
                        _settle([(row, done)], None)
            else:
                _settle(batch, None)

    async def _insert(self, rows: list[dict[str, Any]]) -> None:
        async with self.db.connection() as writing:
            # Core, not the ORM's bulk insert: the rows are plain values, nothing to track.
            await writing.execute(_INSERT, rows)


def _settle(
    batch: list[tuple[dict[str, Any], asyncio.Future[None]]], error: BaseException | None
) -> None:
    for _, done in batch:
        if done.done():
            continue  # the caller was cancelled; the row is written regardless
        if error is None:
            done.set_result(None)
        else:
            done.set_exception(error)


MAX_BATCH = 500
_INSERT = insert(Activity.__table__)
LINGER_SECONDS = 0.02
_writers: weakref.WeakKeyDictionary[Database, _GroupCommit] = weakref.WeakKeyDictionary()


async def record(
    db: Database, note: ActivityNote, *, at: datetime | None = None, expected: int = 1
) -> None:
    """Log one interaction; returns once the row is committed.

    `expected`: how many updates are being handled right now, this one included — their
    rows are likely to come within moments and may share this row's transaction.
    """
    writer = _writers.get(db)
    if writer is None:
        writer = _writers[db] = _GroupCommit(db)
    await writer.write(_row(note, at), expected=expected)


async def count_by_kind(db: Database, since: datetime) -> dict[str, int]:
    """How many interactions of each kind since a moment: the staff's daily glance."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(Activity.kind, func.count())
            .where(Activity.occurred_at >= since)
            .group_by(Activity.kind)
        )
        return {kind: count for kind, count in rows.all()}
