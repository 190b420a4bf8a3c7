"""`libbot` (also `python -m bot`): the one command librarians and scripts use.

Subcommand names and options are a public contract: add, never rename.
Problems the operator can fix (a config typo, an outdated database) end with one
line on stderr and exit code 2, not a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot import consultations_cli, events_cli, loans_cli, reports_cli
from bot.config import CONFIG_ENV_VAR, Config, ConfigError, load_config
from bot.log_format import PrivateFormatter
from storage.db import Database, SchemaOutdated

if TYPE_CHECKING:
    from storage.catalogue.importer import ImportSummary

EXIT_USAGE = 2


class Failure(Exception):
    """Something the operator must fix; the message is one line."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="libbot",
        description="Library bot for readers and NKO: Telegram (and VK), catalogue, loans, events.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.add_argument(
            "--config",
            metavar="FILE",
            help=f"configuration file (default: ${CONFIG_ENV_VAR} or ./config.toml)",
        )
        return sub

    run = add(
        "run",
        "Serve readers in the messengers configured in config.toml (Telegram, VK).",
    )
    run.add_argument(
        "--role",
        choices=("all", "web", "sender", "scheduler"),
        default="all",
        help="what this process does when the work is split across processes: web (updates), "
        "sender (the outbox), scheduler (timed jobs; one process leads); default: all",
    )

    demo = add("demo", "Talk to the bot in this terminal with a demo library; no token needed.")
    demo.add_argument(
        "--as",
        dest="as_user",
        choices=("reader", "admin", "expert"),
        default="reader",
        help="who you are in the demo: a reader (default), the library's bot admin, or an expert",
    )

    imports = add(
        "import-catalogue",
        "Import catalogue records (MARC 21/RUSMARC ISO 2709 or MARCXML, IRBIS text, CSV).",
    )
    imports.add_argument("files", nargs="+", metavar="FILE", help="export files to read")
    imports.add_argument(
        "--format",
        choices=("marc21", "rusmarc", "marcxml", "irbis", "csv"),
        help="file format (default: detected from the file)",
    )
    imports.add_argument(
        "--encoding", help="text encoding, e.g. cp1251, utf-8, marc-8 (default: detected)"
    )
    imports.add_argument(
        "--dry-run", action="store_true", help="report what would change, change nothing"
    )
    imports.add_argument(
        "--full",
        action="store_true",
        help="the files are the whole catalogue: withdraw records they do not contain",
    )

    announce = add(
        "broadcast", "Schedule an announcement for subscribers (the running bot sends it)."
    )
    what = announce.add_mutually_exclusive_group(required=True)
    what.add_argument("--text", help="the announcement (HTML formatting allowed)")
    what.add_argument("--text-file", metavar="FILE", help="read the announcement from a file")
    what.add_argument("--cancel", type=int, metavar="ID", help="cancel a scheduled announcement")
    what.add_argument(
        "--recall",
        type=int,
        metavar="ID",
        help="take a sent announcement back: delete it from chats (within 48 hours)",
    )
    who = announce.add_mutually_exclusive_group()
    who.add_argument("--topic", help="subscribers of this topic (see [subscriptions] topics)")
    who.add_argument("--everyone", action="store_true", help="everyone who wrote to the bot")
    who.add_argument(
        "--nko", action="store_true", help="NKO members: everyone who gave an organisation"
    )
    who.add_argument(
        "--event", type=int, metavar="ID", help="those registered for this event (and waiting)"
    )
    announce.add_argument("--branch", default="", help="only those following this branch")
    announce.add_argument("--at", metavar="'YYYY-MM-DD HH:MM'", help="library time (default: now)")
    announce.add_argument("--urgent", action="store_true", help="send during quiet hours too")
    announce.add_argument("--photo", help="a photo URL to send with the text")
    announce.add_argument(
        "--button",
        action="append",
        default=[],
        metavar="'TEXT|https://…'",
        help="a link button under the message (repeatable)",
    )

    loans_cli.add_commands(add)
    events_cli.add_commands(add)
    consultations_cli.add_commands(add)
    reports_cli.add_commands(add)

    db = add("db", "Database: schema upgrade, downgrade, current; backup and restore.")
    db.add_argument("action", choices=("upgrade", "downgrade", "current", "backup", "restore"))
    db.add_argument(
        "revision",
        nargs="?",
        help="target revision (upgrade: head; downgrade: required); backup/restore: the file",
    )
    return parser


