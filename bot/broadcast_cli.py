"""`libbot broadcast`: schedule, cancel or recall an announcement; the running bot sends it.
A public contract: keep the options as they are."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.kernel.config import Config

if TYPE_CHECKING:
    from storage.db import Database

COMMANDS = ("broadcast",)


class BroadcastFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    announce = add("broadcast", "cli-broadcast")
    what = announce.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="cli-broadcast-text")
    what.add_argument("--text-file", metavar="FILE", help="cli-broadcast-text-file")
    what.add_argument("--cancel", type=int, metavar="ID", help="cli-broadcast-cancel")
    what.add_argument("--recall", type=int, metavar="ID", help="cli-broadcast-recall")
    who = announce.add_mutually_exclusive_group()
    who.add_argument("--topic", help="cli-broadcast-topic")
    who.add_argument("--everyone", action="store_true", help="cli-broadcast-everyone")
    who.add_argument("--nko", action="store_true", help="cli-broadcast-nko")
    who.add_argument("--event", type=int, metavar="ID", help="cli-broadcast-event")
    announce.add_argument("--branch", default="", help="cli-broadcast-branch")
    announce.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="cli-broadcast-at")
    announce.add_argument("--urgent", action="store_true", help="cli-broadcast-urgent")
    announce.add_argument("--photo", help="cli-broadcast-photo")
    announce.add_argument(
        "--button",
        action="append",
        default=[],
        metavar="'TEXT|https://…'",
        help="cli-broadcast-button",
    )


async def run(config: Config, args: argparse.Namespace) -> str:
    from storage import outbox
    from storage.db import Database

    if args.text_file:
        args.text = await asyncio.to_thread(Path(args.text_file).read_text, encoding="utf-8")
    db = Database(config.database_url)
    try:
        await db.prepare()
        if args.cancel is not None:
            if not await outbox.cancel(db, args.cancel):
                raise BroadcastFailure(
                    f"broadcast {args.cancel} is not scheduled (already sent, or no such id)"
                )
            return f"broadcast {args.cancel} cancelled"
        if args.recall is not None:
            taken_back = await outbox.request_recall(db, args.recall, datetime.now(UTC))
            if taken_back is None:
                raise BroadcastFailure(
                    f"broadcast {args.recall} was not sent (or is already recalled)"
                )
            return (
                f"broadcast {args.recall} recalled: the running bot deletes "
                f"{taken_back.to_delete} messages; {taken_back.dropped} unsent dropped; "
                f"{taken_back.too_old} older than 48 hours stay"
            )
        text = args.text or ""
        if not text.strip():
            raise BroadcastFailure("the announcement text is empty")
        if not (args.everyone or args.topic or args.nko or args.event is not None):
            raise BroadcastFailure("say who gets it: --topic ID, --everyone, --nko or --event ID")
        if args.event is not None and not await _scheduled_event(db, args.event):
            raise BroadcastFailure(
                f"--event {args.event}: no such upcoming event (see «Мероприятия»)"
            )
        topics = {t.id: t for t in config.subscriptions.topics}
        if args.topic and args.topic not in topics:
            raise BroadcastFailure(
                f"unknown topic {args.topic!r}; expected one of: {', '.join(topics)}"
            )
        branches = {b.id for b in config.library.branches}
        if args.branch and args.branch not in branches:
            raise BroadcastFailure(
                f"unknown branch {args.branch!r}; expected one of: {', '.join(branches)}"
            )
        when = datetime.now(UTC)
        if args.at:
            try:
                local = datetime.strptime(args.at, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone set below
            except ValueError:
                raise BroadcastFailure(f"--at {args.at!r}: expected 'YYYY-MM-DD HH:MM'") from None
            when = local.replace(tzinfo=config.library.zone).astimezone(UTC)
        buttons = []
        for spec in args.button:
            label, _, url = spec.partition("|")
            if not label.strip() or not url.startswith(("https://", "http://")):
                raise BroadcastFailure(f"--button {spec!r}: expected 'Text|https://…'")
            buttons.append({"text": label.strip(), "url": url.strip()})
        broadcast_id = await outbox.create(
            db,
            text=text.strip(),
            audience=outbox.Audience(
                topic=args.topic,
                branch=args.branch,
                everyone=args.everyone,
                nko=args.nko,
                event_id=args.event,
            ),
            scheduled_at=when,
            photo=args.photo,
            buttons=buttons,
            urgent=args.urgent,
            author_name="libbot broadcast",
        )
        local_time = when.astimezone(config.library.zone)
        return f"broadcast {broadcast_id} scheduled for {local_time:%Y-%m-%d %H:%M} (library time)"
    finally:
        await db.dispose()


async def _scheduled_event(db: Database, event_id: int) -> bool:
    from storage.events.models import Event, EventStatus

    async with db.transaction() as session:
        event = await session.get(Event, event_id)
    return event is not None and event.status == EventStatus.SCHEDULED
