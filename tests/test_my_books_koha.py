"""«Мои книги» on a Koha library: the same stories through the real bot, plus what happens
when Koha is down or its answer to a renewal is lost."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from storage.circulation import library_today
from storage.models import Activity, ActivityKind
from tests.conftest import RunningBot, StartBot, make_config
from tests.fakes.koha_api import FakeKoha
from tests.test_my_books import consented


@pytest.fixture
async def koha(tmp_path: Path) -> AsyncIterator[FakeKoha]:
    config = make_config(tmp_path)
    fake = FakeKoha(today=library_today(config)())
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def library(start_bot: StartBot, tmp_path: Path, koha: FakeKoha) -> RunningBot:
    today = koha.today
    maria = koha.add_patron("23529000123", "Ёлкина", "Мария", password="pin-1985")
    koha.add_checkout(maria, koha.add_item("Мастер и Маргарита", "B-1"), today + timedelta(days=4))
    koha.add_checkout(
        maria, koha.add_item("Лавр", "B-2"), today + timedelta(days=6), refusal="on_reserve"
    )
    koha.add_hold(maria, "Щегол", status="W", pickup="CPL", expires=today + timedelta(days=5))
    config = make_config(
        tmp_path,
        library_system={
            "kind": "koha",
            "timeout_seconds": 0.5,
            "koha": {"url": koha.url, "user": koha.user, "password": koha.password},
        },
    )
    return await start_bot(config)


async def _linked(library: RunningBot):
    maria = await consented(library, 4001, "Мария")
    await maria.send("📚 Мои книги")
    await maria.send("23529000123")
    reply = await maria.send("pin-1985")
    return maria, reply


def _renewals(koha: FakeKoha) -> list[object]:
    return [r for r in koha.requests if r.method == "POST" and r.path.endswith("/renewal")]


async def test_reader_links_and_renews_through_koha(library: RunningBot, koha: FakeKoha) -> None:
    maria, reply = await _linked(library)
    assert "билет № 23529000123 привязан (Мария Ёлкина)" in reply.text
    assert "«Лавр»" in reply.text
    assert "продлить нельзя: книгу ждёт другой читатель" in reply.text
    assert "«Щегол» — CPL, заберите до" in reply.text
    reply = await maria.click("Продлить: Мастер и Маргарита")
    assert "✅ «Мастер и Маргарита» — продлено до" in reply.text
    assert len(_renewals(koha)) == 1


async def test_koha_down_changes_nothing_and_says_so(library: RunningBot, koha: FakeKoha) -> None:
    maria, _ = await _linked(library)
    koha.down = True
    reply = await maria.click("Продлить: Мастер и Маргарита")
    assert "Библиотечная система сейчас не отвечает. Ничего не изменилось" in reply.text
    reply = await maria.send("📚 Мои книги")
    assert "Библиотечная система сейчас не отвечает" in reply.text
    assert "+7 (495) 000-00-00" in reply.text
    assert not _renewals(koha)


async def test_lost_answer_to_a_renewal_is_unconfirmed_and_not_retried(
    library: RunningBot, koha: FakeKoha
) -> None:
    maria, _ = await _linked(library)
    koha.hang_after_renewal = True
    reply = await maria.click("Продлить: Мастер и Маргарита")
    assert "❓ «Мастер и Маргарита» — ответ системы не пришёл, продление не подтверждено" in (
        reply.text
    )
    assert len(_renewals(koha)) == 1
    async with library.db.transaction() as session:
        statuses = list(
            await session.scalars(
                select(Activity.status).where(Activity.kind == ActivityKind.RENEWAL)
            )
        )
    assert statuses == ["unconfirmed"]


async def test_koha_down_while_linking_is_not_a_failed_attempt(
    library: RunningBot, koha: FakeKoha
) -> None:
    koha.down = True
    maria = await consented(library, 4002, "Мария")
    await maria.send("📚 Мои книги")
    await maria.send("23529000123")
    reply = await maria.send("pin-1985")
    assert "Библиотечная система сейчас не отвечает" in reply.text
    koha.down = False
    _, reply = await _linked(library)
    assert "привязан" in reply.text
