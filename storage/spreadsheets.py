"""Sheets staff hand in (participants, the request register, reports) as XLSX or CSV.

One writer for all of them: a title row, Russian headings, a frozen header with filters,
column widths from the content, datetimes as dates; CSV with semicolons and a BOM so Excel
in a Russian locale opens it as it is.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DATE_FORMAT = "DD.MM.YYYY HH:MM"
DAY_FORMAT = "DD.MM.YYYY"
MAX_WIDTH = 60


@dataclass(frozen=True)
class Sheet:
    headings: Sequence[str]
    rows: list[list[object]]


def sheet_time(moment: datetime, zone: ZoneInfo) -> datetime:
    """A moment as a spreadsheet shows it: the library's local time, with no zone (XLSX and
    CSV have none)."""
    return moment.astimezone(zone).replace(tzinfo=None)


def _width(value: object) -> int:
    if isinstance(value, datetime):
        return 16
    if isinstance(value, date):
        return 10
    return len(str(value))


def add_sheet(book: Workbook, sheet: Sheet, *, title: str, name: str) -> Worksheet:
    """A sheet with a bold title row, the headings frozen under it, filters on the headings,
    column widths from the content and dates shown as dates."""
    ws = book.create_sheet(name)
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(list(sheet.headings))
    for cell in ws[2]:
        cell.font = Font(bold=True)
    widths = [_width(heading) for heading in sheet.headings]
    for row in sheet.rows:
        ws.append(row)
        for index, value in enumerate(row[: len(widths)]):
            widths[index] = max(widths[index], _width(value))
    ws.freeze_panes = "A3"
    last = get_column_letter(len(sheet.headings))
    ws.auto_filter.ref = f"A2:{last}{len(sheet.rows) + 2}"
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = min(max(width, 6) + 2, MAX_WIDTH)
    for cells in ws.iter_rows(min_row=3):
        for cell in cells:
            show_as_date(cell)
    fit_to_page_width(ws)
    return ws


def show_as_date(cell: Cell) -> None:
    """Datetimes and dates shown the Russian way, and still dates (sortable, filterable)."""
    if isinstance(cell.value, datetime):
        cell.number_format = DATE_FORMAT
    elif isinstance(cell.value, date):
        cell.number_format = DAY_FORMAT


def fit_to_page_width(ws: Worksheet) -> None:
    """Printed (or converted to PDF) landscape, all columns on one page's width, the
    headings repeated on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.print_title_rows = "1:2"


def new_book() -> Workbook:
    """An empty workbook (openpyxl's default sheet removed): sheets come from add_sheet."""
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    return book


def save(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_xlsx(sheet: Sheet, *, title: str, name: str) -> bytes:
    book = new_book()
    add_sheet(book, sheet, title=title, name=name)
    return save(book)


def csv_cell(value: object) -> object:
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    return value


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8-sig")
