"""`libbot` (also `python -m bot`): the one command librarians and scripts use.

Subcommand names and options are a public contract: add, never rename. Help and
summaries speak Russian, as the bot does (`bot.texts_cli`). Problems the operator can
fix (a config typo, an outdated database) end with one line on stderr and exit code 2,
not a traceback.

Start-up is kept short: this module imports only what every command needs, so a config
that cannot work (`libbot run` without a token) is refused before the bot, SQLAlchemy or
the report libraries are loaded, and the demo says «Загружаю…» before it loads them.
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

from bot import (
    broadcast_cli,
    consultations_cli,
    events_cli,
    faq_cli,
    grants_cli,
    loans_cli,
    reports_cli,
    work_cli,
)
from bot.kernel.config import Config, ConfigError, load_config
from bot.kernel.log_format import PrivateFormatter
from bot.texts_cli import Parser, say

if TYPE_CHECKING:
    from storage.catalogue.importer import ImportSummary

EXIT_USAGE = 2


class Failure(Exception):
    """Something the operator must fix; the message is one line."""


# Failures whose message is the one line the operator reads.
OPERATOR_FAILURES = (
    ConfigError,
    Failure,
    broadcast_cli.BroadcastFailure,
    loans_cli.LoansFailure,
    events_cli.EventsFailure,
    consultations_cli.ConsultationsFailure,
    faq_cli.FaqFailure,
    reports_cli.ReportFailure,
    work_cli.WorkFailure,
    grants_cli.GrantsFailure,
)


def _parser() -> argparse.ArgumentParser:
    parser = Parser(prog="libbot", description="cli-description")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def add(name: str, help_: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_, description=help_)
        sub.add_argument("--config", metavar="FILE", help="cli-config")
        return sub

    run = add("run", "cli-run")
    run.add_argument(
        "--role",
        choices=("all", "web", "sender", "scheduler"),
        default="all",
        help="cli-run-role",
    )

    demo = add("demo", "cli-demo")
    demo.add_argument(
        "--as",
        dest="as_user",
        choices=("reader", "admin", "expert"),
        default="reader",
        help="cli-demo-as",
    )
    demo.add_argument(
        "--library-system",
        choices=("local", "irbis64"),
        default="local",
        help="cli-demo-library-system",
    )

    imports = add("import-catalogue", "cli-import-catalogue")
    imports.add_argument("files", nargs="*", metavar="FILE", help="cli-import-catalogue-files")
    imports.add_argument(
        "--from-irbis", action="store_true", help="cli-import-catalogue-from-irbis"
    )
    imports.add_argument(
        "--format",
        choices=("marc21", "rusmarc", "marcxml", "irbis", "csv"),
        help="cli-import-catalogue-format",
    )
    imports.add_argument("--encoding", help="cli-import-catalogue-encoding")
    imports.add_argument("--dry-run", action="store_true", help="cli-import-catalogue-dry-run")
    imports.add_argument("--full", action="store_true", help="cli-import-catalogue-full")

    broadcast_cli.add_commands(add)
    loans_cli.add_commands(add)
    events_cli.add_commands(add)
    consultations_cli.add_commands(add)
    faq_cli.add_commands(add)
    reports_cli.add_commands(add)
    work_cli.add_commands(add)
    grants_cli.add_commands(add)

    db = add("db", "cli-db")
    db.add_argument("action", choices=("upgrade", "downgrade", "current", "backup", "restore"))
    db.add_argument("revision", nargs="?", help="cli-db-revision")
    return parser


def _setup_logging(level: str, *, quiet: bool = False) -> None:
    threshold = logging.WARNING if quiet else getattr(logging, level)
    handler = logging.StreamHandler(sys.stderr)
    # Tracebacks without exception messages: those may quote what a reader wrote.
    handler.setFormatter(PrivateFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=threshold, handlers=[handler])
    # Alembic narrates every start-up at INFO; operators only need its warnings.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, threshold))
    # matplotlib announces rebuilding its font cache (a first run, a new HOME) at INFO.
    logging.getLogger("matplotlib").setLevel(max(logging.WARNING, threshold))
    # APScheduler says «Running job…» and «…executed successfully» at INFO for every run of
    # every job (two lines every 15 s); its warnings (a missed run) and job errors stay.
    # Whoever asks for DEBUG gets them all.
    logging.getLogger("apscheduler").setLevel(
        threshold if threshold <= logging.DEBUG else max(logging.WARNING, threshold)
    )


async def _run(config: Config, role: str = "all") -> None:
    if config.telegram.token is None and config.vk.token is None and config.max.token is None:
        raise Failure(
            "[telegram] token, [vk] token or [max] token is required to run: set one in the "
            "config or LIBBOT_TELEGRAM__TOKEN / LIBBOT_VK__TOKEN / LIBBOT_MAX__TOKEN"
        )
    staff_on = config.staff.chat_messenger
    if config.staff.chat_id is not None and getattr(config, staff_on).token is None:
        raise Failure(
            f"[staff] chat_messenger is {staff_on!r} but [{staff_on}] token is not set: "
            "the staff chat could not be reached"
        )
    # Only now the bot itself: loading it takes seconds, and the checks above must not wait.
    from bot.serve import TokenRejected, serve

    try:
        await serve(config, role=role)
    except TokenRejected as rejected:
        raise Failure(str(rejected)) from None


async def _import(config: Config, args: argparse.Namespace) -> ImportSummary:
    from storage.catalogue.importer import import_catalogue
    from storage.catalogue.readers import UnknownFormat
    from storage.db import Database

    if args.from_irbis:
        return await _import_from_irbis(config, args)
    paths = [Path(name) for name in args.files]
    if not paths:
        raise Failure("name the export files to import, or pass --from-irbis")
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


async def _import_from_irbis(config: Config, args: argparse.Namespace) -> ImportSummary:
    """The catalogue read from the IRBIS64 server of `[library_system.irbis64]`."""
    from storage.catalogue.irbis_sync import import_from_irbis
    from storage.db import Database
    from storage.irbis64 import IrbisError

    settings = config.library_system.irbis64
    if args.files:
        raise Failure("--from-irbis reads the server: name no files")
    if not settings.username:
        raise Failure("--from-irbis needs [library_system.irbis64] host, username and password")
    db = Database(config.database_url)
    progress = _Progress() if sys.stderr.isatty() else None
    try:
        await db.prepare()
        return await import_from_irbis(
            db,
            settings,
            data_dir=config.data_dir,
            call_timeout=config.library_system.timeout_seconds,
            full=args.full,
            dry_run=args.dry_run,
            progress=progress,
        )
    except IrbisError as exc:
        raise Failure(str(exc)) from None
    finally:
        if progress is not None:
            progress.done()
        await db.dispose()


def _import_lines(summary: ImportSummary) -> list[str]:
    """What an import did, for staff: the headline first, then the figures and the reasons
    records were skipped (the reasons as the readers of each format name them)."""
    mode = "dry-run" if summary.dry_run else "done"
    lines = [
        summary.headline(),
        say(
            "cli-import-read",
            read=summary.read,
            seconds=summary.seconds,
            rate=round(summary.read / summary.seconds) if summary.seconds > 0 else 0,
        ),
        say(
            "cli-import-changes",
            mode=mode,
            added=summary.added,
            updated=summary.updated,
            unchanged=summary.unchanged,
        ),
        say(
            "cli-import-withdrawn",
            mode=mode,
            records=summary.withdrawn_records,
            copies=summary.items_withdrawn,
        ),
    ]
    if summary.skipped_total:  # the headline has the count; the reasons follow this line
        lines.append(say("cli-import-skipped", skipped=summary.skipped_total))
    lines += [f"  {count} × {reason}" for reason, count in summary.skipped.most_common()]
    lines += [f"  {say('cli-import-example', example=example)}" for example in summary.examples]
    if summary.skipped_total > len(summary.examples) > 0:
        more = summary.skipped_total - len(summary.examples)
        lines.append(f"  {say('cli-import-more', more=more)}")
    if summary.withdrawal_refused:
        lines.append(say("cli-import-nothing-withdrawn", reason=summary.withdrawal_refused))
    if summary.dry_run:
        lines.append(say("cli-import-dry-run"))
    return lines


class _Progress:
    """A one-line counter on a terminal; nothing when output is piped."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, count: int) -> None:
        rate = count / max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(f"\r{say('cli-import-progress', count=count, rate=round(rate))}")
        sys.stderr.flush()

    def done(self) -> None:
        sys.stderr.write("\n")


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


