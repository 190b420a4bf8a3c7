"""The IRBIS64 connector's own rules, on reader and catalogue records as IRBIS keeps them:
which fields 40 are loans, what a renewal writes back, when a renewal is refused, how a
reader proves a ticket is theirs, what a 910 tells a reader."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.catalogue.availability import RecordCard
from storage.catalogue.records import ItemStatus
from storage.circulation import open_library_system
from storage.circulation.base import (
    HoldOutcome,
    HoldRefusal,
    HoldStatus,
    HoldWish,
    Outcome,
    Password,
    Patron,
    Refusal,
    SurnameAndYear,
    SystemUnavailable,
)
from storage.circulation.irbis import IrbisSystem, exemplars, loans, readers, rules
from storage.irbis64.records import Field, Record
from tests.conftest import make_config
from tests.fakes.irbis_server import FakeIrbis
from tests.irbis_library import irbis_library, irbis_settings

TODAY = date(2026, 12, 8)

ON_LOAN = "^aШ1^b1759089^cБулгаков М. Мастер и Маргарита^d20261120^e20261210^f******^h0001^4 1"
RETURNED = "^aШ2^b2000001^cТихий Дон^d20261001^e20261015^f20261014"


@dataclass
class Rules:
    renewal_days: int = 14
    max_renewals: int = 2
    renew_before_days: int = 0
    overdue_limit_days: int = 30
    holds_block_renewal: bool = True


def test_only_books_still_out_are_loans() -> None:
    found = loans.open_loans([RETURNED, ON_LOAN, "^f******^cбез даты возврата"])
    assert [loan.title for loan in found] == ["Булгаков М. Мастер и Маргарита"]
    loan = found[0]
    assert (loan.due, loan.issued, loan.renewals) == (date(2026, 12, 10), date(2026, 11, 20), 1)
    assert (loan.shelf, loan.inventory, loan.barcode, loan.position) == ("Ш1", "1759089", "0001", 1)
    assert loan.ref == "0001@20261120"


def test_a_renewal_changes_due_date_renewal_date_and_counter_only() -> None:
    loan = loans.open_loans(["^A Ш1^B1759089^CМастер^D20261120^E20261210^F******^Xдесk"])[0]
    written = loan.renewed(date(2026, 12, 24), TODAY)
    field = Field(40, written)
    assert field.sub("e") == "20261224"
    assert field.sub("l") == "20261208"
    assert field.sub("4") == "1"
    assert field.sub("x") == "десk"  # what the bot does not know stays as the desk wrote it
    assert written.startswith("^A Ш1^B1759089^CМастер^D20261120^E20261224^F******^Xдесk")


def test_the_loan_is_found_again_by_its_copy_and_issue_day_after_the_desk_edits() -> None:
    loan = loans.open_loans([ON_LOAN])[0]
    edited = Field(40, ON_LOAN).with_sub("e", "20261231").value
    again = loans.find([RETURNED, "^f******^e20270101^cДругая", edited], loan.ref)
    assert again is not None
    assert (again.due, again.position) == (date(2026, 12, 31), 2)


def test_renewal_rules_in_the_order_readers_are_told() -> None:
    loan = loans.open_loans([ON_LOAN])[0]
    assert rules.refusal(loan, Rules(), TODAY, waiting=False) == (None, None)
    assert rules.refusal(loan, Rules(max_renewals=1), TODAY, waiting=False)[0] is Refusal.TOO_MANY
    assert rules.refusal(loan, Rules(), TODAY, waiting=True)[0] is Refusal.RESERVED
    ignoring_holds = Rules(holds_block_renewal=False)
    assert rules.refusal(loan, ignoring_holds, TODAY, waiting=True) == (None, None)
    late = TODAY + timedelta(days=40)
    assert rules.refusal(loan, Rules(), late, waiting=False)[0] is Refusal.OVERDUE
    soon = rules.refusal(loan, Rules(renew_before_days=1), TODAY, waiting=False)
    assert soon == (Refusal.TOO_SOON, date(2026, 12, 9))
    blocked = rules.refusal(loan, Rules(), TODAY, waiting=False, card=Refusal.BLOCKED)
    assert blocked[0] is Refusal.BLOCKED


def test_new_due_date_counts_from_today_when_overdue() -> None:
    loan = loans.open_loans([ON_LOAN])[0]
    assert rules.new_due(loan, Rules(), TODAY) == date(2026, 12, 24)
    assert rules.new_due(loan, Rules(), date(2026, 12, 20)) == date(2027, 1, 3)


def test_surname_and_birth_year_as_the_desk_typed_them() -> None:
    given = SurnameAndYear("петрова", 1985)
    assert readers.identity_ok("Петрова", "19850312", given)
    assert readers.identity_ok("ПЕТРОВА", "1985", given)
    assert readers.identity_ok("Пётрова", "12.03.1985", SurnameAndYear("Петрова", 1985))
    assert not readers.identity_ok("Петрова", "19860312", given)
    assert not readers.identity_ok(None, "1985", given)
    assert not readers.identity_ok("Петрова", None, given)


def test_password_field_and_subfield() -> None:
    assert readers.field_spec("130") == ("130", None)
    assert readers.field_spec("130^a") == ("130", "a")
    assert readers.password_ok(readers.in_field("^a4821^bweb", "a"), "4821")
    assert not readers.password_ok(readers.in_field("4821", None), "0000")
    assert not readers.password_ok(None, "")
    assert not readers.password_ok("", "")


def test_a_number_is_asked_for_as_desks_type_it() -> None:
    spellings = readers.phone_spellings("9123456789")
    for typed in ("9123456789", "89123456789", "+7 (912) 345-67-89", "8 912 345-67-89"):
        assert typed in spellings


def test_exemplar_statuses_as_readers_see_them() -> None:
    found = exemplars.exemplars(
        [
            "^a0^b1^dАб",
            "^a1^b2^dАб",
            "^a9^b3^dЧз",
            "^a2^b4",
            "^a3^b5",
            "^a4^b6",
            "^a5^b7",
            "^a6^b8",
            "^aU^dАб^15^23",
            "^aC^dКомплектование",
        ]
    )
    statuses = [copy.status for copy in found]
    assert statuses == [
        ItemStatus.AVAILABLE,
        ItemStatus.ON_LOAN,
        ItemStatus.RESERVED,
        ItemStatus.UNAVAILABLE,
        ItemStatus.UNAVAILABLE,
        ItemStatus.LOST,
        ItemStatus.UNAVAILABLE,
        ItemStatus.WITHDRAWN,
        ItemStatus.AVAILABLE,
    ]
    group = found[-1]
    assert (group.total, group.lent, group.place) == (5, 3, "Аб")


# --- the connector against a fake IRBIS64 server ---------------------------------------


@pytest.fixture
async def server() -> AsyncIterator[FakeIrbis]:
    async with irbis_library(TODAY) as running:
        yield running


@pytest.fixture
async def irbis(server: FakeIrbis, tmp_path: Path) -> AsyncIterator[IrbisSystem]:
    config = make_config(tmp_path, library_system=irbis_settings(server))
    system = open_library_system(config, None)  # type: ignore[arg-type] - IRBIS needs no database
    assert isinstance(system, IrbisSystem)
    system._today = lambda: TODAY
    yield system
    await system.close()


def _rdr_loans(server: FakeIrbis, mfn: int = 1) -> list[str]:
    return [f.value for f in server.record("RDR", mfn).all(40)]


async def test_reader_found_by_ticket_and_proof(irbis: IrbisSystem) -> None:
    anna = await irbis.find_patron(" 1001 ")
    assert anna == Patron(ticket="1001", ref="1001", name="Анна Петрова")
    assert await irbis.find_patron("9999") is None
    assert await irbis.verify("1001", SurnameAndYear("петрова", 1985)) == anna
    assert await irbis.verify("1001", SurnameAndYear("Петрова", 1986)) is None
    assert await irbis.verify("1001", Password("4821")) == anna
    assert await irbis.verify("1001", Password("1111")) is None


async def test_readers_found_by_phone_whatever_its_spelling(irbis: IrbisSystem) -> None:
    assert [p.ticket for p in await irbis.patrons_by_phone("9123456789")] == ["1001"]
    several = await irbis.patrons_by_phone("9001112233")  # a family phone
    assert sorted(p.ticket for p in several) == ["1003", "1004"]
    assert await irbis.patrons_by_phone("9990000000") == []


async def test_loans_with_the_rules_applied_and_holds_from_the_orders_database(
    irbis: IrbisSystem,
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    found = {loan.title: loan for loan in await irbis.loans(anna)}
    assert set(found) == {
        "Булгаков М. Мастер и Маргарита",
        "Водолазкин Е. Авиатор",
        "Шолохов М. Тихий Дон",
        "Толстой Л. Война и мир",
        "Толстой Л. Анна Каренина",
    }
    assert found["Булгаков М. Мастер и Маргарита"].refusal is None
    assert found["Шолохов М. Тихий Дон"].refusal is Refusal.RESERVED
    assert found["Толстой Л. Война и мир"].refusal is Refusal.TOO_MANY
    assert found["Толстой Л. Анна Каренина"].refusal is Refusal.OVERDUE
    [hold] = await irbis.holds(anna)
    assert (hold.title, hold.status, hold.branch) == (
        "Водолазкин Е. Лавр",
        HoldStatus.WAITING,
        "Центральная библиотека",
    )


async def test_renewal_is_written_back_as_the_desk_would(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    [master] = [x for x in await irbis.loans(anna) if x.title.endswith("Маргарита")]
    before = server.record("RDR", 1)
    result = await irbis.renew(anna, master)
    assert result.outcome is Outcome.RENEWED
    assert result.due == master.due + timedelta(days=14)
    after = server.record("RDR", 1)
    assert after.version == before.version + 1
    field = Field(40, _rdr_loans(server)[0])
    assert (field.sub("e"), field.sub("l"), field.sub("4")) == (
        f"{result.due:%Y%m%d}",
        "20261208",
        "1",
    )
    assert _rdr_loans(server)[1:] == [f.value for f in before.all(40)][1:]
    assert server.lock_owner("RDR", 1) is None  # the desk can edit the reader again


async def test_desk_edit_between_read_and_write_is_kept_and_the_renewal_retried(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    [master] = [x for x in await irbis.loans(anna) if x.title.endswith("Маргарита")]
    issued = "^aШ6^b1006-1^cВодолазкин Е. Лавр^d20261208^e20261222^f******"
    edits = 0
    original = server._read

    def read_then_desk_issues(request: Any) -> bytes:  # the desk saves right after our read
        nonlocal edits
        answer = original(request)
        if edits == 0 and request.params[2:3] == [b"1"]:  # the renewal's locked read
            edits += 1
            server.desk_edit("RDR", 1, lambda record: record.add(40, issued))
        return answer

    server._read = read_then_desk_issues  # type: ignore[method-assign]
    result = await irbis.renew(anna, master)
    assert result.outcome is Outcome.RENEWED
    assert issued in _rdr_loans(server)  # the desk's new loan was not overwritten
    assert server.requests["D"] == 2  # refused once (version), written once


async def test_locked_by_the_desk_twice_is_try_later_with_nothing_written(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    loans_now = await irbis.loans(anna)
    server.locked("RDR", 1)
    before = _rdr_loans(server)
    [result] = await irbis.renew_all(anna, [loans_now[0]])
    assert result.outcome is Outcome.UNAVAILABLE
    assert _rdr_loans(server) == before
    assert server.requests["D"] == 0


async def test_a_lost_answer_is_unconfirmed_and_never_repeated(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    renewable = [x for x in await irbis.loans(anna) if x.refusal is None]
    server.fault_commands, server.timeout = {"D"}, True  # the write never arrives
    results = await irbis.renew_all(anna, renewable)
    assert [r.outcome for r in results] == [Outcome.UNCONFIRMED, Outcome.UNAVAILABLE]
    assert server.requests["D"] == 1
    await irbis.close()  # the record the bot locked is given back to the desk
    assert server.lock_owner("RDR", 1) is None


async def test_server_down_means_unavailable_and_nothing_changed(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    loans_now = await irbis.loans(anna)
    await server.go_down()
    with pytest.raises(SystemUnavailable):
        await irbis.loans(anna)
    results = await irbis.renew_all(anna, loans_now[:1])
    assert [r.outcome for r in results] == [Outcome.UNAVAILABLE]


async def test_holds_are_orders_in_the_orders_database(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    ivan = await irbis.find_patron("1002")
    assert ivan is not None
    placed = await irbis.place_hold(
        ivan, HoldWish("Мастер и Маргарита", control_number="Ш1", pickup="children")
    )
    assert placed.outcome is HoldOutcome.PLACED
    order = server.record("RQST", int(placed.ref or 0))
    assert (order.fv(30), order.fv(903), order.fv(102), order.fv(1)) == (
        "1002",
        "Ш1",
        "Дет",
        "IBIS",
    )
    again = await irbis.place_hold(ivan, HoldWish("Мастер", control_number="Ш1"))
    assert again.refusal is HoldRefusal.ALREADY_HELD
    anna = await irbis.find_patron("1001")
    assert anna is not None
    have = await irbis.place_hold(anna, HoldWish("Тихий Дон", control_number="Ш2"))
    assert have.refusal is HoldRefusal.HAVE_IT
    unknown = await irbis.place_hold(anna, HoldWish("Нет такой", control_number="Ш99"))
    assert unknown.outcome is HoldOutcome.UNKNOWN_BOOK


async def test_a_book_the_desk_renewed_meanwhile_is_not_renewed_again(
    irbis: IrbisSystem, server: FakeIrbis
) -> None:
    anna = await irbis.find_patron("1001")
    assert anna is not None
    [master] = [x for x in await irbis.loans(anna) if x.title.endswith("Маргарита")]

    def desk_renews(record: Record) -> None:
        loan = record.all(40)[0]
        record.replace_field(loan, loan.with_sub("e", "20261231").with_sub("4", "1"))

    server.desk_edit("RDR", 1, desk_renews)
    result = await irbis.renew(anna, master)
    assert (result.outcome, result.due) == (Outcome.RENEWED, date(2026, 12, 31))
    assert server.requests["D"] == 0
    assert server.lock_owner("RDR", 1) is None


async def test_live_copies_of_a_record_known_only_by_its_title(irbis: IrbisSystem) -> None:
    """A catalogue record the export keyed by ISBN and title, without copies of its own:
    IRBIS is asked by a title word, and only a record with exactly that title counts."""
    card = RecordCard(1, "Лавр", None, None, None, None, None, [], source_key="isbn:-|лавр")
    [copy] = await irbis.live_copies(card) or []
    assert (copy.status, copy.location) == (ItemStatus.AVAILABLE, "central")
    other = RecordCard(2, "Лавр и другие", None, None, None, None, None, [], source_key="x")
    assert await irbis.live_copies(other) is None


async def test_the_bots_own_password_refused_is_unavailable_and_logged(
    irbis: IrbisSystem, server: FakeIrbis, caplog: pytest.LogCaptureFixture
) -> None:
    server.wrong_password = True
    with pytest.raises(SystemUnavailable):
        await irbis.find_patron("1001")
    assert "IRBIS64 refused the bot's user 'libbot'" in caplog.text


async def test_a_failed_phone_search_leaves_no_number_in_the_log(
    irbis: IrbisSystem, server: FakeIrbis, caplog: pytest.LogCaptureFixture
) -> None:
    """A number is personal: when IRBIS fails, the log names the dictionary, not the number."""
    server.garbage = True
    with pytest.raises(SystemUnavailable) as failed:
        await irbis.patrons_by_phone("9123456789")
    server.garbage = False
    await server.go_down()
    with pytest.raises(SystemUnavailable) as down:
        await irbis.patrons_by_phone("9123456789")
    assert "IRBIS search RDR TEL=" in caplog.text
    for told in (caplog.text, str(failed.value), str(down.value)):
        assert "345" not in told
        assert "912" not in told
