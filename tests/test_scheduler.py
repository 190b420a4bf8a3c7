"""Jobs the running bot does by itself: the nightly import and «книгу вернули»."""

from __future__ import annotations

from pathlib import Path

from apscheduler.triggers.cron import CronTrigger

from bot.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.scheduler import build_scheduler, nightly_import
from storage.catalogue.search import search
from storage.db import Database
from tests.conftest import make_config

CSV = 'id,title,authors,branch,barcode\nn1,Лавр,"Водолазкин, Е. Г.",ЦБ,1\n'


async def test_nightly_import_follows_the_export(tmp_path: Path, sqlite_db: Database) -> None:
    export = tmp_path / "export.csv"
    export.write_text(CSV, encoding="utf-8")
    config = make_config(tmp_path, catalogue={"import_paths": ["export.csv"]})
    await nightly_import(sqlite_db, config)
    assert (await search(sqlite_db, "лавр")).total == 1
    export.write_text("id,title\nn2,Другая книга\n", encoding="utf-8")
    await nightly_import(sqlite_db, config)  # a full export: «Лавр» is gone from it
    assert (await search(sqlite_db, "лавр")).total == 0
    assert (await search(sqlite_db, "другая книга")).total == 1


async def test_nightly_import_with_a_missing_file_changes_nothing(
    tmp_path: Path, sqlite_db: Database
) -> None:
    (tmp_path / "export.csv").write_text(CSV, encoding="utf-8")
    config = make_config(tmp_path, catalogue={"import_paths": ["export.csv"]})
    await nightly_import(sqlite_db, config)
    missing = make_config(tmp_path, catalogue={"import_paths": ["gone.csv"]})
    await nightly_import(sqlite_db, missing)
    assert (await search(sqlite_db, "лавр")).total == 1


async def test_jobs_have_fixed_ids_and_library_time(tmp_path: Path, sqlite_db: Database) -> None:
    config = make_config(tmp_path, catalogue={"import_paths": ["export.csv"], "import_at": "02:30"})
    bot = create_bot("1:unused", api_server="http://127.0.0.1:9")
    try:
        scheduler = build_scheduler(sqlite_db, bot, Locales(), config, platform="telegram")
        jobs = {job.id: job for job in scheduler.get_jobs()}
        assert set(jobs) == {
            "catalogue-returns",
            "catalogue-import",
            "broadcasts-due",
            "events-seat-offers",
            "consultations-sweep",
            "events-weekly-digest",
        }
        trigger = jobs["catalogue-import"].trigger
        assert isinstance(trigger, CronTrigger)
        assert str(trigger.timezone) == "Europe/Moscow"
        assert "hour='2'" in str(trigger)
        assert "minute='30'" in str(trigger)
    finally:
        await bot.session.close()
