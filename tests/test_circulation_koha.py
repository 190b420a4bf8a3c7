"""The Koha connector against a fake Koha REST API over real HTTP.

The fake answers as Koha's OpenAPI definitions say (tests/fakes/koha_api.py); these
tests read like the reader's story: find the card, prove it is theirs, see the loans
with what can be renewed, renew, and what happens when Koha fails half-way.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import AsyncIterator, Callable
from datetime import date, timedelta

import aiohttp
import pytest
from pydantic import SecretStr

from bot.kernel.config import Koha
from storage.circulation.base import (
    Hold,
    HoldOutcome,
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
)
from storage.circulation.koha import KohaSystem
from storage.circulation.koha import client as koha_client
from tests.fakes.koha_api import FakeKoha, FakePatron

TODAY = date(2025, 6, 1)
TIMEOUT = 0.5  # seconds; the fake answers in milliseconds unless told to stall

Connect = Callable[..., KohaSystem]


@pytest.fixture
async def koha() -> AsyncIterator[FakeKoha]:
    fake = FakeKoha(today=TODAY)
    await fake.start()
    yield fake
    await fake.stop()


def basic(fake: FakeKoha, password: str | None = None) -> Koha:
    return Koha(url=fake.url, user=fake.user, password=SecretStr(password or fake.password))


def oauth(fake: FakeKoha, secret: str | None = None) -> Koha:
    return Koha(
        url=fake.url,
        client_id=fake.client_id,
        client_secret=SecretStr(secret or fake.client_secret),
    )


@pytest.fixture
async def connect(koha: FakeKoha) -> AsyncIterator[Connect]:
    made: list[KohaSystem] = []

    def make(settings: Koha | None = None, *, timeout: float = TIMEOUT) -> KohaSystem:
        system = KohaSystem(settings or basic(koha), timeout=timeout, today=lambda: TODAY)
        made.append(system)
        return system

    yield make
    for system in made:
        await system.close()


@pytest.fixture
def system(connect: Connect) -> KohaSystem:
    return connect()


def maria(koha: FakeKoha) -> FakePatron:
    """Our reader; patron_id 1, so a loose `patron_id=1` filter would also match 11."""
    return koha.add_patron(
        "1001", "Ёлкина", "Мария", password="pin-1985", born=date(1985, 3, 14), patron_id=1
    )


def stranger(koha: FakeKoha) -> FakePatron:
    return koha.add_patron("10012", "Сидоров", "Пётр", password="other", patron_id=11)


async def reader(koha: FakeKoha, system: KohaSystem) -> Patron:
    maria(koha)
    patron = await system.find_patron("1001")
    assert patron is not None
    return patron


def renewal_posts(koha: FakeKoha) -> list[str]:
    return [r.path for r in koha.requests if r.method == "POST" and r.path.endswith("/renewal")]


# --- finding the card ---------------------------------------------------------------------------


async def test_patron_is_found_by_exact_card_number(koha: FakeKoha, system: KohaSystem) -> None:
    maria(koha)
    stranger(koha)
    assert await system.find_patron(" 10 01 ") == Patron(
        ticket="1001", ref="1", name="Мария Ёлкина"
    )
    assert [r.query.get("_match") for r in koha.sent("GET", "/patrons")] == ["exact"]


async def test_part_of_a_card_number_finds_nobody(koha: FakeKoha, system: KohaSystem) -> None:
    maria(koha)
    assert await system.find_patron("100") is None
    assert await system.find_patron("9999") is None
    # …where Koha's default `contains` match would have handed over Мария's card.
    pair = base64.b64encode(f"{koha.user}:{koha.password}".encode()).decode()
    async with (
        aiohttp.ClientSession(headers={"Authorization": f"Basic {pair}"}) as session,
        session.get(f"{koha.url}/api/v1/patrons", params={"cardnumber": "100"}) as response,
    ):
        assert [p["cardnumber"] for p in await response.json()] == ["1001"]


async def test_restricted_or_expired_card_cannot_renew(koha: FakeKoha, system: KohaSystem) -> None:
    koha.add_patron("2002", "Блоков", "Олег", restricted=True)
    koha.add_patron("3003", "Старова", "Нина", expires=TODAY - timedelta(days=1))
    for ticket in ("2002", "3003"):
        patron = await system.find_patron(ticket)
        assert patron is not None
        assert patron.refusal is Refusal.BLOCKED
    koha.legacy = True  # an older Koha has no `expired`: the expiry date decides
    patron = await system.find_patron("3003")
    assert patron is not None
    assert patron.refusal is Refusal.BLOCKED


# --- proving it is theirs -----------------------------------------------------------------------


async def test_password_right_and_wrong(koha: FakeKoha, system: KohaSystem) -> None:
    maria(koha)
    assert await system.verify("1001", Password("pin-1985")) == Patron("1001", "1", "Мария Ёлкина")
    assert await system.verify("1001", Password("pin-1986")) is None
    assert await system.verify("1001", Password("")) is None
    assert await system.verify("7777", Password("pin-1985")) is None
    # Only the two real attempts reached Koha (each counts against the reader's account there).
    assert len(koha.sent("POST", "/auth/password/validation")) == 2


async def test_user_name_equal_to_a_card_number_does_not_open_that_card(
    koha: FakeKoha, system: KohaSystem
) -> None:
    maria(koha)
    koha.add_patron("5005", "Хитров", "Иван", password="trick", userid="1001")
    # Koha validates "1001" as Хитров's user name first and says yes — but not for this card.
    assert await system.verify("1001", Password("trick")) is None
    assert await system.verify("1001", Password("pin-1985")) is not None


async def test_surname_and_birth_year(koha: FakeKoha, system: KohaSystem) -> None:
    maria(koha)
    koha.add_patron("4004", "Безгодова", "Ада")  # no date of birth on record
    assert await system.verify("1001", SurnameAndYear("ЕЛКИНА", 1985)) == Patron(
        "1001", "1", "Мария Ёлкина"
    )
    assert await system.verify("1001", SurnameAndYear("ёлкина", 1985)) is not None
    assert await system.verify("1001", SurnameAndYear("Ёлкина", 1986)) is None
    assert await system.verify("1001", SurnameAndYear("Ёлкин", 1985)) is None
    assert await system.verify("4004", SurnameAndYear("Безгодова", 1985)) is None
    assert not koha.sent("POST", "/auth/password/validation")


# --- loans and holds ----------------------------------------------------------------------------


async def test_loans_with_titles_due_dates_and_renewals(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    war = koha.add_checkout(
        koha.patrons[1],
        koha.add_item("Война и мир /", "000123"),
        date(2025, 6, 10),
        renewals_count=1,
        max_renewals=3,
    )
    untitled = koha.add_checkout(koha.patrons[1], koha.add_item(None), date(2025, 6, 5))
    koha.add_checkout(stranger(koha), koha.add_item("Чужая книга"), date(2025, 6, 7))
    assert await system.loans(patron) == [
        Loan(
            ref=str(untitled.checkout_id),
            title="—",
            due=date(2025, 6, 5),
            issued=date(2025, 5, 22),
            renewals=0,
            max_renewals=2,
        ),
        Loan(
            ref=str(war.checkout_id),
            title="Война и мир",
            due=date(2025, 6, 10),
            barcode="000123",
            issued=date(2025, 5, 27),
            renewals=1,
            max_renewals=3,
        ),
    ]
    [listing] = koha.sent("GET", "/checkouts")
    assert (listing.query["patron_id"], listing.query["_match"]) == ("1", "exact")
    assert listing.embed == "item,item.biblio"


@pytest.mark.parametrize(
    ("code", "refusal"),
    [
        ("too_many", Refusal.TOO_MANY),
        ("too_unseen", Refusal.TOO_MANY),
        ("on_reserve", Refusal.RESERVED),
        ("recalled", Refusal.RESERVED),
        ("booked", Refusal.RESERVED),
        ("overdue", Refusal.OVERDUE),
        ("auto_too_late", Refusal.OVERDUE),
        ("too_much_owing", Refusal.DEBTS),
        ("auto_too_much_oweing", Refusal.DEBTS),
        ("auto_too_much_owing", Refusal.DEBTS),
        ("restriction", Refusal.BLOCKED),
        ("auto_account_expired", Refusal.BLOCKED),
        ("too_soon", Refusal.TOO_SOON),
        ("auto_too_soon", Refusal.TOO_SOON),
        ("item_denied_renewal", Refusal.AT_DESK),
        ("item_issued_to_other_patron", Refusal.AT_DESK),
        ("a_rule_koha_added_later", Refusal.RULES),
    ],
)
async def test_koha_refusal_codes_in_the_readers_terms(
    koha: FakeKoha, system: KohaSystem, code: str, refusal: Refusal
) -> None:
    patron = await reader(koha, system)
    koha.add_checkout(koha.patrons[1], koha.add_item("Книга"), date(2025, 6, 10), refusal=code)
    [loan] = await system.loans(patron)
    assert (loan.refusal, loan.detail) == (refusal, code)


async def test_renewal_rules_koha_applies_itself(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    used_up = koha.add_checkout(
        koha.patrons[1], koha.add_item("A"), date(2025, 6, 2), renewals_count=2, max_renewals=2
    )
    onsite = koha.add_checkout(
        koha.patrons[1], koha.add_item("B"), date(2025, 6, 3), onsite_checkout=True
    )
    # Auto-renewal loans: Koha says "allowed" with a code, and renews them on request too.
    auto = koha.add_checkout(koha.patrons[1], koha.add_item("C"), date(2025, 6, 4), auto_renew=True)
    found = {loan.ref: (loan.refusal, loan.detail) for loan in await system.loans(patron)}
    assert found == {
        str(used_up.checkout_id): (Refusal.TOO_MANY, "too_many"),
        str(onsite.checkout_id): (Refusal.AT_DESK, "onsite_checkout"),
        str(auto.checkout_id): (None, "auto_renew"),
    }


async def test_holds_waiting_in_transit_and_queued(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    waiting = koha.add_hold(
        koha.patrons[1], "Мастер и Маргарита", status="W", pickup="CHILD", expires=date(2025, 6, 8)
    )
    moving = koha.add_hold(koha.patrons[1], "Отцы и дети", status="T")
    queued = koha.add_hold(koha.patrons[1], None)
    koha.add_hold(stranger(koha), "Чужая бронь", status="W")
    assert await system.holds(patron) == [
        Hold(
            str(waiting.hold_id),
            "Мастер и Маргарита",
            HoldStatus.WAITING,
            "CHILD",
            date(2025, 6, 8),
        ),
        Hold(str(moving.hold_id), "Отцы и дети", HoldStatus.IN_TRANSIT, "CPL"),
        Hold(str(queued.hold_id), "—", HoldStatus.PENDING, "CPL"),
    ]


async def test_older_koha_without_embeds_or_error_codes(koha: FakeKoha, system: KohaSystem) -> None:
    koha.legacy = True
    patron = await reader(koha, system)
    ok = koha.add_checkout(
        koha.patrons[1], koha.add_item("Идиот.", "777"), date(2025, 6, 9), renewals_count=1
    )
    used_up = koha.add_checkout(
        koha.patrons[1], koha.add_item("Бесы"), date(2025, 6, 10), renewals_count=2
    )
    koha.add_hold(koha.patrons[1], "Подросток", status="W", expires=date(2025, 6, 5))
    loans = await system.loans(patron)
    assert [(x.ref, x.title, x.barcode, x.renewals) for x in loans] == [
        (str(ok.checkout_id), "Идиот.", "777", 1),
        (str(used_up.checkout_id), "Бесы", "", 2),
    ]
    [hold] = await system.holds(patron)
    assert (hold.title, hold.pickup_until) == ("Подросток", date(2025, 6, 5))
    # Refused without an error_code: the code is read from Koha's message.
    assert await system.renew(patron, loans[1]) == Renewal(
        loans[1].ref, "Бесы", Outcome.REFUSED, refusal=Refusal.TOO_MANY, detail="too_many"
    )
    await system.loans(patron)  # the refused embed is not asked for again
    assert [r.embed for r in koha.sent("GET", "/checkouts")] == [
        "item,item.biblio",
        None,
        None,
        None,
    ]


async def test_long_lists_are_read_page_by_page(
    koha: FakeKoha, system: KohaSystem, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(koha_client, "PAGE_SIZE", 2)
    patron = await reader(koha, system)
    for n in range(5):
        koha.add_hold(koha.patrons[1], f"Том {n + 1}")
    assert [h.title for h in await system.holds(patron)] == [f"Том {n + 1}" for n in range(5)]
    assert [r.query["_page"] for r in koha.sent("GET", "/holds")] == ["1", "2", "3"]


# --- renewing -----------------------------------------------------------------------------------


async def test_renewal_gives_the_new_due_date(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    checkout = koha.add_checkout(koha.patrons[1], koha.add_item("Война и мир"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    assert await system.renew(patron, loan) == Renewal(
        loan.ref, "Война и мир", Outcome.RENEWED, due=date(2025, 6, 24)
    )
    assert checkout.renewals_count == 1


@pytest.mark.parametrize(
    ("code", "refusal"),
    [("on_reserve", Refusal.RESERVED), ("overdue", Refusal.OVERDUE), ("new_rule", Refusal.RULES)],
)
async def test_refused_renewal_says_why(
    koha: FakeKoha, system: KohaSystem, code: str, refusal: Refusal
) -> None:
    patron = await reader(koha, system)
    checkout = koha.add_checkout(koha.patrons[1], koha.add_item("Х"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    checkout.refusal = code  # someone reserved it after the list was shown
    assert await system.renew(patron, loan) == Renewal(
        loan.ref, "Х", Outcome.REFUSED, refusal=refusal, detail=code
    )
    assert len(renewal_posts(koha)) == 1


async def test_someone_elses_checkout_is_never_renewed(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    theirs = koha.add_checkout(stranger(koha), koha.add_item("Чужая книга"), date(2025, 6, 10))
    for ref in (str(theirs.checkout_id), "../patrons", "1 OR 1=1"):
        forged = Loan(ref=ref, title="Чужая книга", due=date(2025, 6, 10))
        result = await system.renew(patron, forged)
        assert (result.outcome, result.refusal) == (Outcome.REFUSED, Refusal.NOT_ON_LOAN)
    assert renewal_posts(koha) == []
    assert theirs.renewals_count == 0


async def test_loan_returned_meanwhile(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    checkout = koha.add_checkout(koha.patrons[1], koha.add_item("Нос"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    del koha.checkouts[checkout.checkout_id]
    result = await system.renew(patron, loan)
    assert (result.outcome, result.refusal) == (Outcome.REFUSED, Refusal.NOT_ON_LOAN)
    assert renewal_posts(koha) == []
    # Returned between our check and the POST: Koha's 404.
    koha.checkouts[checkout.checkout_id] = checkout
    koha.renewal_status = 404
    result = await system.renew(patron, loan)
    assert (result.outcome, result.refusal) == (Outcome.REFUSED, Refusal.NOT_ON_LOAN)


async def test_renew_all_answers_each_loan_in_order(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    for title, renewals in (("Первая", 0), ("Вторая", 2), ("Третья", 0)):
        koha.add_checkout(
            koha.patrons[1], koha.add_item(title), date(2025, 6, 10), renewals_count=renewals
        )
    first, second, third = await system.loans(patron)
    forged = Loan(ref="999999", title="Подделка", due=date(2025, 6, 10))
    koha.requests.clear()
    results = await system.renew_all(patron, [first, second, forged, third])
    assert [(r.loan_ref, r.outcome, r.refusal) for r in results] == [
        (first.ref, Outcome.RENEWED, None),
        (second.ref, Outcome.REFUSED, Refusal.TOO_MANY),
        (forged.ref, Outcome.REFUSED, Refusal.NOT_ON_LOAN),
        (third.ref, Outcome.RENEWED, None),
    ]
    assert len(koha.sent("GET", "/checkouts")) == 1  # ownership checked once for all
    assert len(renewal_posts(koha)) == 3


# --- when Koha fails ----------------------------------------------------------------------------


async def test_koha_down_is_unavailable_and_changes_nothing(
    koha: FakeKoha, system: KohaSystem
) -> None:
    patron = await reader(koha, system)
    checkout = koha.add_checkout(koha.patrons[1], koha.add_item("Шинель"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    koha.down = True
    with pytest.raises(SystemUnavailable):
        await system.find_patron("1001")
    with pytest.raises(SystemUnavailable):
        await system.verify("1001", Password("pin-1985"))
    with pytest.raises(SystemUnavailable):
        await system.loans(patron)
    with pytest.raises(SystemUnavailable):
        await system.holds(patron)
    assert await system.renew(patron, loan) == Renewal(loan.ref, "Шинель", Outcome.UNAVAILABLE)
    assert checkout.renewals_count == 0


async def test_unreachable_koha(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    koha.add_checkout(koha.patrons[1], koha.add_item("Шинель"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    await koha.stop()  # connection refused from now on
    with pytest.raises(SystemUnavailable):
        await system.find_patron("1001")
    assert (await system.renew(patron, loan)).outcome is Outcome.UNAVAILABLE


async def test_slow_koha_times_out_as_unavailable(koha: FakeKoha, connect: Connect) -> None:
    maria(koha)
    koha.slow_seconds = 5
    system = connect(timeout=0.2)
    with pytest.raises(SystemUnavailable):
        await system.find_patron("1001")


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (503, Outcome.UNAVAILABLE),
        (500, Outcome.UNAVAILABLE),
        (502, Outcome.UNAVAILABLE),
        (403, Outcome.UNAVAILABLE),  # the API account may not renew: not the reader's refusal
        # A proxy gave up waiting: Koha had the request and may have renewed.
        (504, Outcome.UNCONFIRMED),
    ],
)
async def test_renewal_answered_with_a_server_error(
    koha: FakeKoha, system: KohaSystem, status: int, outcome: Outcome
) -> None:
    patron = await reader(koha, system)
    koha.add_checkout(koha.patrons[1], koha.add_item("Шинель"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    koha.renewal_status = status
    assert (await system.renew(patron, loan)).outcome is outcome
    assert len(renewal_posts(koha)) == 1


@pytest.mark.parametrize("failure", ["hang_after_renewal", "drop_after_renewal"])
async def test_lost_answer_to_a_renewal_is_unconfirmed_and_not_retried(
    koha: FakeKoha, connect: Connect, failure: str
) -> None:
    system = connect(timeout=0.3)
    patron = await reader(koha, system)
    checkout = koha.add_checkout(koha.patrons[1], koha.add_item("Шинель"), date(2025, 6, 10))
    koha.add_checkout(koha.patrons[1], koha.add_item("Нос"), date(2025, 6, 11))
    loans = await system.loans(patron)
    setattr(koha, failure, True)
    results = await system.renew_all(patron, loans)
    # Koha did renew the first; the second was not sent into a system that stopped answering.
    assert [r.outcome for r in results] == [Outcome.UNCONFIRMED, Outcome.UNAVAILABLE]
    assert renewal_posts(koha) == [f"/api/v1/checkouts/{checkout.checkout_id}/renewal"]
    assert checkout.renewals_count == 1


# --- authentication -----------------------------------------------------------------------------


async def test_basic_auth(koha: FakeKoha, connect: Connect) -> None:
    maria(koha)
    assert await connect().find_patron("1001") is not None
    assert {r.auth for r in koha.requests} == {"basic"}
    koha.requests.clear()
    with pytest.raises(SystemUnavailable):  # Koha: 403 "Invalid password"
        await connect(basic(koha, password="wrong")).find_patron("1001")
    assert len(koha.requests) == 1  # not retried
    assert not koha.sent("POST", "/oauth/token")


async def test_oauth_token_is_fetched_once_and_reused(koha: FakeKoha, connect: Connect) -> None:
    system = connect(oauth(koha))
    patron = await reader(koha, system)
    koha.add_checkout(koha.patrons[1], koha.add_item("Шинель"), date(2025, 6, 10))
    await system.find_patron("1001")
    [loan] = await system.loans(patron)
    assert (await system.renew(patron, loan)).outcome is Outcome.RENEWED
    assert len(koha.sent("POST", "/oauth/token")) == 1
    assert {r.auth for r in koha.requests if not r.path.endswith("/oauth/token")} == {"bearer"}


async def test_revoked_token_is_replaced_once(koha: FakeKoha, connect: Connect) -> None:
    system = connect(oauth(koha))
    patron = await reader(koha, system)
    checkout = koha.add_checkout(koha.patrons[1], koha.add_item("Шинель"), date(2025, 6, 10))
    [loan] = await system.loans(patron)
    koha.revoke_tokens()
    # Koha refuses the token before touching the loan, so sending the POST again is safe.
    assert (await system.renew(patron, loan)).outcome is Outcome.RENEWED
    assert checkout.renewals_count == 1
    assert len(koha.sent("POST", "/oauth/token")) == 2


async def test_token_is_replaced_shortly_before_it_expires(
    koha: FakeKoha, connect: Connect
) -> None:
    koha.token_lifetime = 1
    system = connect(oauth(koha))
    await reader(koha, system)
    await asyncio.sleep(0.95)  # past the client's margin, before Koha's expiry
    await system.find_patron("1001")
    assert len(koha.sent("POST", "/oauth/token")) == 2
    assert len(koha.sent("GET", "/patrons")) == 2  # no 401 on the way


async def test_wrong_oauth_client_is_unavailable(koha: FakeKoha, connect: Connect) -> None:
    maria(koha)
    with pytest.raises(SystemUnavailable):
        await connect(oauth(koha, secret="not-it")).find_patron("1001")
    assert not koha.sent("GET", "/patrons")


async def test_passwords_and_tokens_stay_out_of_logs(
    koha: FakeKoha, connect: Connect, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    system = connect(oauth(koha))
    maria(koha)
    assert await system.verify("1001", Password("pin-1985")) is not None
    assert await system.verify("1001", Password("wrong-pin")) is None
    koha.revoke_tokens()
    await system.find_patron("1001")
    with pytest.raises(SystemUnavailable):
        await connect(oauth(koha, secret="leaked-secret")).find_patron("1001")
    with pytest.raises(SystemUnavailable):
        await connect(basic(koha, password="leaked-password")).find_patron("1001")
    secrets = [koha.client_secret, "pin-1985", "wrong-pin", "leaked-secret", "leaked-password"]
    for secret in [*secrets, *koha.issued_tokens]:
        assert secret not in caplog.text


# --- holds from the catalogue (#19) --------------------------------------------------------


def lavr(koha: FakeKoha) -> int:
    """«Лавр»: one record, a copy in each of two libraries; the record id."""
    first = koha.add_item("Лавр :", "ЦБ-0077", library="CPL")
    koha.add_item(None, "МБ-0078", library="MPL", biblio_id=first.biblio_id)
    return first.biblio_id


def wish(**fields: object) -> HoldWish:
    values: dict[str, object] = {"title": "Лавр", "barcodes": ("МБ-0078",), "pickup": "MPL"}
    return HoldWish(**(values | fields))  # type: ignore[arg-type]


async def test_a_hold_is_placed_on_the_record_a_copy_names(
    koha: FakeKoha, system: KohaSystem
) -> None:
    patron = await reader(koha, system)
    record = lavr(koha)
    koha.add_hold(stranger(koha), "Лавр")  # someone else waits for another record
    placed = await system.place_hold(patron, wish(barcodes=("НЕТ-ТАКОГО", "МБ-0078")))
    assert placed.outcome is HoldOutcome.PLACED
    (hold,) = [h for h in koha.holds.values() if h.patron_id == 1]
    assert (hold.biblio_id, hold.pickup_library_id) == (record, "MPL")
    assert placed.ref == str(hold.hold_id)
    assert placed.queue_position == 1
    assert koha.bodies == [{"patron_id": 1, "biblio_id": record, "pickup_library_id": "MPL"}]
    # The reader now sees it among their holds, queued.
    assert [(h.title, h.status) for h in await system.holds(patron)] == [
        ("Лавр", HoldStatus.PENDING)
    ]


async def test_without_a_pickup_branch_the_copys_library_is_the_pickup(
    koha: FakeKoha, system: KohaSystem
) -> None:
    patron = await reader(koha, system)
    lavr(koha)
    placed = await system.place_hold(patron, wish(barcodes=("ЦБ-0077",), pickup=None))
    assert placed.outcome is HoldOutcome.PLACED
    assert koha.bodies[0]["pickup_library_id"] == "CPL"


async def test_the_control_number_counts_only_when_koha_has_the_same_title(
    koha: FakeKoha, system: KohaSystem
) -> None:
    patron = await reader(koha, system)
    record = lavr(koha)
    other = koha.add_biblio("Авиатор")
    wrong = await system.place_hold(patron, wish(barcodes=(), control_number=str(other)))
    assert wrong.outcome is HoldOutcome.UNKNOWN_BOOK
    assert not koha.sent("POST", "/holds")
    right = await system.place_hold(patron, wish(barcodes=(), control_number=str(record)))
    assert right.outcome is HoldOutcome.PLACED


@pytest.mark.parametrize("legacy", [False, True], ids=["koha", "older-koha"])
async def test_koha_refusals_in_the_readers_terms(
    koha: FakeKoha, system: KohaSystem, legacy: bool
) -> None:
    koha.legacy = legacy
    patron = await reader(koha, system)
    record = lavr(koha)
    assert (await system.place_hold(patron, wish())).outcome is HoldOutcome.PLACED
    again = await system.place_hold(patron, wish())
    assert (again.outcome, again.refusal) == (HoldOutcome.REFUSED, HoldRefusal.ALREADY_HELD)
    assert again.detail == "tooManyHoldsForThisRecord"
    owned = koha.add_item("Авиатор", "ЦБ-0100")
    koha.add_checkout(koha.patrons[1], owned, TODAY + timedelta(days=7))
    have = await system.place_hold(patron, wish(title="Авиатор", barcodes=("ЦБ-0100",)))
    assert have.refusal is HoldRefusal.HAVE_IT
    koha.not_holdable.add(record)
    koha.holds.clear()
    assert (await system.place_hold(patron, wish())).refusal is HoldRefusal.NOT_HOLDABLE
    koha.not_holdable.clear()
    koha.max_holds = 0
    assert (await system.place_hold(patron, wish())).refusal is HoldRefusal.TOO_MANY
    koha.max_holds = 50
    wrong_branch = await system.place_hold(patron, wish(pickup="НЕТ"))
    assert wrong_branch.refusal is HoldRefusal.PICKUP
    assert not koha.holds  # nothing was placed by any of them


async def test_a_restricted_card_is_refused_by_newer_koha(
    koha: FakeKoha, system: KohaSystem
) -> None:
    koha.add_patron("2002", "Блоков", "Олег", restricted=True)
    lavr(koha)
    patron = await system.find_patron("2002")
    assert patron is not None
    refused = await system.place_hold(patron, wish())
    assert (refused.outcome, refused.refusal) == (HoldOutcome.REFUSED, HoldRefusal.BLOCKED)


async def test_a_book_koha_does_not_know_is_not_asked_for(
    koha: FakeKoha, system: KohaSystem
) -> None:
    patron = await reader(koha, system)
    unknown = await system.place_hold(patron, wish(barcodes=("НЕТ-1", "НЕТ-2")))
    assert unknown.outcome is HoldOutcome.UNKNOWN_BOOK
    assert not koha.sent("POST", "/holds")


async def test_a_hold_whose_answer_was_lost_is_unconfirmed_and_not_sent_again(
    koha: FakeKoha, system: KohaSystem
) -> None:
    patron = await reader(koha, system)
    lavr(koha)
    koha.drop_after_hold = True
    lost = await system.place_hold(patron, wish())
    assert lost.outcome is HoldOutcome.UNCONFIRMED
    assert len(koha.sent("POST", "/holds")) == 1
    assert len(koha.holds) == 1  # Koha did place it


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (500, HoldOutcome.UNAVAILABLE),
        (503, HoldOutcome.UNAVAILABLE),
        (403, HoldOutcome.UNAVAILABLE),  # the API account may not place holds
        (504, HoldOutcome.UNCONFIRMED),
    ],
)
async def test_koha_failures_while_placing(
    koha: FakeKoha, system: KohaSystem, status: int, outcome: HoldOutcome
) -> None:
    patron = await reader(koha, system)
    lavr(koha)
    koha.hold_status = status
    assert (await system.place_hold(patron, wish())).outcome is outcome
    assert not koha.holds


async def test_koha_down_places_nothing(koha: FakeKoha, system: KohaSystem) -> None:
    patron = await reader(koha, system)
    lavr(koha)
    koha.down = True
    assert (await system.place_hold(patron, wish())).outcome is HoldOutcome.UNAVAILABLE
    assert not koha.sent("POST", "/holds")
