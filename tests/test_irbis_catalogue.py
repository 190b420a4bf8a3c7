"""The catalogue from IRBIS64 without an export file: read from the server
(`import-catalogue --from-irbis`, new and changed records only on the next run) or from
a master file (`import-catalogue IBIS.mst`), and found by the catalogue search; and the
catalogue card that reads a title's copies from IRBIS when a reader opens it, falling
back to the nightly index with «данные на HH:MM» when IRBIS does not answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.kernel.config.library_system import Irbis64
from broadcasts.scheduler import nightly_import, recurring_jobs
from storage.catalogue.irbis_sync import import_from_irbis
from storage.catalogue.search import search
from storage.circulation import library_today
from storage.db import Database
from storage.irbis64.master import write_master
from storage.irbis64.records import Record, records_from_exchange
from tests.conftest import RunningBot, StartBot, make_config
from tests.fakes.irbis_server import FakeIrbis
from tests.irbis_library import PASSWORD, USER, catalogue, irbis_library, irbis_settings
from tests.test_my_books import consented


def _settings(server: FakeIrbis) -> Irbis64:
    return Irbis64(host=server.host, port=server.port, username=USER, password=PASSWORD)


async def _titles(db: Database, query: str) -> list[str]:
    return [hit.title for hit in (await search(db, query, limit=10)).hits]


async def test_catalogue_read_from_the_server_then_only_what_changed(
    database: Database, tmp_path: Path
) -> None:
    async with irbis_library(library_today(make_config(tmp_path))()) as server:
        rehearsal = await import_from_irbis(
            database, _settings(server), data_dir=tmp_path, call_timeout=2, dry_run=True
        )
        assert rehearsal.added == 5
        assert await _titles(database, "мастер и маргарита") == []  # nothing written
        first = await import_from_irbis(
            database, _settings(server), data_dir=tmp_path, call_timeout=2
        )
        assert (first.read, first.added) == (5, 5)
        assert await _titles(database, "мастер и маргарита") == ["Мастер и Маргарита"]
        assert await _titles(database, "Водолазкин") == ["Лавр"]

        unchanged = await import_from_irbis(
            database, _settings(server), data_dir=tmp_path, call_timeout=2
        )
        assert (unchanged.read, unchanged.added, unchanged.updated) == (0, 0, 0)

        server.desk_edit("IBIS", 1, lambda r: r.add(910, "^a0^b1001-9^dАб"))
        server.load_text("IBIS", "#200: ^aЩегол^fД. Тартт\n#903: Ш7\n#910: ^a0^b7-1^dАб\n*****")
        server.delete("IBIS", 5)
        changed = await import_from_irbis(
            database, _settings(server), data_dir=tmp_path, call_timeout=2
        )
        assert (changed.read, changed.added, changed.updated) == (2, 1, 1)
        assert changed.withdrawn_records == 1
        assert await _titles(database, "щегол") == ["Щегол"]
        assert await _titles(database, "Водолазкин") == []


async def test_import_catalogue_from_irbis_on_the_command_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    async with irbis_library(library_today(make_config(tmp_path))()) as server:
        config.write_text(
            "[library]\nname = 'Тест'\n[library_system.irbis64]\n"
            f"host = '{server.host}'\nport = {server.port}\nusername = '{USER}'\n"
            f"password = '{PASSWORD}'\n",
            encoding="utf-8",
        )
        command = ["import-catalogue", "--from-irbis", "--config", str(config)]
        assert await asyncio.to_thread(main, command) == 0
        assert await asyncio.to_thread(main, command) == 0  # nothing changed: still fine
        await server.go_down()
        assert await asyncio.to_thread(main, command) != 0


async def test_a_master_file_is_imported_like_the_export(
    sqlite_db: Database, tmp_path: Path
) -> None:
    master = tmp_path / "IBIS.MST"
    write_master(master, records_from_exchange(catalogue()))
    from storage.catalogue.importer import import_catalogue

    summary = await import_catalogue(sqlite_db, [master])
    assert (summary.read, summary.added) == (5, 5)
    assert await _titles(sqlite_db, "Тихий Дон") == ["Тихий Дон"]


async def test_the_shared_irbis_records_through_a_master_file(
    sqlite_db: Database, tmp_path: Path, shared_data: Path
) -> None:
    text = (shared_data / "marc" / "irbis_text_records_3.txt").read_text(encoding="utf-8")
    master = tmp_path / "shared.mst"
    write_master(master, records_from_exchange(text))
    from storage.catalogue.importer import import_catalogue

    summary = await import_catalogue(sqlite_db, [master])
    assert summary.read == 3
    assert summary.imported == 3
    assert await _titles(sqlite_db, "Странные люди")


# --- the catalogue card, live ----------------------------------------------------------


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[FakeIrbis]:
    async with irbis_library(library_today(make_config(tmp_path))()) as running:
        yield running


@pytest.fixture
async def library(server: FakeIrbis, start_bot: StartBot, tmp_path: Path) -> RunningBot:
    config = make_config(tmp_path, library_system=irbis_settings(server))
    running = await start_bot(config)
    await import_from_irbis(
        running.db, config.library_system.irbis64, data_dir=tmp_path, call_timeout=2
    )
    return running


async def test_card_shows_copies_as_irbis_has_them_now(
    library: RunningBot, server: FakeIrbis
) -> None:
    anna = await consented(library, 7001)  # not linked: anyone may look at a card
    await anna.send("Мастер и Маргарита")
    card = await anna.click("1. Мастер и Маргарита")
    due = library_today(library.config)() + timedelta(days=5)
    assert (
        "<b>Центральная библиотека</b> — 1 из 4 на полке; "
        f"1 выдана, вернут к {due:%d.%m.%Y}; 1 забронировано; 1 временно не выдаётся"
    ) in card.text
    assert "<b>Детская библиотека</b> — 2 из 5 на полке; 3 выданы" in card.text
    assert "данные на" not in card.text

    def lent(record: Record) -> None:  # the desk lends the last copy on the shelf
        shelf = record.all(910)[0]
        record.replace_field(shelf, shelf.with_sub("a", "1"))

    server.desk_edit("IBIS", 1, lent)
    card = await anna.click("1. Мастер и Маргарита")
    assert "<b>Центральная библиотека</b> — на полке нет; 2 выданы" in card.text

    server.timeout = True  # IRBIS stops answering: the index, and when it was read
    card = await anna.click("1. Мастер и Маргарита")
    assert "Наличие — по данным на" in card.text
    assert "библиотечная система сейчас не ответила" in card.text
    assert "<b>Центральная библиотека</b> — 1 из 4 на полке" in card.text  # as the index says


async def test_a_hold_from_the_card_is_an_order_in_irbis(
    library: RunningBot, server: FakeIrbis
) -> None:
    ivan = await consented(library, 7003, "Иван")
    await ivan.send("📚 Мои книги")
    await ivan.send("1002")
    await ivan.send("Сидоров 1990")
    await ivan.send("Мастер и Маргарита")
    await ivan.click("1. Мастер и Маргарита")
    await ivan.click("Забронировать")
    reply = await ivan.click("Детская библиотека")
    assert "забронирована в библиотечной системе (забрать: Детская библиотека)" in reply.text
    order = server.records("RQST")[-1]
    assert [order.fv(tag) for tag in (30, 903, 102)] == ["1002", "Ш1", "Дет"]


def test_a_real_master_file_that_is_not_a_catalogue_is_read_and_refused(
    tmp_path: Path, shared_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """IRBIS64's own synonym dictionary (SYNON.MST + .XRF, 13,805 records): every record
    is read from the master file, none has a title, and the command says so and fails."""
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    master = shared_data / "irbis64" / "SYNON.MST"
    assert main(["import-catalogue", str(master), "--config", str(config)]) != 0
    out = capsys.readouterr().out
    assert out.startswith("Импортировано записей: 0, пропущено: 13805")
    assert "SYNON.MST MFN 20: no title (200 ^A)" in out


async def test_the_nightly_job_reads_the_catalogue_from_irbis_when_there_is_no_export(
    database: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An IRBIS64 library needs no export file: the scheduler's nightly import asks the
    server (and a server that is down tonight changes nothing)."""
    async with irbis_library(library_today(make_config(tmp_path))()) as server:
        settings = {"kind": "irbis64", "irbis64": _settings(server).model_dump()}
        config = make_config(tmp_path, library_system=settings)
        assert "catalogue-import" in recurring_jobs(config, None)
        await nightly_import(database, config)
        assert await _titles(database, "мастер и маргарита") == ["Мастер и Маргарита"]
        await server.go_down()
        await nightly_import(database, config)
    assert "nightly import from IRBIS64 failed" in caplog.text
    assert await _titles(database, "Водолазкин") == ["Лавр"]  # nothing withdrawn


async def test_a_record_gone_from_irbis_altogether_is_withdrawn_by_the_key_it_had(
    database: Database, tmp_path: Path
) -> None:
    """A database reorganised at the library (deleted records purged): the records no
    longer there leave the catalogue too, known by the key they were imported under."""
    async with irbis_library(library_today(make_config(tmp_path))()) as server:
        first = await import_from_irbis(
            database, _settings(server), data_dir=tmp_path, call_timeout=2
        )
        assert first.added == 5
        last = server.records("IBIS")[-1]
        title = last.first(200).sub("a") if last.first(200) else ""
        assert title
        assert await _titles(database, title) == [title]
        server._databases["IBIS"].records.pop()  # purged: its MFN is no longer there
        again = await import_from_irbis(
            database, _settings(server), data_dir=tmp_path, call_timeout=2
        )
        assert again.withdrawn_records == 1
        assert await _titles(database, title) == []
