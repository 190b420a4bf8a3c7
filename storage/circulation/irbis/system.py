"""`IrbisSystem`: the `LibrarySystem` protocol over an IRBIS64 server — which databases
and fields answer each of the bot's questions, and how a renewal is written back into
the reader record without trampling on the desk.

A renewal reads the reader record with IRBIS's lock, changes the one field 40, and
writes it back with the version it read. If the desk holds the lock or changed the
record meanwhile, the record is read again and the renewal tried once more, on the
fresh record (a book the desk issued meanwhile stays on the card); if the desk renewed
the book itself meanwhile, that is the answer, and no second renewal is spent. A write
whose answer is lost may have been stored: it is UNCONFIRMED and never repeated.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from bot.kernel.config import Branch
from bot.kernel.config.library_system import Irbis64
from storage.catalogue.availability import LiveCopy, LiveUnavailable, RecordCard, branch_resolver
from storage.catalogue.irbis import call_number
from storage.catalogue.records import ItemStatus
from storage.circulation.base import (
    Credentials,
    Hold,
    HoldOutcome,
    HoldPlacement,
    HoldRefusal,
    HoldWish,
    Loan,
    Outcome,
    Password,
    Patron,
    Refusal,
    Renewal,
    SurnameAndYear,
    SystemUnavailable,
    Verification,
    fold_name,
    normalise_phone,
    normalise_ticket,
    phones_in,
)
from storage.circulation.irbis import exemplars, loans, orders, readers, rules
from storage.circulation.irbis.loans import LoanEntry
from storage.circulation.irbis.rules import Rules
from storage.circulation.remote import renew_in_turn, unsent
from storage.irbis64 import (
    Field,
    Irbis64Client,
    IrbisAnswerLost,
    IrbisError,
    Record,
    RecordLocked,
    VersionConflict,
    WrongPassword,
    search_term,
)

log = logging.getLogger("storage.circulation.irbis")

SURNAME, NAME, PHONE, BIRTH, TICKET, LOANS = 10, 11, 17, 21, 30, 40
CODE, EXEMPLARS = 903, 910
RETRY_PAUSE = 0.3  # before the one retry of a renewal the desk got in the way of
MAX_FOUND = 20  # records a search by ticket, phone or copy may bring back
DUE_LOOKUPS = 5  # copies on loan whose due date the card looks up


class _Busy(Exception):
    """The desk holds the reader record's lock, or changed it between read and write."""


