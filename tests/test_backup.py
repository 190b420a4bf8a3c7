"""A backup made while the bot runs restores the library's data (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from storage import people
from storage.db import Database
from storage.models import Person
from tests.conftest import (
    POSTGRES_SERVER_URL,
    POSTGRES_TEST_DATABASE,
    create_database,
    drop_database,
)

# Named after this run's database, so two runs never restore into the same one.
RESTORED_DATABASE = f"{POSTGRES_TEST_DATABASE}_restore"


def config_for(tmp_path: Path, url: str) -> Path:
    path = tmp_path / f"config-{abs(hash(url))}.toml"
    path.write_text(f"[library]\nname = 'Тест'\n[database]\nurl = '{url}'\n", encoding="utf-8")
    return path


async def _fresh_postgres_database() -> str:
    return await create_database(POSTGRES_SERVER_URL, RESTORED_DATABASE)


async def libbot_db(action: str, file: Path, config: Path) -> int:
    """`libbot db backup|restore FILE` as an operator runs it (off this test's loop)."""
    return await asyncio.to_thread(main, ["db", action, str(file), "--config", str(config)])


async def test_a_backup_restores_into_an_empty_database(database: Database, tmp_path: Path) -> None:
    for user_id in ("1", "2", "3"):
        await people.resolve(database, "telegram", user_id)
    backup_file = tmp_path / "libbot.backup"
    source = config_for(tmp_path, database.url)
    assert await libbot_db("backup", backup_file, source) == 0
    assert backup_file.stat().st_size > 0
    if database.dialect == "sqlite":
        target_url = f"sqlite+aiosqlite:///{tmp_path / 'restored' / 'libbot.sqlite3'}"
    else:
        target_url = await _fresh_postgres_database()
    assert await libbot_db("restore", backup_file, config_for(tmp_path, target_url)) == 0
    restored = Database(target_url)
    try:
        async with restored.transaction() as session:
            count = await session.scalar(select(func.count()).select_from(Person))
        assert count == 3
        await restored.prepare()  # the schema is current: `libbot run` would start on it
    finally:
        await restored.dispose()
        if database.dialect == "postgresql":
            await drop_database(POSTGRES_SERVER_URL, RESTORED_DATABASE)


def test_backup_problems_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = config_for(tmp_path, f"sqlite+aiosqlite:///{tmp_path / 'none' / 'x.sqlite3'}")
    assert main(["db", "backup", str(tmp_path / "b"), "--config", str(config)]) == 2
    assert main(["db", "restore", "--config", str(config)]) == 2
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors[0].startswith("libbot: no database at")
    assert errors[1] == "libbot: db restore needs a file, e.g. 'libbot db restore libbot.backup'"


def test_restoring_a_wrong_file_changes_nothing(tmp_path: Path) -> None:
    live = tmp_path / "data" / "libbot.sqlite3"
    live.parent.mkdir()
    with closing(sqlite3.connect(live)) as db:
        db.execute("CREATE TABLE kept (x)")
        db.commit()
    wrong = tmp_path / "notes.txt"
    wrong.write_text("not a database at all " * 100, encoding="utf-8")
    config = config_for(tmp_path, f"sqlite+aiosqlite:///{live}")
    assert main(["db", "restore", str(wrong), "--config", str(config)]) == 2
    with closing(sqlite3.connect(live)) as db:
        assert db.execute("SELECT name FROM sqlite_master").fetchall() == [("kept",)]
