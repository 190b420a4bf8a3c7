"""The request register (реестр запросов) for the resource-centre reports, straight from the
request rows and their history: дата получения, содержание, от кого, кому и когда передан,
результат/статус, ответственный. Requests of people who used /forget stay counted, unnamed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import spreadsheets
from storage.consultations.models import (
    Author,
    ConsultationRequest,
    EntryKind,
    RequestEntry,
    RequestStatus,
)
from storage.db import Database
from storage.spreadsheets import Sheet, sheet_time

STATUS_NAMES = {
    RequestStatus.NEW: "новая",
    RequestStatus.IN_PROGRESS: "в работе",
    RequestStatus.FORWARDED: "передана эксперту",
    RequestStatus.AWAITING: "ждёт ответа заявителя",
    RequestStatus.RESOLVED: "решена",
    RequestStatus.REJECTED: "отклонена",
    RequestStatus.WITHDRAWN: "отозвана",
}
HEADINGS = (
    "№",
    "Дата получения запроса",
    "Тема",
    "Содержание запроса",
    "От кого поступил",
    "Кому и когда передан для исполнения",
    "Результат исполнения / статус",
    "Ответственный за организацию исполнения",
    "Оценка",
    "Дата решения",
    "Срок решения, дней",
)
ANONYMOUS = "(данные удалены по просьбе заявителя)"
CONTENT_LIMIT = 1000


# The register is an ordinary sheet: the same writer as every other staff spreadsheet.
Register = Sheet


def _who(request: ConsultationRequest) -> str:
    if request.person_id is None and request.requester_name is None:
        return ANONYMOUS + (f", {request.organisation}" if request.organisation else "")
    parts = [request.requester_name or "", request.organisation or ""]
    return ", ".join(p for p in parts if p)


def _handed(entries: list[RequestEntry], zone: ZoneInfo) -> str:
    """Every hand-over in order: taken by a staff member, passed to an expert."""
    lines = []
    for entry in entries:
        if entry.kind != EntryKind.STATUS or entry.status_to not in (
            RequestStatus.IN_PROGRESS,
            RequestStatus.FORWARDED,
        ):
            continue
        if entry.author == Author.REQUESTER or entry.to_whom is None:
            continue  # the request going back to whoever had it is not a hand-over
        whom = entry.to_whom or entry.author_name or ""
        role = "эксперт" if entry.status_to == RequestStatus.FORWARDED else "сотрудник"
        lines.append(f"{role} {whom} — {sheet_time(entry.at, zone):%d.%m.%Y %H:%M}")
    return "; ".join(lines)


def _outcome(request: ConsultationRequest, entries: list[RequestEntry]) -> str:
    status = STATUS_NAMES.get(RequestStatus(request.status), request.status)
    answers = sum(1 for e in entries if e.kind == EntryKind.ANSWER)
    parts = [status]
    if request.result:
        parts.append(request.result)
    if answers:
        parts.append(f"ответов: {answers}")
    if request.status == RequestStatus.RESOLVED and any(
        e.kind == EntryKind.STATUS
        and e.status_to == RequestStatus.RESOLVED
        and e.author == Author.REQUESTER
        for e in entries
    ):
        parts.append("подтверждено заявителем")
    return "; ".join(parts)


@dataclass(frozen=True)
class RegisterLine:
    """One request as the reports see it: the register's cells plus what the work sheets and
    indicators need (who answered, whether it was an expertise, the topic's id)."""

    number: int
    received: datetime  # local, naive: spreadsheets have no time zones
    topic_id: str
    topic: str
    expertise: bool
    content: str
    requester: str
    organisation: str | None
    handed: str
    outcome: str
    status: RequestStatus
    responsible: str
    executors: str
    rating: int | None
    resolved: datetime | None  # local; only for requests решена
    days_to_resolve: int | None  # calendar days, received → resolved; the median's figures

    def cells(self) -> list[object]:
        return [
            self.number,
            self.received,
            self.topic,
            self.content,
            self.requester,
            self.handed,
            self.outcome,
            self.responsible,
            self.rating or "",
            self.resolved or "",
            "" if self.days_to_resolve is None else self.days_to_resolve,
        ]


def calendar_days(received: datetime, resolved: datetime, zone: ZoneInfo) -> int:
    """Whole days as a librarian counts them: calendar days in the library's zone between
    the day received and the day resolved — 0 for the same day, 1 for the next, however
    few hours apart (a fraction like 1.5 is nothing a register shows)."""
    return (resolved.astimezone(zone).date() - received.astimezone(zone).date()).days


def _executors(request: ConsultationRequest, entries: list[RequestEntry]) -> str:
    """Who wrote the answers (staff or experts), in order; the expert if nobody wrote yet."""
    names: list[str] = []
    for entry in entries:
        if entry.kind == EntryKind.ANSWER and entry.author != Author.REQUESTER:
            name = entry.author_name or ""
            if name and name not in names:
                names.append(name)
    if not names and request.expert_name:
        names.append(request.expert_name)
    return ", ".join(names)


def _line(
    request: ConsultationRequest,
    entries: list[RequestEntry],
    zone: ZoneInfo,
    names: dict[str, str],
) -> RegisterLine:
    question = " ".join(request.question.split())
    if len(question) > CONTENT_LIMIT:
        question = question[: CONTENT_LIMIT - 1] + "…"
    status = RequestStatus(request.status)
    resolved = request.closed_at if status is RequestStatus.RESOLVED else None
    days = None
    if resolved is not None:
        days = calendar_days(request.received_at, resolved, zone)
    return RegisterLine(
        number=request.id,
        received=sheet_time(request.received_at, zone),
        topic_id=request.topic,
        topic=names.get(request.topic, request.topic),
        expertise=request.expertise,
        content=question,
        requester=_who(request),
        organisation=request.organisation,
        handed=_handed(entries, zone),
        outcome=_outcome(request, entries),
        status=status,
        responsible=request.responsible_name or "",
        executors=_executors(request, entries),
        rating=request.rating,
        resolved=sheet_time(resolved, zone) if resolved is not None else None,
        days_to_resolve=days,
    )


async def register_lines(
    db: Database,
    zone: ZoneInfo,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    topic_names: dict[str, str] | None = None,
) -> list[RegisterLine]:
    """Requests received in [start, end), oldest first, each with its history read once."""
    names = topic_names or {}
    async with db.transaction() as session:
        query = select(ConsultationRequest).order_by(
            ConsultationRequest.received_at, ConsultationRequest.id
        )
        if start is not None:
            query = query.where(ConsultationRequest.received_at >= start)
        if end is not None:
            query = query.where(ConsultationRequest.received_at < end)
        requests = list(await session.scalars(query))
        history: dict[int, list[RequestEntry]] = {r.id: [] for r in requests}
        numbers = list(history)
        # In slices: a year of requests must not become one statement with thousands of
        # parameters (SQLite caps them).
        for offset in range(0, len(numbers), 500):
            rows = await session.scalars(
                select(RequestEntry)
                .where(RequestEntry.request_id.in_(numbers[offset : offset + 500]))
                .order_by(RequestEntry.at, RequestEntry.id)
            )
            for entry in rows:
                history[entry.request_id].append(entry)
    return [_line(request, history[request.id], zone, names) for request in requests]


async def build_register(
    db: Database,
    zone: ZoneInfo,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    topic_names: dict[str, str] | None = None,
) -> Register:
    """Requests received in [start, end), oldest first."""
    lines = await register_lines(db, zone, start=start, end=end, topic_names=topic_names)
    return Register(HEADINGS, [line.cells() for line in lines])


def quarter_start(local: datetime) -> datetime:
    """Local midnight of the first day of the quarter `local` falls in."""
    month = 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


@dataclass(frozen=True)
class QuarterSoFar:
    """The register of this quarter up to now, as staff download it from the bot."""

    register: Register
    start: datetime  # local
    until: datetime  # local: now

    @property
    def quarter(self) -> int:
        return (self.start.month - 1) // 3 + 1


async def quarter_so_far(
    db: Database, zone: ZoneInfo, *, topic_names: dict[str, str], now: datetime | None = None
) -> QuarterSoFar:
    local_now = (now or datetime.now(UTC)).astimezone(zone)
    start = quarter_start(local_now)
    register = await build_register(db, zone, start=start.astimezone(UTC), topic_names=topic_names)
    return QuarterSoFar(register, start, local_now)


def register_xlsx(register: Register, title: str) -> bytes:
    return spreadsheets.to_xlsx(register, title=title, name="Запросы")


def register_csv(register: Register) -> bytes:
    return spreadsheets.to_csv(register)
