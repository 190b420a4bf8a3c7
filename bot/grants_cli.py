"""`libbot grants import FILE.csv|xlsx`: contests for the grants calendar from a file — bad
rows told by row number and reason, every other row loaded, a contest already on the
calendar (same name and deadline) not added twice. `--dry-run` only checks the file.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.kernel.config import Config
from bot.texts_cli import say

COMMANDS = ("grants",)
ACTIONS = ("import",)
SHOWN_BAD = 30  # bad rows told one a line; the rest counted


class GrantsFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    grants = add("grants", "cli-grants")
    grants.add_argument("action", choices=ACTIONS, help="cli-grants-action")
    grants.add_argument("file", metavar="FILE", help="cli-grants-file")
    grants.add_argument("--dry-run", action="store_true", help="cli-grants-dry-run")


async def run(config: Config, args: argparse.Namespace) -> str:
    from storage.db import Database
    from storage.grants.files import GrantsFileError, import_file

    path = Path(args.file)
    if not await asyncio.to_thread(path.is_file):
        raise GrantsFailure(f"no such file: {path}")
    db = Database(config.database_url)
    try:
        await db.prepare()
        done = await import_file(
            db,
            path,
            zone=config.library.timezone,
            by=f"libbot grants import {path.name}",
            dry_run=args.dry_run,
        )
    except GrantsFileError as exc:
        raise GrantsFailure(str(exc)) from None
    finally:
        await db.dispose()
    key = "cli-grants-imported-dry" if args.dry_run else "cli-grants-imported"
    counts = {"added": len(done.added), "repeated": len(done.repeated), "bad": len(done.bad)}
    lines = [say(key, file=path.name, **counts)]
    if done.bad:
        lines.append(say("cli-grants-bad-rows"))
        lines += [f"  {bad}" for bad in done.bad[:SHOWN_BAD]]
        if len(done.bad) > SHOWN_BAD:
            lines.append(say("cli-grants-bad-more", count=len(done.bad) - SHOWN_BAD))
    return "\n".join(lines)
