"""The `koha` library system: Koha's REST API (`/api/v1`) as a staff API user.

Koha trusts the API user, not the reader: its renewal endpoint renews whatever
checkout id it is given. So before every renewal libbot lists the reader's own
checkouts and refuses, without asking Koha, an id that is not among them.

Koha habits this connector works around:
- List filters match with `contains` (SQL `LIKE '%x%'`) unless `_match=exact` is sent:
  card 100 would find card 1001, and `patron_id=1` would list patron 11's loans. We send
  `_match=exact` and still compare the rows ourselves.
- Password validation matches the identifier against user names before card numbers,
  so the answer must name the patron the card belongs to.
- `x-koha-embed: item,item.biblio` on checkouts and `biblio` on holds exist only in newer
  Koha; older ones answer 400, and then titles are fetched item by item.
- `allows_renewal` is true *with* an error code for auto-renewal loans (`auto_renew`,
  `auto_renew_final`, `auto_unseen_final`). Koha renews those on request too, so the bot
  offers them; the code stays in `Loan.detail` for staff.
- A hold is placed on the record (`biblio_id`), found through a copy's barcode
  (`external_id`); the export's control number is trusted only when Koha's record has the
  same title. Koha refuses with 403 (`CanBookBeReserved`'s status, in `error_code` or in
  «Reason: …»), newer Koha with 409 for the card itself (`can_place_holds`).

A renewal or hold POST is never retried: one that went out without an answer is UNCONFIRMED.
"""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import aiohttp

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
    same_surname,
)

log = logging.getLogger(__name__)

API = "/api/v1"
PAGE_SIZE = 100
MAX_PAGES = 50  # 5000 rows: far more than one reader has; stops a server that ignores paging
NO_TITLE = "—"
TOKEN_MARGIN = 60.0  # seconds before `expires_in` when a token is replaced
# Shorter than Apache's KeepAliveTimeout (5 s): reusing a connection the server has just
# closed would turn a renewal POST into an unconfirmed one.
KEEPALIVE_SECONDS = 2.0

# CanBookBeRenewed's codes (C4/Circulation.pm), in the reader's terms. Unknown → RULES.
REFUSALS: dict[str, Refusal] = {
    "too_many": Refusal.TOO_MANY,
    "too_unseen": Refusal.TOO_MANY,
    "on_reserve": Refusal.RESERVED,
    "recalled": Refusal.RESERVED,
    "booked": Refusal.RESERVED,
    "overdue": Refusal.OVERDUE,
    "auto_too_late": Refusal.OVERDUE,
    "too_much_owing": Refusal.DEBTS,
    "auto_too_much_oweing": Refusal.DEBTS,  # Koha ≤ 25.x spelling
    "auto_too_much_owing": Refusal.DEBTS,
    "restriction": Refusal.BLOCKED,
    "auto_account_expired": Refusal.BLOCKED,
    "too_soon": Refusal.TOO_SOON,
    "auto_too_soon": Refusal.TOO_SOON,
    "onsite_checkout": Refusal.AT_DESK,
    "item_denied_renewal": Refusal.AT_DESK,
    "item_issued_to_other_patron": Refusal.AT_DESK,
}
HOLD_STATUSES = {"W": HoldStatus.WAITING, "T": HoldStatus.IN_TRANSIT}
# Why Koha will not place a hold: CanBookBeReserved / CanItemBeReserved statuses
# (C4/Reserves.pm) and Koha::Patron->can_place_holds codes. Unknown → RULES.
HOLD_REFUSALS: dict[str, HoldRefusal] = {
    "alreadyReserved": HoldRefusal.ALREADY_HELD,
    "itemAlreadyOnHold": HoldRefusal.ALREADY_HELD,
    "tooManyHoldsForThisRecord": HoldRefusal.ALREADY_HELD,
    "alreadypossession": HoldRefusal.HAVE_IT,
    "tooManyReserves": HoldRefusal.TOO_MANY,
    "tooManyReservesToday": HoldRefusal.TOO_MANY,
    "hold_limit": HoldRefusal.TOO_MANY,
    "expired": HoldRefusal.BLOCKED,
    "debt_limit": HoldRefusal.BLOCKED,
    "debt": HoldRefusal.BLOCKED,
    "restricted": HoldRefusal.BLOCKED,
    "debarred": HoldRefusal.BLOCKED,
    "card_lost": HoldRefusal.BLOCKED,
    "bad_address": HoldRefusal.BLOCKED,
    "notReservable": HoldRefusal.NOT_HOLDABLE,
    "noReservesAllowed": HoldRefusal.NOT_HOLDABLE,
    "notforloan": HoldRefusal.NOT_HOLDABLE,
    "ageRestricted": HoldRefusal.NOT_HOLDABLE,
    "damaged": HoldRefusal.NOT_HOLDABLE,
    "recall": HoldRefusal.NOT_HOLDABLE,
    "cannotReserveFromOtherBranches": HoldRefusal.NOT_HOLDABLE,
    "branchNotInHoldGroup": HoldRefusal.NOT_HOLDABLE,
    "libraryNotPickupLocation": HoldRefusal.PICKUP,
    "pickupNotInHoldGroup": HoldRefusal.PICKUP,
    "cannotBeTransferred": HoldRefusal.PICKUP,
    "libraryNotFound": HoldRefusal.PICKUP,
}
_HOLD_REASON = re.compile(r"Reason: (\w+)")
_BAD_PICKUP = re.compile(r"pickup location", re.IGNORECASE)
_NOT_AUTHORISED = re.compile(r"Renewal not authorized \(([^)]*)\)")
_TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)


