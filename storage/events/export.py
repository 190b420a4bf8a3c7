"""The staff's list of an event's participants as a spreadsheet (XLSX) or CSV.

Russian headings, dates as dates, a frozen header row with filters: the file is handed
in with the resource-centre reports as it is.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from storage.db import Database
from storage.events.models import Registration, RegistrationStatus

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


@dataclass(frozen=True)
class Sheet:
    headings: list[str]
    rows: list[list[object]]


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
                _local(row.created_at, zone),
                "да" if row.attended_at else "",
                row.added_by or "",
                *[answers.get(q) or "" for q in questions],
            ]
        )
    return Sheet([*HEADINGS, *questions], table)


def _local(moment: datetime, zone: ZoneInfo) -> datetime:
    # Spreadsheets have no time zones: library time, as staff read it.
    return moment.astimezone(zone).replace(tzinfo=None)


def to_xlsx(sheet: Sheet, title: str) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Участники"
    ws.append([title])
    ws.append(sheet.headings)
    for row in sheet.rows:
        ws.append(row)
    ws.freeze_panes = "A3"
    last = get_column_letter(len(sheet.headings))
    ws.auto_filter.ref = f"A2:{last}{len(sheet.rows) + 2}"
    for index, heading in enumerate(sheet.headings, start=1):
        width = max([len(str(heading))] + [len(str(r[index - 1])) for r in sheet.rows] + [6])
        ws.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    for row in ws.iter_rows(min_row=3, min_col=6, max_col=6):
        for cell in row:
            cell.number_format = "DD.MM.YYYY HH:MM"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow([f"{v:%d.%m.%Y %H:%M}" if isinstance(v, datetime) else v for v in row])
    # With a BOM and semicolons, Excel in a Russian locale opens it correctly.
    return out.getvalue().encode("utf-8-sig")
