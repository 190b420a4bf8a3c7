"""One regression test per defect found in review, named after what broke."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo import seed_catalogue
from bot.kernel.config import ConfigError, parse_config
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.returns import notify_returned
from storage import people
from storage.catalogue import watches
from storage.catalogue.importer import import_catalogue
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.catalogue.readers import UnknownFormat, normalise_encoding
from storage.catalogue.search import search
from storage.db import Database
from storage.models import Activity
from tests.conftest import RunningBot, StartBot, library_config, make_config
from tests.test_catalogue_bot import NOON_IN_MOSCOW


async def test_empty_full_export_does_not_hide_the_catalogue(
    database: Database, tmp_path: Path
) -> None:
    await seed_catalogue(database)
    empty = tmp_path / "empty.mrc"
    empty.write_bytes(b"")
    summary = await import_catalogue(database, [empty], format="marc21", full=True)
    assert summary.withdrawn_records == 0
    assert "nothing withdrawn: a file gave no usable records" in "\n".join(summary.lines())
    assert (await search(database, "мастер и маргарита")).total == 1


def test_unknown_encoding_is_a_clear_error() -> None:
    assert normalise_encoding("MARC8") == "marc-8"
    assert normalise_encoding("CP1251") == "cp1251"
    with pytest.raises(UnknownFormat, match="unknown encoding 'bogus'"):
        normalise_encoding("bogus")
    with pytest.raises(ConfigError, match=r"\[catalogue\] import_encoding: unknown encoding"):
        parse_config(
            library_config(catalogue={"import_encoding": "bogus"}), source="t", base_dir=Path()
        )
    with pytest.raises(ConfigError, match=r"\[notifications\] quiet_hours: expected 'HH:MM-HH:MM'"):
        parse_config(
            library_config(notifications={"quiet_hours": "25:00-09:00"}),
            source="t",
            base_dir=Path(),
        )


async def test_title_only_csv_and_nul_bytes_import(database: Database, tmp_path: Path) -> None:
    titles = tmp_path / "titles.csv"
    titles.write_text("title\nОдна книга\nДругая книга\n", encoding="utf-8")
    irbis = tmp_path / "nul.txt"
    irbis.write_text("#200: ^AКнига\x00 с нулём\n#910: ^A0^B1^DЦБ\n*****\n", encoding="utf-8")
    summary = await import_catalogue(database, [titles, irbis])
    assert (summary.added, summary.skipped_total) == (3, 0)
    assert (await search(database, "книга с нулём")).total == 1


async def test_csv_copies_of_one_record_need_not_be_adjacent(
    database: Database, tmp_path: Path
) -> None:
    path = tmp_path / "scattered.csv"
    path.write_text(
        "id,title,branch,barcode\nb1,Лавр,ЦБ,111\nb2,Обломов,ЦБ,222\nb1,Лавр,ДБ,333\n",
        encoding="utf-8",
    )
    summary = await import_catalogue(database, [path])
    assert (summary.added, summary.skipped_total) == (2, 0)
    async with database.transaction() as session:
        barcodes = set(
            await session.scalars(
                select(CatalogueItem.barcode)
                .join(CatalogueRecord, CatalogueRecord.id == CatalogueItem.record_id)
                .where(CatalogueRecord.source_key == "001:b1")
            )
        )
    assert barcodes == {"111", "333"}


async def test_group_chat_messages_are_not_answered_or_logged(bot: RunningBot) -> None:
    update_id = bot.server.next_update_id()
    bot.server.push(
        {
            "update_id": update_id,
            "message": {
                "message_id": 1,
                "date": int(time.time()),
                "chat": {"id": -100777, "type": "supergroup", "title": "Сотрудники"},
                "from": {"id": 1301, "is_bot": False, "first_name": "Ольга"},
                "text": "Мастер и Маргарита — выдала, спасибо",
            },
        }
    )
    await bot.server.wait_processed(update_id)
    assert not [c for c in bot.server.calls_of("sendMessage") if c.chat_id == -100777]
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Activity)) == 0


async def test_hold_without_a_staff_chat_says_so_honestly(
    start_bot: StartBot, tmp_path: Path
) -> None:
    data = library_config()
    data["staff"] = {"admins": []}
    from bot.kernel.config import parse_config as parse

    bot = await start_bot(parse(data, source="t", base_dir=tmp_path))
    await seed_catalogue(bot.db)
    anna = bot.person(1302, "Анна")
    await anna.send("/start")
    await anna.click("Согласен")
    await anna.send("Лавр")
    await anna.click("1. Лавр")
    reply = await anna.click("Забронировать")
    assert "передать её сотрудникам сразу не получилось" in reply.text
    assert "+7 (495) 000-00-00" in reply.text


async def test_two_processes_do_not_both_send_a_returned_notice(
    database: Database,
    telegram,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    await seed_catalogue(database)
    config = make_config(tmp_path)
    reader = await people.resolve(database, "telegram", "1303")
    async with database.transaction() as session:
        record_id = await session.scalar(
            select(CatalogueRecord.id).where(CatalogueRecord.title == "Мастер и Маргарита")
        )
    assert record_id is not None
    await watches.watch(database, reader.id, record_id)
    bots = [create_bot(telegram.token, api_server=telegram.base_url) for _ in range(2)]
    try:
        sent = await asyncio.gather(
            *(
                notify_returned(
                    database, b, Locales(), config, platform="telegram", now=NOON_IN_MOSCOW
                )
                for b in bots
            )
        )
    finally:
        for b in bots:
            await b.session.close()
    assert sorted(sent) == [0, 1]
    assert [chat for chat, _ in telegram.delivered] == [1303]


async def test_role_change_log_keeps_no_trace_of_the_person(bot: RunningBot) -> None:
    olga = bot.person(1304, "Ольга")
    await olga.send("/start")
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Сотрудники и эксперты")
    await admin.click("Назначить сотрудника")
    await admin.send("telegram:1304")
    async with bot.db.transaction() as session:
        contents = list(await session.scalars(select(Activity.content)))
    assert not any("1304" in (c or "") for c in contents)
