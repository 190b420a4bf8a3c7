"""IRBIS64 master files: the real shared pair (SYNON, count), a catalogue written and read
back, and damaged or hostile files that must fail with a clear error, never hang."""

from __future__ import annotations

import random
import shutil
import struct
from pathlib import Path

import pytest

from storage.catalogue.irbis import to_record
from storage.irbis64.master import MasterFile, MasterFileError, read_master, write_master
from storage.irbis64.records import LOGICALLY_DELETED, Field, Record, records_from_exchange
from tests.irbis_data import CATALOGUE


@pytest.fixture
def irbis64_files(shared_data: Path) -> Path:
    return shared_data / "irbis64"


def catalogue_mst(tmp_path: Path, name: str = "IBIS.MST") -> Path:
    path = tmp_path / name
    write_master(path, records_from_exchange(CATALOGUE))
    return path


# --- the real files -------------------------------------------------------------------


def test_the_synonym_dictionary_reads_whole(irbis64_files: Path) -> None:
    records = list(read_master(irbis64_files / "SYNON.MST"))
    assert len(records) == 13805
    assert [r.mfn for r in records] == list(range(1, 13806))
    first = records[0]
    assert first.fields == [
        Field(10, "абдериты"),
        Field(11, "глупый"),
        Field(12, "rus"),
        Field(920, "SYNON"),
    ]
    assert all(r.fv(920) == "SYNON" and r.fv(10) for r in records)
    assert not any(r.deleted for r in records)


def test_the_counters_database_has_its_current_versions(irbis64_files: Path) -> None:
    with MasterFile(irbis64_files / "count.mst") as master:
        assert master.next_mfn == 4
        assert master.xrf_path.name == "count.xrf"
        records = list(master)
    assert [(r.mfn, r.version) for r in records] == [(1, 60), (2, 2), (3, 2)]
    assert records[0].fv(3) == "СЧ******/1"
    assert records[2].fv(2) == "ww1000"


def test_the_xrf_is_found_whatever_its_letter_case(irbis64_files: Path, tmp_path: Path) -> None:
    shutil.copy(irbis64_files / "count.mst", tmp_path / "Count.MST")
    shutil.copy(irbis64_files / "count.xrf", tmp_path / "COUNT.xrf")
    assert len(list(read_master(tmp_path / "Count.MST"))) == 3


# --- a catalogue written and read back ----------------------------------------------------


def test_a_written_catalogue_reads_back_as_it_was(tmp_path: Path) -> None:
    written = records_from_exchange(CATALOGUE)
    path = catalogue_mst(tmp_path)
    assert (tmp_path / "IBIS.XRF").is_file()
    read = list(read_master(path))
    assert [r.fields for r in read] == [r.fields for r in written]
    books = [to_record(r.tag_values()) for r in read]
    assert [b.title for b in books] == ["Мастер и Маргарита", "Странные люди", "Focus 5"]
    assert [i.inventory_number for i in books[0].items] == ["1759089", "1759090"]


def test_a_deleted_record_is_skipped_unless_asked_for(tmp_path: Path) -> None:
    records = records_from_exchange(CATALOGUE)
    records[1].status = LOGICALLY_DELETED
    path = tmp_path / "ibis.mst"
    write_master(path, records)
    assert [r.mfn for r in read_master(path)] == [1, 3]
    with_deleted = list(read_master(path, include_deleted=True))
    assert [(r.mfn, r.deleted) for r in with_deleted] == [(1, False), (2, True), (3, False)]


def test_an_export_saved_with_a_byte_order_mark_keeps_its_first_field() -> None:
    (record,) = records_from_exchange("\ufeff#920: PAZK\r\n#200: ^AТом\r\n*****\r\n")
    assert record.fields == [Field(920, "PAZK"), Field(200, "^AТом")]


def test_an_empty_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.mst"
    write_master(path, [])
    assert list(read_master(path)) == []


def test_a_large_record_survives(tmp_path: Path) -> None:
    big = Record(fields=[Field(331, "аннотация " * 5000), Field(200, "^AТом")])
    path = tmp_path / "big.mst"
    write_master(path, [big])
    (back,) = read_master(path)
    assert back.fields == big.fields


# --- damaged and hostile files --------------------------------------------------------------


