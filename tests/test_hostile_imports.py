"""Hostile and broken files handed to the imports (issue #18 finding 6): a record without its
terminator, a leader that lies, a million damaged records, a CSV field past the csv module's
limit. Each is skipped where it is, with a reason staff can act on, and the import goes on;
when nothing at all could be imported, the command says so first and exits 2."""

from __future__ import annotations

import tracemalloc
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from storage.catalogue.importer import import_catalogue
from storage.catalogue.marc import read_iso2709
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.records import BibRecord, SkipRecord
from storage.circulation.local_import import ImportError_, import_loans
from storage.consultations import directory
from storage.db import Database
from storage.events.importing import import_events
from tests.test_cli import run_libbot

END = b"\x1d"
HUGE = "Ж" * 200_000  # past csv.field_size_limit() (131,072 characters)
TOO_LONG = "a field longer than 131,072 characters"


def _good(shared_data: Path) -> list[bytes]:
    """The six real MARC 21 records (CP1251), each without its terminator."""
    return (shared_data / "marc" / "rkp_marc21_cp1251.mrc").read_bytes().split(END)[:6]


def test_an_export_that_lost_its_record_terminators_is_read_in_bounded_memory(
    tmp_path: Path, shared_data: Path
) -> None:
    good = _good(shared_data)
    path = tmp_path / "lost_terminators.mrc"
    path.write_bytes(good[0] + END + b"".join(good) * 1000)  # one record, then 5 MB of one
    assert path.stat().st_size > 5_000_000

    tracemalloc.start()
    try:
        found = list(read_iso2709(path, encoding="cp1251"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 1_000_000  # it was twice the file: 387 MB for 150 MB
    assert isinstance(found[0], BibRecord)
    assert len(found) == 2
    skipped = found[1]
    assert isinstance(skipped, SkipRecord)
    assert skipped.where == f"#2 at byte {len(good[0]) + 1}"
    assert "no record terminator within 99,999 bytes" in str(skipped)


async def test_a_record_without_its_terminator_is_skipped_and_the_next_one_imported(
    database: Database, tmp_path: Path, shared_data: Path
) -> None:
    good = _good(shared_data)
    runaway = good[2] + b"x" * 150_000  # a valid start, then no terminator for 150 KB
    truncated = good[4][:300]  # the export was cut off inside the last record
    path = tmp_path / "hostile.mrc"
    path.write_bytes(END.join([good[0], good[1], runaway, good[3], truncated]))

    summary = await import_catalogue(database, [path], encoding="cp1251")

    assert (summary.added, summary.skipped_total) == (3, 2)
    runaway_at = len(good[0]) + len(good[1]) + 2
    truncated_at = runaway_at + len(runaway) + 1 + len(good[3]) + 1
    assert summary.examples == [
        f"hostile.mrc #3 at byte {runaway_at}: damaged record: no record terminator within "
        "99,999 bytes (the ISO 2709 maximum); skipped to the next terminator",
        f"hostile.mrc #5 at byte {truncated_at}: damaged record: truncated "
        "(shorter than its leader says)",
    ]
    async with database.transaction() as session:
        titles = set(await session.scalars(select(CatalogueRecord.title)))
    assert "Экономика строительства" in titles  # the record after the runaway one


async def test_a_leader_that_lies_about_the_length_is_named_not_a_python_error(
    database: Database, tmp_path: Path, shared_data: Path
) -> None:
    good = _good(shared_data)
    huge = b"99999" + good[1][5:]  # claims the ISO 2709 maximum, holds under a kilobyte
    garbled = b"9x999" + good[2][5:]
    path = tmp_path / "leaders.mrc"
    path.write_bytes(END.join([good[0], huge, garbled, good[3]]) + END)

    summary = await import_catalogue(database, [path], encoding="cp1251")

    assert (summary.added, summary.skipped_total) == (2, 2)
    huge_at = len(good[0]) + 1
    assert summary.examples == [
        f"leaders.mrc #2 at byte {huge_at}: damaged record: truncated "
        "(shorter than its leader says)",
        f"leaders.mrc #3 at byte {huge_at + len(huge) + 1}: damaged record: "
        "the leader's record length is not 5 digits",
    ]


async def test_thousands_of_damaged_records_make_a_short_summary(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "junk.mrc"
    path.write_bytes(b"".join(b"junk %05d" % number + END for number in range(5000)))

    summary = await import_catalogue(database, [path])

    lines = summary.lines()
    assert summary.skipped_total == 5000
    assert len(lines) < 30
    assert "  5000 × damaged record: shorter than its 24-byte leader" in lines
    assert "  e.g. junk.mrc #20 at byte 209: damaged record: shorter than its 24-byte leader" in (
        lines
    )
    assert lines[-1] == "  … and 4980 more"


async def test_a_csv_field_past_the_csv_limit_skips_its_line_not_the_import(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(
        f"title;authors;year\nПервая книга;Иванов;2001\n{HUGE};Петров;2002\nТретья книга;;2003\n",
        encoding="utf-8",
    )

    summary = await import_catalogue(database, [path])

    assert (summary.added, summary.skipped_total) == (2, 1)
    assert summary.examples == [f"catalogue.csv line 3: {TOO_LONG}"]


async def test_the_catalogue_csv_takes_russian_headings(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "каталог.txt"  # not even .csv: the heading «Название» tells
    path.write_bytes(
        (
            "Название;Автор;Год;Издательство;Филиал;Шифр;Штрихкод;Статус\n"
            "Мастер и Маргарита;Булгаков, М. А.;2019;Азбука;ЦБ;84(2Рос)6;B-1;выдан\n"
        ).encode("cp1251")
    )

    summary = await import_catalogue(database, [path])

    assert (summary.added, summary.skipped_total) == (1, 0)
    async with database.transaction() as session:
        record = await session.scalar(select(CatalogueRecord))
        assert record is not None
        item = await session.scalar(select(CatalogueItem))
    assert (record.title, record.authors, record.year, record.publisher) == (
        "Мастер и Маргарита",
        "Булгаков, М. А.",
        "2019",
        "Азбука",
    )
    assert item is not None
    assert (item.location_code, item.call_number, item.barcode, item.status) == (
        "ЦБ",
        "84(2Рос)6",
        "B-1",
        "on_loan",
    )


def test_import_catalogue_with_nothing_importable_says_so_first_and_exits_2(
    tmp_path: Path,
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    path = tmp_path / "broken.mrc"
    path.write_bytes(b"not a record" + END + b"nor this" + END + b"x" * 120_000)

    result = run_libbot(tmp_path, "import-catalogue", "--config", str(config), str(path))

    assert result.returncode == 2
    assert result.stdout.splitlines()[0] == "Импортировано записей: 0, пропущено: 3"
    assert "  например, broken.mrc #3 at byte 22: damaged record: no record terminator" in (
        result.stdout
    )
    assert result.stderr.splitlines()[-1] == "libbot: no record was imported: see the reasons above"
    assert "Traceback" not in result.stderr


async def test_import_loans_skips_a_line_with_an_overlong_field(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "loans.csv"
    path.write_text(
        "ticket;barcode;title;due\n"
        "1001;B-1;Мастер и Маргарита;2030-12-01\n"
        f"1002;B-2;{HUGE};2030-12-01\n"
        "1003;B-3;Идиот;2030-12-02\n",
        encoding="utf-8",
    )

    summary = await import_loans(database, path)

    assert (summary.patrons, summary.loans) == (2, 2)
    assert f"skipped: line 3: {TOO_LONG}" in summary.lines()


async def test_events_import_skips_a_line_with_an_overlong_field(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(
        "Название;Вид;Начало;Описание\n"
        "Открытое общение;митап;01.12.2030 18:00;\n"
        f"Лекция;публичное;02.12.2030 18:00;{HUGE}\n"
        "Мастер-класс;обучающее;03.12.2030 18:00;\n",
        encoding="utf-8",
    )

    summary = await import_events(
        database, path, zone=ZoneInfo("Europe/Moscow"), branches=set(), author="test"
    )

    assert summary.lines() == [
        "events added: 2, updated: 0",
        f"skipped: line 3: {TOO_LONG}",
    ]


async def test_faq_and_experts_files_with_an_overlong_field_are_refused_naming_the_line(
    database: Database, tmp_path: Path
) -> None:
    faq = tmp_path / "faq.csv"
    faq.write_text(f"Тема;Вопрос;Ответ\nlegal;Нужен ли устав?;{HUGE}\n", encoding="utf-8")
    with pytest.raises(ImportError_, match=f"^faq.csv, line 2: {TOO_LONG}; nothing imported$"):
        await directory.import_faq(database, faq, {"legal"})

    experts = tmp_path / "experts.csv"
    experts.write_text(f"ФИО;Компетенции\nИрина Соколова;legal\n{HUGE};legal\n", encoding="utf-8")
    with pytest.raises(ImportError_, match=f"^experts.csv, line 3: {TOO_LONG}"):
        await directory.import_experts(database, experts)
    assert await directory.experts(database) == []
