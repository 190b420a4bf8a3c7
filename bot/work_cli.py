"""`libbot work add|import|kinds|forget-customer`: the resource centre's offline work from a
terminal — one record with every field an option, last season's hand-kept sheet loaded at
once (bad rows told by number, the rest loaded), the configured kinds with their sheets,
and a person named as a customer erased from every record on their request.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.kernel.config import Config
from bot.texts_cli import say

if TYPE_CHECKING:
    from storage.db import Database
    from storage.work.records import WorkDraft

COMMANDS = ("work",)
ACTIONS = ("add", "import", "kinds", "forget-customer")
SHOWN_BAD = 30  # bad rows told one a line; the rest counted
CLI_AUTHOR = "libbot work add"


class WorkFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    work = add("work", "cli-work")
    work.add_argument("action", choices=ACTIONS, help="cli-work-action")
    work.add_argument("file", nargs="?", metavar="FILE|NAME", help="cli-work-file")
    work.add_argument("--kind", help="cli-work-kind")
    work.add_argument("--content", help="cli-work-content")
    work.add_argument("--date", help="cli-work-date")
    work.add_argument("--customer", default="", help="cli-work-customer")
    work.add_argument("--executor", default="", help="cli-work-executor")
    work.add_argument("--responsible", default="", help="cli-work-responsible")
    work.add_argument("--people", type=int, help="cli-work-people")
    work.add_argument("--notes", default="", help="cli-work-notes")
    work.add_argument("--author", default=CLI_AUTHOR, help="cli-work-author")
    work.add_argument("--dry-run", action="store_true", help="cli-work-dry-run")
    work.add_argument("--encoding", help="cli-directory-encoding")


async def run(config: Config, args: argparse.Namespace) -> str:
    if args.action == "kinds":
        return _kinds(config)
    now = datetime.now(UTC)
    draft = _draft(config, args, now) if args.action == "add" else None
    if args.action != "add" and not args.file:
        example = "work.csv" if args.action == "import" else "'Иванов П. С.'"
        raise WorkFailure(
            f"work {args.action} needs an argument: libbot work {args.action} {example}"
        )
    from storage.db import Database

    db = Database(config.database_url)
    try:
        await db.prepare()
        if draft is not None:
            return await _add(db, args, draft)
        if args.action == "forget-customer":
            from storage.work.records import forget_customer

            return say("cli-work-forgotten", count=await forget_customer(db, args.file))
        return await _import(db, config, args, now)
    finally:
        await db.dispose()


def _kinds(config: Config) -> str:
    from storage.reports.offline import SHEETS

    lines = [say("cli-work-kinds-title")]
    lines += [f"  {k.name} → «{SHEETS[k.sheet].value}»" for k in config.work.kinds]
    return "\n".join(lines)


def _draft(config: Config, args: argparse.Namespace, now: datetime) -> WorkDraft:
    from storage.work.records import WorkDraft
    from storage.work.when import read_when

    if not args.kind or not (args.content or "").strip():
        raise WorkFailure("work add needs --kind and --content (see 'libbot work kinds')")
    kind = config.work.kind(args.kind)
    if kind is None:
        known = "; ".join(k.name for k in config.work.kinds)
        raise WorkFailure(f"--kind: no kind {args.kind!r} in [work] kinds (known: {known})")
    zone = config.library.zone
    when = read_when(args.date, zone, now) if args.date else (now, False)
    if when is None:
        raise WorkFailure(
            f"--date: expected a day not after today, like 12.11.2026, 12.11 14:30 or «вчера»,"
            f" got {args.date!r}"
        )
    if args.people is not None and args.people < 0:
        raise WorkFailure("--people: a count of people, 0 or more")
    return WorkDraft(
        kind=kind.name,
        content=args.content,
        done_at=when[0],
        all_day=when[1],
        responsible=args.responsible,
        customer=args.customer,
        executor=args.executor,
        people=args.people,
        notes=args.notes,
    )


async def _add(db: Database, args: argparse.Namespace, draft: WorkDraft) -> str:
    from storage.work import records

    if args.dry_run:
        return say("cli-work-added-dry", kind=draft.kind)
    item = await records.add(db, draft, author_id=None, author=args.author, source="cli")
    return say("cli-work-added", id=item.id, kind=item.draft.kind)


async def _import(db: Database, config: Config, args: argparse.Namespace, now: datetime) -> str:
    from collections import Counter

    from storage.reports.offline import sheet_for
    from storage.work.files import WorkFileError, import_file

    path = Path(args.file)
    if not await asyncio.to_thread(path.is_file):
        raise WorkFailure(f"no such file: {path}")
    try:
        done = await import_file(
            db,
            path,
            config.work,
            zone=config.library.zone,
            now=now,
            kind=args.kind,
            author=f"libbot work import {path.name}",
            dry_run=args.dry_run,
        )
    except WorkFileError as exc:
        raise WorkFailure(str(exc)) from None
    key = "cli-work-imported-dry" if args.dry_run else "cli-work-imported"
    lines = [
        say(
            key,
            file=path.name,
            added=len(done.added),
            repeated=len(done.repeated),
            bad=len(done.bad),
        )
    ]
    sheets = Counter(sheet_for(d.kind, config.work).value for d in done.added)
    lines += [f"  «{name}»: {count}" for name, count in sorted(sheets.items())]
    if done.bad:
        lines.append(say("cli-work-bad-rows"))
        lines += [f"  {bad}" for bad in done.bad[:SHOWN_BAD]]
        if len(done.bad) > SHOWN_BAD:
            lines.append(say("cli-work-bad-more", count=len(done.bad) - SHOWN_BAD))
    return "\n".join(lines)
