"""`libbot import-catalogue`: every real sample file, every holdings field, re-import and
damaged input — on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

import pymarc
import pytest
from sqlalchemy import func, select

from storage.catalogue.importer import import_catalogue
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.records import ItemStatus, isbn13
from storage.db import Database


async def _record(db: Database, **where: str) -> CatalogueRecord:
    async with db.transaction() as session:
        query = select(CatalogueRecord)
        for column, value in where.items():
            query = query.where(getattr(CatalogueRecord, column) == value)
        record = await session.scalar(query)
    assert record is not None, where
    return record


async def _items(db: Database, record_id: int) -> list[CatalogueItem]:
    async with db.transaction() as session:
        return list(
            await session.scalars(
                select(CatalogueItem)
                .where(CatalogueItem.record_id == record_id)
                .order_by(CatalogueItem.id)
            )
        )


async def _count(db: Database, model: type) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_rusmarc_iso2709_cp1251_with_899_holdings(
    database: Database, shared_data: Path
) -> None:
    summary = await import_catalogue(database, [shared_data / "marc" / "nlr_rusmarc_test1.iso"])
    assert (summary.read, summary.added, summary.skipped_total) == (81, 81, 0)
    record = await _record(database, source_key="001:RU\\NLR\\bibl\\64495")
    assert record.title == "Светильник Сибири"
    assert record.source_format == "rusmarc"
    assert record.year == "1999"
    items = await _items(database, record.id)
    assert [(i.location_code, i.call_number) for i in items] == [("NLR", "99-4/8722")]


async def test_marc21_whose_leader_lies_about_its_encoding(
    database: Database, shared_data: Path
) -> None:
    summary = await import_catalogue(database, [shared_data / "marc" / "rkp_marc21_cp1251.mrc"])
    assert (summary.read, summary.added, summary.skipped_total) == (6, 6, 0)
    record = await _record(database, source_key="001:ru03-000001RKP")
    assert record.title == "Основы гидравлического расчета инженерных сетей"
    assert record.authors == "Ильина, Татьяна Николаевна"
    assert record.isbns == isbn13("5930933421")
    items = await _items(database, record.id)
    assert [(i.location_code, i.call_number) for i in items] == [("RU-RKP", "И46")]


async def test_marcxml(database: Database, shared_data: Path) -> None:
    summary = await import_catalogue(database, [shared_data / "marc" / "loc_marcxml_batch.xml"])
    assert (summary.read, summary.added) == (2, 2)
    record = await _record(database, source_key="001:5637241")
    assert record.title == "The Great Ray Charles"


async def test_irbis_text_with_910_exemplars(database: Database, shared_data: Path) -> None:
    files = [
        shared_data / "marc" / n for n in ("irbis_text_records_3.txt", "irbis_text_reports_10.txt")
    ]
    summary = await import_catalogue(database, files)
    assert (summary.read, summary.added, summary.skipped_total) == (13, 13, 0)
    record = await _record(database, title="Управление банком. Ч.2,4")
    items = await _items(database, record.id)
    statuses = {i.item_key: i.status for i in items}
    assert statuses["3585332"] == ItemStatus.ON_LOAN  # 910 ^A1
    assert statuses["41"] == ItemStatus.AVAILABLE  # 910 ^A0
    # Group records (^A C/U) are not copies and are not imported as such.
    async with database.transaction() as session:
        written_off = await session.scalar(
            select(func.count())
            .select_from(CatalogueItem)
            .where(CatalogueItem.status == ItemStatus.WITHDRAWN)
        )
    assert written_off  # ^A6 «списан» is kept, and hidden from readers


def _koha_record() -> bytes:
    record = pymarc.Record(force_utf8=True)
    record.leader = record.leader[:9] + "a" + record.leader[10:]
    record.add_field(pymarc.Field(tag="001", data="koha-42"))
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", "Лавр /"), pymarc.Subfield("c", "Е. Водолазкин.")],
        )
    )
    record.add_field(
        pymarc.Field(
            tag="100",
            indicators=pymarc.Indicators("1", " "),
            subfields=[pymarc.Subfield("a", "Водолазкин, Евгений,")],
        )
    )
    items = [
        [("a", "CPL"), ("b", "CPL"), ("o", "84 В62"), ("p", "3900001"), ("y", "BK")],
        [("a", "CPL"), ("b", "MPL"), ("o", "84 В62"), ("p", "3900002"), ("q", "2026-12-12")],
        [("a", "CPL"), ("b", "CPL"), ("p", "3900003"), ("7", "1")],
        [("a", "CPL"), ("b", "CPL"), ("p", "3900004"), ("1", "1")],
        [("a", "CPL"), ("b", "CPL"), ("p", "3900005"), ("0", "1")],
    ]
    for subfields in items:
        record.add_field(
            pymarc.Field(
                tag="952",
                indicators=pymarc.Indicators(" ", " "),
                subfields=[pymarc.Subfield(code, value) for code, value in subfields],
            )
        )
    return record.as_marc()


async def test_koha_952_items_with_statuses_and_due_dates(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "koha.mrc"
    path.write_bytes(_koha_record())
    summary = await import_catalogue(database, [path])
    assert summary.added == 1
    record = await _record(database, source_key="001:koha-42")
    assert record.title == "Лавр"
    assert record.authors == "Водолазкин, Евгений"
    items = {i.barcode: i for i in await _items(database, record.id)}
    assert items["3900001"].status == ItemStatus.AVAILABLE
    assert items["3900001"].call_number == "84 В62"
    assert items["3900002"].status == ItemStatus.ON_LOAN
    assert str(items["3900002"].due_date) == "2026-12-12"
    assert items["3900002"].location_code == "MPL"
    assert items["3900003"].status == ItemStatus.READING_ROOM
    assert items["3900004"].status == ItemStatus.LOST
    assert items["3900005"].status == ItemStatus.WITHDRAWN


CSV = """id,title,authors,year,isbn,branch,call_number,barcode,status,due_date
b1,Мастер и Маргарита,"Булгаков, М. А.",2019,5-17-090630-6,ЦБ,84 Б90,1,available,
b1,Мастер и Маргарита,"Булгаков, М. А.",2019,5-17-090630-6,ДБ,84 Б90,2,выдан,12.12.2026
b2,Лавр,"Водолазкин, Е. Г.",2016,,ЦБ,84 В62,3,,
"""


async def test_csv_fallback_and_idempotent_reimport(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    first = await import_catalogue(database, [path])
    assert (first.read, first.added) == (2, 2)
    again = await import_catalogue(database, [path])
    assert (again.added, again.updated, again.unchanged) == (0, 0, 2)
    assert await _count(database, CatalogueRecord) == 2
    assert await _count(database, CatalogueItem) == 3

    # One copy returned, one gone from the export: updated in place, the gone one withdrawn.
    changed = CSV.replace("2,выдан,12.12.2026", "2,available,").replace(
        'b2,Лавр,"Водолазкин, Е. Г.",2016,,ЦБ,84 В62,3,,\n',
        'b2,Лавр,"Водолазкин, Е. Г.",2016,,,,,,\n',
    )
    path.write_text(changed, encoding="utf-8")
    third = await import_catalogue(database, [path])
    assert (third.added, third.updated, third.unchanged, third.items_withdrawn) == (0, 2, 0, 1)
    record = await _record(database, source_key="001:b1")
    assert [i.status for i in await _items(database, record.id)] == ["available", "available"]


async def test_full_export_withdraws_what_it_no_longer_contains(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    await import_catalogue(database, [path])
    path.write_text(CSV.split("b2,")[0], encoding="utf-8")
    dry = await import_catalogue(database, [path], full=True, dry_run=True)
    assert (dry.withdrawn_records, dry.items_withdrawn) == (1, 1)
    assert not (await _record(database, source_key="001:b2")).withdrawn  # dry run changed nothing
    real = await import_catalogue(database, [path], full=True)
    assert real.withdrawn_records == 1
    assert (await _record(database, source_key="001:b2")).withdrawn
    # It comes back when a later export has it again.
    path.write_text(CSV, encoding="utf-8")
    back = await import_catalogue(database, [path], full=True)
    assert back.updated == 1
    assert not (await _record(database, source_key="001:b2")).withdrawn


async def test_dry_run_changes_nothing(database: Database, tmp_path: Path) -> None:
    path = tmp_path / "catalogue.csv"
    path.write_text(CSV, encoding="utf-8")
    summary = await import_catalogue(database, [path], dry_run=True)
    assert summary.added == 2
    assert "dry run: nothing was changed" in summary.lines()
    assert await _count(database, CatalogueRecord) == 0


async def test_damaged_records_are_skipped_counted_and_the_import_goes_on(
    database: Database, tmp_path: Path, shared_data: Path
) -> None:
    good = (shared_data / "marc" / "rkp_marc21_cp1251.mrc").read_bytes().split(b"\x1d")
    broken = (
        b"\x1d".join([good[0], b"00999nam  22002531i 4500garbage", good[1], b"01234xyz"]) + b"\x1d"
    )
    iso = tmp_path / "broken.mrc"
    iso.write_bytes(broken)
    irbis = tmp_path / "broken.txt"
    irbis.write_text(
        "#200: ^AХорошая книга\n*****\nэто не поле\n*****\n#700: ^AБезназванный\n*****\n",
        encoding="utf-8",
    )
    csv_file = tmp_path / "broken.csv"
    csv_file.write_text(
        "title,branch,status\nКнига,ЦБ,непонятно\n,,available\nДругая книга,,\n", encoding="utf-8"
    )
    summary = await import_catalogue(database, [iso, irbis, csv_file])
    assert summary.added == 2 + 1 + 2  # a CSV row's bad copy is skipped, its record kept
    assert summary.skipped_total == 2 + 2 + 2
    reasons = "\n".join(summary.lines())
    assert "damaged record" in reasons
    assert "no title (200 ^A)" in reasons
    assert "unknown status 'непонятно'" in reasons
    assert "broken.mrc #2" in reasons  # position of the first damaged record


async def test_unknown_format_is_refused(database: Database, tmp_path: Path) -> None:
    from storage.catalogue.readers import UnknownFormat

    path = tmp_path / "notes.bin"
    path.write_bytes(b"\x00\x01\x02 not a catalogue")
    with pytest.raises(UnknownFormat, match="cannot tell the format"):
        await import_catalogue(database, [path])


def test_isbn_normalisation() -> None:
    assert isbn13("5-17-090630-6") == isbn13("978-5-17-090630-7") == "9785170906307"
    assert isbn13("978 5 17 090630 7 (в пер.)") == "9785170906307"
    assert isbn13("нет") is None
    assert io  # keep the import for readers of this module