def _demo(args: argparse.Namespace) -> None:
    # A line at once: loading the bot for the demo takes seconds, and a blank terminal
    # looks like a hang. On stderr, so a piped demo's transcript stays the conversation.
    sys.stderr.write(say("cli-loading") + "\n")
    sys.stderr.flush()
    from bot.demo import demo_config, run_demo

    config = load_config(args.config) if args.config else demo_config()
    _setup_logging(config.logging.level, quiet=True)
    asyncio.run(run_demo(config, as_user=args.as_user, library_system=args.library_system))


def _loaded(module: str, name: str) -> type[BaseException] | None:
    """An exception class from a module, if that module was ever loaded: an exception of
    a module nobody imported cannot have been raised, and importing it just to check would
    slow down every command."""
    loaded = sys.modules.get(module)
    found = getattr(loaded, name, None) if loaded is not None else None
    return found if isinstance(found, type) and issubclass(found, BaseException) else None


def _explained(exc: Exception) -> tuple[int, str] | None:
    """The exit code and the one line for a problem the operator can fix; None for a bug,
    whose traceback is the report."""
    outdated = _loaded("storage.db", "SchemaOutdated")
    if isinstance(exc, OPERATOR_FAILURES) or (outdated is not None and isinstance(exc, outdated)):
        return EXIT_USAGE, str(exc)
    database_error = _loaded("sqlalchemy.exc", "SQLAlchemyError")
    if isinstance(exc, ConnectionError) or (
        database_error is not None and isinstance(exc, database_error)
    ):
        first = (str(exc).splitlines() or [type(exc).__name__])[0]
        return 1, f"cannot use the database: {first}"
    if isinstance(exc, OSError):
        return 1, f"{exc.strerror or exc}: {getattr(exc, 'filename', '') or ''}"
    return None


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "demo":
            _demo(args)
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
            sys.stdout.write("\n".join(_import_lines(summary)) + "\n")
            # From IRBIS, a run with nothing new or changed since the last one is fine.
            if not summary.imported and not (args.from_irbis and not summary.read):
                raise Failure("no record was imported: see the reasons above")
        elif args.command in broadcast_cli.COMMANDS:
            sys.stdout.write(asyncio.run(broadcast_cli.run(config, args)) + "\n")
        elif args.command == "db":
            sys.stderr.write(asyncio.run(_db(config, args.action, args.revision)) + "\n")
        elif args.command == "events":
            sys.stdout.write(asyncio.run(events_cli.run(config, args)) + "\n")
        elif args.command in reports_cli.COMMANDS:
            sys.stdout.write(asyncio.run(reports_cli.run(config, args)) + "\n")
        elif args.command in consultations_cli.COMMANDS:
            sys.stdout.write(asyncio.run(consultations_cli.run(config, args)) + "\n")
        elif args.command in faq_cli.COMMANDS:
            sys.stdout.write(asyncio.run(faq_cli.run(config, args)) + "\n")
        elif args.command in work_cli.COMMANDS:
            sys.stdout.write(asyncio.run(work_cli.run(config, args)) + "\n")
        elif args.command in grants_cli.COMMANDS:
            sys.stdout.write(asyncio.run(grants_cli.run(config, args)) + "\n")
        elif args.command in loans_cli.COMMANDS:
            result = asyncio.run(loans_cli.run(config, args))
            # export-renewals writes CSV to stdout: its summary goes to stderr.
            stream = sys.stderr if args.command == "export-renewals" else sys.stdout
            stream.write(result + "\n")
        return 0
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        explained = _explained(exc)
        if explained is None:
            raise
        code, line = explained
        sys.stderr.write(f"libbot: {line}\n")
        return code