def damage(path: Path, offset: int, data: bytes) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset : offset + len(data)] = data
    path.write_bytes(bytes(raw))


def test_no_xrf_beside_the_mst(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    (tmp_path / "IBIS.XRF").unlink()
    with pytest.raises(MasterFileError, match=r"no IBIS\.xrf"):
        list(read_master(path))


def test_an_mst_shorter_than_its_control_record(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    path.write_bytes(b"\x00" * 10)
    with pytest.raises(MasterFileError, match="control record"):
        list(read_master(path))


def test_an_mst_cut_inside_a_record(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(MasterFileError) as cut:
        list(read_master(path))
    assert cut.value.mfn == 3


def test_an_xrf_shorter_than_the_control_record_promises(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    damage(path, 4, struct.pack(">I", 4_000_000_000))  # next MFN: four billion
    with pytest.raises(MasterFileError, match="beyond the end of the XRF") as short:
        list(read_master(path))
    assert short.value.mfn == 4


def test_an_xrf_offset_past_the_end(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    damage(tmp_path / "IBIS.XRF", 12, struct.pack(">I", 0xFFFFFF00))
    with pytest.raises(MasterFileError, match="outside the MST") as bogus:
        list(read_master(path))
    assert bogus.value.mfn == 2


def test_a_record_claiming_gigabytes(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    damage(path, 36 + 4, struct.pack(">I", 3_000_000_000))  # MFN 1's length
    with pytest.raises(MasterFileError, match="record length") as huge:
        list(read_master(path))
    assert huge.value.mfn == 1


def test_a_field_pointing_outside_its_record(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    damage(path, 36 + 32 + 8, struct.pack(">I", 1_000_000))  # MFN 1's first field length
    with pytest.raises(MasterFileError, match="runs past the record"):
        list(read_master(path))


def test_an_xrf_pointing_at_another_record(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    xrf = tmp_path / "IBIS.XRF"
    entries = xrf.read_bytes()
    xrf.write_bytes(entries[12:24] + entries[12:])  # MFN 1 → MFN 2's record
    with pytest.raises(MasterFileError, match="MFN 2") as wrong:
        list(read_master(path))
    assert wrong.value.mfn == 1


def test_a_damaged_record_can_be_skipped_and_the_rest_read(tmp_path: Path) -> None:
    path = catalogue_mst(tmp_path)
    damage(tmp_path / "IBIS.XRF", 12, struct.pack(">I", 0xFFFFFF00))  # MFN 2 points nowhere
    damaged: list[MasterFileError] = []
    read = list(read_master(path, on_damaged=damaged.append))
    assert [r.mfn for r in read] == [1, 3]
    assert [d.mfn for d in damaged] == [2]
    damage(path, 4, struct.pack(">I", 99))  # the XRF ends long before MFN 99
    with pytest.raises(MasterFileError, match="beyond the end of the XRF"):
        list(read_master(path, on_damaged=damaged.append))


def test_random_damage_reads_or_fails_cleanly(tmp_path: Path) -> None:
    """Whatever bytes are flipped, reading ends with records or a MasterFileError."""
    pristine = catalogue_mst(tmp_path)
    mst, xrf = pristine.read_bytes(), (tmp_path / "IBIS.XRF").read_bytes()
    chance = random.Random(23)
    outcomes = {"read": 0, "refused": 0}
    for _ in range(200):
        broken_mst, broken_xrf = bytearray(mst), bytearray(xrf)
        target = broken_mst if chance.random() < 0.8 else broken_xrf
        for _ in range(chance.randint(1, 4)):
            target[chance.randrange(len(target))] = chance.randrange(256)
        if chance.random() < 0.2:
            broken_mst = broken_mst[: chance.randrange(len(broken_mst))]
        pristine.write_bytes(bytes(broken_mst))
        (tmp_path / "IBIS.XRF").write_bytes(bytes(broken_xrf))
        skipped: list[MasterFileError] = []
        report = skipped.append if chance.random() < 0.5 else None
        try:
            list(read_master(pristine, include_deleted=True, on_damaged=report))
        except MasterFileError:
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
    # both paths were exercised
    assert outcomes["read"] > 20
    assert outcomes["refused"] > 20
