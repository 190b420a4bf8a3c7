"""The staff's list of an event's participants as a spreadsheet (XLSX) or CSV.

Russian headings, dates as dates, a frozen header row with filters: the file is handed
in with the resource-centre reports as it is.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage import spreadsheets
from storage.db import Database
from storage.events.models import Registration, RegistrationStatus
from storage.spreadsheets import Sheet, sheet_time

STATUS_NAMES = {
    RegistrationStatus.CONFIRMED: "записан",
    RegistrationStatus.WAITLISTED: "лист ожидания",
    RegistrationStatus.OFFERED: "предложено место",
    RegistrationStatus.CANCELLED: "отменил",
    RegistrationStatus.LAPSED: "не подтвердил",
}
HEADINGS = (
    "№",
    "ФИО",
    "Организация",
    "Телефон / e-mail",
    "Статус",
    "Дата записи",
    "Пришёл",
    "Добавил сотрудник",
)


async def participants(db: Database, event_id: int, zone: ZoneInfo) -> Sheet:
    async with db.transaction() as session:
        rows = list(
            await session.scalars(
                select(Registration)
                .where(Registration.event_id == event_id)
                .order_by(Registration.queued_at, Registration.id)
            )
        )
    questions: list[str] = []
    for row in rows:
        for item in json.loads(row.answers or "[]"):
            if item.get("question") not in questions:
                questions.append(str(item.get("question")))
    table = []
    for number, row in enumerate(rows, start=1):
        answers = {a.get("question"): a.get("answer") for a in json.loads(row.answers or "[]")}
        table.append(
            [
                number,
                row.name or "(удалено по просьбе)",
                row.organisation or "",
                row.contact or "",
                STATUS_NAMES.get(RegistrationStatus(row.status), row.status),
                sheet_time(row.created_at, zone),
                "да" if row.attended_at else "",
                row.added_by or "",
                *[answers.get(q) or "" for q in questions],
            ]
        )
    return Sheet([*HEADINGS, *questions], table)


def to_xlsx(sheet: Sheet, title: str) -> bytes:
    return spreadsheets.to_xlsx(sheet, title=title, name="Участники")


def to_csv(sheet: Sheet) -> bytes:
    return spreadsheets.to_csv(sheet)


@dataclass(frozen=True, slots=True)
class ExportFile:
    data: bytes
    name: str  # event-<id>.xlsx
    rows: int  # participants listed


async def export_file(
    db: Database, event_id: int, title: str, zone: ZoneInfo, extension: str
) -> ExportFile:
    """The participants as a file of this `extension` ("xlsx" or "csv"); `title` heads the
    spreadsheet (a CSV has no heading)."""
    sheet = await participants(db, event_id, zone)
    data = to_xlsx(sheet, title) if extension == "xlsx" else to_csv(sheet)
    return ExportFile(data, f"event-{event_id}.{extension}", len(sheet.rows))
