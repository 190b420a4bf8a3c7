"""The IRBIS64 client against the fake IRBIS64 server over real TCP on 127.0.0.1.

The library's reader database (RDR) and catalogue (IBIS) are loaded from IRBIS text
exports; every story goes through the client's public calls, and the fake's counters
and records show what reached the «server».
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest

from storage.irbis64 import (
    Field,
    Irbis64Client,
    IrbisAnswerLost,
    IrbisError,
    IrbisUnavailable,
    NoSuchRecord,
    Record,
    RecordLocked,
    VersionConflict,
    WrongPassword,
    search_term,
)
from storage.irbis64.master import write_master
from storage.irbis64.records import records_from_exchange
from tests.fakes.irbis_server import DESK, FakeIrbis
from tests.irbis_data import CATALOGUE, readers

TODAY = date(2026, 12, 8)


@pytest.fixture
async def irbis() -> AsyncIterator[FakeIrbis]:
    server = FakeIrbis(users={"librarian": "secret", "bot": "пароль"})
    server.load_text("RDR", readers(TODAY))
    server.load_text("IBIS", CATALOGUE)
    async with server:
        yield server


def client(server: FakeIrbis, *, password: str = "secret", timeout: float = 5.0) -> Irbis64Client:
    return Irbis64Client(server.host, server.port, "librarian", password, timeout=timeout)


def open_loans(record: Record) -> list[str]:
    return [f.sub("b") or "" for f in record.all(40) if f.sub("f") == "******"]


# --- registration ---------------------------------------------------------------------


async def test_the_bot_registers_works_and_unregisters(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        await session.nop()
        assert session.server_version == "64.2014.1"
        assert "DBRDR=RDR" in session.ini_text
        assert len(irbis.clients) == 1
        await session.connect()  # already registered: nothing sent
    assert irbis.clients == {}
    assert irbis.requests == {"A": 1, "N": 1, "B": 1}


async def test_a_cyrillic_password_travels_in_windows_1251(irbis: FakeIrbis) -> None:
    session = Irbis64Client(irbis.host, irbis.port, "bot", "пароль", timeout=2)
    async with session:
        assert await session.max_mfn("RDR") == 3
    assert "пароль".encode("cp1251") in irbis.received[0].raw


async def test_a_wrong_password_or_user_is_refused(irbis: FakeIrbis) -> None:
    with pytest.raises(WrongPassword) as refused:
        await client(irbis, password="guess").connect()
    assert refused.value.code == -4444
    stranger = Irbis64Client(irbis.host, irbis.port, "nobody", "secret", timeout=2)
    with pytest.raises(WrongPassword) as unknown:
        await stranger.connect()
    assert unknown.value.code == -3333
    assert irbis.clients == {}


async def test_the_client_registers_again_when_the_server_forgot_it(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        await session.nop()
        irbis.forget_clients()  # the server restarted
        record = await session.read("RDR", 1)
    assert record.fv(30) == "12345"
    assert irbis.requests["A"] == 2
    assert irbis.requests["C"] == 2  # refused with -3333 once, then served


# --- reading and searching ------------------------------------------------------------


async def test_a_reader_record_is_read_with_its_loans(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        maria = await session.read("RDR", 1)
    assert (maria.mfn, maria.version, maria.deleted) == (1, 1, False)
    assert maria.fv(10) == "Иванова"
    assert maria.fv(17) == "+7 900 123-45-67"
    assert open_loans(maria) == ["1759089"]
    due = maria.all(40)[0].sub("E")  # subfield codes are case-insensitive
    assert due == "20261211"


async def test_reading_outside_the_database_is_no_such_record(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        with pytest.raises(NoSuchRecord) as outside:
            await session.read("RDR", 99)
    assert outside.value.code == -140


async def test_a_deleted_record_comes_back_marked_deleted(irbis: FakeIrbis) -> None:
    irbis.delete("RDR", 2)
    async with client(irbis) as session:
        petrov = await session.read("RDR", 2)
        assert petrov.deleted
        assert petrov.fv(30) == "67890"
        assert await session.search("RDR", '"RI=67890"') == []


async def test_search_by_prefix_finds_readers_and_books(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        assert await session.search("RDR", '"RI=12345"') == [1]
        assert await session.search("RDR", '"RI=00000"') == []
        assert await session.search("RDR", '"TEL=+7 900 123-45-67"') == [1]
        assert await session.search("IBIS", '"IN=1759090"') == [1]
        assert await session.search("IBIS", '"HI=0001800001"') == [3]
        assert await session.search("IBIS", '"T=МАСТЕР"') == [1]
        assert await session.search("IBIS", '"T=СТРАН$"') == [2]
        assert await session.search("IBIS", '"A=Булгаков" + "A=Шукшин"') == [1, 2]
        assert await session.search("IBIS", '"T=МАСТЕР" * "A=Шукшин"') == []
        assert await session.search("IBIS", '"B=5-86150-048-7"') == [1]
        found = await session.search_read("IBIS", '"A=Kay"')
    assert [r.fv(200, "a") for r in found] == ["Focus 5"]


async def test_what_a_reader_types_cannot_widen_a_search(irbis: FakeIrbis) -> None:
    assert search_term("RI=", " 12345\n") == '"RI=12345"'
    assert search_term("T=", "мастер", truncate=True) == '"T=мастер$"'
    async with client(irbis) as session:
        assert await session.search("RDR", search_term("RI=", "12345")) == [1]
        for typed in ['1" + "RI=$', "$", "1234$", '" + "TEL=$', "12345 + RI=67890"]:
            assert await session.search("RDR", search_term("RI=", typed)) == [], typed


async def test_a_long_result_is_fetched_page_by_page(irbis: FakeIrbis) -> None:
    paged = FakeIrbis(page_size=2)
    paged.load_text("IBIS", CATALOGUE * 3)
    async with paged, client(paged) as session:
        assert await session.search("IBIS", '"IN=$"') == list(range(1, 10))
        assert await session.search("IBIS", '"IN=$"', limit=3) == [1, 2, 3]
        assert await session.search("IBIS", '"IN=$"', first=8) == [8, 9]
        records = await session.read_many("IBIS", [3, 1, 99])
    assert [r.mfn for r in records] == [3, 1]  # MFN 99 is not there
    assert paged.requests["K"] == 5 + 2 + 1


async def test_a_catalogue_master_file_is_served(tmp_path: Path) -> None:
    path = tmp_path / "IBIS.MST"
    write_master(path, records_from_exchange(CATALOGUE))
    server = FakeIrbis()
    server.load_master("IBIS", path)
    async with server, client(server) as session:
        assert await session.max_mfn("IBIS") == 4
        everything = await session.read_many("IBIS", range(1, 5))
        assert await session.search("IBIS", '"IN=1759100"') == [2]
    assert [r.fv(200, "a") for r in everything] == [
        "Мастер и Маргарита",
        "Странные люди",
        "Focus 5",
    ]


async def test_a_bad_expression_is_an_irbis_error(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        with pytest.raises(IrbisError) as bad:
            await session.search("IBIS", '"T=МАСТЕР" * (')
    assert bad.value.code == -8888


async def test_the_server_formats_brief_descriptions(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        assert await session.format_record("IBIS", "@brief", 1) == "Булгаков. Мастер и Маргарита"
        assert await session.format_record("IBIS", "v200^a, ' / ', v700^a", 2) == (
            "Странные люди / Шукшин"
        )
        with pytest.raises(IrbisError):
            await session.format_record("IBIS", "@ibiskw_h", 1)


# --- writing: versions and locks --------------------------------------------------------


async def test_a_renewal_is_written_back_with_a_new_version(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        maria = await session.read("RDR", 1, lock=True)
        assert irbis.lock_owner("RDR", 1) == str(session.client_id)
        loan = maria.all(40)[0]
        maria.replace_field(loan, loan.with_sub("e", "20261225").with_sub("4", "1"))
        stored = await session.write("RDR", maria)
    assert stored.version == 2
    assert stored.all(40)[0].sub("e") == "20261225"
    assert irbis.record("RDR", 1).all(40)[0].value.endswith("^kАБ^41")
    assert irbis.lock_owner("RDR", 1) is None  # the write released our lock


async def test_a_stale_copy_is_refused_as_a_version_conflict(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        maria = await session.read("RDR", 1)
        irbis.desk_edit("RDR", 1, lambda r: r.add(32, "maria@example.org"))  # the desk saved
        loan = maria.all(40)[0]
        maria.replace_field(loan, loan.with_sub("e", "20261225"))
        with pytest.raises(VersionConflict) as conflict:
            await session.write("RDR", maria)
        assert conflict.value.code == -608
        assert irbis.record("RDR", 1).all(40)[0].sub("e") == "20261211"  # nothing overwritten
        fresh = await session.read("RDR", 1)
        loan = fresh.all(40)[0]
        fresh.replace_field(loan, loan.with_sub("e", "20261225"))
        stored = await session.write("RDR", fresh)
    assert stored.version == 3
    assert stored.fv(32) == "maria@example.org"  # the desk's change kept


async def test_a_record_the_desk_holds_cannot_be_locked_or_written(irbis: FakeIrbis) -> None:
    irbis.locked("RDR", 1)
    async with client(irbis) as session:
        seen = await session.read("RDR", 1)  # reading without a lock still works
        assert seen.locked
        with pytest.raises(RecordLocked) as locked:
            await session.read("RDR", 1, lock=True)
        assert locked.value.code == -602
        with pytest.raises(RecordLocked):
            await session.write("RDR", seen)
        irbis.release("RDR", 1)
        stored = await session.write("RDR", seen)
    assert stored.version == 2
    assert irbis.lock_owner("RDR", 1) is None


async def test_our_lock_is_released_by_unlock(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        await session.read("RDR", 2, lock=True)
        assert irbis.lock_owner("RDR", 2) not in (None, DESK)
        await session.unlock("RDR", [2])
        await session.unlock("RDR", [])  # nothing to send
    assert irbis.lock_owner("RDR", 2) is None
    assert irbis.requests["Q"] == 1


async def test_a_new_record_gets_the_next_mfn(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        assert await session.max_mfn("RDR") == 3
        new = Record(fields=[])
        new.add(10, "Сидорова")
        new.add(30, "55555")
        stored = await session.write("RDR", new)
        assert (stored.mfn, stored.version) == (3, 1)
        assert await session.max_mfn("RDR") == 4
        assert await session.search("RDR", '"RI=55555"') == [3]


async def test_a_line_break_in_a_value_cannot_forge_a_field(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        petrov = await session.read("RDR", 2)
        petrov.add(32, "a@b.c\r\n30#99999\x1f\x1e30#88888")
        stored = await session.write("RDR", petrov)
    assert [f.value for f in stored.all(30)] == ["67890"]
    assert irbis.search_terms("RDR", "RI=99999") == []


async def test_update_renews_under_the_lock(irbis: FakeIrbis) -> None:
    def renew(record: Record) -> None:
        loan = record.all(40)[0]
        record.replace_field(loan, loan.with_sub("e", "20261225"))

    async with client(irbis) as session:
        stored = await session.update("RDR", 1, renew)
    assert stored is not None
    assert stored.version == 2
    assert irbis.record("RDR", 1).all(40)[0].sub("e") == "20261225"
    assert irbis.lock_owner("RDR", 1) is None
    assert irbis.requests["Q"] == 0  # the write released the lock itself


async def test_update_with_nothing_to_do_or_a_failure_leaves_no_lock(irbis: FakeIrbis) -> None:
    def broken(record: Record) -> None:
        raise RuntimeError("no due date")

    async with client(irbis) as session:
        assert await session.update("RDR", 1, lambda record: False) is None
        assert irbis.lock_owner("RDR", 1) is None
        with pytest.raises(RuntimeError):
            await session.update("RDR", 1, broken)
        assert irbis.lock_owner("RDR", 1) is None
        irbis.locked("RDR", 1)
        with pytest.raises(RecordLocked):
            await session.update("RDR", 1, lambda record: None)
    assert irbis.lock_owner("RDR", 1) == DESK  # the desk's lock is not ours to release
    assert irbis.record("RDR", 1).version == 1


async def test_update_refused_by_the_server_releases_our_lock(irbis: FakeIrbis) -> None:
    def desk_saves_meanwhile(record: Record) -> None:
        irbis.desk_edit("RDR", 1)  # the desk ignored the lock (or its client is old)

    async with client(irbis) as session:
        with pytest.raises(VersionConflict):
            await session.update("RDR", 1, desk_saves_meanwhile)
    assert irbis.lock_owner("RDR", 1) is None


async def test_update_whose_locking_read_lost_its_answer_leaves_no_lock(
    irbis: FakeIrbis,
) -> None:
    """The server locked the record, then the answer was lost: the lock is released, or
    the desk could not lend from that reader's record until an administrator cleared it."""
    async with client(irbis) as session:
        irbis.drop, irbis.fault_commands, irbis.apply_before_fault = True, {"C"}, True
        with pytest.raises(IrbisAnswerLost):
            await session.update("RDR", 1, lambda record: None)
        irbis.drop = False
    assert irbis.lock_owner("RDR", 1) is None
    assert irbis.record("RDR", 1).version == 1


