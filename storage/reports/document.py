"""The report as staff hand it in: one XLSX (Показатели, the six work sheets — a seventh,
«Другая работа РЦ», when staff recorded such work —, Запросы, Графики)
or the same sheets as CSV files with the charts as PNG. Gathering is async (the database);
drawing and writing are CPU work, meant for a worker thread (`asyncio.to_thread`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from bot.kernel.config import Config
from storage import spreadsheets
from storage.consultations.register import HEADINGS as REQUEST_HEADINGS
from storage.db import Database
from storage.reports import charts, grants, indicators, ratings, work
from storage.reports.build import ReportData, gather
from storage.reports.periods import Period
from storage.reports.work import Work
from storage.spreadsheets import Sheet

INDICATORS_SHEET = "Показатели"
REQUESTS_SHEET = "Запросы"
CHARTS_SHEET = "Графики"
BRANCH_NOTE = (
    "Обращения и справки через чат-бот не привязаны к филиалу: они в отчёте по всей библиотеке."
)
LIBRARY_WIDE_SHEETS = (Work.CONSULTATIONS, Work.EXPERTISE, Work.ENQUIRIES)
CHART_FILES = ("График - запросы по неделям", "График - участники", "График - каналы")
ROW_PIXELS = 20  # a default row is 15 pt
TABLE_COLUMN = 17  # chart tables start in column Q, right of the picture


@dataclass
class Report:
    current: ReportData
    previous: ReportData
    charts: list[charts.Chart] = field(default_factory=list)

    @property
    def file_stem(self) -> str:
        return f"otchet-{self.current.period.slug}"


async def prepare(
    db: Database,
    config: Config,
    period: Period,
    *,
    now: datetime,
    branch_id: str | None = None,
) -> Report:
    current = await gather(db, config, period, now=now, branch_id=branch_id)
    previous = await gather(db, config, period.previous(), now=now, branch_id=branch_id)
    return Report(current, previous)


def draw(report: Report) -> Report:
    data = report.current
    report.charts = [
        charts.requests_by_week(data.requests, data.period),
        charts.participants_per_event(data.events),
        charts.channel_mix(data.channels),
    ]
    return report


def _title(data: ReportData, name: str) -> str:
    where = f" · {data.branch}" if data.branch else ""
    made = f"сформирован {data.made_at:%d.%m.%Y %H:%M}"
    title = f"{name} · {data.period.label}{where} · {data.library} · {made}"
    if data.branch and name in (*LIBRARY_WIDE_SHEETS, REQUESTS_SHEET):
        title += " · " + BRANCH_NOTE
    return title


def sheets(report: Report) -> list[tuple[str, Sheet]]:
    """Every table of the report in order, named as in the workbook."""
    data = report.current
    tables: list[tuple[str, Sheet]] = [(INDICATORS_SHEET, indicators.sheet(data, report.previous))]
    tables += [
        (name.value, work.sheet(data.work.get(name, [])))
        for name in Work
        if name is not Work.OTHER or data.work.get(name)  # only when there is such work
    ]
    tables.append(
        (REQUESTS_SHEET, Sheet(REQUEST_HEADINGS, [line.cells() for line in data.requests]))
    )
    if data.grants:  # «Гранты» (#27): only when applications moved in the period
        tables.append((grants.SHEET, grants.sheet(data.grants)))
    if data.ratings:  # «Оценки» (#26): only when ratings were given in the period
        tables.append((ratings.SHEET, ratings.sheet(data.ratings)))
    return tables


def _add_charts(book: Workbook, report: Report) -> None:
    ws = book.create_sheet(CHARTS_SHEET)
    spreadsheets.fit_to_page_width(ws)
    spreadsheets.put_row(ws, [_title(report.current, CHARTS_SHEET)])
    ws["A1"].font = Font(bold=True, size=12)
    row = 3
    for chart in report.charts:
        spreadsheets.put(ws, row, 1, chart.title).font = Font(bold=True)
        image = Image(BytesIO(chart.png))
        ws.add_image(image, f"A{row + 1}")
        for offset, heading in enumerate(chart.headings):
            spreadsheets.put(ws, row, TABLE_COLUMN + offset, heading).font = Font(bold=True)
        for line, values in enumerate(chart.rows, start=1):
            for offset, value in enumerate(values):
                spreadsheets.show_as_date(
                    spreadsheets.put(ws, row + line, TABLE_COLUMN + offset, value)
                )
        for offset, heading in enumerate(chart.headings):
            longest = max([len(str(heading))] + [len(str(v[offset])) for v in chart.rows])
            letter = get_column_letter(TABLE_COLUMN + offset)
            ws.column_dimensions[letter].width = max(
                ws.column_dimensions[letter].width or 0, min(max(longest, 10) + 2, 45)
            )
        picture_rows = math.ceil(image.height / ROW_PIXELS) + 1
        row += max(picture_rows, len(chart.rows) + 1) + 2


def to_xlsx(report: Report) -> bytes:
    if not report.charts:
        draw(report)
    book = spreadsheets.new_book()
    for name, table in sheets(report):
        spreadsheets.add_sheet(book, table, title=_title(report.current, name), name=name)
    ws = book[INDICATORS_SHEET]
    ws.column_dimensions["A"].width = 50
    ws.column_dimensions["F"].width = 70
    for (cell,) in ws.iter_rows(min_row=3, min_col=6, max_col=6):
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        # Spreadsheet programs do not grow a row for wrapped text written by openpyxl.
        lines = math.ceil(len(str(cell.value or "")) / 75) or 1
        ws.row_dimensions[cell.row].height = 15 * lines
    _add_charts(book, report)
    return spreadsheets.save(book)


def to_csv_files(report: Report) -> dict[str, bytes]:
    """File name → content: each sheet as CSV (`;`, BOM), each chart as PNG and its table."""
    if not report.charts:
        draw(report)
    files = {f"{name}.csv": spreadsheets.to_csv(table) for name, table in sheets(report)}
    for stem, chart in zip(CHART_FILES, report.charts, strict=True):
        files[f"{stem}.png"] = chart.png
        files[f"{stem}.csv"] = spreadsheets.to_csv(Sheet(chart.headings, chart.rows))
    return files
