"""`libbot` answers at once (#19: `libbot run` without a token took 16.5 s to say so, and the
demo showed a blank screen for 11–15 s). What takes the seconds is loading the bot —
aiogram's types alone take two — so the first line must come before any of it is loaded.
`python -X importtime` reports each import on stderr as it happens, so the order of its
lines and ours shows what was loaded before the first line. The figures themselves are
bench/cold_start.py's.
"""

from __future__ import annotations

import asyncio
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot import cli
from bot.serve import JOB_LOGGER, note_jobs_cut_short
from tests.test_cli import clean_env

# What makes a start slow, and what a refusal or the help never needs.
HEAVY = ("aiogram", "sqlalchemy", "alembic", "matplotlib", "openpyxl", "pymarc", "handlers")


def with_importtime(
    tmp_path: Path, *args: str, stdin: str = ""
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env=clean_env(tmp_path),
    )


def loaded(stderr_lines: list[str]) -> set[str]:
    """The top-level packages importtime reported in these lines."""
    names = set()
    for line in stderr_lines:
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            names.add(name.split(".")[0])
    return names


def ours(stderr_lines: list[str]) -> list[str]:
    return [line for line in stderr_lines if not line.startswith("import time:")]


def test_run_without_a_token_says_so_before_loading_the_bot(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    result = with_importtime(tmp_path, "run")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    [refusal] = ours(lines)
    assert refusal.startswith("libbot: [telegram] token, [vk] token or [max] token is required")
    assert not loaded(lines) & set(HEAVY)


def test_help_loads_nothing_of_the_bot(tmp_path: Path) -> None:
    result = with_importtime(tmp_path, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("использование: libbot")
    assert not loaded(result.stderr.splitlines()) & set(HEAVY)


def test_demo_says_it_is_loading_before_it_loads(tmp_path: Path) -> None:
    result = with_importtime(tmp_path, "demo", stdin="/start\n")
    assert result.returncode == 0, ours(result.stderr.splitlines())
    lines = result.stderr.splitlines()
    first = ours(lines)[0]
    assert first == "Загружаю…"
    before = lines[: lines.index(first)]
    assert not loaded(before) & set(HEAVY)
    assert "aiogram" in loaded(lines)  # then the bot itself, and the demo's answer
    assert "О библиотеке" in result.stdout


@pytest.fixture
def logger_levels() -> Iterator[None]:
    names = ("", "alembic", "matplotlib", "apscheduler")
    levels = {name: logging.getLogger(name).level for name in names}
    handlers = list(logging.getLogger().handlers)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    root = logging.getLogger()
    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)


@pytest.mark.usefixtures("logger_levels")
def test_scheduler_runs_are_not_logged_at_the_default_level() -> None:
    """Two APScheduler lines every 15 s at INFO (#19); its warnings and job errors stay,
    and whoever asks for DEBUG sees everything."""
    executor = logging.getLogger(JOB_LOGGER)
    cli._setup_logging("INFO")
    assert not executor.isEnabledFor(logging.INFO)
    assert executor.isEnabledFor(logging.WARNING)
    assert not logging.getLogger("apscheduler.scheduler").isEnabledFor(logging.INFO)
    cli._setup_logging("DEBUG")
    assert executor.isEnabledFor(logging.INFO)
    cli._setup_logging("ERROR")
    assert not executor.isEnabledFor(logging.WARNING)


async def test_a_job_cut_short_by_a_stop_is_one_warning_without_a_traceback(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A job still running when libbot stops (a rejected token, SIGTERM) was logged as an
    error with the traceback of its cancellation (#19: some 65 lines of CancelledError)."""
    caplog.set_level(logging.INFO, logger="apscheduler")
    running = asyncio.Event()

    async def long_job() -> None:
        running.set()
        await asyncio.sleep(60)

    logger = logging.getLogger(JOB_LOGGER)
    logger.addFilter(note_jobs_cut_short)
    scheduler = AsyncIOScheduler()
    try:
        scheduler.add_job(long_job, id="long-job")
        scheduler.start()
        await asyncio.wait_for(running.wait(), 10)
        scheduler.shutdown(wait=False)
        for _ in range(5):  # the cancellation reaches the job, which the executor reports
            await asyncio.sleep(0)
    finally:
        logger.removeFilter(note_jobs_cut_short)
    reports = [r for r in caplog.records if r.name == JOB_LOGGER and r.levelno >= logging.WARNING]
    assert len(reports) == 1
    [report] = reports
    assert report.levelno == logging.WARNING
    assert report.exc_info is None
    assert "long-job" in report.getMessage() or "long_job" in report.getMessage()
