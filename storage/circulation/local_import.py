"""Loading the `local` system from the library's exports, and listing bot renewals back.

`libbot import-loans FILE.csv` — one row per loan (or per reader with no loans):
    ticket, barcode, title, issued, due, renewals, name, surname, birth_year, pin,
    blocked, debt, phone
Only ticket is required on every row; barcode, title and due make it a loan. Russian
headings work too (билет, штрихкод / инвентарный номер, название, выдано, срок, …).
The file is the whole picture of what is on loan now: loans missing from it have
been returned. Renewals made in the bot that the export does not show yet are kept
(the later due date wins), so an export taken before staff mirrored them loses
nothing. PINs and surname + year of birth are stored only as salted hashes. Phones
(optional, for `verification = "phone"`) are kept only as the ten digits a reader's
shared contact is compared with; a file with a phone column replaces them, a file
without one leaves them.

`libbot import-holds FILE.csv` — ticket, title, barcode, status (waiting / in_transit
/ pending, or ждёт / в пути / в очереди), branch, pickup_until. Replaces all holds.
"""

from __future__ import annotations

import asyncio
import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete, select, update

from storage.catalogue.irbis import text_encoding
from storage.circulation.base import HoldStatus, phones_in
from storage.circulation.hashing import check_secret, hash_secret, identity_secret
from storage.circulation.local import local_ticket
from storage.circulation.models import LocalHold, LocalLoan, LocalPatron, LocalRenewal
from storage.csv_rows import BadLine, Rows
from storage.db import Database
from storage.spreadsheets import csv_row
from storage.types import utcnow

LOAN_COLUMNS = {
    "ticket": ("ticket", "card", "cardnumber", "билет", "читательский билет", "номер билета"),
    "barcode": ("barcode", "inventory_number", "штрихкод", "штрих-код", "инвентарный номер"),
    "title": ("title", "название", "заглавие"),
    "issued": ("issued", "issue_date", "выдано", "дата выдачи"),
    "due": ("due", "due_date", "срок", "срок возврата", "дата возврата"),
    "renewals": ("renewals", "продлений", "продления"),
    "name": ("name", "фио", "читатель"),
    "surname": ("surname", "фамилия"),
    "birth_year": ("birth_year", "год рождения"),
    "pin": ("pin", "password", "пароль", "пин"),
    "blocked": ("blocked", "блокировка", "заблокирован"),
    "debt": ("debt", "задолженность", "долг"),
    "phone": ("phone", "phones", "mobile", "телефон", "телефоны", "мобильный", "номер телефона"),
}
HOLD_COLUMNS = {
    "ticket": LOAN_COLUMNS["ticket"],
    "barcode": LOAN_COLUMNS["barcode"],
    "title": LOAN_COLUMNS["title"],
    "status": ("status", "статус"),
    "branch": ("branch", "филиал", "отдел"),
    "pickup_until": ("pickup_until", "хранится до", "забрать до"),
}
HOLD_STATUS_WORDS = {
    **{s.value: s for s in HoldStatus},
    "ждёт": HoldStatus.WAITING,
    "ждет": HoldStatus.WAITING,
    "готово": HoldStatus.WAITING,
    "в пути": HoldStatus.IN_TRANSIT,
    "в очереди": HoldStatus.PENDING,
    "": HoldStatus.PENDING,
}
YES = {"1", "yes", "y", "true", "да", "+"}


class ImportError_(Exception):
    """The file cannot be imported at all (no header, missing ticket column)."""


@dataclass
class LoadSummary:
    patrons: int = 0
    loans: int = 0
    holds: int = 0
    returned: int = 0
    kept_renewals: int = 0
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [
            f"readers: {self.patrons}",
            f"loans: {self.loans} (returned since last import: {self.returned}; "
            f"bot renewals kept: {self.kept_renewals})"
            if self.loans or self.returned
            else f"holds: {self.holds}",
        ]
        out += [f"skipped: {reason}" for reason in self.skipped[:20]]
        if len(self.skipped) > 20:
            out.append(f"… and {len(self.skipped) - 20} more skipped rows")
        return out


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?", (1, 2, 3)),
        (r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?: .*)?", (3, 2, 1)),
    ):
        match = re.fullmatch(pattern, text)
        if match:
            year, month, day = (int(match.group(i)) for i in order)
            return date(year, month, day)
    raise ValueError(f"{text!r} is not a date like 2026-11-22 or 22.11.2026")


