"""Due-date and pickup reminders: once each, in the daytime, through the outbox, with a
«Продлить» that works — or the reason it would not."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.limits import RateLimiter
from broadcasts.reminders import sweep
from broadcasts.sender import Sender
from storage.circulation import library_today, open_library_system
from storage.circulation.local_import import import_holds, import_loans
from storage.outbox import Delivery, OutboxMessage
from tests.conftest import RunningBot, StartBot
from tests.test_my_books import PIN, _d, link, local_config

NIGHT_IN_MOSCOW = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)


@pytest.fixture
async def library(start_bot: StartBot, tmp_path: Path) -> RunningBot:
    """Anna's loans: due in 3 days, today, overdue 1 / 10 / 30 days, and one not yet
    renewable (renewal opens 5 days before due); a hold waiting at the central branch."""
    config = local_config(tmp_path, renew_before_days=5, overdue_limit_days=60)
    config = config.model_copy(
        update={"notifications": config.notifications.model_copy(update={"quiet_hours": ""})}
    )
    running = await start_bot(config)
    today = library_today(config)()
    loans = tmp_path / "loans.csv"
    loans.write_text(
        "ticket,barcode,title,issued,due,pin\n"
        f"1001,B-1,Три дня,{_d(today, -20)},{_d(today, 3)},{PIN}\n"
        f"1001,B-2,Сегодня,{_d(today, -20)},{_d(today, 0)},\n"
        f"1001,B-3,Вчера,{_d(today, -20)},{_d(today, -1)},\n"
        f"1001,B-4,Десять дней,{_d(today, -40)},{_d(today, -10)},\n"
        f"1001,B-5,Месяц назад,{_d(today, -60)},{_d(today, -30)},\n"
        f"1001,B-6,Не скоро,{_d(today, -5)},{_d(today, 12)},\n",
        encoding="utf-8",
    )
    holds = tmp_path / "holds.csv"
    holds.write_text(
        "ticket,title,status,branch,pickup_until\n"
        f"1001,Щегол,waiting,Центральная библиотека,{_d(today, 6)}\n"
        "1001,Дюна,in_transit,,\n",
        encoding="utf-8",
    )
    await import_loans(running.db, loans)
    await import_holds(running.db, holds)
    return running


async def _one_loan(library: RunningBot, tmp_path: Path) -> date:
    """Anna's one loan, «Три дня», due in three days; the library's today."""
    today = library_today(library.config)()
    loans = tmp_path / "loans.csv"
    loans.write_text(
        "ticket,barcode,title,issued,due,pin\n"
        f"1001,B-1,Три дня,{_d(today, -9)},{_d(today, 3)},{PIN}\n",
        encoding="utf-8",
    )
    await import_loans(library.db, loans)
    return today


async def _sweep(library: RunningBot, now: datetime | None = None) -> int:
    system = open_library_system(library.config, library.db)
    return await sweep(library.db, system, Locales(), library.config, now=now or datetime.now(UTC))


async def _deliver(library: RunningBot) -> None:
    bot = create_bot(library.server.token, api_server=library.server.base_url)
    try:
        sender = Sender(
            library.db, bot, platform="telegram", limiter=RateLimiter(1000.0, per_chat_interval=0)
        )
        await sender.drain()
    finally:
        await bot.session.close()


async def test_reminders_reach_the_reader_once_with_renew_buttons(library: RunningBot) -> None:
    today = library_today(library.config)()
    anna, _ = await link(library, 3001, "1001", PIN)
    assert await _sweep(library) == 5  # 3 days, today, overdue (1st, 2nd week), the hold
    assert await _sweep(library) == 0  # a second sweep (or process) adds nothing
    mark = len(library.server.calls)
    await _deliver(library)
    sent = [c for c in library.server.calls[mark:] if c.method == "sendMessage"]
    texts = {c.text.split("\n")[0]: c for c in sent}
    assert len(sent) == 5
    soon = texts[f"📚 Через 3 дня ({_d(today, 3)}) срок возврата «Три дня»."]
    assert "Продлить можно прямо здесь." in soon.text
    assert [b["text"] for b in soon.buttons()] == ["🔄 Продлить: Три дня", "📚 Мои книги"]
    assert "📚 Сегодня последний день: верните «Сегодня» или продлите." in texts
    assert f"⚠️ Срок возврата «Вчера» прошёл {_d(today, -1)}." in " ".join(texts)
    assert f"⚠️ Срок возврата «Десять дней» прошёл {_d(today, -10)}." in " ".join(texts)
    assert not any("Месяц назад" in t for t in texts)  # 5th week: past the 3 weekly ones
    assert not any("Не скоро" in t for t in texts)
    hold = next(c for c in sent if "Щегол" in c.text)
    assert f"Ваш заказ ждёт вас: «Щегол» — Центральная библиотека. Заберите до {_d(today, 6)}." in (
        hold.text
    )
    assert not any("Дюна" in c.text for c in sent)  # in transit: not ready, no reminder
    # The reminder's button renews, like the one in «Мои книги».
    anna.history.append(soon)
    reply = await anna.click("Продлить: Три дня")
    assert f"✅ «Три дня» — продлено до <b>{_d(today, 17)}</b>" in reply.text


async def test_a_loan_too_early_to_renew_says_so_instead_of_offering_a_button(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config = local_config(tmp_path, renew_before_days=2)
    config = config.model_copy(
        update={"notifications": config.notifications.model_copy(update={"quiet_hours": ""})}
    )
    library = await start_bot(config)
    today = await _one_loan(library, tmp_path)
    await link(library, 3002, "1001", PIN)
    assert await _sweep(library) == 1
    mark = len(library.server.calls)
    await _deliver(library)
    sent = next(c for c in library.server.calls[mark:] if c.method == "sendMessage")
    assert f"Продлить нельзя: продлить можно будет с {_d(today, 1)}." in sent.text
    assert [b["text"] for b in sent.buttons()] == ["📚 Мои книги"]


async def test_no_reminders_at_night_or_for_readers_who_turned_them_off(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config = local_config(tmp_path)  # default quiet hours 21:00-09:00
    library = await start_bot(config)
    await _one_loan(library, tmp_path)
    anna, _ = await link(library, 3003, "1001", PIN)
    assert await _sweep(library, NIGHT_IN_MOSCOW) == 0
    await anna.click("Напоминания: вкл.")
    noon = datetime.now(UTC).replace(hour=9, minute=0)
    assert await _sweep(library, noon) == 0


async def test_a_reminder_that_waited_too_long_expires_unsent(library: RunningBot) -> None:
    await link(library, 3004, "1001", PIN)
    assert await _sweep(library) == 5
    async with library.db.transaction() as session:
        await session.execute(
            update(OutboxMessage).values(expires_at=datetime.now(UTC) - timedelta(minutes=1))
        )
    mark = len(library.server.calls)
    bot = create_bot(library.server.token, api_server=library.server.base_url)
    try:
        sender = Sender(library.db, bot, platform="telegram")
        await sender.recover()
        await sender.drain()
    finally:
        await bot.session.close()
    assert not [c for c in library.server.calls[mark:] if c.method == "sendMessage"]
    async with library.db.transaction() as session:
        statuses = set(await session.scalars(select(OutboxMessage.status)))
    assert statuses == {Delivery.EXPIRED}


async def test_forget_drops_pending_reminders_and_anonymises_sent_ones(
    library: RunningBot,
) -> None:
    anna, _ = await link(library, 3005, "1001", PIN)
    assert await _sweep(library) == 5
    async with library.db.transaction() as session:
        first = await session.scalar(select(OutboxMessage).order_by(OutboxMessage.id))
        assert first is not None
        first.status = Delivery.SENT
    await anna.send("/forget")
    await anna.click("Да, удалить")
    async with library.db.transaction() as session:
        rows = list(await session.scalars(select(OutboxMessage)))
    assert len(rows) == 1
    assert rows[0].chat_id == f"forgotten:{rows[0].id}"
    assert rows[0].text is None
    assert rows[0].person_id is None
