"""The `sip2` library system: loans, holds and renewals over SIP2 2.00 (3M's self-check protocol).

Most library systems (Koha, Evergreen, ИРБИС, OPAC-Global, Symphony) speak SIP2 even when
they have no API. libbot acts as one self-check terminal: a single TCP connection,
logged in once (93), asked whether the ACS is online (99), then used one request at a
time. The frame format is pysip2's; this module only decides what to ask and how to read
the answers into `base` values.

What the wire cannot say, and how it is handled:
- A renewal whose request went out but whose answer never came is UNCONFIRMED and never
  resent: SIP2 has no idempotency key, so a resend could renew twice.
- SIP2 does not give renewal counts: `Loan.renewals` stays None; a queue of holds (CF)
  is the only pre-check besides the card's own flags.
- Renew All (65) renews every item on the card, so it is only used when the loans given
  are all the reader has; otherwise items are renewed one by one.
- A hold (15, mode '+') names one copy by its barcode and asks for any copy of the title
  (hold type 2), as Koha's SIP server places it on the record. An ACS that does not
  support 15 says so in its status (99 → BX); it is then not asked. A hold request that
  went out without an answer is UNCONFIRMED and never resent.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TypeVar

from pysip2 import (
    ACSStatusResponse,
    HoldRequest,
    HoldResponse,
    ItemInformationRequest,
    ItemInformationResponse,
    LoginRequest,
    LoginResponse,
    PatronInformationRequest,
    PatronInformationResponse,
    PatronStatusRequest,
    PatronStatusResponse,
    RenewAllRequest,
    RenewAllResponse,
    RenewRequest,
    RenewResponse,
    RequestACSResend,
    RequestSCResend,
    SCStatusRequest,
    SIP2ChecksumError,
    SIP2Error,
    SIPMessage,
    SIPResponse,
    decode_message,
    encode_message,
)

from bot.kernel.config import Sip2
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
    SystemUnavailable,
    Verification,
    normalise_ticket,
)

log = logging.getLogger(__name__)

Reply = TypeVar("Reply", bound=SIPResponse)

_LANGUAGE = "000"  # "unknown": the ACS answers in its own default language
_RENEW_ALL_FLAG = 15  # position of 65 in the ACS status BX "supported messages"
_HOLD_FLAG = 13  # position of 15
_HOLD_TYPE_ANY_COPY = "2"  # «any copy of the title»
_HOLD_TRIES = 3  # copies tried when the ACS does not know one, before the title alone
# Patron Information summary positions (only one per request: Koha honours the first Y).
_HOLDS, _OVERDUE, _CHARGED, _UNAVAILABLE_HOLDS = 0, 1, 2, 5
# Patron status flags (14 chars, 'Y' = set).
_CHARGE_DENIED, _RENEWAL_DENIED, _CARD_LOST = 0, 1, 4
_EXCESSIVE_FINES, _EXCESSIVE_FEES = 10, 11

# Screen messages are free text; these stems cover what ACSs say in English and Russian.
# Order matters: the first reason that matches wins.
_REASONS: tuple[tuple[Refusal, re.Pattern[str]], ...] = tuple(
    (refusal, re.compile(pattern))
    for refusal, pattern in (
        (Refusal.NOT_ON_LOAN, r"not (?:checked out|charged|on loan)|\bне выда"),
        # Before TOO_MANY: "fines exceed the limit" is about money, not renewals.
        (Refusal.DEBTS, r"\bfines?\b|\bfees?\b|\bdebt|\bзадолж|\bштраф"),
        (Refusal.TOO_MANY, r"\blimit|too many|\bmaximum|\bмаксимальн|\bлимит"),
        (Refusal.RESERVED, r"\bhold|\breserv|\bбронь|\bброни|\bзаброни|\bочеред"),
        (Refusal.OVERDUE, r"\boverdue|\bпросроч"),
        (Refusal.BLOCKED, r"\bblock|\bexpired|\bзаблок|\bблокир|\bистек"),
        (Refusal.TOO_SOON, r"too soon|not yet|\bрано\b"),
        (Refusal.AT_DESK, r"\bdesk|\bstaff|\bкафедр|\bбиблиотекар"),
    )
)
_NOT_SUPPORTED = re.compile(r"not supported|unsupported|не поддерж")
# Why an ACS refused a hold, from its screen message; the first that matches wins.
_HOLD_REASONS: tuple[tuple[HoldRefusal, re.Pattern[str]], ...] = tuple(
    (refusal, re.compile(pattern))
    for refusal, pattern in (
        (HoldRefusal.ALREADY_HELD, r"already (?:has a |on )?(?:hold|reserv)|\bуже забронир"),
        (HoldRefusal.HAVE_IT, r"already (?:has|checked out|charged)|\bуже (?:выдан|на руках)"),
        (HoldRefusal.BLOCKED, r"\bblock|\bexpired|\bfines?\b|\bfees?\b|\bdebt|\bзаблок|\bзадолж"),
        (HoldRefusal.TOO_MANY, r"too many|\blimit|\bmaximum|\bлимит|\bмаксимальн"),
        (HoldRefusal.PICKUP, r"transfer|pickup|pick-up|\bпункт выдачи|\bперемещ"),
        (HoldRefusal.NOT_HOLDABLE, r"not (?:allowed|holdable|reservable)|cannot be (?:held|res)"),
    )
)
_UNKNOWN_ITEM = re.compile(r"no such item|item not found|unknown item|не найден")

_SIP_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:[ A-Z]{4}(?:\d{6})?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T].*)?")


def screen_refusal(text: str | None) -> Refusal | None:
    """The reader's reason hidden in an ACS screen message, or None when it names none."""
    folded = (text or "").casefold().replace("ё", "е")
    return next((refusal for refusal, pattern in _REASONS if pattern.search(folded)), None)