def read_rows(
    path: Path,
    columns: dict[str, tuple[str, ...]],
    encoding: str | None,
    key: str = "ticket",
    *,
    skipped: list[str] | None = None,
) -> list[dict]:
    """Rows of a CSV export as {column: text}, whatever the headings' language or case.

    A line the csv module cannot read (a field over its 131,072-character limit) goes to
    `skipped` as "line N: reason" and reading goes on; without `skipped` the whole file
    is refused with that line named, for lists replaced or merged whole (the FAQ, the
    experts), where a silently missing row would be worse than none.
    """
    raw = path.read_bytes()
    text = raw.decode(text_encoding(path, encoding), errors="replace").lstrip("\ufeff")
    # The header line decides the delimiter: a semicolon inside a quoted field of a
    # comma file (or the reverse) must not fool it, as it fools csv.Sniffer.
    header_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=header_line.count)
    reader = Rows(io.StringIO(text, newline=""), delimiter=delimiter)
    headings = reader.header()
    if isinstance(headings, BadLine):
        raise ImportError_(f"{path.name}, {headings}; nothing imported")
    aliases = {alias: name for name, names in columns.items() for alias in names}
    header = {h: aliases.get(h.strip().lower()) for h in headings if h}
    if key not in header.values():
        raise ImportError_(
            f"{path.name}: no {key} column (expected one of: {', '.join(columns[key])})"
        )
    rows = []
    for entry in reader:
        if isinstance(entry, BadLine):
            if skipped is None:
                raise ImportError_(f"{path.name}, {entry}; nothing imported")
            skipped.append(str(entry))
            continue
        number, row = entry
        clean = {header[k]: (v or "").strip() for k, v in row.items() if k and header.get(k)}
        clean["_line"] = str(number)
        rows.append(clean)
    return rows


async def import_loans(db: Database, path: Path, *, encoding: str | None = None) -> LoadSummary:
    summary = LoadSummary()
    rows = await asyncio.to_thread(read_rows, path, LOAN_COLUMNS, encoding, skipped=summary.skipped)
    patrons: dict[str, dict[str, str]] = {}
    loans: dict[tuple[str, str, date], dict] = {}
    for row in rows:
        line = row["_line"]
        ticket = local_ticket(row.get("ticket", ""))
        if not ticket:
            summary.skipped.append(f"line {line}: no ticket")
            continue
        reader = patrons.setdefault(ticket, {})
        for key in ("name", "surname", "birth_year", "pin", "blocked", "debt"):
            if row.get(key):
                reader[key] = row[key]
        if "phone" in row:  # the file has phones: a reader without one has none now
            numbers = reader.setdefault("phone", "")
            reader["phone"] = ",".join(filter(None, (numbers, row["phone"])))
        if not (row.get("barcode") or row.get("title") or row.get("due")):
            continue  # a reader row
        try:
            due = parse_date(row.get("due", ""))
            issued = parse_date(row.get("issued", "")) or due
            renewals = int(row.get("renewals") or 0)
        except ValueError as exc:
            summary.skipped.append(f"line {line}: {exc}")
            continue
        if due is None or not row.get("title"):
            summary.skipped.append(f"line {line}: a loan needs title and due date")
            continue
        barcode = row.get("barcode") or f"#{row.get('title', '')[:50]}"
        loans[(ticket, barcode, issued)] = {
            "title": row["title"][:1000],
            "due": due,
            "renewals": max(renewals, 0),
        }
    await _store_patrons(db, patrons, summary)
    await _store_loans(db, loans, summary)
    return summary


async def _store_patrons(
    db: Database, patrons: dict[str, dict[str, str]], summary: LoadSummary
) -> None:
    async with db.transaction() as session:
        existing = {
            p.ticket: (p.password_hash, p.identity_hash)
            for p in await session.scalars(select(LocalPatron))
        }
    # Hashing is deliberately slow: done off the event loop, and only for changed secrets.
    hashes = await asyncio.to_thread(_hash_changed, patrons, existing)
    async with db.transaction() as session:
        for ticket, data in patrons.items():
            target = await session.get(LocalPatron, ticket)
            if target is None:
                target = LocalPatron(ticket=ticket)
                session.add(target)
            target.name = data.get("name") or data.get("surname") or target.name
            target.password_hash, target.identity_hash = hashes[ticket]
            blocked = data.get("blocked", "")
            target.blocked = blocked if blocked.lower() not in ("", "0", "no", "нет") else None
            debt = data.get("debt", "")
            target.debt = debt.lower() in YES or _positive_amount(debt)
            if "phone" in data:
                target.phones = ",".join(sorted(phones_in(data["phone"])))[:200] or None
            summary.patrons += 1