class IrbisSystem:
    """A `LibrarySystem` over an IRBIS64 server, as the bot's own IRBIS user."""

    kind = "irbis64"
    verifications = frozenset(
        {Verification.PASSWORD, Verification.SURNAME_BIRTH_YEAR, Verification.DESK_CODE}
    )

    def __init__(
        self,
        settings: Irbis64,
        rules: Rules,
        *,
        timeout: float,
        today: Callable[[], date],
        branches: Sequence[Branch] = (),
    ) -> None:
        self.settings = settings
        self._branches = branch_resolver(branches)
        self.rules = rules
        self.live_timeout = settings.live_timeout_seconds
        self._today = today
        password = settings.password.get_secret_value() if settings.password else ""
        self._irbis = Irbis64Client(
            settings.host,
            settings.port,
            settings.username,
            password,
            workstation=settings.workstation,
            timeout=timeout,
        )
        self._password = readers.field_spec(settings.password_field)
        self._unlocking: set[asyncio.Task[None]] = set()

    def __repr__(self) -> str:
        return f"IrbisSystem({self.settings.host}:{self.settings.port})"

    @property
    def _rdr(self) -> str:
        return self.settings.reader_database

    # --- the LibrarySystem protocol ------------------------------------------------------

    async def find_patron(self, ticket: str) -> Patron | None:
        record = await self._reader(ticket)
        return _patron(record) if record is not None else None

    async def verify(self, ticket: str, credentials: Credentials) -> Patron | None:
        record = await self._reader(ticket)
        if record is None:
            return None
        if isinstance(credentials, Password):
            tag, code = self._password
            stored = readers.in_field(record.fv(int(tag)), code)
            ok = readers.password_ok(stored, credentials.secret)
        elif isinstance(credentials, SurnameAndYear):
            ok = readers.identity_ok(record.fv(SURNAME), record.fv(BIRTH), credentials)
        else:
            ok = False
        return _patron(record) if ok else None

    async def patrons_by_phone(self, phone: str) -> list[Patron]:
        """Readers whose field 17 holds this number (`FindsByPhone`): the phone index is
        asked for the usual spellings of it at once, and each field 17 found is compared
        by its numbers' digits (a field may hold two numbers)."""
        digits = normalise_phone(phone)
        if digits is None:
            return []
        prefix = self.settings.prefixes.phone
        spellings = readers.phone_spellings(digits)
        expression = " + ".join(_term(prefix, term) for term in spellings)
        found = await self._search_read(self._rdr, expression)
        return [
            _patron(record)
            for record in found
            if any(digits in phones_in(f.value) for f in record.all(PHONE))
        ]

    async def loans(self, patron: Patron) -> list[Loan]:
        record = await self._reader(patron.ticket)
        if record is None:
            return []
        entries = loans.open_loans([f.value for f in record.all(LOANS)])
        waiting = await self._waited_for({e.shelf for e in entries}, patron.ticket)
        today = self._today()
        found = [self._loan(entry, patron, today, waiting) for entry in entries]
        return sorted(found, key=lambda loan: (loan.due, loan.title))

    async def holds(self, patron: Patron) -> list[Hold]:
        database = self.settings.orders_database
        if not database:
            return []
        expression = _term(self.settings.prefixes.ticket, patron.ticket)
        records = await self._search_read(database, expression)
        found = [orders.order(record) for record in records]
        return [
            Hold(
                ref=str(order.mfn),
                title=order.title,
                status=order.status,
                branch=self._branch_name(order.pickup) or None,
                pickup_until=order.pickup_until,
            )
            for order in found
            if order is not None and _same_ticket(order.ticket, patron.ticket)
        ]

    async def renew(self, patron: Patron, loan: Loan) -> Renewal:
        return (await self.renew_all(patron, [loan]))[0]

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        """Renew in turn; once IRBIS stops answering, the rest are not sent (UNAVAILABLE)."""
        if not loans:
            return []
        try:
            record = await self._reader(patron.ticket)
            if record is None:
                return [_refused(loan, Refusal.NOT_ON_LOAN) for loan in loans]
            entries = loans_of(record)
            waiting = await self._waited_for({e.shelf for e in entries}, patron.ticket)
        except SystemUnavailable:
            return unsent(loans)
        mfn = record.mfn

        async def renew_one(loan: Loan) -> Renewal:
            try:
                return await self._renew(mfn, loan, waiting)
            except _Busy:
                await asyncio.sleep(RETRY_PAUSE)
            try:
                return await self._renew(mfn, loan, waiting)
            except _Busy as busy:
                log.warning("Not renewing %r: %s", loan.ref, busy)
                return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE, detail=str(busy))

        return await renew_in_turn(loans, renew_one)

    async def place_hold(self, patron: Patron, wish: HoldWish) -> HoldPlacement:
        """An order in the orders database, for pickup at the wish's branch."""
        database = self.settings.orders_database
        if not database:
            return HoldPlacement(HoldOutcome.NOT_SUPPORTED)
        try:
            book = await self._catalogue_record(wish.control_number, wish.barcodes, wish.title)
            if book is None:
                return HoldPlacement(HoldOutcome.UNKNOWN_BOOK)
            catalogue, found = book
            code = (found.fv(CODE) or "").strip()
            if not code:  # an order names the book by its shelf code: staff place this one
                detail = f"{catalogue} MFN {found.mfn} has no shelf code (903)"
                return HoldPlacement(
                    HoldOutcome.REFUSED, refusal=HoldRefusal.NOT_HOLDABLE, detail=detail
                )
            if code in {loan.shelf for loan in loans_of(await self._reader(patron.ticket))}:
                return HoldPlacement(HoldOutcome.REFUSED, refusal=HoldRefusal.HAVE_IT)
            mine = await self._orders_for({code})
            if any(_same_ticket(order.ticket, patron.ticket) for order in mine):
                return HoldPlacement(HoldOutcome.REFUSED, refusal=HoldRefusal.ALREADY_HELD)
        except SystemUnavailable:
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        record = orders.new_order(
            ticket=patron.ticket,
            database=catalogue,
            code=code,
            title=wish.title,
            pickup=self._place_of(wish.pickup or ""),
            today=self._today(),
        )
        try:
            stored = await self._irbis.write(database, record)
        except IrbisAnswerLost as exc:
            log.warning("IRBIS order for %r sent but its answer was lost: %s", code, exc)
            return HoldPlacement(HoldOutcome.UNCONFIRMED)
        except IrbisError as exc:
            log.warning("IRBIS order for %r not placed: %s", code, exc)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        return HoldPlacement(HoldOutcome.PLACED, ref=str(stored.mfn), queue_position=len(mine) + 1)

    async def live_copies(self, card: RecordCard) -> list[LiveCopy] | None:
        """The record's 910s as IRBIS has them now, with due dates where the library
        shows them (`show_due_dates`). Raises LiveUnavailable when IRBIS cannot say."""
        code = card.source_key.removeprefix("001:") if card.source_key.startswith("001:") else None
        copies = tuple(c.barcode or c.inventory for c in card.copies if c.barcode or c.inventory)
        try:
            book = await self._catalogue_record(code, copies, card.title)
            if book is None:
                return None
            record = book[1]
            found = exemplars.exemplars([f.value for f in record.all(EXEMPLARS)])
            dues = await self._dues(found)
        except SystemUnavailable as exc:
            raise LiveUnavailable(str(exc)) from exc
        call = call_number({str(tag): [f.value for f in record.all(tag)] for tag in (906, 908)})
        return [
            LiveCopy(
                status=copy.status,
                location=self.branch_of(copy.place),
                total=copy.total,
                lent=copy.lent,
                due=dues.get(copy.inventory or copy.barcode),
                call_number=call,
            )
            for copy in found
        ]

    async def close(self) -> None:
        if self._unlocking:  # each is bounded by the client's timeout
            await asyncio.gather(*self._unlocking, return_exceptions=True)
        await self._irbis.close()

    # --- readers ----------------------------------------------------------------------

    async def _reader(self, ticket: str) -> Record | None:
        """The reader record whose field 30 is this ticket (compared without case)."""
        card = normalise_ticket(ticket)
        if not card:
            return None
        expression = _term(self.settings.prefixes.ticket, card)
        found = await self._search_read(self._rdr, expression)
        return next((r for r in found if _same_ticket(r.fv(TICKET) or "", card)), None)

    def _loan(self, entry: LoanEntry, patron: Patron, today: date, waiting: set[str]) -> Loan:
        refusal, opens = rules.refusal(
            entry, self.rules, today, waiting=entry.shelf in waiting, card=patron.refusal
        )
        return Loan(
            ref=entry.ref,
            title=entry.title,
            due=entry.due,
            barcode=entry.barcode or entry.inventory,
            issued=entry.issued,
            renewals=entry.renewals,
            max_renewals=self.rules.max_renewals,
            refusal=refusal,
            renewable_from=opens,
        )

    # --- renewal ----------------------------------------------------------------------

    async def _renew(self, mfn: int, loan: Loan, waiting: set[str]) -> Renewal:
        """One renewal, as IRBIS's workstations edit a record (`Irbis64Client.update`: read
        under the lock, edit, write back with the version read); `_Busy` when the desk
        holds the record or saved it in between."""
        today = self._today()
        decided: list[Renewal] = []

        def renew_field(record: Record) -> bool:
            fields = record.all(LOANS)
            entry = loans.find([f.value for f in fields], loan.ref)
            if entry is None:
                decided.append(_refused(loan, Refusal.NOT_ON_LOAN))
                return False
            if entry.due > loan.due:  # the desk renewed it meanwhile: no second renewal
                desk = Renewal(loan.ref, entry.title, Outcome.RENEWED, due=entry.due)
                decided.append(replace(desk, detail="renewed at the desk"))
                return False
            refusal, _ = rules.refusal(entry, self.rules, today, waiting=entry.shelf in waiting)
            if refusal is not None:
                decided.append(_refused(loan, refusal))
                return False
            new_due = rules.new_due(entry, self.rules, today)
            renewed = Field(LOANS, entry.renewed(new_due, today))
            record.replace_field(fields[entry.position], renewed)
            decided.append(Renewal(loan.ref, entry.title, Outcome.RENEWED, due=new_due))
            return True

        try:
            await self._irbis.update(self._rdr, mfn, renew_field)
        except RecordLocked as exc:
            raise _Busy("the reader record is held at the desk") from exc
        except VersionConflict as exc:
            raise _Busy("the desk saved the reader record meanwhile") from exc
        except IrbisAnswerLost as exc:
            if not decided:  # the read's answer was lost: nothing was written
                log.warning("IRBIS read of reader %s lost: %s", mfn, exc)
                return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
            log.warning("IRBIS renewal of %r sent but its answer was lost: %s", loan.ref, exc)
            self._unlock_later(mfn)  # not stored: the lock is still ours (stored: no harm)
            return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
        except IrbisError as exc:
            log.warning("IRBIS renewal of %r not done: %s", loan.ref, exc)
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        return decided[0]

    async def _unlock(self, mfn: int) -> None:
        """Give the record back to the desk. A failure is logged, not raised: the reader's
        answer does not depend on it (a lock left behind is released from АРМ
        «Администратор», and the bot's next renewal of that reader unlocks it too)."""
        try:
            await self._irbis.unlock(self._rdr, [mfn])
        except IrbisError as exc:
            log.warning("IRBIS unlock of reader %s failed: %s", mfn, exc)

    def _unlock_later(self, mfn: int) -> None:
        """Unlock without keeping the reader waiting: after a lost answer the server may be
        slow, and the reader has already waited a whole timeout."""
        task = asyncio.create_task(self._unlock(mfn), name=f"irbis-unlock-{mfn}")
        self._unlocking.add(task)
        task.add_done_callback(self._unlocking.discard)

    # --- orders -----------------------------------------------------------------------

    async def _orders_for(self, codes: set[str]) -> list[orders.Order]:
        database = self.settings.orders_database
        codes = {c for c in codes if c}
        if not database or not codes:
            return []
        prefix = self.settings.prefixes.code
        expression = " + ".join(_term(prefix, code) for code in sorted(codes))
        found = [orders.order(r) for r in await self._search_read(database, expression)]
        return [o for o in found if o is not None and o.code in codes]

    async def _waited_for(self, codes: set[str], ticket: str) -> set[str]:
        """The shelf codes another reader has an open order for."""
        if not self.rules.holds_block_renewal:
            return set()
        found = await self._orders_for(codes)
        return {o.code for o in found if not _same_ticket(o.ticket, ticket)}

    # --- the catalogue ----------------------------------------------------------------

    async def _catalogue_record(
        self, code: str | None, copies: Sequence[str], title: str = ""
    ) -> tuple[str, Record] | None:
        """The catalogue record with this shelf code (903), else the one holding one of
        these copies (inventory number or barcode), else — a record known by neither —
        the one with exactly this title (200^a); and its database."""
        prefixes = self.settings.prefixes
        terms: list[str] = []
        if code:
            terms.append(_term(prefixes.code, code))
        for copy in list(dict.fromkeys(c for c in copies if c))[:10]:
            terms.append(_term(prefixes.inventory, copy))
            if prefixes.barcode != prefixes.inventory:
                terms.append(_term(prefixes.barcode, copy))
        if terms:
            exact = (lambda r: (r.fv(CODE) or "").strip() == code) if code else (lambda _: True)
            return await self._first_found(" + ".join(terms), exact)
        word = max(re.findall(r"\w+", title), key=len, default="")
        if len(word) < 3 or not prefixes.title:
            return None
        wanted = fold_name(title)
        return await self._first_found(
            _term(prefixes.title, word),
            lambda r: fold_name(r.fv(200, "a") or "") == wanted,
            strict=True,
        )

    async def _first_found(
        self, expression: str, best: Callable[[Record], bool], *, strict: bool = False
    ) -> tuple[str, Record] | None:
        """The first record a search finds in the catalogue databases, in their order,
        preferring those `best` accepts (`strict`: only those)."""
        for database in self.settings.catalogue_databases:
            found = await self._search_read(database, expression)
            chosen = [r for r in found if best(r)] or ([] if strict else found)
            if chosen:
                return database, chosen[0]
        return None

    async def _dues(self, copies: Sequence[exemplars.Exemplar]) -> dict[str, date]:
        """Due dates of copies on loan, from the reader records that have them."""
        prefix = self.settings.prefixes.loaned_copy
        if not self.settings.show_due_dates or not prefix:
            return {}
        lent = [
            c.inventory or c.barcode
            for c in copies
            if c.status is ItemStatus.ON_LOAN and (c.inventory or c.barcode)
        ][:DUE_LOOKUPS]
        if not lent:
            return {}
        expression = " + ".join(_term(prefix, c) for c in lent)
        dues: dict[str, date] = {}
        for record in await self._search_read(self._rdr, expression):
            for entry in loans_of(record):
                for copy in (entry.inventory, entry.barcode):
                    if copy in lent:
                        dues[copy] = min(filter(None, (dues.get(copy), entry.due)))
        return dues

    # --- branches ---------------------------------------------------------------------

    def branch_of(self, place: str) -> str:
        """A storage place (910^d) as a branch id where the mapping names one."""
        mapping = {k.casefold().strip(): v for k, v in self.settings.branches.items()}
        return mapping.get(place.casefold().strip(), place)

    def _branch_name(self, place: str) -> str:
        """What a reader calls the branch a storage place belongs to."""
        branch = self._branches.get(self.branch_of(place).casefold().strip())
        return branch.name if branch is not None else place

    def _place_of(self, pickup: str) -> str:
        """A pickup branch (its id or one of its codes) as the storage place IRBIS writes:
        the first place `branches` maps to it, else as given."""
        branch = self._branches.get(pickup.casefold().strip())
        wanted = (branch.id if branch is not None else pickup).casefold()
        for place, branch_id in self.settings.branches.items():
            if branch_id.casefold() == wanted:
                return place
        return pickup

    # --- the server -------------------------------------------------------------------

    async def _search_read(self, database: str, expression: str) -> list[Record]:
        try:
            return await self._irbis.search_read(database, expression, limit=MAX_FOUND)
        except WrongPassword as exc:  # the bot's own account: staff must fix the config
            log.error("IRBIS64 refused the bot's user %r: %s", self.settings.username, exc)
            raise SystemUnavailable(f"IRBIS64: {exc}") from exc
        except IrbisError as exc:
            # What was searched for is a ticket or a phone: the log names its prefixes only.
            log.warning("IRBIS search %s %s failed: %s", database, _prefixes(expression), exc)
            raise SystemUnavailable(f"IRBIS64: {exc}") from exc


