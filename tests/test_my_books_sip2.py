"""«Мои книги» on a SIP2 library: the real bot, the real SIP2 connector, a real SIP2 peer
(pysip2's server) on 127.0.0.1 — linking, renew all with mixed results, a peer that is
down, and a renewal whose answer never comes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from storage.circulation import library_today
from tests.conftest import RunningBot, StartBot, make_config
from tests.fakes.sip2_peer import Sip2Peer
from tests.test_my_books import consented


@pytest.fixture
async def peer(tmp_path: Path) -> AsyncIterator[Sip2Peer]:
    today = library_today(make_config(tmp_path))()
    peer = Sip2Peer(today=today)
    peer.add_patron("1001", "Анна Петрова", "4821")
    peer.lend("B-1", "Мастер и Маргарита", to="1001", due=today + timedelta(days=5))
    peer.lend("B-2", "Тихий Дон", to="1001", due=today + timedelta(days=2), holds=1)
    peer.lend("B-3", "Война и мир", to="1001", due=today + timedelta(days=1))
    peer.add_hold("1001", "H-1", "Лавр", waiting=True, pickup_until=today + timedelta(days=3))
    async with peer.running():
        yield peer


@pytest.fixture
async def library(peer: Sip2Peer, start_bot: StartBot, tmp_path: Path) -> RunningBot:
    config = make_config(
        tmp_path,
        library_system={
            "kind": "sip2",
            "timeout_seconds": 0.5,
            "sip2": {"host": "127.0.0.1", "port": peer.port, "institution": "TESTLIB"},
        },
    )
    return await start_bot(config)


async def _linked(library: RunningBot):
    anna = await consented(library, 5001)
    await anna.send("📚 Мои книги")
    await anna.send("1001")
    reply = await anna.send("4821")
    return anna, reply


async def test_reader_links_and_renews_all_over_sip2(library: RunningBot, peer: Sip2Peer) -> None:
    anna, reply = await _linked(library)
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert "«Тихий Дон»" in reply.text
    assert "продлить нельзя: книгу ждёт другой читатель" in reply.text
    assert "«Лавр»" in reply.text
    reply = await anna.click("Продлить все")
    summary = reply.messages[-1].text
    assert "✅ «Мастер и Маргарита» — продлено до" in summary
    assert "✅ «Война и мир» — продлено до" in summary
    assert "❌ «Тихий Дон» — нельзя: книгу ждёт другой читатель" in summary


async def test_wrong_pin_over_sip2_counts_as_a_failure(library: RunningBot) -> None:
    anna = await consented(library, 5002)
    await anna.send("📚 Мои книги")
    await anna.send("1001")
    reply = await anna.send("0000")
    assert "Номер билета или пароль не подходят. Осталось 4 попытки." in reply.text


async def test_sip2_peer_down_and_lost_renewal_answer(library: RunningBot, peer: Sip2Peer) -> None:
    anna, _ = await _linked(library)
    peer.hang_on_renew = True
    reply = await anna.click("Продлить: Мастер и Маргарита")
    assert "❓ «Мастер и Маргарита» — ответ системы не пришёл" in reply.text
    assert peer.received["29"] == 1  # sent once, never again
    peer.hang_on_renew = False
    peer.down = True
    await peer.drop_connections()
    reply = await anna.send("📚 Мои книги")
    assert "Библиотечная система сейчас не отвечает" in reply.text
