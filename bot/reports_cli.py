"""`libbot report --period 2026-Q3 [--branch ID] --out report.xlsx` (also `--period 2026-H1`,
`--year 2026`, `--from/--to`, `--format csv`, `--demo`): the resource-centre report for
scripts and for staff who prefer a terminal; `--public --year 2026 --out summary.html`: the
year's public summary for the library's site (figures and charts, no personal data). A
public contract: keep the options as they are.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.kernel.config import Config
from bot.texts_cli import say
from storage.reports.periods import Period

if TYPE_CHECKING:
    from storage.db import Database

COMMANDS = ("report",)


class ReportFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    report = add("report", "cli-report")
    report.add_argument("--period", metavar="PERIOD", help="cli-report-period-half")
    report.add_argument("--year", metavar="YYYY", help="cli-report-year")
    report.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="cli-first-day")
    report.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="cli-last-day")
    report.add_argument("--branch", metavar="ID", help="cli-report-branch")
    report.add_argument("--out", required=True, metavar="PATH", help="cli-report-out")
    report.add_argument(
        "--format", choices=("xlsx", "csv"), default="xlsx", help="cli-report-format"
    )
    report.add_argument("--demo", action="store_true", help="cli-report-demo")
    report.add_argument("--public", action="store_true", help="cli-report-public")


def check_out(args: argparse.Namespace) -> None:
    """`--out` names what `--format` writes: an .xlsx file, or a folder for CSV files (a
    report.docx used to get an XLSX under a name no program opens it by)."""
    suffix = Path(args.out).suffix.lower()
    if getattr(args, "public", False):
        if suffix not in (".html", ".htm") or args.format != "xlsx" or args.branch:
            raise ReportFailure(
                f"--out {args.out}: --public writes one HTML page for the whole library"
                " (name the file *.html; no --format, no --branch)"
            )
        return
    if args.format == "xlsx" and suffix != ".xlsx":
        raise ReportFailure(
            f"--out {args.out}: the report is written as .xlsx (name the file *.xlsx),"
            " or as CSV files into a folder with --format csv"
        )
    if args.format == "csv" and suffix in (".csv", ".xlsx"):
        raise ReportFailure(
            f"--out {args.out}: --format csv writes a folder of CSV files (one per sheet);"
            " name a folder"
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
            "name the period once: --period 2026-Q3 (or 2026-H1), --year 2026"
            " or --from 2026-07-01 --to …" + (f" (got {', '.join(named)})" if named else "")
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
    check_out(args)  # before the heavy imports: a typo answers at once
    period = choose_period(config, args, now)
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
        if args.public:
            return await _public(db, config, period, now, out)
        report = await document.prepare(db, config, period, now=now, branch_id=args.branch)
    finally:
        await db.dispose()
    if args.format == "csv":
        files = await asyncio.to_thread(document.to_csv_files, report)
        await asyncio.to_thread(_write_folder, out, files)
        return say("cli-report-csv-written", out=str(out), period=period.label, files=len(files))
    data = await asyncio.to_thread(document.to_xlsx, report)
    await asyncio.to_thread(out.write_bytes, data)
    rows = sum(len(rows) for rows in report.current.work.values())
    return say(
        "cli-report-written",
        out=str(out),
        period=period.label,
        rows=rows,
        requests=len(report.current.requests),
    )


def _write_folder(folder: Path, files: dict[str, bytes]) -> None:
    if folder.exists() and not folder.is_dir():
        raise ReportFailure(f"--out {folder}: --format csv writes a folder, and this is a file")
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        (folder / name).write_bytes(content)


async def _public(db: Database, config: Config, period: Period, now: datetime, out: Path) -> str:
    """The public summary: the period's figures (the same gathering as the workbook) as one
    HTML page."""
    from storage.reports import public
    from storage.reports.build import gather

    data = await gather(db, config, period, now=now)
    kinds = [kind.name for kind in config.work.kinds]
    text = await asyncio.to_thread(public.page, data, data.made_at, kinds=kinds)
    await asyncio.to_thread(out.write_text, text, encoding="utf-8")
    return say("cli-report-public-written", out=str(out), period=period.label)
