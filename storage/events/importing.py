"""`libbot events import FILE.csv`: a season's plan of events in one file.

Columns (English or Russian headings; comma or semicolon; UTF-8 or CP1251):
    title, kind, starts, ends, branch, room, description, seats, waitlist,
    opens, closes, questions
`starts`/`ends`/`opens`/`closes` are library time, 'YYYY-MM-DD HH:MM' or
'DD.MM.YYYY HH:MM'. `seats` empty means unlimited. `questions` are separated by ';',
a trailing '*' makes one required. Re-importing the file updates events with the
same title, start and branch instead of adding them twice. A description is plain text, at
most `DESCRIPTION_LIMIT` characters once «&», «<», «>» are escaped; a longer one skips the line.
"""

from __future__ import annotations

import asyncio
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.kernel.dates import WhenError, read_moment
from storage.circulation.local_import import ImportError_, read_rows
from storage.db import Database
from storage.events.descriptions import DESCRIPTION_LIMIT, from_plain_text, over_limit
from storage.events.models import NKO_KINDS, Event, EventKind, EventStatus
from storage.types import utcnow

COLUMNS = {
    "title": ("title", "название"),
    "kind": ("kind", "вид", "тип"),
    "starts": ("starts", "start", "начало", "дата и время"),
    "ends": ("ends", "end", "окончание"),
    "branch": ("branch", "филиал"),
    "room": ("room", "зал", "помещение"),
    "description": ("description", "описание"),
    "seats": ("seats", "мест", "места"),
    "waitlist": ("waitlist", "лист ожидания"),
    "opens": ("opens", "запись с"),
    "closes": ("closes", "запись до"),
    "questions": ("questions", "вопросы"),
}
KIND_WORDS = {
    **{kind.value: kind for kind in EventKind},
    "митап": EventKind.MEETUP,
    "встреча": EventKind.MEETUP,
    "встреча нко": EventKind.MEETUP,
    "обучающее": EventKind.TRAINING,
    "обучающее мероприятие": EventKind.TRAINING,
    "семинар": EventKind.TRAINING,
    "публичное": EventKind.PUBLIC,
    "публичное мероприятие": EventKind.PUBLIC,
    "день консультаций": EventKind.CONSULTATION_DAY,
    "другое": EventKind.OTHER,
    "": EventKind.OTHER,
}
NO = {"no", "нет", "0", "false", "-"}


@dataclass
class EventsSummary:
    added: int = 0
    updated: int = 0
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        lines = [f"events added: {self.added}, updated: {self.updated}"]
        lines += [f"skipped: {reason}" for reason in self.skipped[:20]]
        if len(self.skipped) > 20:
            lines.append(f"… and {len(self.skipped) - 20} more skipped rows")
        return lines


def parse_local(text: str, zone: ZoneInfo) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    for pattern in ("%Y-%m-%d %H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(text, pattern).replace(tzinfo=zone)
        except ValueError:
            continue
    raise ValueError(f"{text!r} is not a time like 2026-12-01 18:00 or 01.12.2026 18:00")


def parse_when(text: str, zone: ZoneInfo, now: datetime) -> datetime | None:
    """A start staff typed in a form («25.11 18:00», «25 ноября в 18», «в пятницу в 18»; see
    `bot.kernel.dates`), or None when it is unreadable or already past. For forms that answer every
    failure alike; the event forms use `bot.kernel.dates.read_moment` to say what is wrong."""
    try:
        return read_moment(text, zone, now)
    except WhenError:
        return None


def parse_questions(text: str) -> list[dict[str, object]]:
    questions = []
    for part in text.split(";"):
        part = part.strip()
        if part:
            required = part.endswith("*")
            questions.append({"text": part.rstrip("*").strip()[:300], "required": required})
    if len(questions) > 10:
        raise ValueError("at most 10 questions per event")
    return questions


async def import_events(
    db: Database, path: Path, *, zone: ZoneInfo, branches: set[str], author: str | None = None
) -> EventsSummary:
    summary = EventsSummary()
    rows = await asyncio.to_thread(read_rows, path, COLUMNS, None, "title", skipped=summary.skipped)
    for row in rows:
        line = row["_line"]
        try:
            values = _values(row, zone, branches)
        except ValueError as exc:
            summary.skipped.append(f"line {line}: {exc}")
            continue
        async with db.transaction() as session:
            existing = await session.scalar(
                select(Event).where(
                    Event.title == values["title"],
                    Event.starts_at == values["starts_at"],
                    Event.branch_id == values["branch_id"],
                )
            )
            if existing is None:
                session.add(Event(**values, created_by=author, status=EventStatus.SCHEDULED))
                summary.added += 1
            else:
                for key, value in values.items():
                    setattr(existing, key, value)
                existing.updated_at = utcnow()
                summary.updated += 1
    return summary


def _values(row: dict[str, str], zone: ZoneInfo, branches: set[str]) -> dict[str, object]:
    title = row.get("title", "")
    if not title:
        raise ValueError("no title")
    kind = KIND_WORDS.get(row.get("kind", "").lower())
    if kind is None:
        raise ValueError(f"unknown kind {row.get('kind')!r}")
    starts = parse_local(row.get("starts", ""), zone)
    if starts is None:
        raise ValueError("no start time")
    branch = row.get("branch") or None
    if branch and branch not in branches:
        raise ValueError(f"unknown branch {branch!r}")
    seats_text = re.sub(r"\s", "", row.get("seats", ""))
    if seats_text and not seats_text.isdigit():
        raise ValueError(f"seats {seats_text!r} is not a number")
    # The file holds plain text; the card shows HTML. Over the limit the line is refused,
    # not cut (a cut could fall inside the markup).
    description = from_plain_text(row.get("description", ""))
    if over_limit(description):
        raise ValueError(
            f"description is {len(description)} characters, the limit is {DESCRIPTION_LIMIT}"
        )
    return {
        "title": title[:200],
        "kind": kind.value,
        "starts_at": starts,
        "ends_at": parse_local(row.get("ends", ""), zone),
        "branch_id": branch,
        "room": row.get("room") or None,
        "description": description or None,
        "seats": int(seats_text) if seats_text else None,
        "waitlist": row.get("waitlist", "").lower() not in NO,
        "registration_opens_at": parse_local(row.get("opens", ""), zone),
        "registration_closes_at": parse_local(row.get("closes", ""), zone),
        "questions": json.dumps(parse_questions(row.get("questions", "")), ensure_ascii=False),
        # Organisations matter for NKO work (the reports count them), not for a story hour.
        "ask_organisation": kind in NKO_KINDS,
    }


__all__ = ["EventsSummary", "ImportError_", "import_events"]