def parse_sip_date(text: str | None) -> date | None:
    """A due or pickup date as ACSs write it; None when it is not one we can read.

    SIP2 prescribes YYYYMMDDZZZZHHMMSS, but systems also send ISO dates and datetimes
    or the Russian DD.MM.YYYY.
    """
    text = (text or "").strip()
    try:
        if match := _SIP_DATE.fullmatch(text) or _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DOTTED_DATE.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:  # 2025-02-30 and the like
        return None
    return None


def card_refusal(patron_status: str) -> Refusal | None:
    """Why the whole card cannot renew, from the 14 patron status flags.

    ACSs deny charging and renewing when fines pass the limit, so the fines flags are
    looked at before the privilege flags: «долги» tells the reader what to do.
    """

    def flag(position: int) -> bool:
        return patron_status[position : position + 1] == "Y"

    if flag(_CARD_LOST):
        return Refusal.BLOCKED
    if flag(_EXCESSIVE_FINES) or flag(_EXCESSIVE_FEES):
        return Refusal.DEBTS
    if flag(_CHARGE_DENIED) or flag(_RENEWAL_DENIED):
        return Refusal.BLOCKED
    return None


class _NotApplied(Exception):
    """The ACS could not be asked (or said it could not read us): nothing changed."""


class _Unsayable(_NotApplied):
    """A value cannot be put on the wire (a '|' in it, or not in the line's encoding)."""


class _Unanswered(Exception):
    """The request went out but no usable answer came back: it may have been applied."""

    def __init__(self, reason: str, *, closed: bool = False) -> None:
        super().__init__(reason)
        self.closed = closed  # the ACS closed the connection without a word


