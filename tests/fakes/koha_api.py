"""A fake Koha REST API (`/api/v1`) on 127.0.0.1, answering as Koha's definitions say.

Field names, types, status codes and error bodies follow Koha's published OpenAPI
definitions and controllers (api/v1/swagger: patron, checkout, allows_renewal, hold,
item; Koha/REST/V1/{Auth,Checkouts,Auth/Password,OAuth}.pm). Like Koha it:
- demands Basic auth or an OAuth2 client-credentials Bearer token: 401 without one,
  403 "Invalid password" for a wrong Basic password, 401 for an unknown token;
- matches list filters with `contains` unless `_match=exact` (card 100 finds 1001);
- refuses unknown query parameters and `x-koha-embed` values it does not declare
  (`legacy=True` plays an older Koha: no item/biblio embeds, `renewals` instead of
  `renewals_count`, no `expired`, refusals without `error_code`);
- validates passwords against user names first, then card numbers;
- reads `q` on /patrons as Koha's objects.search does, for what the bot sends (a list is
  OR, an object AND, `{"-like": "%9%1%…"}`); phones are kept as staff typed them.

Holds are placed as Koha/REST/V1/Holds.pm `add` does: the body is checked against the
definition (extra properties refused), an unknown record is 400 "Biblio not found.", an
unknown patron 400, a pickup library that is not one 400 "The supplied pickup location is
not valid", newer Koha refuses a restricted or expired card with 409 and `error_code`,
and CanBookBeReserved's statuses come back as 403 "Hold cannot be placed. Reason: …"
(with `error_code` unless `legacy`): `alreadypossession`, `tooManyHoldsForThisRecord`,
`tooManyReserves` (past `max_holds`), `notReservable` (records in `not_holdable`).

Test knobs: `down` (503 to everything), `slow_seconds` (wait before answering),
`hang_after_renewal` (renew, then keep the client waiting), `drop_after_renewal`
(renew, then cut the connection), `renewal_status` (answer renewal POSTs with this
status, changing nothing), `drop_after_hold` (place the hold, then cut the connection),
`hold_status` (answer hold POSTs with this status, placing nothing), `revoke_tokens()`.
`requests` records what arrived, `bodies` the JSON bodies of POSTs.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextlib
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

ZONE = ZoneInfo("Europe/Moscow")
API = "/api/v1"
MATCHES = ("contains", "exact", "starts_with", "ends_with")
RESERVED_PARAMS = {"_match", "_order_by", "_page", "_per_page", "q"}
EMBEDS_NEW = {
    "/checkouts": {"booking", "issuer", "item", "item.biblio", "library", "patron", "renewals"},
    "/holds": {"biblio", "item", "patron", "pickup_library", "item_group"},
}
EMBEDS_OLD = {"/checkouts": {"issuer", "renewals"}, "/holds": set()}
HANG_SECONDS = 30.0  # longer than any client timeout in the tests; stop() ends it early

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@dataclass
class FakePatron:
    patron_id: int
    cardnumber: str
    surname: str
    firstname: str | None
    password: str
    userid: str
    date_of_birth: date | None = None
    restricted: bool = False
    expiry_date: date | None = None
    phone: str | None = None  # as staff typed it: «8 (912) 345-67-89»
    mobile: str | None = None


@dataclass
class FakeItem:
    item_id: int
    biblio_id: int
    barcode: str | None
    library_id: str = "CPL"


@dataclass
class FakeCheckout:
    checkout_id: int
    patron_id: int
    item_id: int
    due_date: datetime
    checkout_date: datetime
    renewals_count: int = 0
    max_renewals: int = 2
    refusal: str | None = None  # a CanBookBeRenewed code this checkout is refused with
    auto_renew: bool = False
    onsite_checkout: bool = False
    last_renewed_date: datetime | None = None
    renewal_days: int = 14


@dataclass
class FakeHold:
    hold_id: int
    patron_id: int
    biblio_id: int
    status: str | None  # None queued, "W" waiting, "T" in transit
    pickup_library_id: str
    priority: int
    hold_date: date
    waiting_date: date | None = None
    expiration_date: date | None = None


@dataclass
class Seen:
    """One request as it arrived (no credentials kept: only the scheme)."""

    method: str
    path: str
    query: dict[str, str]
    auth: str  # "basic", "bearer" or "" (none)
    embed: str | None = None


@dataclass
class FakeKoha:
    user: str = "libbot-api"
    password: str = "api-пароль"
    client_id: str = "libbot-client"
    client_secret: str = "client-secret-value"
    token_lifetime: int = 3600
    legacy: bool = False
    today: date = date(2025, 6, 1)
    # knobs
    down: bool = False
    slow_seconds: float = 0.0
    hang_after_renewal: bool = False
    drop_after_renewal: bool = False
    renewal_status: int | None = None
    drop_after_hold: bool = False
    hold_status: int | None = None
    max_holds: int = 50  # the maxreserves system preference
    # state
    libraries: set[str] = field(default_factory=lambda: {"CPL", "MPL"})
    not_holdable: set[int] = field(default_factory=set)  # biblio ids
    bodies: list[dict[str, Any]] = field(default_factory=list)
    patrons: dict[int, FakePatron] = field(default_factory=dict)
    biblios: dict[int, dict[str, Any]] = field(default_factory=dict)
    items: dict[int, FakeItem] = field(default_factory=dict)
    checkouts: dict[int, FakeCheckout] = field(default_factory=dict)
    holds: dict[int, FakeHold] = field(default_factory=dict)
    tokens: dict[str, float] = field(default_factory=dict)  # token → monotonic expiry
    issued_tokens: list[str] = field(default_factory=list)
    requests: list[Seen] = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self._ids = itertools.count(101)
        self._runner: web.AppRunner | None = None
        self._stopping = asyncio.Event()

    # --- lifecycle --------------------------------------------------------------------------

    async def start(self) -> FakeKoha:
        app = web.Application(middlewares=[self._middleware])
        routes = [
            ("POST", "/oauth/token", self._token),
            ("GET", "/patrons", self._patrons),
            ("POST", "/auth/password/validation", self._validate_password),
            ("GET", "/checkouts", self._checkouts),
            ("GET", "/checkouts/{checkout_id}/allows_renewal", self._allows_renewal),
            ("POST", "/checkouts/{checkout_id}/renewal", self._renew),
            ("GET", "/holds", self._holds),
            ("POST", "/holds", self._add_hold),
            ("GET", "/items", self._items),
            ("GET", "/items/{item_id}", self._item),
            ("GET", "/biblios/{biblio_id}", self._biblio),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, API + path, handler)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        self._stopping.set()  # ends hanging and slow answers at once
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- what tests set up ------------------------------------------------------------------

    def add_patron(
        self,
        cardnumber: str,
        surname: str,
        firstname: str | None = None,
        *,
        password: str = "",
        born: date | None = None,
        userid: str | None = None,
        restricted: bool = False,
        expires: date | None = None,
        patron_id: int | None = None,
        phone: str | None = None,
        mobile: str | None = None,
    ) -> FakePatron:
        pid = patron_id if patron_id is not None else next(self._ids)
        patron = FakePatron(
            pid, cardnumber, surname, firstname, password, userid or f"user{pid}", born,
            restricted, expires or self.today + timedelta(days=365), phone, mobile,
        )  # fmt: skip
        self.patrons[pid] = patron
        return patron

    def add_biblio(self, title: str | None, author: str | None = None) -> int:
        biblio_id = next(self._ids)
        self.biblios[biblio_id] = {"title": title, "author": author}
        return biblio_id

    def add_item(
        self,
        title: str | None,
        barcode: str | None = None,
        *,
        library: str = "CPL",
        biblio_id: int | None = None,
    ) -> FakeItem:
        """A copy; of a new record with this title, or of `biblio_id`'s."""
        record = biblio_id if biblio_id is not None else self.add_biblio(title)
        item = FakeItem(next(self._ids), record, barcode, library)
        self.items[item.item_id] = item
        return item

    def add_checkout(
        self, patron: FakePatron, item: FakeItem, due: date, **options: Any
    ) -> FakeCheckout:
        checkout = FakeCheckout(
            checkout_id=next(self._ids),
            patron_id=patron.patron_id,
            item_id=item.item_id,
            due_date=datetime.combine(due, datetime.min.time(), ZONE).replace(hour=23, minute=59),
            checkout_date=datetime.combine(due - timedelta(days=14), datetime.min.time(), ZONE),
            **options,
        )
        self.checkouts[checkout.checkout_id] = checkout
        return checkout

    def add_hold(
        self,
        patron: FakePatron,
        title: str | None,
        *,
        status: str | None = None,
        pickup: str = "CPL",
        expires: date | None = None,
    ) -> FakeHold:
        hold = FakeHold(
            hold_id=next(self._ids),
            patron_id=patron.patron_id,
            biblio_id=self.add_biblio(title),
            status=status,
            pickup_library_id=pickup,
            priority=0 if status else 1,
            hold_date=self.today - timedelta(days=10),
            waiting_date=self.today - timedelta(days=1) if status == "W" else None,
            expiration_date=expires,
        )
        self.holds[hold.hold_id] = hold
        return hold

    def revoke_tokens(self) -> None:
        self.tokens.clear()

    def sent(self, method: str, path: str) -> list[Seen]:
        """Requests that arrived for this method and path (path without /api/v1)."""
        return [r for r in self.requests if r.method == method and r.path == API + path]

    # --- the common part of every answer ----------------------------------------------------

    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        header = request.headers.get("Authorization", "")
        scheme = header.split(" ", 1)[0].lower() if header else ""
        embed = request.headers.get("x-koha-embed")
        self.requests.append(Seen(request.method, request.path, dict(request.query), scheme, embed))
        if self.down:
            return _error(503, "System is under maintenance.")
        if self.slow_seconds:
            await self._pause(self.slow_seconds)
        if request.path != API + "/oauth/token":
            refused = self._authenticate(header)
            if refused is not None:
                return refused
        return await handler(request)

    def _authenticate(self, header: str) -> web.Response | None:
        """Koha/REST/V1/Auth.pm: no or bad token 401, a wrong Basic password 403."""
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer":
            expiry = self.tokens.get(value.strip())
            if expiry is None or expiry < time.monotonic():
                return _error(401, "Authentication failure.")
            return None
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value, validate=True).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return _error(401, "Authentication failure.")
            if user != self.user or password != self.password:
                return web.json_response(
                    {"error": "Invalid password", "required_permissions": None}, status=403
                )
            return None
        return _error(401, "Authentication failure.")

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    # --- routes -----------------------------------------------------------------------------

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        if form.get("grant_type") != "client_credentials":
            return _error(400, "Unimplemented grant type")
        if form.get("client_id") != self.client_id or form.get("client_secret") != (
            self.client_secret
        ):
            return _error(403, "unauthorized_client")
        token = f"token-{next(self._ids)}-{int(time.monotonic() * 1000)}"
        self.tokens[token] = time.monotonic() + self.token_lifetime
        self.issued_tokens.append(token)
        return web.json_response(
            {"access_token": token, "token_type": "Bearer", "expires_in": self.token_lifetime}
        )

    async def _patrons(self, request: web.Request) -> web.Response:
        filters = _filters(request, {"patron_id", "cardnumber", "surname", "firstname", "userid"})
        if isinstance(filters, web.Response):
            return filters
        rows = [self._patron_json(p) for p in self.patrons.values()]
        if "q" in request.query:
            rows = _queried(rows, request.query["q"])
            if isinstance(rows, web.Response):
                return rows
        return _page(request, _filtered(rows, filters, request.query.get("_match")))

    async def _validate_password(self, request: web.Request) -> web.Response:
        """Koha/REST/V1/Auth/Password.pm: 201 {cardnumber, patron_id, userid} or 400."""
        try:
            body = await request.json()
        except ValueError:
            return _schema_error("/body", "Expected object - got string.")
        if not isinstance(body, dict) or not isinstance(body.get("password"), str):
            return _schema_error("/body/password", "Missing property.")
        extra = set(body) - {"identifier", "userid", "password"}
        if extra:
            return _schema_error("/body", f"Properties not allowed: {', '.join(sorted(extra))}.")
        if "identifier" in body and "userid" in body:
            return _error(400, "Bad request. Only one identifier attribute can be passed.")
        for patron in self._password_candidates(body):
            if patron.password and patron.password == body["password"]:
                return web.json_response(
                    {
                        "cardnumber": patron.cardnumber,
                        "patron_id": patron.patron_id,
                        "userid": patron.userid,
                    },
                    status=201,
                )
        return _error(400, "Validation failed")

    def _password_candidates(self, body: dict[str, Any]) -> list[FakePatron]:
        """C4::Auth::checkpw: the user name first, then (for `identifier`) the card number."""
        name = body.get("identifier", body.get("userid"))
        found = [p for p in self.patrons.values() if p.userid == name]
        if "identifier" in body:
            found += [p for p in self.patrons.values() if p.cardnumber == name]
        return found

    async def _checkouts(self, request: web.Request) -> web.Response:
        filters = _filters(request, {"patron_id", "checked_in"})
        if isinstance(filters, web.Response):
            return filters
        embeds = self._embeds(request, "/checkouts")
        if isinstance(embeds, web.Response):
            return embeds
        rows = [self._checkout_json(c, embeds) for c in self.checkouts.values()]
        filters.pop("checked_in", None)  # only current checkouts exist here
        return _page(request, _filtered(rows, filters, request.query.get("_match")))

    async def _allows_renewal(self, request: web.Request) -> web.Response:
        checkout = self._checkout(request)
        if isinstance(checkout, web.Response):
            return checkout
        allowed, error = self._can_renew(checkout)
        return web.json_response(
            {
                "allows_renewal": allowed,
                "max_renewals": checkout.max_renewals,
                "current_renewals": checkout.renewals_count,
                "unseen_renewals": 0,
                "error": error,
            }
        )

    async def _renew(self, request: web.Request) -> web.StreamResponse:
        if self.renewal_status is not None:
            return _canned(self.renewal_status)
        checkout = self._checkout(request)
        if isinstance(checkout, web.Response):
            return checkout
        allowed, error = self._can_renew(checkout)
        if not allowed:
            body = {"error": f"Renewal not authorized ({error})"}
            if not self.legacy:
                body["error_code"] = str(error)
            return web.json_response(body, status=403)
        checkout.due_date += timedelta(days=checkout.renewal_days)
        checkout.renewals_count += 1
        checkout.last_renewed_date = datetime.now(ZONE)
        if self.hang_after_renewal:
            await self._pause(HANG_SECONDS)
        if self.drop_after_renewal and request.transport is not None:
            request.transport.abort()
        return web.json_response(
            self._checkout_json(checkout, set()),
            status=201,
            headers={"Location": request.path},
        )

    async def _holds(self, request: web.Request) -> web.Response:
        filters = _filters(request, {"hold_id", "patron_id", "biblio_id", "status"})
        if isinstance(filters, web.Response):
            return filters
        embeds = self._embeds(request, "/holds")
        if isinstance(embeds, web.Response):
            return embeds
        rows = [self._hold_json(h, embeds) for h in self.holds.values()]
        return _page(request, _filtered(rows, filters, request.query.get("_match")))

    async def _add_hold(self, request: web.Request) -> web.StreamResponse:
        """Koha/REST/V1/Holds.pm add, for a record-level or item-level hold."""
        try:
            body = await request.json()
        except ValueError:
            return _schema_error("/body", "Expected object - got string.")
        if not isinstance(body, dict):
            return _schema_error("/body", "Expected object - got string.")
        self.bodies.append(body)
        problem = _hold_body_problem(body)
        if problem is not None:
            return problem
        if self.hold_status is not None:
            return _canned(self.hold_status)
        biblio_id, item_id = body.get("biblio_id"), body.get("item_id")
        if item_id is not None:
            item = self.items.get(item_id)
            if item is None:
                return _error(404, "item_id not found.")
            if biblio_id is not None and item.biblio_id != biblio_id:
                return _error(400, f"Item {item_id} doesn't belong to biblio {biblio_id}")
            biblio_id = item.biblio_id
        if biblio_id not in self.biblios:
            return web.json_response("Biblio not found.", status=400)
        patron = self.patrons.get(body["patron_id"])
        if patron is None:
            return _error(400, "patron_id not found")
        if body["pickup_library_id"] not in self.libraries:
            return _error(400, "The supplied pickup location is not valid")
        if not self.legacy and (blocked := self._card_blocks_holds(patron)):
            return web.json_response(
                {"error": f"Hold cannot be placed. Reason: {blocked}", "error_code": blocked},
                status=409,
            )
        status = self._can_reserve(patron, biblio_id)
        if status != "OK":
            refusal = {"error": f"Hold cannot be placed. Reason: {status}"}
            if not self.legacy:
                refusal["error_code"] = status
            return web.json_response(refusal, status=403)
        queued = [h for h in self.holds.values() if h.biblio_id == biblio_id]
        hold = FakeHold(
            hold_id=next(self._ids),
            patron_id=patron.patron_id,
            biblio_id=biblio_id,
            status=None,
            pickup_library_id=body["pickup_library_id"],
            priority=len(queued) + 1,
            hold_date=self.today,
        )
        self.holds[hold.hold_id] = hold
        if self.drop_after_hold and request.transport is not None:
            request.transport.abort()
        return web.json_response(self._hold_json(hold, set()), status=201)

    def _card_blocks_holds(self, patron: FakePatron) -> str | None:
        """Koha::Patron->can_place_holds, for the cases the tests configure."""
        if patron.expiry_date is not None and patron.expiry_date < self.today:
            return "expired"
        if patron.restricted:
            return "restricted"
        return None

    def _can_reserve(self, patron: FakePatron, biblio_id: int) -> str:
        """CanBookBeReserved, in its order, for the cases the tests configure."""
        if biblio_id in self.not_holdable:
            return "notReservable"
        mine = [h for h in self.holds.values() if h.patron_id == patron.patron_id]
        if len(mine) >= self.max_holds:
            return "tooManyReserves"
        on_card = {
            self.items[c.item_id].biblio_id
            for c in self.checkouts.values()
            if c.patron_id == patron.patron_id and c.item_id in self.items
        }
        if biblio_id in on_card:
            return "alreadypossession"
        if any(h.biblio_id == biblio_id for h in mine):
            return "tooManyHoldsForThisRecord"
        return "OK"

    async def _items(self, request: web.Request) -> web.Response:
        filters = _filters(request, {"item_id", "biblio_id", "external_id"})
        if isinstance(filters, web.Response):
            return filters
        rows = [self._item_json(i, embed_biblio=False) for i in self.items.values()]
        return _page(request, _filtered(rows, filters, request.query.get("_match")))

    async def _item(self, request: web.Request) -> web.Response:
        item = self.items.get(_int(request.match_info["item_id"]) or 0)
        if item is None:
            return _error(404, "Item not found", "not_found")
        return web.json_response(self._item_json(item, embed_biblio=False))

    async def _biblio(self, request: web.Request) -> web.Response:
        if "application/json" not in request.headers.get("Accept", ""):
            return _error(406, "Not acceptable")
        biblio_id = _int(request.match_info["biblio_id"]) or 0
        if biblio_id not in self.biblios:
            return _error(404, "Object not found.", "not_found")
        return web.json_response(self._biblio_json(biblio_id))

    # --- Koha's rules and objects -----------------------------------------------------------

    def _can_renew(self, checkout: FakeCheckout) -> tuple[bool, str | None]:
        """CanBookBeRenewed, in its order, for the cases the tests configure."""
        if checkout.onsite_checkout:
            return False, "onsite_checkout"
        if checkout.refusal:
            return False, checkout.refusal
        if checkout.renewals_count >= checkout.max_renewals:
            return False, "too_many"
        return True, "auto_renew" if checkout.auto_renew else None

    def _checkout(self, request: web.Request) -> FakeCheckout | web.Response:
        checkout_id = _int(request.match_info["checkout_id"])
        if checkout_id is None:
            return _schema_error("/checkout_id", "Expected integer - got string.")
        checkout = self.checkouts.get(checkout_id)
        if checkout is None:
            if self.legacy:
                return _error(404, "Checkout doesn't exist")
            return _error(404, "Checkout not found", "not_found")
        return checkout

    def _embeds(self, request: web.Request, route: str) -> set[str] | web.Response:
        wanted = {e.strip() for e in request.headers.get("x-koha-embed", "").split(",")} - {""}
        allowed = (EMBEDS_OLD if self.legacy else EMBEDS_NEW)[route]
        if wanted - allowed:
            if not allowed:
                return _error(400, "Embedding objects is not allowed on this endpoint.")
            listed = ", ".join(sorted(allowed))
            return _schema_error("/x-koha-embed", f"Not in enum list: {listed}.")
        return wanted

    def _patron_json(self, patron: FakePatron) -> dict[str, Any]:
        data: dict[str, Any] = {
            "patron_id": patron.patron_id,
            "cardnumber": patron.cardnumber,
            "surname": patron.surname,
            "firstname": patron.firstname,
            "preferred_name": None,
            "middle_name": None,
            "title": None,
            "other_name": None,
            "initials": None,
            "email": None,
            "phone": patron.phone,
            "mobile": patron.mobile,
            "secondary_phone": None,
            "sms_number": None,
            "date_of_birth": _iso(patron.date_of_birth),
            "library_id": "CPL",
            "category_id": "PT",
            "date_enrolled": "2020-01-15",
            "expiry_date": _iso(patron.expiry_date),
            "incorrect_address": False,
            "patron_card_lost": False,
            "restricted": patron.restricted,
            "userid": patron.userid,
            "gender": None,
            "lang": "default",
            "autorenew_checkouts": True,
            "privacy": 1,
            "protected": False,
            "anonymized": False,
            "login_attempts": 0,
            "updated_on": "2025-01-10T12:00:00+03:00",
            "last_seen": None,
        }
        if not self.legacy:
            data["expired"] = patron.expiry_date is not None and patron.expiry_date < self.today
        return data

    def _checkout_json(self, checkout: FakeCheckout, embeds: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "checkout_id": checkout.checkout_id,
            "patron_id": checkout.patron_id,
            "item_id": checkout.item_id,
            "due_date": checkout.due_date.isoformat(),
            "library_id": "CPL",
            "issuer_id": None,
            "checkin_date": None,
            "last_renewed_date": _iso(checkout.last_renewed_date),
            "renewals_count": checkout.renewals_count,
            "unseen_renewals": 0,
            "auto_renew": checkout.auto_renew,
            "auto_renew_error": None,
            "timestamp": checkout.checkout_date.isoformat(),
            "checkout_date": checkout.checkout_date.isoformat(),
            "onsite_checkout": checkout.onsite_checkout,
            "note": None,
            "note_date": None,
            "note_seen": None,
        }
        if self.legacy:
            data["renewals"] = data.pop("renewals_count")
        if "item" in embeds:
            item = self.items[checkout.item_id]
            data["item"] = self._item_json(item, embed_biblio="item.biblio" in embeds)
        return data

    def _item_json(self, item: FakeItem, *, embed_biblio: bool) -> dict[str, Any]:
        data: dict[str, Any] = {
            "item_id": item.item_id,
            "biblio_id": item.biblio_id,
            "external_id": item.barcode,
            "callnumber": None,
            "home_library_id": item.library_id,
            "holding_library_id": item.library_id,
            "item_type_id": "BK",
            "location": None,
            "not_for_loan_status": 0,
            "lost_status": 0,
            "damaged_status": 0,
            "withdrawn": 0,
        }
        if embed_biblio:
            data["biblio"] = self._biblio_json(item.biblio_id)
        return data

    def _biblio_json(self, biblio_id: int) -> dict[str, Any]:
        record = self.biblios[biblio_id]
        return {
            "biblio_id": biblio_id,
            "title": record["title"],
            "subtitle": None,
            "author": record["author"],
            "copyright_date": None,
            "frameworkcode": "",
        }

    def _hold_json(self, hold: FakeHold, embeds: set[str]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "hold_id": hold.hold_id,
            "patron_id": hold.patron_id,
            "hold_date": _iso(hold.hold_date),
            "biblio_id": hold.biblio_id,
            "item_group_id": None,
            "pickup_library_id": hold.pickup_library_id,
            "desk_id": None,
            "cancellation_date": None,
            "cancellation_reason": None,
            "notes": None,
            "priority": hold.priority,
            "status": hold.status,
            "timestamp": "2025-05-20T10:00:00+03:00",
            "item_id": None,
            "waiting_date": _iso(hold.waiting_date),
            "expiration_date": _iso(hold.expiration_date),
            "lowest_priority": False,
            "suspended": False,
            "suspended_until": None,
            "non_priority": False,
            "item_type": None,
            "item_level": False,
        }
        if "biblio" in embeds:
            data["biblio"] = self._biblio_json(hold.biblio_id)
        return data