def _setup_logging(level: str, *, quiet: bool = False) -> None:
    handler = logging.StreamHandler(sys.stderr)
    # Tracebacks without exception messages: those may quote what a reader wrote.
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(
        level=logging.WARNING if quiet else getattr(logging, level), handlers=[handler]
    )
    # Alembic narrates every start-up at INFO; operators only need its warnings.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, logging.root.level))
    # matplotlib announces rebuilding its font cache (a first run, a new HOME) at INFO.
    logging.getLogger("matplotlib").setLevel(max(logging.WARNING, logging.root.level))


async def _run(config: Config, role: str = "all") -> None:
    from bot.serve import TokenRejected, serve

    if config.telegram.token is None and config.vk.token is None:
        raise Failure(
            "[telegram] token or [vk] token is required to run: set one in the config "
            "or LIBBOT_TELEGRAM__TOKEN / LIBBOT_VK__TOKEN"
        )
    staff_on = config.staff.chat_messenger
    if config.staff.chat_id is not None and getattr(config, staff_on).token is None:
        raise Failure(
            f"[staff] chat_messenger is {staff_on!r} but [{staff_on}] token is not set: "
            "the staff chat could not be reached"
        )
    try:
        await serve(config, role=role)
    except TokenRejected as rejected:
        raise Failure(str(rejected)) from None


async def _import(config: Config, args: argparse.Namespace) -> ImportSummary:
    from storage.catalogue.importer import import_catalogue
    from storage.catalogue.readers import UnknownFormat
    from storage.db import Database

    paths = [Path(name) for name in args.files]
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        raise Failure(f"no such file: {', '.join(missing)}")
    db = Database(config.database_url)
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        await db.prepare()
        summary = await import_catalogue(
            db,
            paths,
            format=args.format,
            encoding=args.encoding,
            dry_run=args.dry_run,
            full=args.full,
            progress=progress,
        )
    except UnknownFormat as exc:
        raise Failure(str(exc)) from None
    finally:
        if progress is not None:
            progress.done()
        await db.dispose()
    return summary


