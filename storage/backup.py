"""`libbot db backup FILE` and `libbot db restore FILE`.

SQLite: SQLite's own online backup — a consistent copy even while the bot runs and
writes (WAL); restoring copies the file back (stop the bot first). PostgreSQL:
`pg_dump --format=custom` and `pg_restore --clean --if-exists`, the server's own tools,
which must be on PATH (the postgresql-client package). The scheduler's job store is not
part of a backup: recurring jobs come from the config and announcements' jobs from the
broadcasts table when the bot starts.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from pathlib import Path

from sqlalchemy import make_url


class BackupFailed(Exception):
    """What went wrong, in one line."""


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """postgresql+asyncpg://… as the PostgreSQL tools take it: the URL without its
    password (command lines are visible to every user in `ps`), the password in PGPASSWORD."""
    parsed = make_url(url)
    env = dict(os.environ)
    if parsed.password:
        env["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupFailed(f"{name} not found: install the PostgreSQL client tools")
    return found


def _sqlite_copy(source: Path, target: Path) -> None:
    """SQLite's online backup, page by page: consistent even while the source is written."""
    with closing(sqlite3.connect(source)) as origin, closing(sqlite3.connect(target)) as copy:
        origin.backup(copy)


def backup(url: str, target: Path) -> str:
    target.parent.mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "sqlite":
        source = _sqlite_path(url)
        if not source.is_file():
            raise BackupFailed(f"no database at {source}")
        _sqlite_copy(source, target)
        return f"backed up {source} to {target}"
    address, env = _libpq(url)
    result = subprocess.run(
        [_tool("pg_dump"), "--format=custom", "--no-owner", "--file", str(target), address],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise BackupFailed(f"pg_dump failed: {result.stderr.strip().splitlines()[-1:]}")
    return f"backed up the PostgreSQL database to {target}"


def restore(url: str, source: Path) -> str:
    if not source.is_file():
        raise BackupFailed(f"no backup at {source}")
    if make_url(url).get_backend_name() == "sqlite":
        target = _sqlite_path(url)
        target.parent.mkdir(parents=True, exist_ok=True)
        # Into a new file first, checked, then in place: a wrong file changes nothing.
        staged = target.with_name(target.name + ".restoring")
        staged.unlink(missing_ok=True)
        try:
            _sqlite_copy(source, staged)
            with closing(sqlite3.connect(staged)) as check:
                verdict = check.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            staged.unlink(missing_ok=True)
            raise BackupFailed(f"{source} is not a libbot SQLite backup: {exc}") from None
        if not verdict or verdict[0] != "ok":
            staged.unlink(missing_ok=True)
            raise BackupFailed(f"{source} is damaged: {verdict}")
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(staged, target)
        return f"restored {target} from {source}"
    address, env = _libpq(url)
    result = subprocess.run(
        [
            _tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            address,
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if result.returncode != 0:
        raise BackupFailed(f"pg_restore failed: {result.stderr.strip().splitlines()[-1:]}")
    return f"restored the PostgreSQL database from {source}"