# --- request parsing and answers as Koha writes them -------------------------------------------


def _error(status: int, message: str, code: str | None = None) -> web.Response:
    body = {"error": message} if code is None else {"error": message, "error_code": code}
    return web.json_response(body, status=status)


def _canned(status: int) -> web.Response:
    """What Koha (or the proxy in front of it) says with this status."""
    if status == 403:  # the API account lacks circulate_remaining_permissions
        return web.json_response(
            {
                "error": "Authorization failure. Missing required permission(s).",
                "required_permissions": {"circulate": "circulate_remaining_permissions"},
            },
            status=403,
        )
    if status == 404:
        return _error(404, "Checkout not found", "not_found")
    if status == 503:
        return _error(503, "System is under maintenance.")
    if status in (502, 504):  # nginx's own page: not JSON
        title = "502 Bad Gateway" if status == 502 else "504 Gateway Time-out"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1></body></html>"
        return web.Response(status=status, text=page, content_type="text/html")
    return _error(
        status, "Something went wrong, check Koha logs for details.", "internal_server_error"
    )


HOLD_BODY = {
    "patron_id": int,
    "biblio_id": int,
    "item_id": int,
    "pickup_library_id": str,
    "expiration_date": str,
    "notes": str,
    "hold_date": str,
    "item_type": str,
    "non_priority": bool,
    "item_group_id": int,
}


