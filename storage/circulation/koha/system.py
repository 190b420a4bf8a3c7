"""`KohaSystem`: the `LibrarySystem` protocol over Koha's REST API — which endpoints
answer each of the bot's questions, and the checks libbot makes because Koha trusts its
API user rather than the reader."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from typing import Any

from bot.kernel.config import Koha
from storage.circulation.base import (
    Credentials,
    Hold,
    HoldOutcome,
    HoldPlacement,
    HoldRefusal,
    HoldStatus,
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
    normalise_ticket,
    phones_in,
)
from storage.circulation.koha.answers import (
    HOLD_STATUSES,
    NO_TITLE,
    Check,
    belongs,
    day,
    identity_ok,
    int_field,
    placement,
    record_title,
    refusal_for,
    refused,
    renewal,
)
from storage.circulation.koha.client import (
    TRANSPORT_ERRORS,
    UNREACHABLE,
    KohaClient,
    failure,
    opt_int,
)
from storage.circulation.remote import renew_in_turn, unsent

# The package's name: log lines read as they did before the package was split.
log = logging.getLogger("storage.circulation.koha")
# The patron fields that hold phone numbers (REST names of borrowers.phone, mobile,
# phonepro and smsalertnumber).
PHONE_FIELDS = ("phone", "mobile", "secondary_phone", "sms_number")


class KohaSystem:
    """A `LibrarySystem` over Koha's REST API, as one staff API user or OAuth client."""

    kind = "koha"
    verifications = frozenset(
        {Verification.PASSWORD, Verification.SURNAME_BIRTH_YEAR, Verification.DESK_CODE}
    )

    def __init__(
        self, settings: Koha, *, timeout: float, today: Callable[[], date] | None = None
    ) -> None:
        self._koha = KohaClient(settings, timeout=timeout)
        self._today = today or _system_today

    def __repr__(self) -> str:
        return f"KohaSystem({self._koha.base!r})"

    # --- the LibrarySystem protocol ------------------------------------------------------

    async def find_patron(self, ticket: str) -> Patron | None:
        record = await self._patron_record(ticket)
        return self._patron(record) if record is not None else None

    async def verify(self, ticket: str, credentials: Credentials) -> Patron | None:
        record = await self._patron_record(ticket)
        if record is None:
            return None
        if isinstance(credentials, Password):
            ok = await self._password_ok(record, credentials.secret)
        elif isinstance(credentials, SurnameAndYear):
            ok = identity_ok(record, credentials)
        else:
            ok = False
        return self._patron(record) if ok else None

    async def loans(self, patron: Patron) -> list[Loan]:
        # One allows_renewal call per loan, in turn: a reader has a handful, and a
        # library's Koha is not ours to flood.
        rows = await self._checkouts(patron, embed="item,item.biblio")
        loans = [await self._loan(row) for row in rows]
        return sorted(loans, key=lambda loan: (loan.due, int(loan.ref)))

    async def holds(self, patron: Patron) -> list[Hold]:
        rows = await self._koha.list("/holds", {"patron_id": patron.ref}, embed="biblio")
        return [await self._hold(row) for row in rows if belongs(row, patron)]

    async def renew(self, patron: Patron, loan: Loan) -> Renewal:
        return (await self.renew_all(patron, [loan]))[0]

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        """Renew in turn; once Koha stops answering, the rest are not sent (UNAVAILABLE)."""
        if not loans:
            return []
        try:
            owned = {str(int_field(row, "checkout_id")) for row in await self._checkouts(patron)}
        except SystemUnavailable:
            return unsent(loans)

        async def renew_owned(loan: Loan) -> Renewal:
            if loan.ref in owned:
                return await self._renew_checkout(loan)
            log.warning("Not renewing checkout %r: not on patron %s's card", loan.ref, patron.ref)
            return refused(loan, Refusal.NOT_ON_LOAN)

        return await renew_in_turn(loans, renew_owned)

    async def place_hold(self, patron: Patron, wish: HoldWish) -> HoldPlacement:
        """A record-level hold (any copy) for pickup at `wish.pickup`, or the holding
        library of the copy that named the record when the branch is unknown."""
        if not patron.ref.isdigit():
            log.warning("Not placing a hold: patron ref %r is not a Koha patron id", patron.ref)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        try:
            target = await self._hold_target(wish)
        except SystemUnavailable:
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        if target is None:
            return HoldPlacement(HoldOutcome.UNKNOWN_BOOK)
        biblio_id, holding = target
        pickup = wish.pickup or holding
        if not pickup:
            return HoldPlacement(
                HoldOutcome.REFUSED, refusal=HoldRefusal.PICKUP, detail="no pickup library"
            )
        body = {"patron_id": int(patron.ref), "biblio_id": biblio_id, "pickup_library_id": pickup}
        path = "/holds"
        try:
            reply = await self._koha.request("POST", path, body=body)
        except SystemUnavailable:  # no OAuth token: the POST never left
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        except UNREACHABLE as exc:
            log.warning("Koha unreachable for POST %s: %s", path, type(exc).__name__)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        except TRANSPORT_ERRORS as exc:
            log.warning("Hold POST %s sent but its answer was lost: %s", path, type(exc).__name__)
            return HoldPlacement(HoldOutcome.UNCONFIRMED)
        return placement(path, reply)

    async def patrons_by_phone(self, phone: str) -> list[Patron]:
        """Readers with this number (ten national digits) in any phone field.

        Koha keeps numbers as staff typed them («8 (912) 345-67-89», «+79123456789»), so
        Koha is asked for records holding the ten digits in order with anything between
        (`LIKE '%9%1%2…%9%'`, one `q` over every phone field), and each record's own
        numbers are then normalised and compared exactly."""
        if len(phone) != 10 or not phone.isdigit():
            return []
        pattern = "%" + "%".join(phone) + "%"
        query = json.dumps([{name: {"-like": pattern}} for name in PHONE_FIELDS])
        rows = await self._koha.list("/patrons", {"q": query})
        found: dict[str, Patron] = {}
        for row in rows:
            numbers = set().union(*(phones_in(_text(row.get(name))) for name in PHONE_FIELDS))
            if phone in numbers:
                patron = self._patron(row)
                found.setdefault(patron.ref, patron)
        return list(found.values())

    async def close(self) -> None:
        await self._koha.close()

    # --- patrons --------------------------------------------------------------------------

    async def _patron_record(self, ticket: str) -> dict[str, Any] | None:
        card = normalise_ticket(ticket)
        if not card:
            return None
        rows = await self._koha.list("/patrons", {"cardnumber": card})
        # Koha compares card numbers without case (MySQL collation); so do we.
        wanted = card.casefold()
        return next((r for r in rows if str(r.get("cardnumber") or "").casefold() == wanted), None)

    def _patron(self, record: dict[str, Any]) -> Patron:
        parts = (record.get("firstname"), record.get("surname"))
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        return Patron(
            ticket=str(record.get("cardnumber")),
            ref=str(int_field(record, "patron_id")),
            name=name or None,
            refusal=Refusal.BLOCKED if self._blocked(record) else None,
        )

    def _blocked(self, record: dict[str, Any]) -> bool:
        """Restricted (debarred) or expired; older Koha has no `expired`, only the date."""
        if record.get("restricted") is True or record.get("expired") is True:
            return True
        expiry = day(record.get("expiry_date"))
        return "expired" not in record and expiry is not None and expiry < self._today()

    async def _password_ok(self, record: dict[str, Any], secret: str) -> bool:
        if not secret:
            return False
        path = "/auth/password/validation"
        payload = {"identifier": str(record.get("cardnumber")), "password": secret}
        reply = await self._koha.call("POST", path, body=payload)
        if reply.status == 400:  # wrong, expired or locked: Koha tells no more than "no"
            return False
        if reply.status not in (200, 201) or not isinstance(reply.body, dict):
            raise failure("POST", path, reply)
        # The identifier may have matched another patron's user name first.
        return reply.body.get("patron_id") == record.get("patron_id")

    # --- loans and holds ------------------------------------------------------------------

    async def _checkouts(self, patron: Patron, embed: str | None = None) -> list[dict[str, Any]]:
        rows = await self._koha.list("/checkouts", {"patron_id": patron.ref}, embed=embed)
        return [row for row in rows if belongs(row, patron)]

    async def _loan(self, row: dict[str, Any]) -> Loan:
        checkout_id = int_field(row, "checkout_id")
        due = day(row.get("due_date"))
        if due is None:
            raise SystemUnavailable(f"Koha checkout {checkout_id} has no due date")
        title, barcode = await self._describe_item(row)
        check = await self._allows_renewal(checkout_id)
        return Loan(
            ref=str(checkout_id),
            title=title,
            due=due,
            barcode=barcode,
            issued=day(row.get("checkout_date")),
            renewals=opt_int(row.get("renewals_count", row.get("renewals"))),
            max_renewals=check.max_renewals,
            refusal=check.refusal,
            detail=check.detail,
        )

    async def _allows_renewal(self, checkout_id: int) -> Check:
        path = f"/checkouts/{checkout_id}/allows_renewal"
        reply = await self._koha.call("GET", path)
        if reply.status == 404:  # returned between the list and this call
            return Check(Refusal.NOT_ON_LOAN, None, "not_found")
        if reply.status != 200 or not isinstance(reply.body, dict):
            raise failure("GET", path, reply)
        code = reply.body.get("error") if isinstance(reply.body.get("error"), str) else None
        maximum = opt_int(reply.body.get("max_renewals"))
        if reply.body.get("allows_renewal") is True:
            return Check(None, maximum, code or None)
        return Check(refusal_for(code), maximum, code or None)

    async def _describe_item(self, row: dict[str, Any]) -> tuple[str, str]:
        """Title and barcode, embedded by newer Koha or fetched when embedding was refused."""
        item = row["item"] if "item" in row else await self._fetch("/items", row.get("item_id"))
        if not isinstance(item, dict):
            return NO_TITLE, ""
        barcode = item.get("external_id")
        biblio = item["biblio"] if "biblio" in item else await self._biblio(item.get("biblio_id"))
        return record_title(biblio), barcode if isinstance(barcode, str) else ""

    async def _hold(self, row: dict[str, Any]) -> Hold:
        status = HOLD_STATUSES.get(row.get("status") or "", HoldStatus.PENDING)
        biblio = row["biblio"] if "biblio" in row else await self._biblio(row.get("biblio_id"))
        branch = row.get("pickup_library_id")
        return Hold(
            ref=str(int_field(row, "hold_id")),
            title=record_title(biblio),
            status=status,
            branch=branch if isinstance(branch, str) and branch else None,
            pickup_until=day(row.get("expiration_date")) if status is HoldStatus.WAITING else None,
        )

    async def _biblio(self, biblio_id: object) -> dict[str, Any] | None:
        return await self._fetch("/biblios", biblio_id)

    async def _fetch(self, collection: str, object_id: object) -> dict[str, Any] | None:
        """One object for a title; a missing or refused one just leaves the title unknown."""
        if not isinstance(object_id, int) or isinstance(object_id, bool):
            return None
        path = f"{collection}/{object_id}"
        reply = await self._koha.call("GET", path)
        if reply.status >= 500:
            raise failure("GET", path, reply)
        if reply.status != 200 or not isinstance(reply.body, dict):
            log.info("Koha gave no %s (HTTP %s); the title stays unknown", path, reply.status)
            return None
        return reply.body

    async def _hold_target(self, wish: HoldWish) -> tuple[int, str | None] | None:
        """Koha's record id for the wish and the holding library of the copy that named
        it; None when Koha knows none of the copies and not the control number."""
        for barcode in wish.barcodes:
            rows = await self._koha.list("/items", {"external_id": barcode})
            wanted = barcode.casefold()
            for row in rows:
                if str(row.get("external_id") or "").casefold() != wanted:
                    continue
                biblio_id = opt_int(row.get("biblio_id"))
                holding = row.get("holding_library_id") or row.get("home_library_id")
                if biblio_id is not None:
                    return biblio_id, holding if isinstance(holding, str) and holding else None
        number = (wish.control_number or "").strip()
        if number.isdigit():
            biblio = await self._biblio(int(number))
            # 001 is Koha's biblionumber only in some set-ups: the titles must agree.
            if biblio is not None and fold_name(record_title(biblio)) == fold_name(wish.title):
                return int(number), None
        return None

    # --- renewal --------------------------------------------------------------------------

    async def _renew_checkout(self, loan: Loan) -> Renewal:
        """POST one renewal; the id is one of the patron's own checkouts (digits only)."""
        path = f"/checkouts/{loan.ref}/renewal"
        try:
            reply = await self._koha.request("POST", path)
        except SystemUnavailable:  # no OAuth token: the POST never left
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        except UNREACHABLE as exc:
            log.warning("Koha unreachable for %s: %s", path, type(exc).__name__)
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        except TRANSPORT_ERRORS as exc:
            log.warning("Renewal %s sent but its answer was lost: %s", path, type(exc).__name__)
            return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
        return renewal(loan, path, reply)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _system_today() -> date:
    return datetime.now(UTC).astimezone().date()
