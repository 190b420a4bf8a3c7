"""`libbot demo --library-system irbis64`: the demo library as an IRBIS64 library.

A fake IRBIS64 server (`bot.demo.irbis_server`, the one the tests use) starts in this
process on 127.0.0.1 with the demo's own data written as IRBIS databases — readers and
their loans (RDR, field 40), the catalogue with its copies (IBIS, field 910) and the
readers' orders (RQST) — and the bot talks to it through the real IRBIS64 connector and
client, as it would to a library's server. So a librarian sees what their readers
would: «Мои книги» read from the reader record, renewals written back into it, the
catalogue imported over the protocol, and the card's copies read live. No token, no
network: nothing leaves this machine.

Demo tickets are those of the `local` demo (1001 PIN 1234 — Анна, 1002 PIN 5678 —
Борис, 1003 PIN 0000 — Вера); the PIN is the reader record's password field (130).
"""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, datetime, timedelta
from importlib.resources import files

from pydantic import SecretStr

from bot.kernel.config import Config
from bot.kernel.config.library_system import Irbis64
from storage.catalogue.irbis_sync import import_from_irbis
from storage.db import Database

USER, PASSWORD = "libbot", "demo"
# Catalogue statuses (the CSV's words) as IRBIS writes them in 910^a.
STATUS_CODES = {
    "available": "0",
    "on_loan": "1",
    "reserved": "9",
    "in_transit": "8",
    "reading_room": "5",
    "unavailable": "5",
    "lost": "4",
    "withdrawn": "6",
}
PHONES = {"1001": "+7 (900) 000-10-01", "1002": "8 900 000-10-02", "1003": "+79000001003"}


def _rows(name: str) -> list[dict[str, str]]:
    text = files(__package__).joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _day(offset: str, today: date) -> str:
    """«+5» / «-20» days from today as an IRBIS date (YYYYMMDD)."""
    return f"{today + timedelta(days=int(offset)):%Y%m%d}"


def _author(text: str) -> str:
    surname, _, initials = text.partition(",")
    return f"^a{surname.strip()}^b{initials.strip()}" if initials else f"^a{surname.strip()}"


def catalogue_text(today: date) -> str:
    """The demo catalogue as an IRBIS text export: one record per title, its shelf code
    (903) the CSV's id, so the records keep their catalogue keys."""
    records: dict[str, list[str]] = {}
    for row in _rows("catalogue.csv"):
        lines = records.get(row["id"])
        if lines is None:
            lines = records[row["id"]] = [f"#200: ^a{row['title']}^e{row['subtitle']}"]
            lines += [f"#700: {_author(a)}" for a in row["authors"].split(";") if a.strip()]
            lines.append(f"#210: ^c{row['publisher']}^d{row['year']}")
            if row["isbn"]:
                lines.append(f"#10: ^a{row['isbn']}")
            if row["series"]:
                lines.append(f"#225: ^a{row['series']}")
            lines += [f"#606: ^a{s.strip()}" for s in row["subjects"].split(";") if s.strip()]
            lines.append(f"#903: {row['id']}")
            if row["call_number"]:
                lines.append(f"#906: {row['call_number']}")
        code = STATUS_CODES.get(row["status"], "0")
        copy = row["barcode"] or row["inventory_number"]
        lines.append(f"#910: ^a{code}^b{copy}^h{row['barcode']}^d{row['branch']}")
    return "".join("\n".join(lines) + "\n*****\n" for lines in records.values())


def _shelf_codes() -> dict[str, str]:
    """Barcode or title → the title's shelf code (the CSV's id)."""
    codes: dict[str, str] = {}
    for row in _rows("catalogue.csv"):
        codes.setdefault(row["title"].casefold(), row["id"])
        if row["barcode"]:
            codes[row["barcode"]] = row["id"]
    return codes


def readers_text(today: date) -> str:
    """The demo readers (RDR) with their loans as fields 40 still out (^f ******)."""
    codes = _shelf_codes()
    readers: dict[str, list[str]] = {}
    for row in _rows("loans.csv"):
        lines = readers.get(row["ticket"])
        if lines is None:
            name, _, surname = row["name"].partition(" ")
            lines = readers[row["ticket"]] = [
                f"#10: {surname}",
                f"#11: {name}",
                f"#17: {PHONES.get(row['ticket'], '')}",
                f"#30: {row['ticket']}",
                f"#130: {row['pin']}",
            ]
        shelf = codes.get(row["barcode"]) or codes.get(row["title"].casefold(), "")
        lines.append(
            f"#40: ^a{shelf}^b{row['barcode']}^c{row['title']}^d{_day(row['issued'], today)}"
            f"^e{_day(row['due'], today)}^f******^h{row['barcode']}^kЦБ^4{row['renewals']}"
        )
    return "".join("\n".join(lines) + "\n*****\n" for lines in readers.values())


def orders_text(today: date, branch_codes: dict[str, str]) -> str:
    """The demo holds as open orders (RQST); one on the pickup shelf has 43/44."""
    codes = _shelf_codes()
    out = []
    for row in _rows("holds.csv"):
        shelf = codes.get(row["barcode"]) or codes.get(row["title"].casefold(), "")
        lines = [
            f"#30: {row['ticket']}",
            "#1: IBIS",
            f"#903: {shelf}",
            f"#201: {row['title']}",
            f"#40: {_day('-2', today)}",
        ]
        if row["branch"]:
            lines.append(f"#102: {branch_codes.get(row['branch'], row['branch'])}")
        if row["status"] == "waiting":
            lines.append(f"#43: {_day('-1', today)}")
            lines.append(f"#44: {_day(row['pickup_until'] or '+3', today)}")
        out.append("\n".join(lines) + "\n*****\n")
    return "".join(out)


def irbis_config(config: Config, host: str, port: int) -> Config:
    """The demo's config with the `irbis64` library system on the fake server."""
    irbis = Irbis64(
        host=host,
        port=port,
        username=USER,
        password=SecretStr(PASSWORD),
        orders_database="RQST",
    )
    settings = config.library_system.model_copy(
        update={"kind": "irbis64", "verification": "password", "irbis64": irbis}
    )
    return config.model_copy(update={"library_system": settings})


@asynccontextmanager
async def demo_irbis(config: Config) -> AsyncIterator[Config]:
    """The fake IRBIS64 server with the demo library, running while the demo runs; the
    config to run the demo with."""
    from bot.demo.irbis_server import DEFAULT_PREFIXES, FakeIrbis, Index

    today = datetime.now(config.library.zone).date()
    # The stock prefixes, and the RDR index of copies on loan (the card's due dates).
    prefixes = {**DEFAULT_PREFIXES, "HI=": (Index(40, "b"), Index(40, "h"))}
    server = FakeIrbis(users={USER: PASSWORD}, prefixes=prefixes)
    branch_codes = {b.name: (b.codes or [b.id])[0] for b in config.library.branches}
    server.load_text("RDR", readers_text(today))
    server.load_text("IBIS", catalogue_text(today))
    server.load_text("RQST", orders_text(today, branch_codes))
    async with server:
        yield irbis_config(config, server.host, server.port)


async def seed_irbis_catalogue(db: Database, config: Config) -> None:
    """The nightly index, read from the IRBIS server as `import-catalogue --from-irbis`
    reads it (every record: the demo's server is new at each start)."""
    await import_from_irbis(
        db,
        config.library_system.irbis64,
        data_dir=config.data_dir / "demo-irbis",
        call_timeout=config.library_system.timeout_seconds,
        full=True,
    )