def _hold_body_problem(body: dict[str, Any]) -> web.Response | None:
    """The hold definition (api/v1/swagger/paths/holds.yaml): types, required, no extras."""
    extra = set(body) - set(HOLD_BODY)
    if extra:
        return _schema_error("/body", f"Properties not allowed: {', '.join(sorted(extra))}.")
    for name in ("patron_id", "pickup_library_id"):
        if name not in body:
            return _schema_error(f"/body/{name}", "Missing property.")
    for name, kind in HOLD_BODY.items():
        value = body.get(name)
        if value is not None and (
            not isinstance(value, kind) or isinstance(value, bool) is not (kind is bool)
        ):
            return _schema_error(f"/body/{name}", f"Expected {kind.__name__}.")
    if body.get("biblio_id") is None and body.get("item_id") is None:
        return _error(400, "At least one of biblio_id, item_id should be given")
    return None


def _schema_error(path: str, message: str) -> web.Response:
    """Mojolicious::Plugin::OpenAPI's own 400 format."""
    return web.json_response(
        {"errors": [{"message": message, "path": path}], "status": 400}, status=400
    )


def _filters(request: web.Request, declared: set[str]) -> dict[str, str] | web.Response:
    unknown = [name for name in request.query if name not in declared | RESERVED_PARAMS]
    if unknown:  # Auth.pm validate_query_parameters: a bare JSON array
        body = [{"path": f"/query/{name}", "message": "Malformed query string"} for name in unknown]
        return web.json_response(body, status=400)
    if request.query.get("_match", "contains") not in MATCHES:
        return _schema_error("/_match", f"Not in enum list: {', '.join(MATCHES)}.")
    for name in ("patron_id", "_page", "_per_page"):
        if name in request.query and _int(request.query[name]) is None:
            return _schema_error(f"/{name}", "Expected integer - got string.")
    return {k: v for k, v in request.query.items() if k in declared}