class _Progress:
    """A one-line counter on a terminal; nothing when output is piped."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, count: int) -> None:
        rate = count / max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(f"\rimporting: {count:,} records ({rate:,.0f}/s)")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")


async def _broadcast(config: Config, args: argparse.Namespace) -> str:
    from datetime import UTC, datetime

    from storage import outbox
    from storage.db import Database

    db = Database(config.database_url)
    try:
        await db.prepare()
        if args.cancel is not None:
            if not await outbox.cancel(db, args.cancel):
                raise Failure(
                    f"broadcast {args.cancel} is not scheduled (already sent, or no such id)"
                )
            return f"broadcast {args.cancel} cancelled"
        if args.recall is not None:
            taken_back = await outbox.request_recall(db, args.recall, datetime.now(UTC))
            if taken_back is None:
                raise Failure(f"broadcast {args.recall} was not sent (or is already recalled)")
            return (
                f"broadcast {args.recall} recalled: the running bot deletes "
                f"{taken_back.to_delete} messages; {taken_back.dropped} unsent dropped; "
                f"{taken_back.too_old} older than 48 hours stay"
            )
        text = args.text or ""  # --text-file was read before the event loop started
        if not text.strip():
            raise Failure("the announcement text is empty")
        if not (args.everyone or args.topic or args.nko or args.event is not None):
            raise Failure("say who gets it: --topic ID, --everyone, --nko or --event ID")
        if args.event is not None and not await _scheduled_event(db, args.event):
            raise Failure(f"--event {args.event}: no such upcoming event (see «Мероприятия»)")
        topics = {t.id: t for t in config.subscriptions.topics}
        if args.topic and args.topic not in topics:
            raise Failure(f"unknown topic {args.topic!r}; expected one of: {', '.join(topics)}")
        branches = {b.id for b in config.library.branches}
        if args.branch and args.branch not in branches:
            raise Failure(f"unknown branch {args.branch!r}; expected one of: {', '.join(branches)}")
        when = datetime.now(UTC)
        if args.at:
            try:
                local = datetime.strptime(args.at, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - zone set below
            except ValueError:
                raise Failure(f"--at {args.at!r}: expected 'YYYY-MM-DD HH:MM'") from None
            when = local.replace(tzinfo=config.library.zone).astimezone(UTC)
        buttons = []
        for spec in args.button:
            label, _, url = spec.partition("|")
            if not label.strip() or not url.startswith(("https://", "http://")):
                raise Failure(f"--button {spec!r}: expected 'Text|https://…'")
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


async def _db(config: Config, action: str, revision: str | None) -> str:
    from storage.backup import BackupFailed, backup, restore
    from storage.db import Database

    if action in ("backup", "restore"):
        if not revision:
            raise Failure(f"db {action} needs a file, e.g. 'libbot db {action} libbot.backup'")
        work = backup if action == "backup" else restore
        try:
            return await asyncio.to_thread(work, config.database_url, Path(revision))
        except BackupFailed as exc:
            raise Failure(str(exc)) from None

    db = Database(config.database_url)
    try:
        if action == "upgrade":
            await db.upgrade(revision or "head")
        elif action == "downgrade":
            if not revision:
                raise Failure("db downgrade needs a revision, e.g. 'libbot db downgrade base'")
            await db.downgrade(revision)
        return f"database at revision {await db.current_revision() or 'base (empty)'}"
    finally:
        await db.dispose()


async def _scheduled_event(db: Database, event_id: int) -> bool:
    from storage.events.models import Event, EventStatus

    async with db.transaction() as session:
        event = await session.get(Event, event_id)
    return event is not None and event.status == EventStatus.SCHEDULED


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            from bot.demo import demo_config, run_demo

            config = load_config(args.config) if args.config else demo_config()
            _setup_logging(config.logging.level, quiet=True)
            asyncio.run(run_demo(config, as_user=args.as_user))
            return 0
        if args.command == "report" and args.demo:
            from bot.demo import demo_config

            config = load_config(args.config) if args.config else demo_config()
        else:
            config = load_config(args.config)
        _setup_logging(config.logging.level)
        if args.command == "run":
            asyncio.run(_run(config, args.role))
        elif args.command == "import-catalogue":
            summary = asyncio.run(_import(config, args))
            # Staff read the first line; scripts and cron read the exit code.
            sys.stdout.write("\n".join([summary.headline(), *summary.lines()]) + "\n")
            if not summary.imported:
                raise Failure("no record was imported: see the reasons above")
        elif args.command == "broadcast":
            if args.text_file:
                args.text = Path(args.text_file).read_text(encoding="utf-8")
            sys.stdout.write(asyncio.run(_broadcast(config, args)) + "\n")
        elif args.command == "db":
            sys.stderr.write(asyncio.run(_db(config, args.action, args.revision)) + "\n")
        elif args.command == "events":
            sys.stdout.write(asyncio.run(events_cli.run(config, args)) + "\n")
        elif args.command in reports_cli.COMMANDS:
            sys.stdout.write(asyncio.run(reports_cli.run(config, args)) + "\n")
        elif args.command in consultations_cli.COMMANDS:
            sys.stdout.write(asyncio.run(consultations_cli.run(config, args)) + "\n")
        elif args.command in loans_cli.COMMANDS:
            result = asyncio.run(loans_cli.run(config, args))
            # export-renewals writes CSV to stdout: its summary goes to stderr.
            stream = sys.stderr if args.command == "export-renewals" else sys.stdout
            stream.write(result + "\n")
        return 0
    except (
        ConfigError,
        Failure,
        SchemaOutdated,
        loans_cli.LoansFailure,
        events_cli.EventsFailure,
        consultations_cli.ConsultationsFailure,
        reports_cli.ReportFailure,
    ) as exc:
        sys.stderr.write(f"libbot: {exc}\n")
        return EXIT_USAGE
    except (SQLAlchemyError, ConnectionError) as exc:
        sys.stderr.write(f"libbot: cannot use the database: {str(exc).splitlines()[0]}\n")
        return 1
    except KeyboardInterrupt:
        return 130
    except OSError as exc:
        sys.stderr.write(f"libbot: {exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}\n")
        return 1