def refusal_for(code: str | None) -> Refusal:
    """A refusal code from Koha in the reader's terms; codes we do not know are «rules»."""
    return REFUSALS.get(code or "", Refusal.RULES)


@dataclass(frozen=True, slots=True)
class _Reply:
    status: int
    body: Any  # parsed JSON, or None when the body was not JSON
    total: int | None  # X-Total-Count of list endpoints


@dataclass(frozen=True, slots=True)
class _Token:
    value: str
    usable_until: float  # time.monotonic()

    def fresh(self) -> bool:
        return time.monotonic() < self.usable_until


@dataclass(frozen=True, slots=True)
class _Check:
    """What `allows_renewal` said about one checkout."""

    refusal: Refusal | None
    max_renewals: int | None
    detail: str | None


class KohaSystem:
    kind = "koha"
    verifications = frozenset(
        {Verification.PASSWORD, Verification.SURNAME_BIRTH_YEAR, Verification.DESK_CODE}
    )

    def __init__(
        self, settings: Koha, *, timeout: float, today: Callable[[], date] | None = None
    ) -> None:
        self._settings = settings
        self._base = settings.url.rstrip("/") + API
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._today = today or _system_today
        self._session: aiohttp.ClientSession | None = None
        self._token: _Token | None = None
        self._token_lock = asyncio.Lock()
        self._no_embed: set[str] = set()  # list paths whose Koha refused x-koha-embed

    def __repr__(self) -> str:
        return f"KohaSystem({self._base!r})"

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
            ok = _identity_ok(record, credentials)
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
        rows = await self._list("/holds", {"patron_id": patron.ref}, embed="biblio")
        return [await self._hold(row) for row in rows if _belongs(row, patron)]

    async def renew(self, patron: Patron, loan: Loan) -> Renewal:
        return (await self.renew_all(patron, [loan]))[0]

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        """Renew in turn; once Koha stops answering, the rest are not sent (UNAVAILABLE)."""
        if not loans:
            return []
        try:
            owned = {str(_int_field(row, "checkout_id")) for row in await self._checkouts(patron)}
        except SystemUnavailable:
            return [Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE) for loan in loans]
        results: list[Renewal] = []
        for loan in loans:
            if results and results[-1].outcome in (Outcome.UNAVAILABLE, Outcome.UNCONFIRMED):
                results.append(Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE))
            elif loan.ref not in owned:
                log.warning(
                    "Not renewing checkout %r: not on patron %s's card", loan.ref, patron.ref
                )
                results.append(_refused(loan, Refusal.NOT_ON_LOAN))
            else:
                results.append(await self._renew_checkout(loan))
        return results

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
            reply = await self._request("POST", path, body=body)
        except SystemUnavailable:  # no OAuth token: the POST never left
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            log.warning("Koha unreachable for POST %s: %s", path, type(exc).__name__)
            return HoldPlacement(HoldOutcome.UNAVAILABLE)
        except _TRANSPORT_ERRORS as exc:
            log.warning("Hold POST %s sent but its answer was lost: %s", path, type(exc).__name__)
            return HoldPlacement(HoldOutcome.UNCONFIRMED)
        return _placement(path, reply)

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    # --- patrons --------------------------------------------------------------------------

    async def _patron_record(self, ticket: str) -> dict[str, Any] | None:
        card = normalise_ticket(ticket)
        if not card:
            return None
        rows = await self._list("/patrons", {"cardnumber": card})
        # Koha compares card numbers without case (MySQL collation); so do we.
        wanted = card.casefold()
        return next((r for r in rows if str(r.get("cardnumber") or "").casefold() == wanted), None)

    def _patron(self, record: dict[str, Any]) -> Patron:
        parts = (record.get("firstname"), record.get("surname"))
        name = " ".join(p.strip() for p in parts if isinstance(p, str) and p.strip())
        return Patron(
            ticket=str(record.get("cardnumber")),
            ref=str(_int_field(record, "patron_id")),
            name=name or None,
            refusal=Refusal.BLOCKED if self._blocked(record) else None,
        )

    def _blocked(self, record: dict[str, Any]) -> bool:
        """Restricted (debarred) or expired; older Koha has no `expired`, only the date."""
        if record.get("restricted") is True or record.get("expired") is True:
            return True
        expiry = _day(record.get("expiry_date"))
        return "expired" not in record and expiry is not None and expiry < self._today()

    async def _password_ok(self, record: dict[str, Any], secret: str) -> bool:
        if not secret:
            return False
        path = "/auth/password/validation"
        payload = {"identifier": str(record.get("cardnumber")), "password": secret}
        reply = await self._call("POST", path, body=payload)
        if reply.status == 400:  # wrong, expired or locked: Koha tells no more than "no"
            return False
        if reply.status not in (200, 201) or not isinstance(reply.body, dict):
            raise _failure("POST", path, reply)
        # The identifier may have matched another patron's user name first.
        return reply.body.get("patron_id") == record.get("patron_id")

    # --- loans and holds ------------------------------------------------------------------

    async def _checkouts(self, patron: Patron, embed: str | None = None) -> list[dict[str, Any]]:
        rows = await self._list("/checkouts", {"patron_id": patron.ref}, embed=embed)
        return [row for row in rows if _belongs(row, patron)]

    async def _loan(self, row: dict[str, Any]) -> Loan:
        checkout_id = _int_field(row, "checkout_id")
        due = _day(row.get("due_date"))
        if due is None:
            raise SystemUnavailable(f"Koha checkout {checkout_id} has no due date")
        title, barcode = await self._describe_item(row)
        check = await self._allows_renewal(checkout_id)
        return Loan(
            ref=str(checkout_id),
            title=title,
            due=due,
            barcode=barcode,
            issued=_day(row.get("checkout_date")),
            renewals=_opt_int(row.get("renewals_count", row.get("renewals"))),
            max_renewals=check.max_renewals,
            refusal=check.refusal,
            detail=check.detail,
        )

    async def _allows_renewal(self, checkout_id: int) -> _Check:
        path = f"/checkouts/{checkout_id}/allows_renewal"
        reply = await self._call("GET", path)
        if reply.status == 404:  # returned between the list and this call
            return _Check(Refusal.NOT_ON_LOAN, None, "not_found")
        if reply.status != 200 or not isinstance(reply.body, dict):
            raise _failure("GET", path, reply)
        code = reply.body.get("error") if isinstance(reply.body.get("error"), str) else None
        maximum = _opt_int(reply.body.get("max_renewals"))
        if reply.body.get("allows_renewal") is True:
            return _Check(None, maximum, code or None)
        return _Check(refusal_for(code), maximum, code or None)

    async def _describe_item(self, row: dict[str, Any]) -> tuple[str, str]:
        """Title and barcode, embedded by newer Koha or fetched when embedding was refused."""
        item = row["item"] if "item" in row else await self._fetch("/items", row.get("item_id"))
        if not isinstance(item, dict):
            return NO_TITLE, ""
        barcode = item.get("external_id")
        biblio = item["biblio"] if "biblio" in item else await self._biblio(item.get("biblio_id"))
        return _title(biblio), barcode if isinstance(barcode, str) else ""

    async def _hold(self, row: dict[str, Any]) -> Hold:
        status = HOLD_STATUSES.get(row.get("status") or "", HoldStatus.PENDING)
        biblio = row["biblio"] if "biblio" in row else await self._biblio(row.get("biblio_id"))
        branch = row.get("pickup_library_id")
        return Hold(
            ref=str(_int_field(row, "hold_id")),
            title=_title(biblio),
            status=status,
            branch=branch if isinstance(branch, str) and branch else None,
            pickup_until=_day(row.get("expiration_date")) if status is HoldStatus.WAITING else None,
        )

    async def _biblio(self, biblio_id: object) -> dict[str, Any] | None:
        return await self._fetch("/biblios", biblio_id)

    async def _fetch(self, collection: str, object_id: object) -> dict[str, Any] | None:
        """One object for a title; a missing or refused one just leaves the title unknown."""
        if not isinstance(object_id, int) or isinstance(object_id, bool):
            return None
        path = f"{collection}/{object_id}"
        reply = await self._call("GET", path)
        if reply.status >= 500:
            raise _failure("GET", path, reply)
        if reply.status != 200 or not isinstance(reply.body, dict):
            log.info("Koha gave no %s (HTTP %s); the title stays unknown", path, reply.status)
            return None
        return reply.body

    async def _hold_target(self, wish: HoldWish) -> tuple[int, str | None] | None:
        """Koha's record id for the wish and the holding library of the copy that named
        it; None when Koha knows none of the copies and not the control number."""
        for barcode in wish.barcodes:
            rows = await self._list("/items", {"external_id": barcode})
            wanted = barcode.casefold()
            for row in rows:
                if str(row.get("external_id") or "").casefold() != wanted:
                    continue
                biblio_id = _opt_int(row.get("biblio_id"))
                holding = row.get("holding_library_id") or row.get("home_library_id")
                if biblio_id is not None:
                    return biblio_id, holding if isinstance(holding, str) and holding else None
        number = (wish.control_number or "").strip()
        if number.isdigit():
            biblio = await self._biblio(int(number))
            # 001 is Koha's biblionumber only in some set-ups: the titles must agree.
            if biblio is not None and fold_name(_title(biblio)) == fold_name(wish.title):
                return int(number), None
        return None

    # --- renewal --------------------------------------------------------------------------

    async def _renew_checkout(self, loan: Loan) -> Renewal:
        """POST one renewal; the id is one of the patron's own checkouts (digits only)."""
        path = f"/checkouts/{loan.ref}/renewal"
        try:
            reply = await self._request("POST", path)
        except SystemUnavailable:  # no OAuth token: the POST never left
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        except (aiohttp.ClientConnectorError, aiohttp.ConnectionTimeoutError) as exc:
            log.warning("Koha unreachable for %s: %s", path, type(exc).__name__)
            return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)
        except _TRANSPORT_ERRORS as exc:
            log.warning("Renewal %s sent but its answer was lost: %s", path, type(exc).__name__)
            return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
        return _renewal(loan, path, reply)

    # --- HTTP -----------------------------------------------------------------------------

    async def _list(
        self, path: str, params: dict[str, str], *, embed: str | None = None
    ) -> list[dict[str, Any]]:
        """Every page of a list endpoint, filters matched exactly."""
        headers = {"x-koha-embed": embed} if embed and path not in self._no_embed else {}
        rows: list[dict[str, Any]] = []
        for page in range(1, MAX_PAGES + 1):
            query = {**params, "_match": "exact", "_page": str(page), "_per_page": str(PAGE_SIZE)}
            reply = await self._call("GET", path, params=query, headers=headers)
            if reply.status == 400 and headers:
                log.info("Koha refuses x-koha-embed %r on %s; fetching titles apart", embed, path)
                self._no_embed.add(path)
                headers = {}
                reply = await self._call("GET", path, params=query, headers=headers)
            if reply.status != 200 or not isinstance(reply.body, list):
                raise _failure("GET", path, reply)
            rows.extend(row for row in reply.body if isinstance(row, dict))
            total = reply.total if reply.total is not None else len(rows) + 1
            if len(reply.body) < PAGE_SIZE or len(rows) >= total:
                break
        return rows

    async def _call(self, method: str, path: str, **kwargs: Any) -> _Reply:
        """A request whose loss changes nothing: no answer at all is SystemUnavailable."""
        try:
            return await self._request(method, path, **kwargs)
        except _TRANSPORT_ERRORS as exc:
            log.warning("Koha did not answer %s %s: %s", method, path, type(exc).__name__)
            raise SystemUnavailable(f"Koha did not answer {method} {path}") from exc

    async def _request(self, method: str, path: str, **kwargs: Any) -> _Reply:
        """An authorised request; an OAuth token Koha no longer accepts is replaced once."""
        reply = await self._exchange(method, path, await self._authorization(), **kwargs)
        if reply.status == 401 and self._settings.client_id:
            self._token = None  # revoked or expired early (401 comes before any change)
            reply = await self._exchange(method, path, await self._authorization(), **kwargs)
        return reply

    async def _exchange(
        self,
        method: str,
        path: str,
        authorization: str | None,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
        form: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> _Reply:
        sent = {"Accept": "application/json", **(headers or {})}
        if authorization:
            sent["Authorization"] = authorization
        url = self._base + path
        async with self._client().request(
            method, url, params=params, json=body, data=form, headers=sent
        ) as response:
            raw = await response.read()
            total = _opt_int(response.headers.get("X-Total-Count"))
            return _Reply(response.status, _decode(raw), total)

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_SECONDS),
            )
        return self._session

    async def _authorization(self) -> str:
        """Basic for an API user; a cached Bearer token for an OAuth client."""
        settings = self._settings
        if not settings.client_id:
            password = settings.password.get_secret_value() if settings.password else ""
            pair = f"{settings.user}:{password}".encode()  # UTF-8: staff passwords may be Cyrillic
            return "Basic " + base64.b64encode(pair).decode("ascii")
        async with self._token_lock:
            if self._token is None or not self._token.fresh():
                self._token = await self._fetch_token()
            return f"Bearer {self._token.value}"

    async def _fetch_token(self) -> _Token:
        secret = self._settings.client_secret
        form = {
            "grant_type": "client_credentials",
            "client_id": self._settings.client_id,
            "client_secret": secret.get_secret_value() if secret else "",
        }
        path = "/oauth/token"
        try:
            reply = await self._exchange("POST", path, None, form=form)
        except _TRANSPORT_ERRORS as exc:
            log.warning("Koha did not answer POST %s: %s", path, type(exc).__name__)
            raise SystemUnavailable("Koha did not answer the token request") from exc
        body = reply.body
        if reply.status != 200 or not isinstance(body, dict):
            raise _failure("POST", path, reply)
        token, lifetime = body.get("access_token"), _opt_int(body.get("expires_in"))
        if not isinstance(token, str) or not token:
            raise _failure("POST", path, reply)
        seconds = float(lifetime) if lifetime and lifetime > 0 else 3600.0
        return _Token(token, time.monotonic() + seconds - min(TOKEN_MARGIN, seconds / 10))


