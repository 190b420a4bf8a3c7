"""The SIP2 connector against a real SIP2 ACS (pysip2's server) over TCP on 127.0.0.1.

Anna (1001) has three books: one renewable, one another reader is queued for, one with
its renewals used up; one hold waits on the shelf and one is still queued. Boris (1002)
has a blocked card, Vera (1003) owes fines, Galina (1004) reported her card lost.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

import pytest

from bot.kernel.config import Sip2
from storage.circulation.base import (
    HoldOutcome,
    HoldRefusal,
    HoldStatus,
    HoldWish,
    Loan,
    Outcome,
    Password,
    Patron,
    Refusal,
    SurnameAndYear,
    SystemUnavailable,
)
from storage.circulation.sip2 import Sip2System, hold_refusal
from tests.fakes.sip2_peer import Sip2Peer, refusing_port

TODAY = date(2025, 3, 10)
PIN = "4821"
# Long enough that a busy CI machine (a GC pause, the other core loaded) never looks like a
# silent server; only the three tests that wait out a hang pay it.
TIMEOUT = 2.0
CHECKSUMMED = re.compile(rb"AY(\d)AZ[0-9A-F]{4}\r$")


def stock(peer: Sip2Peer) -> Sip2Peer:
    peer.add_patron("1001", "Анна Петрова", PIN)
    peer.lend("B-1", "Мастер и Маргарита", to="1001", due=TODAY + timedelta(days=5))
    peer.lend("B-2", "Тихий Дон", to="1001", due=TODAY + timedelta(days=2), holds=1)
    peer.lend("B-3", "Война и мир", to="1001", due=TODAY + timedelta(days=1), renewals=2)
    peer.add_hold(
        "1001",
        "H-1",
        "Лавр",
        waiting=True,
        pickup_until=TODAY + timedelta(days=3),
        location="Центральная библиотека",
    )
    peer.add_hold("1001", "H-2", "Обломов", waiting=False)
    peer.add_patron("1002", "Борис Иванов", "1111", blocked=True)
    peer.lend("B-4", "Идиот", to="1002", due=TODAY + timedelta(days=3))
    peer.add_patron("1003", "Вера Смирнова", "2222", fines=True)
    peer.lend("B-5", "Отцы и дети", to="1003", due=TODAY + timedelta(days=3))
    peer.add_patron("1004", "Галина Орлова", "3333", card_lost=True)
    return peer


@pytest.fixture
def peer() -> Sip2Peer:
    return stock(Sip2Peer(today=TODAY))


@pytest.fixture
async def acs(peer: Sip2Peer) -> AsyncIterator[Sip2Peer]:
    async with peer.running():
        yield peer


@asynccontextmanager
async def connected(peer: Sip2Peer, **settings: Any) -> AsyncIterator[Sip2System]:
    options: dict[str, Any] = {"host": "127.0.0.1", "port": peer.port, "institution": "TESTLIB"}
    system = Sip2System(Sip2(**options | settings), timeout=TIMEOUT, today=lambda: TODAY)
    try:
        yield system
    finally:
        await system.close()


@pytest.fixture
async def system(acs: Sip2Peer) -> AsyncIterator[Sip2System]:
    async with connected(acs) as system:
        yield system


async def anna(system: Sip2System) -> Patron:
    patron = await system.find_patron("1001")
    assert patron is not None
    return patron


# -- readers ------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "cp1251"])
async def test_cyrillic_names_and_passwords_round_trip(encoding: str) -> None:
    peer = stock(Sip2Peer(today=TODAY, encoding=encoding))
    peer.add_patron("1005", "Дмитрий Ёлкин", "ключ-Ж")
    async with peer.running(), connected(peer, encoding=encoding) as system:
        assert await system.find_patron("10 05") == Patron("1005", "1005", "Дмитрий Ёлкин")
        assert await system.verify("1005", Password("ключ-Ж")) is not None
        assert await system.verify("1005", Password("ключ-ж")) is None


async def test_find_patron_knows_tickets_and_nothing_else(system: Sip2System) -> None:
    assert await system.find_patron("1001") == Patron("1001", "1001", "Анна Петрова")
    assert await system.find_patron("9999") is None


async def test_verify_needs_the_right_password(acs: Sip2Peer, system: Sip2System) -> None:
    assert await system.verify("1001", Password(PIN)) == Patron("1001", "1001", "Анна Петрова")
    assert await system.verify("1001", Password("0000")) is None
    assert await system.verify("9999", Password(PIN)) is None
    asked = acs.received["23"]
    # SIP2 cannot check a year of birth, and an empty PIN is no proof: nothing is asked.
    assert await system.verify("1001", SurnameAndYear("Петрова", 1985)) is None
    assert await system.verify("1001", Password("")) is None
    assert await system.verify("1001", Password("a|b")) is None  # cannot be put on the wire
    assert acs.received["23"] == asked


@pytest.mark.parametrize(
    ("ticket", "refusal"),
    [("1002", Refusal.BLOCKED), ("1003", Refusal.DEBTS), ("1004", Refusal.BLOCKED)],
)
async def test_card_flags_refuse_every_loan(
    system: Sip2System, ticket: str, refusal: Refusal
) -> None:
    patron = await system.find_patron(ticket)
    assert patron is not None
    assert patron.refusal is refusal
    assert all(loan.refusal is refusal for loan in await system.loans(patron))


# -- loans and holds -------------------------------------------------------------------


async def test_loans_have_titles_due_dates_and_the_holds_precheck(system: Sip2System) -> None:
    loans = {loan.ref: loan for loan in await system.loans(await anna(system))}
    assert sorted(loans) == ["B-1", "B-2", "B-3"]
    assert loans["B-1"].title == "Мастер и Маргарита"
    assert loans["B-1"].due == TODAY + timedelta(days=5)
    assert loans["B-1"].barcode == "B-1"
    assert loans["B-1"].refusal is None
    assert loans["B-2"].refusal is Refusal.RESERVED
    # SIP2 does not tell renewal counts: the used-up limit is only learnt by trying.
    assert loans["B-3"].refusal is None
    assert (loans["B-3"].renewals, loans["B-3"].max_renewals) == (None, None)


@pytest.mark.parametrize(
    "written",
    [
        lambda d: f"{d:%Y%m%d}    235959",
        lambda d: f"{d:%Y%m%d}",
        lambda d: f"{d:%Y-%m-%d}",
        lambda d: f"{d:%d.%m.%Y}",
        lambda d: f"{d:%Y-%m-%d}T23:59:00+03:00",
    ],
    ids=["sip", "compact", "iso", "dotted", "iso-datetime"],
)
async def test_due_dates_in_the_formats_systems_use(
    peer: Sip2Peer, written: Callable[[date], str]
) -> None:
    peer.due_format = written
    async with peer.running(), connected(peer) as system:
        loans = await system.loans(await anna(system))
    assert {loan.due for loan in loans} == {TODAY + timedelta(days=n) for n in (5, 2, 1)}


async def test_an_unreadable_due_date_shows_as_today_with_the_systems_words(
    acs: Sip2Peer, system: Sip2System
) -> None:
    acs.items["B-1"].due_text = "когда-нибудь"
    loans = {loan.ref: loan for loan in await system.loans(await anna(system))}
    assert loans["B-1"].due == TODAY
    assert loans["B-1"].detail == "когда-нибудь"


async def test_overdue_items_listed_apart_join_the_loans_once(
    acs: Sip2Peer, system: Sip2System
) -> None:
    acs.lend("B-9", "Бесы", to="1001", due=TODAY - timedelta(days=3))
    patron = await anna(system)
    assert [loan.ref for loan in await system.loans(patron)].count("B-9") == 1
    acs.overdue_apart = True
    overdue = [loan for loan in await system.loans(patron) if loan.ref == "B-9"]
    assert [(loan.title, loan.due) for loan in overdue] == [("Бесы", TODAY - timedelta(days=3))]


async def test_holds_waiting_on_the_shelf_and_still_queued(system: Sip2System) -> None:
    holds = await system.holds(await anna(system))
    assert [(h.ref, h.title, h.status) for h in holds] == [
        ("H-1", "Лавр", HoldStatus.WAITING),
        ("H-2", "Обломов", HoldStatus.PENDING),
    ]
    assert holds[0].pickup_until == TODAY + timedelta(days=3)
    assert holds[0].branch == "Центральная библиотека"
    assert holds[1].pickup_until is None


# -- renewing ---------------------------------------------------------------------------


@pytest.mark.parametrize("checksums", [True, False])
async def test_renewal_gives_the_new_due_date(acs: Sip2Peer, checksums: bool) -> None:
    async with connected(acs, checksums=checksums) as system:
        patron = await anna(system)
        loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
        renewal = await system.renew(patron, loan)
    assert renewal.outcome is Outcome.RENEWED
    assert renewal.due == TODAY + timedelta(days=14)
    assert (renewal.loan_ref, renewal.title) == ("B-1", "Мастер и Маргарита")
    assert acs.items["B-1"].renewals == 1


@pytest.mark.parametrize(
    ("ticket", "barcode", "refusal", "said"),
    [
        ("1001", "B-3", Refusal.TOO_MANY, "Renewal limit reached"),
        ("1001", "B-2", Refusal.RESERVED, "Item has holds"),
        ("1002", "B-4", Refusal.BLOCKED, "Patron blocked"),
        ("1003", "B-5", Refusal.DEBTS, "Patron has outstanding fines over the limit"),
        ("1001", "B-4", Refusal.NOT_ON_LOAN, "Item not checked out to this patron"),
    ],
)
async def test_the_systems_refusals_keep_its_words(
    acs: Sip2Peer, system: Sip2System, ticket: str, barcode: str, refusal: Refusal, said: str
) -> None:
    patron = await system.find_patron(ticket)
    assert patron is not None
    renewal = await system.renew(patron, Loan(barcode, "книга", TODAY))
    assert (renewal.outcome, renewal.refusal, renewal.detail) == (Outcome.REFUSED, refusal, said)
    assert acs.items[barcode].renewals == (2 if barcode == "B-3" else 0)


@pytest.mark.parametrize(
    ("said", "refusal"),
    [
        ("Too many renewals", Refusal.TOO_MANY),
        ("Превышен лимит продлений", Refusal.TOO_MANY),
        ("Достигнуто максимальное число продлений", Refusal.TOO_MANY),
        ("Item is RESERVED for another patron", Refusal.RESERVED),
        ("Книга забронирована другим читателем", Refusal.RESERVED),
        ("На книгу есть очередь", Refusal.RESERVED),
        ("Item overdue too long", Refusal.OVERDUE),
        ("Книга просрочена", Refusal.OVERDUE),
        ("Fee owed", Refusal.DEBTS),
        ("Fines exceed the limit", Refusal.DEBTS),
        ("Задолженность по оплате", Refusal.DEBTS),
        ("Неоплаченный штраф", Refusal.DEBTS),
        ("Card expired", Refusal.BLOCKED),
        ("Читательский билет заблокирован", Refusal.BLOCKED),
        ("Срок действия билета истёк", Refusal.BLOCKED),
        ("Too soon to renew", Refusal.TOO_SOON),
        ("Продлевать ещё рано", Refusal.TOO_SOON),
        ("Please see the circulation desk", Refusal.AT_DESK),
        ("Обратитесь к библиотекарю", Refusal.AT_DESK),
        ("Подойдите на кафедру выдачи", Refusal.AT_DESK),
        ("RENEWAL DENIED", Refusal.RULES),
        ("Отказано", Refusal.RULES),
    ],
)
async def test_screen_messages_become_reasons(
    acs: Sip2Peer, system: Sip2System, said: str, refusal: Refusal
) -> None:
    acs.items["B-1"].refusal = said
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    renewal = await system.renew(patron, loan)
    assert (renewal.outcome, renewal.refusal, renewal.detail) == (Outcome.REFUSED, refusal, said)


async def test_renew_all_maps_each_result_back(acs: Sip2Peer, system: Sip2System) -> None:
    patron = await anna(system)
    loans = await system.loans(patron)
    results = {r.loan_ref: r for r in await system.renew_all(patron, loans)}
    assert [r.loan_ref for r in await system.renew_all(patron, [])] == []
    assert (results["B-1"].outcome, results["B-1"].due) == (
        Outcome.RENEWED,
        TODAY + timedelta(days=14),
    )
    assert (results["B-2"].outcome, results["B-2"].refusal) == (Outcome.REFUSED, Refusal.RESERVED)
    assert (results["B-3"].outcome, results["B-3"].refusal) == (Outcome.REFUSED, Refusal.RULES)
    assert (acs.received["65"], acs.received["29"]) == (1, 0)


async def test_renew_all_of_some_loans_never_touches_the_others(
    acs: Sip2Peer, system: Sip2System
) -> None:
    patron = await anna(system)
    chosen = [x for x in await system.loans(patron) if x.ref != "B-2"]
    results = await system.renew_all(patron, chosen)
    assert [(r.loan_ref, r.outcome, r.refusal) for r in results] == [
        ("B-1", Outcome.RENEWED, None),
        ("B-3", Outcome.REFUSED, Refusal.TOO_MANY),
    ]
    assert (acs.received["65"], acs.received["29"]) == (0, 2)
    assert acs.items["B-2"].due == TODAY + timedelta(days=2)


async def test_renew_all_falls_back_to_one_by_one_when_unsupported(
    acs: Sip2Peer, system: Sip2System
) -> None:
    acs.renew_all_supported = False
    patron = await anna(system)
    results = await system.renew_all(patron, await system.loans(patron))
    assert [(r.loan_ref, r.outcome, r.refusal) for r in results] == [
        ("B-1", Outcome.RENEWED, None),
        ("B-2", Outcome.REFUSED, Refusal.RESERVED),
        ("B-3", Outcome.REFUSED, Refusal.TOO_MANY),
    ]
    assert (acs.received["65"], acs.received["29"]) == (1, 3)


async def test_renew_all_on_a_blocked_card(acs: Sip2Peer, system: Sip2System) -> None:
    patron = await system.find_patron("1002")
    assert patron is not None
    results = await system.renew_all(patron, await system.loans(patron))
    assert [(r.outcome, r.refusal, r.detail) for r in results] == [
        (Outcome.REFUSED, Refusal.BLOCKED, "Patron blocked")
    ]


# -- the line ---------------------------------------------------------------------------


@pytest.mark.parametrize("checksums", [True, False])
async def test_checksums_and_cycling_sequence_numbers(acs: Sip2Peer, checksums: bool) -> None:
    async with connected(acs, checksums=checksums) as system:
        patron = await anna(system)
        await system.loans(patron)
        await system.holds(patron)
    sequence = [CHECKSUMMED.search(frame) for frame in acs.frames]
    if not checksums:
        assert sequence == [None] * len(acs.frames)
        return
    numbers = [int(match[1]) for match in sequence if match]
    assert len(numbers) == len(acs.frames) > 10
    assert numbers == [(numbers[0] + i) % 10 for i in range(len(numbers))]


async def test_a_request_garbled_on_the_line_is_sent_again(
    acs: Sip2Peer, system: Sip2System
) -> None:
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    acs.garble["29"] = 1  # the ACS answers 96: it did not read, so nothing was applied
    assert (await system.renew(patron, loan)).outcome is Outcome.RENEWED
    assert acs.received["29"] == 2
    assert acs.items["B-1"].renewals == 1


async def test_a_request_garbled_twice_is_not_renewed(acs: Sip2Peer, system: Sip2System) -> None:
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    acs.garble["29"] = 2
    assert (await system.renew(patron, loan)).outcome is Outcome.UNAVAILABLE
    assert acs.items["B-1"].renewals == 0


async def test_an_answer_garbled_on_the_line_is_asked_for_again_not_the_renewal(
    acs: Sip2Peer, system: Sip2System
) -> None:
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    acs.garble_replies["30"] = 1
    renewal = await system.renew(patron, loan)
    assert (renewal.outcome, renewal.due) == (Outcome.RENEWED, TODAY + timedelta(days=14))
    assert (acs.received["29"], acs.received["97"]) == (1, 1)
    assert acs.items["B-1"].renewals == 1


async def test_an_answer_that_is_not_sip2(acs: Sip2Peer, system: Sip2System) -> None:
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    acs.junk_replies["24"] = 1
    with pytest.raises(SystemUnavailable, match="unreadable"):
        await system.find_patron("1001")
    acs.junk_replies["30"] = 1  # the renewal went out: only the library knows now
    assert (await system.renew(patron, loan)).outcome is Outcome.UNCONFIRMED
    assert await system.find_patron("1001") == patron


async def test_a_server_that_hangs_up_at_once(acs: Sip2Peer, system: Sip2System) -> None:
    patron = Patron("1001", "1001")
    loan = acs.items["B-1"]
    acs.down = True
    with pytest.raises(SystemUnavailable):
        await system.find_patron("1001")
    with pytest.raises(SystemUnavailable):
        await system.loans(patron)
    loans = [Loan("B-1", loan.title, TODAY), Loan("B-3", "Война и мир", TODAY)]
    assert (await system.renew(patron, loans[0])).outcome is Outcome.UNAVAILABLE
    outcomes = [r.outcome for r in await system.renew_all(patron, loans)]
    assert outcomes == [Outcome.UNAVAILABLE, Outcome.UNAVAILABLE]
    assert acs.received["29"] == acs.received["65"] == 0
    acs.down = False
    assert await system.find_patron("1001") == Patron("1001", "1001", "Анна Петрова")


async def test_a_refused_connection() -> None:
    with refusing_port() as port:
        async with connected(Sip2Peer(today=TODAY, port=port)) as system:
            with pytest.raises(SystemUnavailable, match="cannot connect"):
                await system.find_patron("1001")
            renewal = await system.renew(Patron("1001", "1001"), Loan("B-1", "Книга", TODAY))
    assert renewal.outcome is Outcome.UNAVAILABLE


async def test_a_lost_renewal_answer_is_unconfirmed_and_never_resent(
    acs: Sip2Peer, system: Sip2System
) -> None:
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    acs.hang_on_renew = True
    renewal = await system.renew(patron, loan)
    assert (renewal.outcome, renewal.loan_ref, renewal.title) == (
        Outcome.UNCONFIRMED,
        "B-1",
        "Мастер и Маргарита",
    )
    assert acs.items["B-1"].renewals == 1  # it did happen; the reader is told to check
    assert await system.find_patron("1001") == patron  # on a new connection
    assert (acs.received["29"], acs.connections) == (1, 2)


async def test_a_lost_renew_all_answer(acs: Sip2Peer, system: Sip2System) -> None:
    patron = await anna(system)
    loans = await system.loans(patron)
    acs.hang_on_renew = True
    acs.hang_applies = False
    results = await system.renew_all(patron, loans)
    assert [r.outcome for r in results] == [Outcome.UNCONFIRMED] * 3
    assert (acs.received["65"], acs.received["29"]) == (1, 0)


async def test_reconnects_after_the_server_dropped_the_connection(
    acs: Sip2Peer, system: Sip2System
) -> None:
    patron = await anna(system)
    loan = next(x for x in await system.loans(patron) if x.ref == "B-1")
    await acs.drop_connections()
    assert await system.find_patron("1001") == patron
    await acs.drop_connections()
    assert (await system.renew(patron, loan)).outcome is Outcome.RENEWED
    assert acs.connections == 3


async def test_requests_wait_their_turn_on_one_connection(
    acs: Sip2Peer, system: Sip2System
) -> None:
    patron = await anna(system)
    found, loans, holds = await asyncio.gather(
        system.find_patron("1002"), system.loans(patron), system.holds(patron)
    )
    assert found is not None
    assert found.name == "Борис Иванов"
    assert (len(loans), len(holds)) == (3, 2)
    assert acs.connections == 1


# -- logging in ---------------------------------------------------------------------------


async def test_logs_in_once_per_connection(peer: Sip2Peer) -> None:
    peer.login = ("selfcheck", "s3cret")
    async with (
        peer.running(),
        connected(peer, user="selfcheck", password="s3cret", location="ЦБ") as system,
    ):
        patron = await anna(system)
        await system.loans(patron)
        assert peer.logins == [("selfcheck", "ЦБ")]
        await peer.drop_connections()
        await system.holds(patron)
    assert peer.logins == [("selfcheck", "ЦБ")] * 2


async def test_a_refused_login_is_unavailable_and_says_why(peer: Sip2Peer) -> None:
    peer.login = ("selfcheck", "s3cret")
    async with peer.running(), connected(peer, user="selfcheck", password="wrong") as system:
        with pytest.raises(SystemUnavailable, match="refused the login of 'selfcheck'"):
            await system.find_patron("1001")
        renewal = await system.renew(Patron("1001", "1001"), Loan("B-1", "Книга", TODAY))
    assert renewal.outcome is Outcome.UNAVAILABLE
    assert peer.received["29"] == 0


async def test_passwords_stay_out_of_the_logs(
    peer: Sip2Peer, caplog: pytest.LogCaptureFixture
) -> None:
    # A PIN no port number or timestamp in the log can contain by chance.
    peer.add_patron("1002", "Борис Орлов", "pin-Zq7x")
    peer.login = ("selfcheck", "terminal-pw")
    caplog.set_level(logging.DEBUG)
    async with (
        peer.running(),
        connected(peer, user="selfcheck", password="terminal-pw") as system,
    ):
        assert await system.verify("1002", Password("pin-Zq7x")) is not None
        await peer.drop_connections()
        peer.hang_on_renew = True
        renewal = await system.renew(Patron("1002", "1002"), Loan("B-1", "Книга", TODAY))
    assert renewal.outcome is Outcome.UNCONFIRMED
    assert caplog.records
    assert "Zq7x" not in caplog.text
    assert "terminal-pw" not in caplog.text


# -- holds from the catalogue (#19) ------------------------------------------------------


def lavr_wish(**fields: Any) -> HoldWish:
    values: dict[str, Any] = {"title": "Лавр", "barcodes": ("C-7",), "pickup": "ЦБ"}
    return HoldWish(**(values | fields))


async def test_a_hold_is_placed_for_pickup_and_listed_as_queued(
    acs: Sip2Peer, system: Sip2System
) -> None:
    acs.add_item("C-7", "Лавр", location="ЦБ")
    acs.lend("C-8", "Лавр", to="1002", due=TODAY + timedelta(days=4))
    patron = await anna(system)
    placed = await system.place_hold(patron, lavr_wish(barcodes=("C-8", "C-7")))
    assert (placed.outcome, placed.ref, placed.queue_position) == (HoldOutcome.PLACED, "C-8", 1)
    assert [(h.ticket, h.barcode, h.pickup) for h in acs.holds[-1:]] == [("1001", "C-8", "ЦБ")]
    assert acs.received["15"] == 1
    frame = acs.frames[-1]
    assert frame.startswith(b"15+")  # a new hold
    assert b"|BY2|" in frame  # any copy of the title
    holds = await system.holds(patron)
    assert ("C-8", "Лавр", HoldStatus.PENDING) in [(h.ref, h.title, h.status) for h in holds]


async def test_copies_the_acs_does_not_know_are_skipped_then_the_title_is_tried(
    acs: Sip2Peer, system: Sip2System
) -> None:
    acs.add_item("C-7", "Лавр")
    patron = await anna(system)
    placed = await system.place_hold(patron, lavr_wish(barcodes=("NOPE-1", "C-7")))
    assert placed.outcome is HoldOutcome.PLACED
    assert acs.received["15"] == 2
    unknown = await system.place_hold(patron, lavr_wish(title="Нет такой", barcodes=("NOPE",)))
    assert (unknown.outcome, unknown.detail) == (HoldOutcome.UNKNOWN_BOOK, "No such item.")
    assert acs.received["15"] == 4  # the copy, then the title alone


async def test_hold_refusals_in_the_readers_terms(acs: Sip2Peer, system: Sip2System) -> None:
    acs.add_item("C-7", "Лавр")
    acs.locations = {"ЦБ", "ДБ"}
    patron = await anna(system)
    have = await system.place_hold(patron, lavr_wish(title="Мастер", barcodes=("B-1",)))
    assert (have.outcome, have.refusal) == (HoldOutcome.REFUSED, HoldRefusal.HAVE_IT)
    assert have.detail == "Patron already has this item checked out"
    far = await system.place_hold(patron, lavr_wish(pickup="Луна"))
    assert far.refusal is HoldRefusal.PICKUP
    assert (await system.place_hold(patron, lavr_wish())).outcome is HoldOutcome.PLACED
    again = await system.place_hold(patron, lavr_wish())
    assert again.refusal is HoldRefusal.ALREADY_HELD
    boris = await system.find_patron("1002")
    assert boris is not None
    assert (await system.place_hold(boris, lavr_wish())).refusal is HoldRefusal.BLOCKED


@pytest.mark.parametrize(
    ("message", "refusal"),
    [
        ("Hold limit reached", HoldRefusal.TOO_MANY),
        ("Читатель заблокирован", HoldRefusal.BLOCKED),
        ("Item is not holdable", HoldRefusal.NOT_HOLDABLE),
        ("Не положено", None),
    ],
)
def test_hold_screen_messages_become_reasons(message: str, refusal: HoldRefusal | None) -> None:
    assert hold_refusal(message) is refusal


async def test_an_acs_without_holds_is_not_asked(peer: Sip2Peer) -> None:
    peer.holds_supported = False
    async with peer.running(), connected(peer) as system:
        placed = await system.place_hold(Patron("1001", "1001"), lavr_wish())
        assert placed.outcome is HoldOutcome.NOT_SUPPORTED
        assert peer.received["15"] == 0


async def test_a_lost_hold_answer_is_unconfirmed_and_never_resent(
    acs: Sip2Peer, system: Sip2System
) -> None:
    acs.add_item("C-7", "Лавр")
    patron = await anna(system)
    acs.hang_on_hold = True
    placed = await system.place_hold(patron, lavr_wish())
    assert placed.outcome is HoldOutcome.UNCONFIRMED
    assert acs.received["15"] == 1
    assert acs.holds[-1].barcode == "C-7"  # it did happen; staff are told to check


async def test_an_unreachable_acs_places_nothing() -> None:
    with refusing_port() as port:
        async with connected(Sip2Peer(today=TODAY, port=port)) as system:
            placed = await system.place_hold(Patron("1001", "1001"), lavr_wish())
    assert placed.outcome is HoldOutcome.UNAVAILABLE