def _filtered(
    rows: Iterable[dict[str, Any]], filters: dict[str, str], match: str | None
) -> list[dict[str, Any]]:
    """Koha's Query.pm: every filter as LIKE '%v%' unless `_match` says otherwise."""
    how = match or "contains"
    return [row for row in rows if all(_matches(row.get(k), v, how) for k, v in filters.items())]


def _matches(value: object, wanted: str, how: str) -> bool:
    if value is None:
        return False
    text, wanted = str(value).casefold(), wanted.casefold()  # MySQL compares without case
    if how == "exact":
        return text == wanted
    if how == "starts_with":
        return text.startswith(wanted)
    if how == "ends_with":
        return text.endswith(wanted)
    return wanted in text


def _queried(rows: list[dict[str, Any]], text: str) -> list[dict[str, Any]] | web.Response:
    """Koha's `q` (SQL::Abstract as JSON), the part the bot sends: a list is OR, an object
    AND, a field's condition a value (=) or {"-like": pattern} with % and _."""
    try:
        query = json.loads(text)
    except ValueError:
        return _error(400, "q parameter is not valid JSON")

    def holds(row: dict[str, Any], condition: Any) -> bool:
        if isinstance(condition, list):
            return any(holds(row, part) for part in condition)
        if not isinstance(condition, dict):
            raise ValueError(condition)
        return all(_meets(row.get(name), wanted) for name, wanted in condition.items())

    try:
        return [row for row in rows if holds(row, query)]
    except ValueError:
        return _error(400, "q parameter is not a query the fake understands")


