"""`libbot events import FILE.csv`: load a season's plan of events (a public contract)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.kernel.config import Config


class EventsFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    events = add("events", "cli-events")
    events.add_argument("action", choices=("import",))
    events.add_argument("file", metavar="FILE", help="cli-events-file")


async def run(config: Config, args: argparse.Namespace) -> str:
    from storage.circulation.local_import import ImportError_
    from storage.db import Database
    from storage.events.importing import import_events

    path = Path(args.file)
    if not await asyncio.to_thread(path.is_file):
        raise EventsFailure(f"no such file: {path}")
    db = Database(config.database_url)
    try:
        await db.prepare()
        summary = await import_events(
            db,
            path,
            zone=config.library.zone,
            branches={b.id for b in config.library.branches},
            author="libbot events import",
        )
    except ImportError_ as exc:
        raise EventsFailure(str(exc)) from None
    finally:
        await db.dispose()
    return "\n".join(summary.lines())