async def test_update_whose_locking_read_came_back_garbled_leaves_no_lock(
    irbis: FakeIrbis,
) -> None:
    async with client(irbis) as session:
        irbis.garbage, irbis.fault_commands, irbis.apply_before_fault = True, {"C"}, True
        with pytest.raises(IrbisError):
            await session.update("RDR", 1, lambda record: None)
        irbis.garbage = False
    assert irbis.lock_owner("RDR", 1) is None


# --- faults -------------------------------------------------------------------------------


async def test_a_server_that_is_down_is_unavailable_at_once(irbis: FakeIrbis) -> None:
    session = client(irbis)
    await session.connect()
    await irbis.go_down()
    started = time.monotonic()
    with pytest.raises(IrbisUnavailable):
        await session.read("RDR", 1)
    assert time.monotonic() - started < 1.5
    await irbis.come_up()
    assert (await session.read("RDR", 1)).fv(30) == "12345"
    await session.close()


async def test_nothing_listening_is_unavailable(irbis: FakeIrbis) -> None:
    await irbis.go_down()
    with pytest.raises(IrbisUnavailable):
        await client(irbis).connect()


async def test_a_server_that_never_answers_is_a_lost_answer_within_the_timeout(
    irbis: FakeIrbis,
) -> None:
    session = client(irbis)
    await session.connect()
    irbis.timeout, session.timeout = True, 0.3
    started = time.monotonic()
    with pytest.raises(IrbisAnswerLost):
        await session.read("RDR", 1)
    assert 0.25 < time.monotonic() - started < 2.0  # 0.3 s, on a machine others share
    irbis.timeout, session.timeout = False, 5.0
    await session.close()