def _hash_changed(
    patrons: dict[str, dict[str, str]], existing: dict[str, tuple[str | None, str | None]]
) -> dict[str, tuple[str | None, str | None]]:
    result = {}
    for ticket, data in patrons.items():
        password_hash, identity_hash = existing.get(ticket, (None, None))
        pin = data.get("pin")
        if pin and not check_secret(pin, password_hash):
            password_hash = hash_secret(pin)
        year = data.get("birth_year", "")
        if data.get("surname") and year.isdigit():
            secret = identity_secret(data["surname"], int(year))
            if not check_secret(secret, identity_hash):
                identity_hash = hash_secret(secret)
        result[ticket] = (password_hash, identity_hash)
    return result


def _positive_amount(text: str) -> bool:
    try:
        return float(text.replace(",", ".")) > 0
    except ValueError:
        return False


async def _store_loans(
    db: Database, loans: dict[tuple[str, str, date], dict], summary: LoadSummary
) -> None:
    async with db.transaction() as session:
        renewed = {
            (r.ticket, r.barcode, r.issued): (r.new_due, r.renewals)
            for r in await session.scalars(select(LocalRenewal).order_by(LocalRenewal.id))
        }
        loaded = await session.scalars(select(LocalLoan))
        current = {(loan.ticket, loan.barcode, loan.issued): loan for loan in loaded}
        for key, data in loans.items():
            due, renewals = data["due"], data["renewals"]
            if key in renewed and renewed[key][0] > due:
                due, renewals = renewed[key][0], max(renewals, renewed[key][1])
                summary.kept_renewals += 1
            row = current.pop(key, None)
            if row is None:
                ticket, barcode, issued = key
                session.add(
                    LocalLoan(
                        ticket=ticket,
                        barcode=barcode,
                        issued=issued,
                        title=data["title"],
                        due=due,
                        renewals=renewals,
                    )
                )
            else:
                row.title, row.due, row.renewals = data["title"], due, renewals
            summary.loans += 1
        if current:
            await session.execute(
                delete(LocalLoan).where(LocalLoan.id.in_([loan.id for loan in current.values()]))
            )
        summary.returned = len(current)


async def import_holds(db: Database, path: Path, *, encoding: str | None = None) -> LoadSummary:
    summary = LoadSummary()
    rows = await asyncio.to_thread(read_rows, path, HOLD_COLUMNS, encoding, skipped=summary.skipped)
    holds = []
    for row in rows:
        line = row["_line"]
        ticket = local_ticket(row.get("ticket", ""))
        status = HOLD_STATUS_WORDS.get(row.get("status", "").lower())
        if not ticket or not row.get("title"):
            summary.skipped.append(f"line {line}: a hold needs ticket and title")
            continue
        if status is None:
            summary.skipped.append(f"line {line}: unknown status {row.get('status')!r}")
            continue
        try:
            until = parse_date(row.get("pickup_until", ""))
        except ValueError as exc:
            summary.skipped.append(f"line {line}: {exc}")
            continue
        holds.append(
            LocalHold(
                ticket=ticket,
                barcode=row.get("barcode", ""),
                title=row["title"][:1000],
                status=status.value,
                branch=row.get("branch") or None,
                pickup_until=until,
            )
        )
    async with db.transaction() as session:
        await session.execute(delete(LocalHold))
        session.add_all(holds)
    summary.holds = len(holds)
    return summary


RENEWAL_HEADER = (
    "ticket",
    "barcode",
    "title",
    "issued",
    "old_due",
    "new_due",
    "renewals",
    "renewed_at",
)


async def export_renewals(
    db: Database, out: io.TextIOBase | Iterable, *, everything: bool = False, zone: object = None
) -> int:
    """Write bot renewals as CSV; by default only those not exported before, marking them."""
    async with db.transaction() as session:
        query = select(LocalRenewal).order_by(LocalRenewal.id)
        if not everything:
            query = query.where(LocalRenewal.exported_at.is_(None))
        rows = list(await session.scalars(query))
        writer = csv.writer(out)  # type: ignore[arg-type]
        writer.writerow(csv_row(RENEWAL_HEADER))
        for r in rows:
            at: datetime = r.renewed_at.astimezone(zone) if zone else r.renewed_at  # type: ignore[arg-type]
            # Titles and barcodes come from the library's files: defused like any export.
            writer.writerow(
                csv_row(
                    [
                        r.ticket,
                        r.barcode,
                        r.title,
                        r.issued.isoformat(),
                        r.old_due.isoformat(),
                        r.new_due.isoformat(),
                        r.renewals,
                        at.strftime("%Y-%m-%d %H:%M"),
                    ]
                )
            )
        if not everything and rows:
            await session.execute(
                update(LocalRenewal)
                .where(LocalRenewal.id.in_([r.id for r in rows]))
                .values(exported_at=utcnow())
            )
        return len(rows)
