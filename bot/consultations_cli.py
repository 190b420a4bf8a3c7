"""Consultation commands for scripts: `libbot experts import FILE.csv` and `libbot requests
register --out FILE [--from DATE] [--to DATE]` — the request register (реестр запросов) as
XLSX or CSV. (`libbot faq import FILE.csv` with a «Тема» column, the per-topic FAQ, is
`bot.faq_cli`'s now, beside the library FAQ.)"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from bot.kernel.config import Config
from bot.texts_cli import say

COMMANDS = ("experts", "requests")


class ConsultationsFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    directory = add("experts", "cli-experts")
    directory.add_argument("action", choices=("import",))
    directory.add_argument("file", metavar="FILE", help="cli-directory-file")
    directory.add_argument("--encoding", help="cli-directory-encoding")
    register = add("requests", "cli-requests")
    register.add_argument("action", choices=("register",))
    register.add_argument("--out", required=True, metavar="FILE", help="cli-requests-out")
    register.add_argument("--from", dest="start", metavar="YYYY-MM-DD", help="cli-first-day")
    register.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="cli-last-day")


def _day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConsultationsFailure(
            f"{option}: expected a date like 2026-07-01, got {text!r}"
        ) from None


REGISTER_FORMATS = (".xlsx", ".csv")


async def run(config: Config, args: argparse.Namespace) -> str:
    if args.command == "requests" and Path(args.out).suffix.lower() not in REGISTER_FORMATS:
        # Anything else used to get an XLSX under a name no program opens it by.
        raise ConsultationsFailure(
            f"--out {args.out}: the request register is written as .xlsx or .csv;"
            " name the file with one of them"
        )
    from storage.circulation.local_import import ImportError_
    from storage.consultations import directory
    from storage.consultations.register import build_register, register_csv, register_xlsx
    from storage.db import Database

    db = Database(config.database_url)
    try:
        await db.prepare()
        if args.command == "experts":
            path = Path(args.file)
            if not await asyncio.to_thread(path.is_file):
                raise ConsultationsFailure(f"no such file: {path}")
            try:
                added = await directory.import_experts(db, path, encoding=args.encoding)
            except ImportError_ as exc:
                raise ConsultationsFailure(str(exc)) from None
            return f"experts: {added} added, the others updated"
        zone = config.library.zone
        first, last = _day(args.start, "--from"), _day(args.end, "--to")
        start = datetime.combine(first, time(), zone).astimezone(UTC) if first else None
        end = (
            datetime.combine(last + timedelta(days=1), time(), zone).astimezone(UTC)
            if last
            else None
        )
        names = {t.id: t.name for t in config.consultations.topics}
        register = await build_register(db, zone, start=start, end=end, topic_names=names)
        out = Path(args.out)
        if out.suffix.lower() == ".csv":
            data = register_csv(register)
        else:
            period = f"{first or '…'} — {last or datetime.now(zone).date()}"
            data = register_xlsx(register, f"Реестр запросов {period}")
        await asyncio.to_thread(out.write_bytes, data)
        return say("cli-register-written", out=str(out), requests=len(register.rows))
    finally:
        await db.dispose()