async def test_a_server_that_does_not_read_is_unavailable_within_the_timeout(
    irbis: FakeIrbis,
) -> None:
    session = client(irbis)
    await session.connect()
    irbis.deaf, session.timeout = True, 1.0
    huge = Record(fields=[Field(331, "x" * 24_000_000)])  # more than the sockets buffer
    started = time.monotonic()
    with pytest.raises(IrbisUnavailable, match="not sent"):
        await session.write("RDR", huge)
    assert time.monotonic() - started < 6.0  # 1 s, and encoding 24 MB on a busy machine
    irbis.deaf, session.timeout = False, 5.0
    assert await session.max_mfn("RDR") == 3  # nothing was written
    await session.close()


async def test_a_connection_dropped_after_the_write_is_a_lost_answer(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        maria = await session.read("RDR", 1)
        maria.add(32, "maria@example.org")
        irbis.drop, irbis.fault_commands, irbis.apply_before_fault = True, {"D"}, True
        with pytest.raises(IrbisAnswerLost):
            await session.write("RDR", maria)
        irbis.drop = False
    assert irbis.record("RDR", 1).fv(32) == "maria@example.org"  # it was stored
    assert irbis.requests["D"] == 1  # and not repeated


async def test_a_dropped_read_is_a_lost_answer_and_nothing_changed(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        irbis.drop = True
        with pytest.raises(IrbisAnswerLost):
            await session.search("RDR", '"RI=12345"')
        irbis.drop = False


async def test_reading_many_stops_at_the_first_failure(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        irbis.drop, irbis.fault_commands = True, {"C"}
        with pytest.raises(IrbisAnswerLost):  # one error, not an exception group
            await session.read_many("IBIS", range(1, 4))
        irbis.drop = False
        assert [r.mfn for r in await session.read_many("IBIS", range(1, 5))] == [1, 2, 3]
        assert await session.read_many("IBIS", []) == []


async def test_an_answer_that_is_not_irbis(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        maria = await session.read("RDR", 1)
        irbis.garbage = True
        with pytest.raises(IrbisUnavailable):
            await session.read("RDR", 1)
        with pytest.raises(IrbisAnswerLost):  # a write's fate is unknown
            await session.write("RDR", maria)
        irbis.garbage = False
    assert irbis.record("RDR", 1).version == 1


async def test_an_answer_cut_short_is_never_taken_for_a_record(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        maria = await session.read("RDR", 1)
        irbis.cut = True
        with pytest.raises(IrbisUnavailable, match="cut short"):
            await session.read("RDR", 1)  # half of Иванова's fields would have parsed
        with pytest.raises(IrbisAnswerLost):
            await session.write("RDR", maria)
        irbis.cut = False
    assert irbis.record("RDR", 1).version == 2  # the write did happen


async def test_calls_at_once_each_get_their_own_answer(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        found = await asyncio.gather(
            *(session.search("RDR", f'"RI={ticket}"') for ticket in ["12345", "67890"] * 5)
        )
    assert found == [[1], [2]] * 5
    assert irbis.requests["A"] == 1


# --- the bytes on the wire ----------------------------------------------------------------


async def test_the_request_is_framed_as_irbis_expects(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        await session.read("RDR", 2, lock=False)
        request = irbis.received[-1]
    body = (
        f"C\nC\nC\n{session.client_id}\n{request.query_id}\nsecret\nlibrarian\n\n\n\nRDR\n2\n0\n"
    ).encode("cp1251")
    assert request.raw == str(len(body)).encode() + b"\n" + body


async def test_the_fake_answers_in_the_servers_framing(irbis: FakeIrbis) -> None:
    """Bytes written by hand from the protocol description, not by our client."""
    session = client(irbis)
    await session.connect()
    body = f"O\nC\nO\n{session.client_id}\n7\nsecret\nlibrarian\n\n\n\nIBIS\n".encode("cp1251")
    reader, writer = await asyncio.open_connection(irbis.host, irbis.port)
    writer.write(str(len(body)).encode() + b"\n" + body)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 2)
    writer.close()
    rest = b"\r\n" * 5 + b"4\r\n"
    expected = f"O\r\n{session.client_id}\r\n7\r\n{len(rest)}\r\n\r\n".encode() + rest
    assert answer == expected
    await session.close()


async def test_the_fake_closes_on_what_is_not_a_request(irbis: FakeIrbis) -> None:
    for junk in (b"GET / HTTP/1.1\r\n\r\n", b"99999999999\n", b"5\nA\nC\n"):
        reader, writer = await asyncio.open_connection(irbis.host, irbis.port)
        writer.write(junk)
        await writer.drain()
        writer.write_eof()
        assert await asyncio.wait_for(reader.read(), 2) == b""
        writer.close()
    assert sum(irbis.requests.values()) == 0


def documented_answer(command: str, code: int, data: str) -> bytes:
    """An answer framed by hand, its data taken from ManagedIrbis's protocol tests."""
    rest = b"\r\n" * 5 + f"{code}\r\n".encode() + data.encode("utf-8")
    return f"{command}\r\n123456\r\n1\r\n{len(rest)}\r\n\r\n".encode() + rest


EDUCATION = "^AКуда пойти учиться?^EИнформ. - реклам. справ^FЗ. М. Акулова, А. М. Бабич"
LOAN = "^B2008/2009^CO^X!NOZO^D42^E3^Z14.00^G20081218"


async def test_documented_answers_to_a_read_and_a_write_are_understood(irbis: FakeIrbis) -> None:
    async with client(irbis) as session:
        irbis.canned = [
            documented_answer("C", 0, f"123#32\r\n0#12\r\n692#{LOAN}\r\n200#{EDUCATION}\r\n"),
            documented_answer("D", 124, f"123#32\r\n0#12\x1e692#{LOAN}\x1e200#{EDUCATION}\r\n"),
        ]
        read = await session.read("IBIS", 123)
        written = await session.write("IBIS", read)
    for record in (read, written):
        assert (record.mfn, record.status, record.version) == (123, 32, 12)
        assert [f.tag for f in record.fields] == [692, 200]
        assert record.fv(200, "a") == "Куда пойти учиться?"
        assert record.fv(692, "z") == "14.00"


async def test_the_fake_answers_a_write_as_the_documentation_shows(irbis: FakeIrbis) -> None:
    session = client(irbis)
    await session.connect()
    record = "2#0\x1f\x1e0#1\x1f\x1e10#Петров\x1f\x1e30#67890"
    body = (
        f"D\nC\nD\n{session.client_id}\n9\nsecret\nlibrarian\n\n\n\nRDR\n0\n1\n{record}\n"
    ).encode()
    reader, writer = await asyncio.open_connection(irbis.host, irbis.port)
    writer.write(str(len(body)).encode() + b"\n" + body)
    await writer.drain()
    answer = await asyncio.wait_for(reader.read(), 2)
    writer.close()
    rest = b"\r\n" * 5 + "3\r\n2#32\r\n0#2\x1e10#Петров\x1e30#67890\r\n".encode()
    assert answer == f"D\r\n{session.client_id}\r\n9\r\n{len(rest)}\r\n\r\n".encode() + rest
    await session.close()