def _meets(value: object, wanted: Any) -> bool:
    if isinstance(wanted, dict) and set(wanted) == {"-like"}:
        pattern = "".join(
            ".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in wanted["-like"]
        )
        return value is not None and re.fullmatch(pattern, str(value), re.I | re.S) is not None
    if isinstance(wanted, dict):
        raise ValueError(wanted)
    return value is not None and str(value).casefold() == str(wanted).casefold()


def _page(request: web.Request, rows: list[dict[str, Any]]) -> web.Response:
    """Plugin/Pagination.pm: one page, X-Total-Count and a Link header."""
    page = max(_int(request.query.get("_page", "1")) or 1, 1)
    per_page = _int(request.query.get("_per_page", "20")) or 20
    chunk = rows if per_page < 0 else rows[(page - 1) * per_page : page * per_page]
    links = []
    if per_page > 0:
        last = max((len(rows) + per_page - 1) // per_page, 1)
        if page < last:
            links.append(f'<{request.path}?_page={page + 1}&_per_page={per_page}>; rel="next"')
        links.append(f'<{request.path}?_page=1&_per_page={per_page}>; rel="first"')
        links.append(f'<{request.path}?_page={last}&_per_page={per_page}>; rel="last"')
    headers = {"X-Total-Count": str(len(rows)), "X-Base-Total-Count": str(len(rows))}
    if links:
        headers["Link"] = ", ".join(links)
    return web.json_response(chunk, headers=headers)


def _int(text: str | None) -> int | None:
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        return None


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None
