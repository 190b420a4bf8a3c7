"""`Sip2System`: the `LibrarySystem` protocol over SIP2 — what to ask the ACS for each
of the bot's questions, and what the answers mean, over one `Sip2Line`."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime

from pysip2 import (
    HoldRequest,
    HoldResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
)

from bot.kernel.config import Sip2
from storage.circulation.base import (
    Credentials,
    Hold,
    HoldOutcome,
    HoldPlacement,
    HoldStatus,
    HoldWish,
    Loan,
    Outcome,
    Password,
    Patron,
    Refusal,
    Renewal,
    SystemUnavailable,
    Verification,
    normalise_ticket,
)
from storage.circulation.remote import renew_in_turn, unsent
from storage.circulation.sip2.answers import (
    NOT_SUPPORTED,
    card_refusal,
    parse_sip_date,
    placement,
    queue_length,
    screen_message,
    screen_refusal,
    unique,
    valid_patron,
)
from storage.circulation.sip2.line import NotApplied, Sip2Line, Unanswered, Unsayable

# The package's name: log lines read as they did before the package was split.
log = logging.getLogger("storage.circulation.sip2")

_LANGUAGE = "000"  # "unknown": the ACS answers in its own default language
_HOLD_TYPE_ANY_COPY = "2"  # «any copy of the title»
_HOLD_TRIES = 3  # copies tried when the ACS does not know one, before the title alone
# Patron Information summary positions (only one per request: Koha honours the first Y).
_HOLDS, _OVERDUE, _CHARGED, _UNAVAILABLE_HOLDS = 0, 1, 2, 5


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _sip_now() -> str:
    """A SIP2 transaction date; 'Z' in the zone field says it is UTC."""
    now = datetime.now(UTC)
    return f"{now:%Y%m%d}   Z{now:%H%M%S}"


def _summary(position: int) -> str:
    return "".join("Y" if i == position else " " for i in range(10))


class Sip2System:
    """A `LibrarySystem` over SIP2; one connection, one request at a time."""

    kind = "sip2"
    # SIP2 checks a PIN (AD → CQ) but knows nothing of surnames and birth years.
    verifications = frozenset({Verification.PASSWORD})

    def __init__(
        self, settings: Sip2, *, timeout: float, today: Callable[[], date] | None = None
    ) -> None:
        self._settings = settings
        self._today = today or _utc_today
        self._line = Sip2Line(settings, timeout=timeout)
        self._address = self._line.address

    # -- the LibrarySystem protocol -----------------------------------------

    async def find_patron(self, ticket: str) -> Patron | None:
        ticket = normalise_ticket(ticket)
        reply = await self._patron_status(ticket, "")
        if reply is None or not valid_patron(reply):
            return None
        return self._patron(ticket, reply)

    async def verify(self, ticket: str, credentials: Credentials) -> Patron | None:
        if not isinstance(credentials, Password) or not credentials.secret:
            return None
        ticket = normalise_ticket(ticket)
        reply = await self._patron_status(ticket, credentials.secret)
        if reply is None or reply.valid_patron != "Y" or reply.valid_patron_password != "Y":
            return None
        return self._patron(ticket, reply)

    async def loans(self, patron: Patron) -> list[Loan]:
        charged = await self._read(self._patron_information(patron, _CHARGED))
        if charged.valid_patron == "N":
            return []
        overdue = await self._read(self._patron_information(patron, _OVERDUE))
        refusal = card_refusal(charged.patron_status) or patron.refusal
        ids = unique(charged.charged_items, overdue.overdue_items)
        return [self._loan(item_id, await self._item(item_id), refusal) for item_id in ids]

    async def holds(self, patron: Patron) -> list[Hold]:
        waiting = await self._read(self._patron_information(patron, _HOLDS))
        if waiting.valid_patron == "N":
            return []
        pending = await self._read(self._patron_information(patron, _UNAVAILABLE_HOLDS))
        ready = unique(waiting.hold_items)
        holds = [self._hold(ref, await self._item(ref), HoldStatus.WAITING) for ref in ready]
        for ref in unique(pending.unavailable_hold_items):
            if ref not in ready:
                holds.append(self._hold(ref, await self._item(ref), HoldStatus.PENDING))
        return holds

    async def renew(self, patron: Patron, loan: Loan) -> Renewal:
        request = RenewRequest(
            third_party_allowed="N",
            no_block="N",
            transaction_date=_sip_now(),
            nb_due_date=_sip_now(),
            institution_id=self._settings.institution,
            patron_identifier=patron.ref,
            item_identifier=loan.ref,
            terminal_password=self._line.terminal_password() or None,
        )
        try:
            reply = await self._line.ask(request, RenewResponse, idempotent=False)
        except NotApplied as exc:
            log.warning("SIP2 renewal of item %s not sent: %s", loan.ref, exc)
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        except Unanswered as exc:
            log.warning("SIP2 renewal of item %s sent but not confirmed: %s", loan.ref, exc)
            return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
        return self._renewal(patron, loan, reply)

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        if not loans:
            return []
        try:
            whole_card = await self._covers_whole_card(patron, loans)
        except SystemUnavailable:
            return unsent(loans)
        if not (whole_card and self._line.renew_all_supported):
            return await self._renew_each(patron, loans)
        request = RenewAllRequest(
            transaction_date=_sip_now(),
            institution_id=self._settings.institution,
            patron_identifier=patron.ref,
            terminal_password=self._line.terminal_password() or None,
        )
        try:
            reply = await self._line.ask(request, RenewAllResponse, idempotent=False)
        except NotApplied as exc:
            log.warning("SIP2 renew-all not sent: %s", exc)
            return unsent(loans)
        except Unanswered as exc:
            log.warning("SIP2 renew-all sent but not confirmed: %s", exc)
            return unsent(loans, Outcome.UNCONFIRMED)
        message = screen_message(reply)
        nothing = not (reply.renewed_items or reply.unrenewed_items)
        if reply.ok == "0" and nothing and NOT_SUPPORTED.search((message or "").casefold()):
            log.info("SIP2 server does not support renew-all; renewing one by one")
            self._line.renew_all_supported = False
            return await self._renew_each(patron, loans)
        return [await self._renewed_in_bulk(patron, loan, reply, message) for loan in loans]

    async def place_hold(self, patron: Patron, wish: HoldWish) -> HoldPlacement:
        """Hold (15) on a copy the catalogue lists, the pickup branch's first; when the
        ACS does not know a copy the next is tried, then the title alone."""
        try:
            await self._line.connect()
        except NotApplied as exc:
            log.warning("SIP2 hold not sent: %s", exc)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        if not self._line.holds_supported:  # the ACS status said so: 15 is not even sent
            return HoldPlacement(HoldOutcome.NOT_SUPPORTED)
        title = wish.title.replace("|", " ").strip()
        tries = [(code, None) for code in wish.barcodes[:_HOLD_TRIES]]
        if title:
            tries.append((None, title))
        unknown: str | None = None
        for barcode, title_only in tries:
            placement = await self._ask_hold(patron, wish, barcode, title_only)
            if placement.outcome is not HoldOutcome.UNKNOWN_BOOK:
                return placement
            unknown = placement.detail
        return HoldPlacement(HoldOutcome.UNKNOWN_BOOK, detail=unknown)

    async def close(self) -> None:
        await self._line.close()

    # -- reading answers ------------------------------------------------------

    async def _read(self, request: PatronInformationRequest) -> PatronInformationResponse:
        try:
            return await self._line.ask(request, PatronInformationResponse)
        except (NotApplied, Unanswered) as exc:
            raise SystemUnavailable(f"SIP2 server {self._address}: {exc}") from exc

    async def _patron_status(self, ticket: str, secret: str) -> PatronStatusResponse | None:
        """The Patron Status answer; None when the ticket or secret cannot even be sent."""
        request = PatronStatusRequest(
            language=_LANGUAGE,
            transaction_date=_sip_now(),
            institution_id=self._settings.institution,
            patron_identifier=ticket,
            terminal_password=self._line.terminal_password(),
            patron_password=secret,
        )
        try:
            return await self._line.ask(request, PatronStatusResponse)
        except Unsayable:
            return None
        except (NotApplied, Unanswered) as exc:
            raise SystemUnavailable(f"SIP2 server {self._address}: {exc}") from exc

    def _patron_information(self, patron: Patron, position: int) -> PatronInformationRequest:
        return PatronInformationRequest(
            language=_LANGUAGE,
            transaction_date=_sip_now(),
            summary=_summary(position),
            institution_id=self._settings.institution,
            patron_identifier=patron.ref,
            terminal_password=self._line.terminal_password() or None,
        )

    async def _item(self, item_id: str) -> ItemInformationResponse:
        request = ItemInformationRequest(
            transaction_date=_sip_now(),
            institution_id=self._settings.institution,
            item_identifier=item_id,
            terminal_password=self._line.terminal_password() or None,
        )
        try:
            return await self._line.ask(request, ItemInformationResponse)
        except (NotApplied, Unanswered) as exc:
            raise SystemUnavailable(f"SIP2 server {self._address}: {exc}") from exc

    def _patron(self, ticket: str, reply: PatronStatusResponse) -> Patron:
        return Patron(
            ticket=ticket,
            ref=ticket,
            name=reply.personal_name.strip() or None,
            refusal=card_refusal(reply.patron_status),
        )

    def _loan(self, item_id: str, info: ItemInformationResponse, refusal: Refusal | None) -> Loan:
        due = parse_sip_date(info.due_date)
        if refusal is None and queue_length(info.hold_queue_length) > 0:
            refusal = Refusal.RESERVED
        return Loan(
            ref=item_id,
            title=info.title_identifier.strip() or item_id,
            due=due or self._today(),
            barcode=item_id,
            refusal=refusal,
            # A due date we cannot read is shown as today, with the ACS's words for staff.
            detail=None if due else (info.due_date or "").strip() or None,
        )

    @staticmethod
    def _hold(ref: str, info: ItemInformationResponse, status: HoldStatus) -> Hold:
        return Hold(
            ref=ref,
            title=info.title_identifier.strip() or ref,
            status=status,
            branch=(info.current_location or "").strip() or None,
            pickup_until=parse_sip_date(info.hold_pickup_date),
        )

    # -- holds ----------------------------------------------------------------

    async def _ask_hold(
        self, patron: Patron, wish: HoldWish, barcode: str | None, title: str | None
    ) -> HoldPlacement:
        request = HoldRequest(
            hold_mode="+",
            transaction_date=_sip_now(),
            pickup_location=wish.pickup or None,
            hold_type=_HOLD_TYPE_ANY_COPY,
            institution_id=self._settings.institution,
            patron_identifier=patron.ref,
            item_identifier=barcode,
            title_identifier=title,
            terminal_password=self._line.terminal_password() or None,
        )
        try:
            reply = await self._line.ask(request, HoldResponse, idempotent=False)
        except NotApplied as exc:
            log.warning("SIP2 hold not sent: %s", exc)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        except Unanswered as exc:
            log.warning("SIP2 hold sent but not confirmed: %s", exc)
            return HoldPlacement(HoldOutcome.UNCONFIRMED)
        return placement(reply, barcode, patron)

    # -- renewals -------------------------------------------------------------

    def _renewal(self, patron: Patron, loan: Loan, reply: RenewResponse) -> Renewal:
        title = loan.title or reply.title_identifier
        if reply.ok == "1":
            due = parse_sip_date(reply.due_date)
            detail = None if due else reply.due_date.strip() or None
            return Renewal(loan.ref, title, Outcome.RENEWED, due=due, detail=detail)
        message = screen_message(reply)
        refusal = screen_refusal(message) or patron.refusal or Refusal.RULES
        return Renewal(loan.ref, title, Outcome.REFUSED, refusal=refusal, detail=message)

    async def _renew_each(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        """One Renew (29) per loan; once the ACS stops answering the rest are not asked."""
        return await renew_in_turn(loans, lambda loan: self.renew(patron, loan))

    async def _covers_whole_card(self, patron: Patron, loans: Sequence[Loan]) -> bool:
        """Whether the given loans are everything on the card, so 65 renews nothing more."""
        charged = await self._read(self._patron_information(patron, _CHARGED))
        overdue = await self._read(self._patron_information(patron, _OVERDUE))
        given = {loan.ref for loan in loans}
        return set(unique(charged.charged_items, overdue.overdue_items)) <= given

    async def _renewed_in_bulk(
        self, patron: Patron, loan: Loan, reply: RenewAllResponse, message: str | None
    ) -> Renewal:
        """One loan's result from a Renew All answer, checked against the item itself.

        Some ACSs send only the counts, so an item in neither list is judged by whether
        its due date moved.
        """
        listed = loan.ref in reply.renewed_items
        try:
            info = await self._item(loan.ref)
        except SystemUnavailable:
            outcome = Outcome.RENEWED if listed else Outcome.UNCONFIRMED
            return Renewal(loan.ref, loan.title, outcome)
        due = parse_sip_date(info.due_date)
        if listed or (loan.ref not in reply.unrenewed_items and due and due > loan.due):
            return Renewal(loan.ref, loan.title, Outcome.RENEWED, due=due)
        said = screen_refusal(message) if not reply.renewed_items else None
        queued = Refusal.RESERVED if queue_length(info.hold_queue_length) > 0 else None
        refusal = patron.refusal or said or loan.refusal or queued or Refusal.RULES
        return Renewal(loan.ref, loan.title, Outcome.REFUSED, refusal=refusal, detail=message)
