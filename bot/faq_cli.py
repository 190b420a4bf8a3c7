"""`libbot faq import FILE [--replace]`, `libbot faq export FILE`, `libbot faq list`: the
library FAQ in a file staff edit in Excel, and a look at what the bot answers from.

`libbot faq import FILE.csv` with a «Тема» column is still the consultations' per-topic FAQ
(Тема; Вопрос; Ответ — replaces those topics' questions), as it was before the library FAQ
came: command names are a public contract, and a script that loads that file keeps working.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.kernel.config import Config
from bot.texts_cli import say

if TYPE_CHECKING:
    from storage.db import Database
    from storage.faq.files import ImportSummary

COMMANDS = ("faq",)
ACTIONS = ("import", "export", "list")
TOPIC_HEADINGS = {"тема", "topic"}
SHOWN_SKIPS = 20  # rows skipped, told one a line; the rest counted
LIST_WIDTH = 60  # a question in `faq list`, cut to fit a terminal line


class FaqFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    faq = add("faq", "cli-faq-command")
    faq.add_argument("action", choices=ACTIONS, help="cli-faq-action")
    faq.add_argument("file", nargs="?", metavar="FILE", help="cli-faq-file")
    faq.add_argument("--replace", action="store_true", help="cli-faq-replace")
    faq.add_argument("--encoding", help="cli-directory-encoding")


async def run(config: Config, args: argparse.Namespace) -> str:
    if args.action in ("import", "export") and not args.file:
        raise FaqFailure(f"faq {args.action} needs a file, e.g. 'libbot faq {args.action} faq.csv'")
    from storage.db import Database

    db = Database(config.database_url)
    try:
        await db.prepare()
        if args.action == "list":
            return await _list(db)
        path = Path(args.file)
        if args.action == "export":
            return await _export(db, path)
        return await _import(db, config, path, replace=args.replace, encoding=args.encoding)
    finally:
        await db.dispose()


async def _list(db: Database) -> str:
    from storage.faq.entries import entries

    found = await entries(db)
    if not found:
        return say("cli-faq-empty")
    lines = [say("cli-faq-list-title", count=len(found))]
    for item in found:
        question = item.question
        if len(question) > LIST_WIDTH:
            question = question[: LIST_WIDTH - 1] + "…"
        lines.append(f"{item.id:>5}  {question}  (+{len(item.phrasings)})")
    return "\n".join(lines)


async def _export(db: Database, path: Path) -> str:
    from storage.faq.files import export_file

    try:
        count = await export_file(db, path)
    except OSError as exc:
        raise FaqFailure(f"cannot write {path}: {exc.strerror or exc}") from None
    return say("cli-faq-exported", out=str(path), count=count)


async def _import(
    db: Database, config: Config, path: Path, *, replace: bool, encoding: str | None
) -> str:
    from storage.faq.files import FaqFileError, headings, import_file

    if not await asyncio.to_thread(path.is_file):
        raise FaqFailure(f"no such file: {path}")
    try:
        if TOPIC_HEADINGS & set(await asyncio.to_thread(headings, path, encoding)):
            return await _topic_faq(db, config, path, encoding)
        summary = await import_file(db, path, replace=replace, encoding=encoding)
    except OSError as exc:
        raise FaqFailure(f"cannot read {path}: {exc.strerror or exc}") from None
    except (FaqFileError, LookupError) as exc:  # LookupError: an unknown --encoding
        raise FaqFailure(str(exc)) from None
    if not summary.loaded:
        raise FaqFailure(
            "; ".join([say("cli-faq-nothing"), *_skip_lines(summary)[:3]]).replace("\n", " ")
        )
    return "\n".join(summary_lines(summary))


async def _topic_faq(db: Database, config: Config, path: Path, encoding: str | None) -> str:
    """The consultations' per-topic FAQ, as `libbot faq import` loaded it before."""
    from storage.circulation.local_import import ImportError_
    from storage.consultations.directory import import_faq

    topics = {t.id for t in config.consultations.topics}
    try:
        kept = await import_faq(db, path, topics, encoding=encoding)
    except ImportError_ as exc:
        raise FaqFailure(str(exc)) from None
    return f"faq: {kept} questions"


def _skip_lines(summary: ImportSummary) -> list[str]:
    return [
        say(
            f"cli-faq-skip-{skip.reason.value}",
            line=skip.line,
            limit=skip.limit,
            detail=skip.detail or "-",
        )
        for skip in summary.skipped
    ]


def summary_lines(summary: ImportSummary) -> list[str]:
    """What an import did, for staff: the figures, the rows skipped and why, and the answers
    still to be written by the library."""
    lines = [
        say(
            "cli-faq-imported",
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
            removed=summary.removed,
        )
    ]
    if summary.skipped:
        lines.append(say("cli-faq-skipped", count=len(summary.skipped)))
        skips = _skip_lines(summary)
        lines += [f"  {line}" for line in skips[:SHOWN_SKIPS]]
        if len(skips) > SHOWN_SKIPS:
            lines.append(f"  {say('cli-import-more', more=len(skips) - SHOWN_SKIPS)}")
    if summary.placeholders:
        shown = ", ".join(map(str, summary.placeholders[:SHOWN_SKIPS]))
        more = "…" if len(summary.placeholders) > SHOWN_SKIPS else ""
        lines.append(
            say("cli-faq-placeholders", count=len(summary.placeholders), lines=shown + more)
        )
    return lines
