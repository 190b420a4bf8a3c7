"""`libbot import-loans`, `import-holds`, `export-renewals`, `link-code`, `unlink`:
the circulation commands staff scripts run (a public contract: add, never rename)."""

from __future__ import annotations

import argparse
import asyncio
import io
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from bot.kernel.config import Config

COMMANDS = ("import-loans", "import-holds", "export-renewals", "link-code", "unlink")


class LoansFailure(Exception):
    """One line for the operator."""


def add_commands(add: Callable[[str, str], argparse.ArgumentParser]) -> None:
    for name in ("import-loans", "import-holds"):
        sub = add(name, f"cli-{name}")
        sub.add_argument("file", metavar="FILE", help="cli-loans-file")
        sub.add_argument("--encoding", help="cli-loans-encoding")
    export = add("export-renewals", "cli-export-renewals")
    export.add_argument("--out", metavar="FILE", help="cli-export-renewals-out")
    export.add_argument("--all", action="store_true", help="cli-export-renewals-all")
    code = add("link-code", "cli-link-code")
    code.add_argument("ticket", help="cli-ticket")
    unlink = add("unlink", "cli-unlink")
    unlink.add_argument("ticket", help="cli-ticket")


def _needs_local(config: Config, command: str) -> None:
    kind = config.library_system.kind
    if kind != "local":
        raise LoansFailure(
            f"{command} loads the 'local' library system, but [library_system] kind is "
            f'{kind!r}; set kind = "local" to keep loans in libbot'
        )


async def run(config: Config, args: argparse.Namespace) -> str:
    from storage.circulation import links, open_library_system
    from storage.circulation.base import SystemUnavailable
    from storage.circulation.local_import import (
        ImportError_,
        export_renewals,
        import_holds,
        import_loans,
    )
    from storage.db import Database

    db = Database(config.database_url)
    try:
        await db.prepare()
        if args.command in ("import-loans", "import-holds"):
            _needs_local(config, args.command)
            path = Path(args.file)
            if not await asyncio.to_thread(path.is_file):
                raise LoansFailure(f"no such file: {path}")
            load = import_loans if args.command == "import-loans" else import_holds
            try:
                summary = await load(db, path, encoding=args.encoding)
            except ImportError_ as exc:
                raise LoansFailure(str(exc)) from None
            return "\n".join(summary.lines())
        if args.command == "export-renewals":
            _needs_local(config, args.command)
            buffer = io.StringIO()
            count = await export_renewals(db, buffer, everything=args.all, zone=config.library.zone)
            if args.out:
                # With a BOM, so Excel opens the Cyrillic correctly.
                out = Path(args.out)
                await asyncio.to_thread(out.write_text, buffer.getvalue(), encoding="utf-8-sig")
            else:
                sys.stdout.write(buffer.getvalue())
            return f"{count} renewals exported"
        # link-code and unlink: staff type tickets as readers do («№ 1001», «10-01»).
        ticket = links.typed_ticket(args.ticket)
        if ticket is None:
            raise LoansFailure(f"{args.ticket!r} does not look like a ticket number")
        if args.command == "link-code":
            system = open_library_system(config, db)
            if system is None:
                raise LoansFailure("[library_system] kind is 'none': there is nothing to link")
            try:
                patron = await system.find_patron(ticket)
            except SystemUnavailable as exc:
                raise LoansFailure(f"the library system is unavailable: {exc}") from None
            finally:
                await system.close()
            if patron is None:
                raise LoansFailure(f"ticket {ticket} is not in the library system")
            hours = config.library_system.desk_code_hours
            code = await links.issue_desk_code(
                db, ticket, valid_for=timedelta(hours=hours), issued_by="libbot link-code"
            )
            return f"code for ticket {patron.ticket}: {code} (valid {hours} h)"
        accounts = await links.unlink_ticket(db, ticket)
        return f"ticket {ticket} unlinked from {len(accounts)} messenger account(s)"
    finally:
        await db.dispose()
