"""«Мои книги» on an IRBIS64 library: the real bot, the real IRBIS64 connector and client,
a fake IRBIS64 server on 127.0.0.1 — linking by ticket and surname with year of birth,
loans from the reader record with every reason a renewal is refused, «Продлить все»,
the desk changing the reader record meanwhile, and a server that is down."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.circulation import library_today
from storage.irbis64.records import Field, Record
from tests.conftest import RunningBot, StartBot, make_config
from tests.fakes.irbis_server import FakeIrbis
from tests.irbis_library import irbis_library, irbis_settings
from tests.test_my_books import consented

MASTER = "Булгаков М. Мастер и Маргарита"


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[FakeIrbis]:
    async with irbis_library(library_today(make_config(tmp_path))()) as running:
        yield running


@pytest.fixture
async def library(server: FakeIrbis, start_bot: StartBot, tmp_path: Path) -> RunningBot:
    return await start_bot(make_config(tmp_path, library_system=irbis_settings(server)))


async def _linked(library: RunningBot, user_id: int = 8001):
    anna = await consented(library, user_id)
    await anna.send("📚 Мои книги")
    await anna.send("1001")
    reply = await anna.send("Петрова 1985")
    return anna, reply


def _loan_fields(server: FakeIrbis) -> list[Field]:
    return server.record("RDR", 1).all(40)


async def test_reader_links_by_ticket_and_sees_why_each_book_can_or_cannot_be_renewed(
    library: RunningBot,
) -> None:
    anna = await consented(library, 8002)
    await anna.send("📚 Мои книги")
    await anna.send("1001")
    reply = await anna.send("Петрова 1986")  # a wrong year counts as a failed attempt
    assert "Осталось 4 попытки" in reply.text
    _, reply = await _linked(library)
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert f"«{MASTER}»" in reply.text
    assert "продлить нельзя: книгу ждёт другой читатель" in reply.text
    assert "продлить нельзя: продления исчерпаны" in reply.text
    assert "срок прошёл слишком давно — верните книгу в библиотеку" in reply.text
    assert "Евгений Онегин" not in reply.text  # returned: not a loan
    # The order waiting on the pickup shelf, at the branch its storage place belongs to.
    assert "«Водолазкин Е. Лавр» — Центральная библиотека, заберите до" in reply.text


async def test_renew_one_is_written_into_the_reader_record(
    library: RunningBot, server: FakeIrbis
) -> None:
    anna, _ = await _linked(library)
    today = library_today(library.config)()
    reply = await anna.click(f"Продлить: {MASTER}")
    due = today + timedelta(days=5 + 14)
    assert f"✅ «{MASTER}» — продлено до <b>{due:%d.%m.%Y}</b>" in reply.text
    renewed = _loan_fields(server)[0]
    assert (renewed.sub("e"), renewed.sub("l"), renewed.sub("4")) == (
        f"{due:%Y%m%d}",
        f"{today:%Y%m%d}",
        "1",
    )
    assert server.lock_owner("RDR", 1) is None


async def test_renew_all_with_every_refusal_and_nothing_else_touched(
    library: RunningBot, server: FakeIrbis
) -> None:
    anna, _ = await _linked(library)
    before = [f.value for f in _loan_fields(server)]
    reply = await anna.click("Продлить все")
    summary = reply.messages[-1].text
    assert f"✅ «{MASTER}» — продлено до" in summary
    assert "✅ «Водолазкин Е. Авиатор» — продлено до" in summary
    assert "❌ «Шолохов М. Тихий Дон» — нельзя: книгу ждёт другой читатель" in summary
    assert "❌ «Толстой Л. Война и мир» — нельзя: продления исчерпаны" in summary
    assert "❌ «Толстой Л. Анна Каренина» — нельзя: срок прошёл слишком давно" in summary
    after = [f.value for f in _loan_fields(server)]
    assert after[2:] == before[2:]  # refused loans are not written
    assert server.requests["D"] == 2


async def test_the_desk_and_the_reader_on_one_record(
    library: RunningBot, server: FakeIrbis
) -> None:
    """The desk saves the reader record between the bot's read and write: the bot's write
    is refused (version), it reads again and renews on the desk's record. The desk holding
    the record open (its lock, twice in a row) means «try later», nothing written."""
    anna, _ = await _linked(library)
    issued = "^aШ6^b1006-1^cВодолазкин Е. Лавр^d20261208^e20261222^f******"
    original = server._read
    edited: list[Record] = []

    def read(request):  # type: ignore[no-untyped-def]
        answer = original(request)
        if not edited and request.params[2:3] == [b"1"]:  # the renewal's locked read
            edited.append(server.desk_edit("RDR", 1, lambda r: r.add(40, issued)))
        return answer

    server._read = read  # type: ignore[method-assign]
    reply = await anna.click(f"Продлить: {MASTER}")
    assert f"✅ «{MASTER}» — продлено до" in reply.text
    assert issued in [f.value for f in _loan_fields(server)]
    assert server.requests["D"] == 2

    # Then the desk opens the record and keeps it open: nothing is written.
    before = [f.value for f in _loan_fields(server)]
    server.locked("RDR", 1)
    reply = await anna.click("Продлить: Водолазкин Е. Авиатор")
    assert "⏸ «Водолазкин Е. Авиатор» — библиотечная система не ответила, ничего не" in reply.text
    assert [f.value for f in _loan_fields(server)] == before
    assert server.requests["D"] == 2


async def test_server_down_says_try_later_and_a_lost_answer_is_not_repeated(
    library: RunningBot, server: FakeIrbis
) -> None:
    anna, _ = await _linked(library)
    server.fault_commands, server.apply_before_fault, server.timeout = {"D"}, True, True
    reply = await anna.click(f"Продлить: {MASTER}")
    assert f"❓ «{MASTER}» — ответ системы не пришёл, продление не подтверждено" in reply.text
    assert server.requests["D"] == 1
    server.timeout = False
    await server.go_down()
    reply = await anna.send("📚 Мои книги")
    assert "Библиотечная система сейчас не отвечает" in reply.text


async def test_reader_links_by_sharing_her_phone_and_a_family_phone_asks_for_the_ticket(
    server: FakeIrbis, start_bot: StartBot, tmp_path: Path
) -> None:
    settings = irbis_settings(server, verification="phone")
    library = await start_bot(make_config(tmp_path, library_system=settings))
    anna = await consented(library, 8101)
    reply = await anna.send("📚 Мои книги")
    assert "Поделиться номером" in reply.text
    reply = await anna.share_contact("79123456789")  # field 17 says «+7 (912) 345-67-89»
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert f"«{MASTER}»" in reply.text
    petr = await consented(library, 8102, "Пётр")
    await petr.send("📚 Мои книги")
    reply = await petr.share_contact("79001112233")  # Пётр and Ольга Петровы share it
    assert "несколько читателей" in reply.text