_PREFIX = re.compile(r'"([^"=\s]{1,10}=)')


def _prefixes(expression: str) -> str:
    """«"TEL=…" + "TEL=…"» → «TEL= ×2»: which dictionaries were asked, not for what."""
    found = _PREFIX.findall(expression)
    names = sorted(set(found))
    return ", ".join(f"{n} ×{found.count(n)}" for n in names) or "(no prefix)"


def loans_of(record: Record | None) -> list[LoanEntry]:
    """The open loans of a reader record (none for no record)."""
    if record is None:
        return []
    return loans.open_loans([f.value for f in record.all(LOANS)])


def _term(prefix: str, text: str) -> str:
    """A quoted search term (`search_term`: quotes and a trailing $ dropped, operators
    inert) in upper case, as IRBIS keeps its dictionary."""
    return search_term(prefix, text.strip().upper())


def _same_ticket(a: str, b: str) -> bool:
    return normalise_ticket(a).casefold() == normalise_ticket(b).casefold() != ""


def _patron(record: Record) -> Patron:
    return Patron(
        ticket=(record.fv(TICKET) or "").strip(),
        ref=(record.fv(TICKET) or "").strip(),
        name=readers.full_name(record.fv(NAME), record.fv(SURNAME)),
    )


def _refused(loan: Loan, refusal: Refusal) -> Renewal:
    return Renewal(loan.ref, loan.title, Outcome.REFUSED, refusal=refusal)