# --- answers to values ----------------------------------------------------------------------


def _renewal(loan: Loan, path: str, reply: _Reply) -> Renewal:
    if 200 <= reply.status < 300:  # 201; very old Koha said 200
        body = reply.body if isinstance(reply.body, dict) else {}
        return Renewal(loan.ref, loan.title, Outcome.RENEWED, due=_day(body.get("due_date")))
    if reply.status == 403 and (code := _refusal_code(reply.body)) is not None:
        return _refused(loan, refusal_for(code), code or None)
    if reply.status == 404:
        return _refused(loan, Refusal.NOT_ON_LOAN, "not_found")
    if reply.status == 504:  # a proxy gave up waiting: Koha had the request and may have acted
        log.warning("Renewal %s: gateway timeout, outcome unknown", path)
        return Renewal(loan.ref, loan.title, Outcome.UNCONFIRMED)
    _failure("POST", path, reply)  # logs why; Koha refused the request itself
    return Renewal(loan.ref, loan.title, Outcome.UNAVAILABLE)


def _placement(path: str, reply: _Reply) -> HoldPlacement:
    body = reply.body if isinstance(reply.body, dict) else {}
    if 200 <= reply.status < 300:
        return HoldPlacement(
            HoldOutcome.PLACED,
            ref=str(body["hold_id"]) if _opt_int(body.get("hold_id")) is not None else None,
            queue_position=_opt_int(body.get("priority")) or None,
        )
    error = body.get("error") if isinstance(body.get("error"), str) else None
    if reply.status in (403, 409):
        code = body.get("error_code")
        if not isinstance(code, str) or not code:
            match = _HOLD_REASON.search(error or "")
            code = match.group(1) if match else None
        if code:
            refusal = HOLD_REFUSALS.get(code, HoldRefusal.RULES)
            return HoldPlacement(HoldOutcome.REFUSED, refusal=refusal, detail=code)
    if reply.status == 400 and error and _BAD_PICKUP.search(error):
        return HoldPlacement(HoldOutcome.REFUSED, refusal=HoldRefusal.PICKUP, detail=error[:200])
    said = (error or str(reply.body or ""))[:200]
    if reply.status == 400 and "patron" in said.casefold():  # the card was deleted meanwhile
        log.warning("Koha refused a hold: %s", said)
        return HoldPlacement(HoldOutcome.REFUSED, refusal=HoldRefusal.RULES, detail=said)
    if reply.status in (400, 404) and "not found" in said.casefold():  # the record went
        log.warning("Koha refused a hold: %s", said)
        return HoldPlacement(HoldOutcome.UNKNOWN_BOOK, detail=said)
    if reply.status == 504:  # a proxy gave up waiting: Koha had the request
        log.warning("Hold %s: gateway timeout, outcome unknown", path)
        return HoldPlacement(HoldOutcome.UNCONFIRMED)
    _failure("POST", path, reply)  # logs why
    return HoldPlacement(HoldOutcome.UNAVAILABLE)


