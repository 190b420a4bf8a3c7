"""A SIP2 ACS for the tests: pysip2's real server holding a small library in memory.

The connector under test talks real SIP2 over TCP to 127.0.0.1. Between it and the
pysip2 server sits a thin relay (the "line"), which counts every frame received, and can
play the faults a real network and a real ACS produce:

- `down`: accept connections and close them at once;
- `garble[cmd]` / `garble_replies[cmd]`: flip a checksum digit of the next N requests
  (the ACS then answers 96) or answers (the client then asks 97);
- `junk_replies[cmd]`: replace the next N answers with bytes that are not SIP2;
- `drop_connections()`: close every open connection, as an ACS restart does;
- `hang_on_renew`: receive Renew / Renew All, apply it (`hang_applies`) or not, and never
  answer; `hang_on_hold` the same for Hold;
- `holds_supported = False`: no Hold (15) route, so the ACS status says BX 'N' there and a
  Hold gets pysip2's «COMMAND NOT SUPPORTED».

The ACS behaves like Koha's: it honours only the first 'Y' of a Patron Information
summary, refuses renewals with a screen message, and answers in its configured encoding.
A Hold (mode '+') is placed as Koha's C4/SIP/ILS.pm `add_hold` does — «Invalid patron
barcode or password.», «No such item.», «Item cannot be transferred.» for a pickup
location the library does not have (`locations`) — and, as other ACSs do, refused for a
blocked card, an item already on the reader's card or already held by them.
Start it with `async with peer.running():` — the server lives in its own task, so the
context manager also works in a pytest-asyncio fixture.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import partial
from typing import Any

import anyio
from anyio.abc import SocketAttribute, SocketStream, TaskGroup
from pysip2 import (
    HOLD,
    ITEM_INFORMATION,
    LOGIN,
    PATRON_INFORMATION,
    PATRON_STATUS,
    RENEW,
    RENEW_ALL,
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
    RequestContext,
    SIP2Server,
    SIP2UnsupportedOperation,
)

_HEX = "0123456789ABCDEF"
_NOT_SIP = b"HELLO FROM THE WRONG SERVICE\r"


def sip_date(day: date) -> str:
    """The date format SIP2 prescribes: YYYYMMDD, a blank zone, HHMMSS."""
    return f"{day:%Y%m%d}    235959"


@dataclass
class PeerPatron:
    ticket: str
    name: str
    password: str = ""
    blocked: bool = False  # charge and renewal privileges denied
    card_lost: bool = False
    fines: bool = False  # over the fines limit: privileges denied too, as Koha does

    def status(self) -> str:
        flags = set()
        if self.blocked or self.fines:
            flags |= {0, 1}
        if self.card_lost:
            flags.add(4)
        if self.fines:
            flags.add(10)
        return "".join("Y" if i in flags else " " for i in range(14))

    def refused_by_card(self) -> str | None:
        if self.card_lost or self.blocked:
            return "Patron blocked"
        if self.fines:
            return "Patron has outstanding fines over the limit"
        return None


@dataclass
class PeerItem:
    barcode: str
    title: str
    holder: str | None = None  # the ticket it is lent to
    due: date | None = None
    due_text: str | None = None  # sent instead of the formatted due date
    holds: int = 0  # other readers queued for it
    renewals: int = 0
    limit: int = 2
    refusal: str | None = None  # a screen message this item is always refused with
    location: str | None = None
    pickup_until: date | None = None


@dataclass
class PeerHold:
    ticket: str
    barcode: str
    waiting: bool  # on the pickup shelf (AS) or still queued (CD)
    pickup: str | None = None


@dataclass
class Sip2Peer:
    today: date
    encoding: str = "utf-8"
    login: tuple[str, str] | None = None  # (user, password): login required when set
    renewal_days: int = 14
    due_format: Callable[[date], str] = sip_date
    overdue_apart: bool = False  # list overdue items under AT only, not under AU
    renew_all_supported: bool = True
    holds_supported: bool = True
    locations: set[str] | None = None  # pickup locations; None: any
    patrons: dict[str, PeerPatron] = field(default_factory=dict)
    items: dict[str, PeerItem] = field(default_factory=dict)
    holds: list[PeerHold] = field(default_factory=list)
    # Faults and records.
    down: bool = False
    hang_on_renew: bool = False
    hang_on_hold: bool = False
    hang_applies: bool = True
    garble: Counter[str] = field(default_factory=Counter)
    garble_replies: Counter[str] = field(default_factory=Counter)
    junk_replies: Counter[str] = field(default_factory=Counter)
    received: Counter[str] = field(default_factory=Counter)  # request frames by command id
    frames: list[bytes] = field(default_factory=list)  # every request frame, as sent
    logins: list[tuple[str, str | None]] = field(default_factory=list)  # (user, location)
    connections: int = 0
    port: int = 0
    _open: set[anyio.CancelScope] = field(default_factory=set)
    _closed: set[anyio.Event] = field(default_factory=set)

    # -- the library ------------------------------------------------------------

    def add_patron(self, ticket: str, name: str, password: str = "", **flags: bool) -> PeerPatron:
        patron = PeerPatron(ticket, name, password, **flags)
        self.patrons[ticket] = patron
        return patron

    def lend(self, barcode: str, title: str, to: str, due: date, **details: Any) -> PeerItem:
        item = PeerItem(barcode, title, holder=to, due=due, **details)
        self.items[barcode] = item
        return item

    def add_item(self, barcode: str, title: str, *, location: str | None = None) -> PeerItem:
        """A copy on the shelf."""
        item = PeerItem(barcode, title, location=location)
        self.items[barcode] = item
        return item

    def add_hold(
        self,
        ticket: str,
        barcode: str,
        title: str,
        *,
        waiting: bool,
        pickup_until: date | None = None,
        location: str | None = None,
    ) -> None:
        item = self.items.setdefault(barcode, PeerItem(barcode, title))
        item.pickup_until, item.location = pickup_until, location
        self.holds.append(PeerHold(ticket, barcode, waiting))

    # -- running ----------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Sip2Peer]:
        """Serve on 127.0.0.1 (ephemeral port, in `self.port`) until the block ends."""
        started, stop = asyncio.Event(), asyncio.Event()
        task = asyncio.create_task(self._serve(started, stop))
        waiter = asyncio.create_task(started.wait())
        await asyncio.wait({task, waiter}, return_when=asyncio.FIRST_COMPLETED)
        if not waiter.done():
            waiter.cancel()
            await asyncio.gather(waiter, return_exceptions=True)
            await task  # raises why the server could not start
        try:
            yield self
        finally:
            stop.set()
            await task

    async def drop_connections(self) -> None:
        """Close every open connection and wait until the sockets are shut."""
        closed = list(self._closed)
        for scope in list(self._open):
            scope.cancel()
        for event in closed:
            await event.wait()
        # The clients share this event loop: give it a turn to read the FIN, as a client
        # idle between requests would have long before its next one.
        await anyio.sleep(0.01)

    async def _serve(self, started: asyncio.Event, stop: asyncio.Event) -> None:
        acs = self._acs()
        # pysip2 0.1's `start()` never closes its listening socket (a ResourceWarning,
        # an error here), so the peer owns the listener and hands connections to the
        # server's own connection handler.
        async with (
            await acs.listen("127.0.0.1", 0) as acs_listener,
            await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0) as listener,
            anyio.create_task_group() as tasks,
        ):
            acs_port = acs_listener.extra(SocketAttribute.local_port)
            self.port = listener.extra(SocketAttribute.local_port)
            tasks.start_soon(acs_listener.serve, acs._handle_connection)
            tasks.start_soon(listener.serve, partial(self._relay, acs_port=acs_port))
            started.set()
            await stop.wait()
            tasks.cancel_scope.cancel()

    async def _relay(self, client: SocketStream, acs_port: int) -> None:
        self.connections += 1
        closed = anyio.Event()
        self._closed.add(closed)
        try:
            async with client:
                if self.down:
                    return
                with anyio.CancelScope() as scope:
                    self._open.add(scope)
                    try:
                        await self._pair(client, acs_port)
                    finally:
                        self._open.discard(scope)
        finally:
            self._closed.discard(closed)
            closed.set()

    async def _pair(self, client: SocketStream, acs_port: int) -> None:
        """Relay frames both ways until either side closes."""
        async with (
            await anyio.connect_tcp("127.0.0.1", acs_port) as acs,
            anyio.create_task_group() as pumps,
        ):
            pumps.start_soon(self._pump, client, acs, self._inbound, pumps)
            pumps.start_soon(self._pump, acs, client, self._outbound, pumps)

    @staticmethod
    async def _pump(
        source: SocketStream,
        sink: SocketStream,
        edit: Callable[[bytes], bytes | None],
        pumps: TaskGroup,
    ) -> None:
        buffer = bytearray()
        try:
            async for chunk in source:
                buffer += chunk
                while (end := buffer.find(b"\r")) != -1:
                    frame = edit(bytes(buffer[: end + 1]))
                    del buffer[: end + 1]
                    if frame is not None:
                        await sink.send(frame)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass
        finally:
            pumps.cancel_scope.cancel()

    def _inbound(self, frame: bytes) -> bytes:
        command = frame.lstrip(b"\n")[:2].decode("ascii", "replace")
        self.received[command] += 1
        self.frames.append(frame)
        if self.garble[command] > 0:
            self.garble[command] -= 1
            return _break_checksum(frame)
        return frame

    def _outbound(self, frame: bytes) -> bytes:
        command = frame[:2].decode("ascii", "replace")
        if self.junk_replies[command] > 0:
            self.junk_replies[command] -= 1
            return _NOT_SIP
        if self.garble_replies[command] > 0:
            self.garble_replies[command] -= 1
            return _break_checksum(frame)
        return frame

    # -- the ACS ------------------------------------------------------------------

    def _acs(self) -> SIP2Server:
        app = SIP2Server(
            encoding=self.encoding,
            institution_id="TESTLIB",
            library_name="Библиотека имени Тестова",
            login_required=self.login is not None,
        )
        app.route(LOGIN)(self._login)
        app.route(PATRON_STATUS)(self._patron_status)
        app.route(PATRON_INFORMATION)(self._patron_information)
        app.route(ITEM_INFORMATION)(self._item_information)
        app.route(RENEW)(self._renew)
        app.route(RENEW_ALL)(self._renew_all)
        if self.holds_supported:
            app.route(HOLD)(self._hold)
        return app

    async def _login(self, req: LoginRequest, ctx: RequestContext) -> LoginResponse:
        self.logins.append((req.login_user_id, req.location_code))
        ok = (req.login_user_id, req.login_password) == self.login
        return LoginResponse(ok="1" if ok else "0")

    async def _patron_status(
        self, req: PatronStatusRequest, ctx: RequestContext
    ) -> PatronStatusResponse:
        patron = self.patrons.get(req.patron_identifier)
        given = req.patron_password
        password_ok = patron is not None and bool(given) and patron.password == given
        return PatronStatusResponse(
            patron_status=patron.status() if patron else " " * 14,
            language=req.language,
            transaction_date=ctx.now_18(),
            institution_id=req.institution_id,
            patron_identifier=req.patron_identifier,
            personal_name=patron.name if patron else "",
            valid_patron="Y" if patron else "N",
            valid_patron_password="Y" if password_ok else "N",
            screen_message=() if patron else ("Invalid patron",),
        )

    async def _patron_information(
        self, req: PatronInformationRequest, ctx: RequestContext
    ) -> PatronInformationResponse:
        ticket = req.patron_identifier
        patron = self.patrons.get(ticket)
        lists = self._patron_lists(ticket)
        wanted = req.summary.find("Y")  # like Koha: only the first category asked
        return PatronInformationResponse(
            patron_status=patron.status() if patron else " " * 14,
            language=req.language,
            transaction_date=ctx.now_18(),
            hold_items_count=f"{len(lists['AS']):04d}",
            overdue_items_count=f"{len(lists['AT']):04d}",
            charged_items_count=f"{len(lists['AU']):04d}",
            fine_items_count="0000",
            recall_items_count="0000",
            unavailable_holds_count=f"{len(lists['CD']):04d}",
            institution_id=req.institution_id,
            patron_identifier=ticket,
            personal_name=patron.name if patron else "",
            valid_patron="Y" if patron else "N",
            hold_items=tuple(lists["AS"]) if wanted == 0 else (),
            overdue_items=tuple(lists["AT"]) if wanted == 1 else (),
            charged_items=tuple(lists["AU"]) if wanted == 2 else (),
            unavailable_hold_items=tuple(lists["CD"]) if wanted == 5 else (),
        )

    def _patron_lists(self, ticket: str) -> dict[str, list[str]]:
        lent = [item for item in self.items.values() if item.holder == ticket]
        overdue = [i.barcode for i in lent if i.due is not None and i.due < self.today]
        charged = [i.barcode for i in lent if not (self.overdue_apart and i.barcode in overdue)]
        mine = [hold for hold in self.holds if hold.ticket == ticket]
        return {
            "AU": charged,
            "AT": overdue,
            "AS": [hold.barcode for hold in mine if hold.waiting],
            "CD": [hold.barcode for hold in mine if not hold.waiting],
        }

    async def _item_information(
        self, req: ItemInformationRequest, ctx: RequestContext
    ) -> ItemInformationResponse:
        item = self.items.get(req.item_identifier)
        if item is None:
            return ctx.decline("Item not found")
        waiting = any(h.barcode == item.barcode and h.waiting for h in self.holds)
        return ItemInformationResponse(
            circulation_status="04" if item.holder else "08" if waiting else "03",
            security_marker="02",
            fee_type="01",
            transaction_date=ctx.now_18(),
            hold_queue_length=str(item.holds),
            due_date=self._due_text(item) if item.holder else None,
            hold_pickup_date=sip_date(item.pickup_until) if item.pickup_until else None,
            item_identifier=item.barcode,
            title_identifier=item.title,
            current_location=item.location,
        )

    def _due_text(self, item: PeerItem) -> str:
        if item.due_text is not None:
            return item.due_text
        return self.due_format(item.due) if item.due else ""

    def _try_renew(self, ticket: str, barcode: str | None) -> str | None:
        """Renew in the library; None when done, else the screen message refusing it."""
        patron = self.patrons.get(ticket)
        item = self.items.get(barcode or "")
        if patron is None:
            return "Invalid patron"
        if refusal := patron.refused_by_card():
            return refusal
        if item is None or item.holder != ticket:
            return "Item not checked out to this patron"
        if item.refusal:
            return item.refusal
        if item.renewals >= item.limit:
            return "Renewal limit reached"
        if item.holds:
            return "Item has holds"
        item.renewals += 1
        item.due = self.today + timedelta(days=self.renewal_days)
        item.due_text = None
        return None

    async def _renew(self, req: RenewRequest, ctx: RequestContext) -> RenewResponse:
        if self.hang_on_renew:
            await self._hang(lambda: self._try_renew(req.patron_identifier, req.item_identifier))
        refusal = self._try_renew(req.patron_identifier, req.item_identifier)
        item = self.items.get(req.item_identifier or "")
        return RenewResponse(
            ok="0" if refusal else "1",
            renewal_ok="N" if refusal else "Y",
            magnetic_media="N",
            desensitize="U",
            transaction_date=ctx.now_18(),
            institution_id=req.institution_id,
            patron_identifier=req.patron_identifier,
            item_identifier=req.item_identifier or "",
            title_identifier=item.title if item else "",
            due_date="" if refusal or item is None else self._due_text(item),
            screen_message=(refusal,) if refusal else (),
        )

    async def _renew_all(self, req: RenewAllRequest, ctx: RequestContext) -> RenewAllResponse:
        if not self.renew_all_supported:
            raise SIP2UnsupportedOperation("renew all")
        if self.hang_on_renew:
            await self._hang(lambda: self._renew_every(req.patron_identifier))
        patron = self.patrons.get(req.patron_identifier)
        refusal = patron.refused_by_card() if patron else "Invalid patron"
        renewed, unrenewed = ([], []) if refusal else self._renew_every(req.patron_identifier)
        return RenewAllResponse(
            ok="0" if refusal else "1",
            renewed_count=f"{len(renewed):04d}",
            unrenewed_count=f"{len(unrenewed):04d}",
            transaction_date=ctx.now_18(),
            institution_id=req.institution_id,
            renewed_items=tuple(renewed),
            unrenewed_items=tuple(unrenewed),
            screen_message=(refusal,) if refusal else (),
        )

    async def _hold(self, req: HoldRequest, ctx: RequestContext) -> HoldResponse:
        if req.hold_mode != "+":
            return ctx.decline("Only new holds are supported")
        if self.hang_on_hold:
            await self._hang(lambda: self._try_hold(req))
        refusal = self._try_hold(req)
        if refusal is not None:
            return ctx.decline(refusal)
        item = self._held_item(req)
        assert item is not None  # placed above
        return HoldResponse(
            ok="1",
            available="N" if item.holder else "Y",
            transaction_date=ctx.now_18(),
            queue_position=str(item.holds),
            pickup_location=req.pickup_location,
            institution_id=req.institution_id,
            patron_identifier=req.patron_identifier,
            item_identifier=item.barcode,
            title_identifier=item.title,
        )

    def _held_item(self, req: HoldRequest) -> PeerItem | None:
        """The copy named by barcode, or (as Koha does with AB empty) by the title field."""
        wanted = req.item_identifier or req.title_identifier or ""
        return self.items.get(wanted)

    def _try_hold(self, req: HoldRequest) -> str | None:
        """Place the hold; None when done, else the screen message refusing it."""
        ticket = req.patron_identifier
        patron = self.patrons.get(ticket)
        if patron is None or (req.patron_password and req.patron_password != patron.password):
            return "Invalid patron barcode or password."
        item = self._held_item(req)
        if item is None:
            return "No such item."
        if patron.refused_by_card():
            return "Patron blocked"
        if item.holder == ticket:
            return "Patron already has this item checked out"
        if any(h.ticket == ticket and h.barcode == item.barcode for h in self.holds):
            return "Patron already has a hold on this item"
        pickup = req.pickup_location
        if pickup and self.locations is not None and pickup not in self.locations:
            return "Item cannot be transferred."
        self.holds.append(PeerHold(ticket, item.barcode, waiting=False, pickup=pickup))
        item.holds += 1
        return None

    def _renew_every(self, ticket: str) -> tuple[list[str], list[str]]:
        renewed, unrenewed = [], []
        lists = self._patron_lists(ticket)
        for barcode in dict.fromkeys(lists["AU"] + lists["AT"]):
            (unrenewed if self._try_renew(ticket, barcode) else renewed).append(barcode)
        return renewed, unrenewed

    async def _hang(self, apply: Callable[[], object]) -> None:
        if self.hang_applies:
            apply()
        await anyio.sleep_forever()


def _break_checksum(frame: bytes) -> bytes:
    """The same frame with its last checksum digit changed: line noise, as the ACS sees it."""
    if len(frame) < 7 or frame[-7:-5] != b"AZ":
        return frame
    digit = chr(frame[-2])
    other = _HEX[(_HEX.index(digit.upper()) + 1) % 16]
    return frame[:-2] + other.encode("ascii") + b"\r"


@contextlib.contextmanager
def refusing_port() -> Iterator[int]:
    """A local port that refuses connections: bound but not listening, so no one else
    can take it while the test runs."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]
