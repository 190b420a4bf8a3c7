"""`libbot report --period 2026-Q3 [--branch ID] --out report.xlsx` (also `--year 2026`,
`--from/--to`, `--format csv`, `--demo`): the resource-centre report for scripts and
for staff who prefer a terminal. A public contract: keep the options as they are.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from bot.config import Config
from storage.reports.periods import Period

COMMANDS = ("report",)


class ReportFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    report = add(
        "report",
        "Resource-centre report (XLSX: Показатели, work sheets, Запросы, Графики) for a period.",
    )
    report.add_argument("--period", metavar="PERIOD", help="a quarter (2026-Q3) or month (2026-07)")
    report.add_argument("--year", metavar="YYYY", help="the whole year")
    report.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="first day")
    report.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="last day (included)")
    report.add_argument("--branch", metavar="ID", help="one branch's events and broadcasts")
    report.add_argument(
        "--out", required=True, metavar="PATH", help="the .xlsx file, or a folder for --format csv"
    )
    report.add_argument(
        "--format", choices=("xlsx", "csv"), default="xlsx", help="xlsx (default) or csv"
    )
    report.add_argument(
        "--demo", action="store_true", help="report on the demo library (`libbot demo`'s data)"
    )


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ReportFailure(f"{option}: expected a date like 2026-07-01, got {text!r}") from None


def choose_period(config: Config, args: argparse.Namespace, now: datetime) -> Period:
    """The one period the options name; exactly one way of naming it."""
    from storage.reports import periods

    zone = config.library.zone
    named = [n for n, v in (("--period", args.period), ("--year", args.year)) if v]
    if args.start or args.end:
        named.append("--from/--to")
    if len(named) != 1:
        raise ReportFailure(
            "name the period once: --period 2026-Q3, --year 2026 or --from 2026-07-01 --to …"
            + (f" (got {', '.join(named)})" if named else "")
        )
    try:
        if args.period:
            return periods.parse(args.period, zone)
        if args.year:
            if not (args.year.isdigit() and len(args.year) == 4):
                raise ReportFailure(f"--year: expected a year like 2026, got {args.year!r}")
            return periods.year(int(args.year), zone)
        if not args.start:
            raise ReportFailure("--to needs --from (the first day of the period)")
        first = _day(args.start, "--from")
        last = _day(args.end, "--to") if args.end else now.astimezone(zone).date()
        return periods.days(first, last, zone)
    except periods.PeriodError as exc:
        raise ReportFailure(str(exc)) from None


async def run(config: Config, args: argparse.Namespace) -> str:
    now = datetime.now(UTC)
    period = choose_period(config, args, now)  # before the heavy imports: a typo answers at once
    from storage.db import Database
    from storage.reports import document

    branches = {b.id for b in config.library.branches}
    if args.branch and args.branch not in branches:
        known = ", ".join(sorted(branches)) or "none in the config"
        raise ReportFailure(f"--branch: no branch {args.branch!r} (known: {known})")
    out = Path(args.out)
    if args.demo:
        from bot.demo import demo_database_url, seed_everything

        db = Database(demo_database_url(config))
        await db.upgrade()
        await seed_everything(db, config)
    else:
        db = Database(config.database_url)
        await db.prepare()
    try:
        report = await document.prepare(db, config, period, now=now, branch_id=args.branch)
    finally:
        await db.dispose()
    if args.format == "csv":
        files = await asyncio.to_thread(document.to_csv_files, report)
        await asyncio.to_thread(_write_folder, out, files)
        return f"{out}/: {len(files)} files, {period.label}"
    data = await asyncio.to_thread(document.to_xlsx, report)
    await asyncio.to_thread(out.write_bytes, data)
    rows = sum(len(rows) for rows in report.current.work.values())
    return f"{out}: {period.label}, {rows} rows of work, {len(report.current.requests)} requests"


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    if folder.exists() and not folder.is_dir():
        raise ReportFailure(f"--out {folder}: --format csv writes a folder, and this is a file")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)
