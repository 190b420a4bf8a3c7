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
from datetime import datetime

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

DATE_FORMAT = "DD.MM.YYYY HH:MM"


@dataclass(frozen=True)
class Sheet:
    headings: Sequence[str]
    rows: list[list[object]]


def to_xlsx(sheet: Sheet, *, title: str, name: str) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = name
    ws.append([title])
    ws.append(list(sheet.headings))
    for row in sheet.rows:
        ws.append(row)
    ws.freeze_panes = "A3"
    last = get_column_letter(len(sheet.headings))
    ws.auto_filter.ref = f"A2:{last}{len(sheet.rows) + 2}"
    for index, heading in enumerate(sheet.headings, start=1):
        width = max([len(str(heading))] + [len(str(r[index - 1])) for r in sheet.rows] + [6])
        ws.column_dimensions[get_column_letter(index)].width = min(width + 2, 60)
    for cells in ws.iter_rows(min_row=3):
        for cell in cells:
            if isinstance(cell.value, datetime):
                cell.number_format = DATE_FORMAT
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_csv(sheet: Sheet) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(sheet.headings)
    for row in sheet.rows:
        writer.writerow([f"{v:%d.%m.%Y %H:%M}" if isinstance(v, datetime) else v for v in row])
    return out.getvalue().encode("utf-8-sig")