@dataclass(slots=True)
class _Link:
    """One TCP connection to the ACS, already logged in and checked online."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def alive(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing())

    async def read_frame(self) -> bytes:
        try:
            # Some ACSs end frames with CR LF: the LF arrives at the start of the next one.
            return (await self.reader.readuntil(b"\r")).lstrip(b"\n")
        except asyncio.IncompleteReadError as exc:
            raise _Unanswered("the SIP2 server closed the connection", closed=True) from exc
        except asyncio.LimitOverrunError as exc:
            raise _Unanswered("the SIP2 server sent an endless frame") from exc
        except OSError as exc:
            raise _Unanswered(f"the connection broke: {exc}", closed=True) from exc


def _utc_today() -> date:
    return datetime.now(UTC).date()


def _sip_now() -> str:
    """A SIP2 transaction date; 'Z' in the zone field says it is UTC."""
    now = datetime.now(UTC)
    return f"{now:%Y%m%d}   Z{now:%H%M%S}"


def _summary(position: int) -> str:
    return "".join("Y" if i == position else " " for i in range(10))


def _message(reply: RenewResponse | RenewAllResponse) -> str | None:
    """The screen message (AF) lines as one text: what the ACS would show the reader."""
    lines = [line.strip() for line in reply.screen_message if line.strip()]
    return " ".join(lines) or None


def _queue(text: str | None) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0


def _unique(*groups: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(item for group in groups for item in group if item))


class Sip2System:
    """A `LibrarySystem` over SIP2; one connection, one request at a time."""

    kind = "sip2"
    # SIP2 checks a PIN (AD → CQ) but knows nothing of surnames and birth years.
    verifications = frozenset({Verification.PASSWORD})

    def __init__(
        self, settings: Sip2, *, timeout: float, today: Callable[[], date] | None = None
    ) -> None:
        self._settings = settings
        self._timeout = timeout
        self._today = today or _utc_today
        self._lock = asyncio.Lock()
        self._link: _Link | None = None
        self._retired: list[asyncio.StreamWriter] = []
        self._sequence = 0
        self._renew_all_supported = True
        self._holds_supported = True  # until the ACS status says otherwise
        self._address = f"{settings.host}:{settings.port}"

    # -- the LibrarySystem protocol -----------------------------------------

    async def find_patron(self, ticket: str) -> Patron | None:
        ticket = normalise_ticket(ticket)
        reply = await self._patron_status(ticket, "")
        if reply is None or not _valid(reply):
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
        ids = _unique(charged.charged_items, overdue.overdue_items)
        return [self._loan(item_id, await self._item(item_id), refusal) for item_id in ids]

    async def holds(self, patron: Patron) -> list[Hold]:
        waiting = await self._read(self._patron_information(patron, _HOLDS))
        if waiting.valid_patron == "N":
            return []
        pending = await self._read(self._patron_information(patron, _UNAVAILABLE_HOLDS))
        ready = _unique(waiting.hold_items)
        holds = [self._hold(ref, await self._item(ref), HoldStatus.WAITING) for ref in ready]
        for ref in _unique(pending.unavailable_hold_items):
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
            terminal_password=self._terminal_password() or None,
        )
        try:
            reply = await self._ask(request, RenewResponse, idempotent=False)
        except _NotApplied as exc:
            log.warning("SIP2 renewal of item %s not sent: %s", loan.ref, exc)
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        except _Unanswered as exc:
            log.warning("SIP2 renewal of item %s sent but not confirmed: %s", loan.ref, exc)
            return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
        return self._renewal(patron, loan, reply)

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        if not loans:
            return []
        try:
            whole_card = await self._covers_whole_card(patron, loans)
        except SystemUnavailable:
            return [Renewal(x.ref, x.title, Outcome.UNAVAILABLE) for x in loans]
        if not (whole_card and self._renew_all_supported):
            return await self._renew_each(patron, loans)
        request = RenewAllRequest(
            transaction_date=_sip_now(),
            institution_id=self._settings.institution,
            patron_identifier=patron.ref,
            terminal_password=self._terminal_password() or None,
        )
        try:
            reply = await self._ask(request, RenewAllResponse, idempotent=False)
        except _NotApplied as exc:
            log.warning("SIP2 renew-all not sent: %s", exc)
            return [Renewal(x.ref, x.title, Outcome.UNAVAILABLE) for x in loans]
        except _Unanswered as exc:
            log.warning("SIP2 renew-all sent but not confirmed: %s", exc)
            return [Renewal(x.ref, x.title, Outcome.UNCONFIRMED) for x in loans]
        message = _message(reply)
        nothing = not (reply.renewed_items or reply.unrenewed_items)
        if reply.ok == "0" and nothing and _NOT_SUPPORTED.search((message or "").casefold()):
            log.info("SIP2 server does not support renew-all; renewing one by one")
            self._renew_all_supported = False
            return await self._renew_each(patron, loans)
        return [await self._renewed_in_bulk(patron, loan, reply, message) for loan in loans]

    async def place_hold(self, patron: Patron, wish: HoldWish) -> HoldPlacement:
        """Hold (15) on a copy the catalogue lists, the pickup branch's first; when the
        ACS does not know a copy the next is tried, then the title alone."""
        try:
            await self._connect()
        except _NotApplied as exc:
            log.warning("SIP2 hold not sent: %s", exc)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        if not self._holds_supported:  # the ACS status said so: 15 is not even sent
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
        async with self._lock:
            self._forget()
            await self._bury()

    # -- reading answers ------------------------------------------------------

    async def _read(self, request: PatronInformationRequest) -> PatronInformationResponse:
        try:
            return await self._ask(request, PatronInformationResponse)
        except (_NotApplied, _Unanswered) as exc:
            raise SystemUnavailable(f"SIP2 server {self._address}: {exc}") from exc

    async def _patron_status(self, ticket: str, secret: str) -> PatronStatusResponse | None:
        """The Patron Status answer; None when the ticket or secret cannot even be sent."""
        request = PatronStatusRequest(
            language=_LANGUAGE,
            transaction_date=_sip_now(),
            institution_id=self._settings.institution,
            patron_identifier=ticket,
            terminal_password=self._terminal_password(),
            patron_password=secret,
        )
        try:
            return await self._ask(request, PatronStatusResponse)
        except _Unsayable:
            return None
        except (_NotApplied, _Unanswered) as exc:
            raise SystemUnavailable(f"SIP2 server {self._address}: {exc}") from exc

    def _patron_information(self, patron: Patron, position: int) -> PatronInformationRequest:
        return PatronInformationRequest(
            language=_LANGUAGE,
            transaction_date=_sip_now(),
            summary=_summary(position),
            institution_id=self._settings.institution,
            patron_identifier=patron.ref,
            terminal_password=self._terminal_password() or None,
        )

    async def _item(self, item_id: str) -> ItemInformationResponse:
        request = ItemInformationRequest(
            transaction_date=_sip_now(),
            institution_id=self._settings.institution,
            item_identifier=item_id,
            terminal_password=self._terminal_password() or None,
        )
        try:
            return await self._ask(request, ItemInformationResponse)
        except (_NotApplied, _Unanswered) as exc:
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
        if refusal is None and _queue(info.hold_queue_length) > 0:
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
            terminal_password=self._terminal_password() or None,
        )
        try:
            reply = await self._ask(request, HoldResponse, idempotent=False)
        except _NotApplied as exc:
            log.warning("SIP2 hold not sent: %s", exc)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        except _Unanswered as exc:
            log.warning("SIP2 hold sent but not confirmed: %s", exc)
            return HoldPlacement(HoldOutcome.UNCONFIRMED)
        return _placement(reply, barcode, patron)

    # -- renewals -------------------------------------------------------------

    def _renewal(self, patron: Patron, loan: Loan, reply: RenewResponse) -> Renewal:
        title = loan.title or reply.title_identifier
        if reply.ok == "1":
            due = parse_sip_date(reply.due_date)
            detail = None if due else reply.due_date.strip() or None
            return Renewal(loan.ref, title, Outcome.RENEWED, due=due, detail=detail)
        message = _message(reply)
        refusal = screen_refusal(message) or patron.refusal or Refusal.RULES
        return Renewal(loan.ref, title, Outcome.REFUSED, refusal=refusal, detail=message)

    async def _renew_each(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        """One Renew (29) per loan; once the ACS stops answering the rest are not asked."""
        results: list[Renewal] = []
        for loan in loans:
            if results and results[-1].outcome in (Outcome.UNAVAILABLE, Outcome.UNCONFIRMED):
                results.append(Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE))
            else:
                results.append(await self.renew(patron, loan))
        return results

    async def _covers_whole_card(self, patron: Patron, loans: Sequence[Loan]) -> bool:
        """Whether the given loans are everything on the card, so 65 renews nothing more."""
        charged = await self._read(self._patron_information(patron, _CHARGED))
        overdue = await self._read(self._patron_information(patron, _OVERDUE))
        given = {loan.ref for loan in loans}
        return set(_unique(charged.charged_items, overdue.overdue_items)) <= given

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
        queued = Refusal.RESERVED if _queue(info.hold_queue_length) > 0 else None
        refusal = patron.refusal or said or loan.refusal or queued or Refusal.RULES
        return Renewal(loan.ref, loan.title, Outcome.REFUSED, refusal=refusal, detail=message)

    # -- the wire ---------------------------------------------------------------

    def _terminal_password(self) -> str:
        secret = self._settings.password
        return secret.get_secret_value() if secret is not None else ""

    def _frame(self, message: SIPMessage) -> bytes:
        checksums = self._settings.checksums
        sequence = self._sequence
        if checksums:
            self._sequence = (sequence + 1) % 10
        try:
            return encode_message(
                message,
                sequence_number=sequence if checksums else None,
                checksum=checksums,
                encoding=self._settings.encoding,
            )
        except (SIP2Error, ValueError) as exc:  # UnicodeEncodeError is a ValueError
            raise _Unsayable(f"cannot encode {type(message).__name__}: {exc}") from exc

    async def _ask(
        self, request: SIPMessage, expect: type[Reply], *, idempotent: bool = True
    ) -> Reply:
        """Send one request and read its answer, reconnecting when the connection broke.

        A read whose connection turns out to have been closed by the ACS while idle is
        asked once more on a fresh connection; a renewal never is.
        """
        async with self._lock:
            for attempt in (1, 2):
                link, fresh = await self._usable_link()
                frame = self._frame(request)  # after the greeting: sequence numbers stay in order
                done = False
                try:
                    reply = await self._exchange(link, frame, expect)
                    done = True
                    return reply
                except _Unanswered as exc:
                    if not (idempotent and exc.closed and not fresh and attempt == 1):
                        raise
                    log.info("SIP2 connection to %s was closed; asking again", self._address)
                finally:
                    if not done:  # lost answers, cancellation: the line's state is unknown
                        self._forget()
        raise AssertionError("unreachable")  # pragma: no cover

    async def _exchange(self, link: _Link, frame: bytes, expect: type[Reply]) -> Reply:
        """Write the frame and return the answer, honouring 96 (resend) once and asking
        with 97 once when the answer fails its checksum."""
        command = frame[:2].decode("ascii")
        log.debug("SIP2 → %s", command)  # never the frame: it may carry passwords
        resent = asked_again = False
        try:
            async with asyncio.timeout(self._timeout):
                link.writer.write(frame)
                while True:
                    raw = await link.read_frame()
                    try:
                        decoded = decode_message(raw, encoding=self._settings.encoding)
                    except SIP2ChecksumError as exc:
                        if asked_again:
                            raise _Unanswered("answers keep failing their checksum") from exc
                        asked_again = True
                        link.writer.write(self._resend_request())
                        continue
                    except (SIP2Error, ValueError) as exc:
                        raise _Unanswered(f"unreadable answer to {command}: {exc}") from exc
                    if isinstance(decoded.message, RequestSCResend):
                        if resent:
                            raise _NotApplied(f"the SIP2 server could not read {command} twice")
                        resent = True
                        link.writer.write(frame)
                        continue
                    break
        except TimeoutError as exc:
            raise _Unanswered(f"no answer to {command} within {self._timeout:g} s") from exc
        reply = decoded.message
        if not isinstance(reply, expect):
            raise _Unanswered(f"{type(reply).__name__} in answer to {command}")
        expected_sequence = int(frame[-8:-7]) if self._settings.checksums else None
        if decoded.sequence_number not in (None, expected_sequence):
            raise _Unanswered(f"answer to {command} carries another sequence number")
        return reply

    def _resend_request(self) -> bytes:
        return encode_message(
            RequestACSResend(),
            checksum=self._settings.checksums,
            encoding=self._settings.encoding,
        )

    async def _connect(self) -> None:
        """Open and greet a connection now, so the ACS status is known before asking."""
        async with self._lock:
            await self._usable_link()

    async def _usable_link(self) -> tuple[_Link, bool]:
        """The open connection, or a new one; True when it was opened just now."""
        if self._link is not None and self._link.alive():
            return self._link, False
        if self._link is not None:
            log.info("SIP2 connection to %s was closed by the server; reconnecting", self._address)
            self._forget()
        self._link = await self._open()
        return self._link, True

    async def _open(self) -> _Link:
        await self._bury()
        settings = self._settings
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await asyncio.open_connection(settings.host, settings.port)
        except OSError as exc:  # refused, unreachable, and TimeoutError too
            reason = str(exc) or "no answer"
            raise _NotApplied(
                f"cannot connect to the SIP2 server {self._address}: {reason}"
            ) from exc
        link = _Link(reader, writer)
        greeted = False
        try:
            await self._greet(link)
            greeted = True
        except _Unanswered as exc:
            raise _NotApplied(
                f"the SIP2 server {self._address} broke off the greeting: {exc}"
            ) from exc
        finally:
            if not greeted:
                writer.close()
                self._retired.append(writer)
        log.info("SIP2 connection to %s open", self._address)
        return link

    async def _greet(self, link: _Link) -> None:
        """Log in (93) when an account is configured, then ask for the ACS status (99)."""
        settings = self._settings
        if settings.user:
            login = LoginRequest(
                uid_algorithm="0",
                pwd_algorithm="0",
                login_user_id=settings.user,
                login_password=self._terminal_password(),
                location_code=settings.location or None,
            )
            answer = await self._exchange(link, self._frame(login), LoginResponse)
            if answer.ok != "1":
                raise _NotApplied(
                    f"the SIP2 server {self._address} refused the login of {settings.user!r}: "
                    "check [library_system.sip2] user and password"
                )
        status_request = SCStatusRequest(
            status_code="0", max_print_width="000", protocol_version="2.00"
        )
        status = await self._exchange(link, self._frame(status_request), ACSStatusResponse)
        if status.online_status != "Y":
            raise _NotApplied(f"the SIP2 server {self._address} says it is offline")
        self._renew_all_supported = status.supported_messages[_RENEW_ALL_FLAG] == "Y"
        self._holds_supported = status.supported_messages[_HOLD_FLAG] == "Y"

    def _forget(self) -> None:
        """Drop the connection without waiting; `_bury` waits for it later."""
        if self._link is not None:
            self._link.writer.close()
            self._retired.append(self._link.writer)
            self._link = None

    async def _bury(self) -> None:
        retired, self._retired = self._retired, []
        for writer in retired:
            with suppress(OSError):
                await writer.wait_closed()


def hold_refusal(text: str | None) -> HoldRefusal | None:
    """The reader's reason in an ACS's refusal of a hold, or None when it names none."""
    folded = (text or "").casefold().replace("ё", "е")
    return next((refusal for refusal, pattern in _HOLD_REASONS if pattern.search(folded)), None)


def _placement(reply: HoldResponse, barcode: str | None, patron: Patron) -> HoldPlacement:
    lines = [line.strip() for line in reply.screen_message if line.strip()]
    message = " ".join(lines) or None
    if reply.ok == "1":
        queue = (reply.queue_position or "").strip()
        return HoldPlacement(
            HoldOutcome.PLACED,
            ref=(reply.item_identifier or barcode or "").strip() or None,
            queue_position=int(queue) if queue.isdigit() and int(queue) else None,
            detail=message,
        )
    folded = (message or "").casefold()
    if _NOT_SUPPORTED.search(folded):
        return HoldPlacement(HoldOutcome.NOT_SUPPORTED, detail=message)
    if _UNKNOWN_ITEM.search(folded):
        return HoldPlacement(HoldOutcome.UNKNOWN_BOOK, detail=message)
    blocked = HoldRefusal.BLOCKED if patron.refusal is not None else None
    refusal = hold_refusal(message) or blocked or HoldRefusal.RULES
    return HoldPlacement(HoldOutcome.REFUSED, refusal=refusal, detail=message)


def _valid(reply: PatronStatusResponse) -> bool:
    """BL says whether the patron exists; ACSs that omit it still name a real patron."""
    if reply.valid_patron is not None:
        return reply.valid_patron == "Y"
    return bool(reply.personal_name.strip())