def _refused(loan: Loan, refusal: Refusal, detail: str | None = None) -> Renewal:
    return Renewal(loan.ref, loan.title, Outcome.REFUSED, refusal=refusal, detail=detail)


def _refusal_code(body: object) -> str | None:
    """The code of a renewal refusal; None for other 403s (the API user's permissions)."""
    if not isinstance(body, dict):
        return None
    text, code = body.get("error"), body.get("error_code")
    match = _NOT_AUTHORISED.search(text) if isinstance(text, str) else None
    if isinstance(code, str) and code and (match or code in REFUSALS):
        return code
    return match.group(1) if match else None


def _failure(method: str, path: str, reply: _Reply) -> SystemUnavailable:
    """Log an answer we cannot use (never the request: it may carry a password)."""
    error = reply.body.get("error") if isinstance(reply.body, dict) else None
    said = str(error)[:200] if error else "no usable answer"
    if reply.status in (401, 403):
        log.error(
            "Koha refused libbot's API account on %s %s (HTTP %s: %s); "
            "check [library_system.koha] credentials and the account's permissions",
            method, path, reply.status, said,
        )  # fmt: skip
    else:
        log.warning("Koha answered %s %s with HTTP %s: %s", method, path, reply.status, said)
    return SystemUnavailable(f"Koha answered {method} {path} with HTTP {reply.status}")


def _identity_ok(record: dict[str, Any], given: SurnameAndYear) -> bool:
    born = _day(record.get("date_of_birth"))
    surname = record.get("surname")
    return (
        born is not None
        and born.year == given.year
        and isinstance(surname, str)
        and same_surname(given.surname, surname)
    )


def _belongs(row: dict[str, Any], patron: Patron) -> bool:
    """A row of this patron's: the server may have matched `patron_id` loosely."""
    return str(row.get("patron_id")) == patron.ref


def _title(biblio: object) -> str:
    """The record's title without the ISBD punctuation catalogues leave at its end."""
    title = biblio.get("title") if isinstance(biblio, dict) else None
    if not isinstance(title, str):
        return NO_TITLE
    return title.strip().rstrip(" /:;,=").strip() or NO_TITLE


def _day(value: object) -> date | None:
    """The calendar day of a Koha `date` or `date-time` (its date part, as Koha wrote it)."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def _opt_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _int_field(row: dict[str, Any], key: str) -> int:
    value = row.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise SystemUnavailable(f"Koha sent a {key} that is not a number")
    return value


def _decode(raw: bytes) -> Any:
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def _system_today() -> date:
    return datetime.now(UTC).astimezone().date()
