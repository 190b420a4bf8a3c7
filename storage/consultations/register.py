"""The request register (реестр запросов) for the resource-centre reports, straight from the
request rows and their history: дата получения, содержание, от кого, кому и когда передан,
результат/статус, ответственный. Requests of people who used /forget stay counted, unnamed.
"""

from __future__ import annotations

from datetime import datetime
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
from storage.spreadsheets import Sheet

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
)
ANONYMOUS = "(данные удалены по просьбе заявителя)"
CONTENT_LIMIT = 1000


# The register is an ordinary sheet: the same writer as every other staff spreadsheet.
Register = Sheet


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    return moment.astimezone(zone).replace(tzinfo=None)


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
        lines.append(f"{role} {whom} — {_local(entry.at, zone):%d.%m.%Y %H:%M}")
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


async def build_register(
    db: Database,
    zone: ZoneInfo,
    *,
    start: datetime | None = None,
    end: datetime | None = None,
    topic_names: dict[str, str] | None = None,
) -> Register:
    """Requests received in [start, end), oldest first."""
    names = topic_names or {}
    async with db.transaction() as session:
        query = select(ConsultationRequest).order_by(ConsultationRequest.received_at)
        if start is not None:
            query = query.where(ConsultationRequest.received_at >= start)
        if end is not None:
            query = query.where(ConsultationRequest.received_at < end)
        requests = list(await session.scalars(query))
        history: dict[int, list[RequestEntry]] = {r.id: [] for r in requests}
        if requests:
            rows = await session.scalars(
                select(RequestEntry)
                .where(RequestEntry.request_id.in_(list(history)))
                .order_by(RequestEntry.at, RequestEntry.id)
            )
            for entry in rows:
                history[entry.request_id].append(entry)
    table: list[list[object]] = []
    for request in requests:
        entries = history[request.id]
        question = " ".join(request.question.split())
        if len(question) > CONTENT_LIMIT:
            question = question[: CONTENT_LIMIT - 1] + "…"
        table.append(
            [
                request.id,
                _local(request.received_at, zone),
                names.get(request.topic, request.topic),
                question,
                _who(request),
                _handed(entries, zone),
                _outcome(request, entries),
                request.responsible_name or "",
                request.rating or "",
            ]
        )
    return Register(HEADINGS, table)


def register_xlsx(register: Register, title: str) -> bytes:
    return spreadsheets.to_xlsx(register, title=title, name="Запросы")


def register_csv(register: Register) -> bytes:
    return spreadsheets.to_csv(register)
