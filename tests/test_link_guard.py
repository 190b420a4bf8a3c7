"""Issue #18.5: a stranger guessing PINs cannot lock a reader out of her own ticket.

The guessing account is locked; the ticket is only slowed down, so Анна with her right
PIN links after a short wait; staff hear once, without the number or who tried; the guard
table names no ticket, keyed with a secret from the data directory. The guard's clock is
the test's, so waiting fifteen seconds takes no time.
"""

from __future__ import annotations

import hashlib
import hmac
import stat
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.kernel.config import Config
from storage.circulation import library_today
from storage.circulation.link_guard import GuardPolicy, admit, record_failure
from storage.circulation.local_import import import_holds, import_loans
from storage.circulation.models import LinkGuard
from storage.db import Database
from storage.installation import SECRET_FILE, installation_secret
from storage.types import utcnow
from tests.conftest import STAFF_CHAT_ID, RunningBot, StartBot
from tests.harness import Person
from tests.test_my_books import PIN, consented, local_config, write_exports


class Clock:
    """The guard's idea of now, moved by the story instead of by sleeping."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def library_config(tmp_path: Path) -> Config:
    return local_config(tmp_path)


@pytest.fixture
async def library(
    start_bot: StartBot, library_config: Config, clock: Clock, tmp_path: Path
) -> RunningBot:
    guard = GuardPolicy.from_config(library_config, clock=clock)
    running = await start_bot(library_config, link_guard=guard)
    loans, holds = write_exports(tmp_path, library_today(library_config)())
    await import_loans(running.db, loans)
    await import_holds(running.db, holds)
    return running


def staff_notices(library: RunningBot) -> list[str]:
    return [
        c.text
        for c in library.server.calls
        if c.method == "sendMessage" and c.chat_id == STAFF_CHAT_ID
    ]


async def guess(reader: Person, ticket: str, pins: list[str]) -> str:
    """Open «Мои книги» and try each PIN on the ticket; the bot's last answer."""
    text = ""
    for pin in pins:
        await reader.send("📚 Мои книги")
        await reader.send(ticket)
        text = (await reader.send(pin)).text
    return text


async def test_a_stranger_is_locked_and_anna_still_links_her_ticket(
    library: RunningBot, clock: Clock
) -> None:
    mallory = await consented(library, 2101, "Кто-то")
    answer = await guess(mallory, "1001", ["0001", "0002", "0003", "0004"])
    assert "Номер билета или пароль не подходят. Осталась 1 попытка." in answer
    answer = await guess(mallory, "1001", ["0005"])
    until = (clock.now + timedelta(minutes=30)).astimezone(library.config.library.zone)
    assert f"Привязать билет можно будет после {until:%H:%M}" in answer
    # The account is locked for every ticket, not just the one it guessed.
    await mallory.send("📚 Мои книги")
    answer = (await mallory.send("1002")).text
    assert "Слишком много неудачных попыток" in answer

    # Анна comes right after: her ticket asks for a short pause, not half an hour.
    anna = await consented(library, 2102)
    answer = await guess(anna, "1001", [PIN])
    assert "проверяют с паузой. Отправьте пароль ещё раз через 1 минуту." in answer
    clock.advance(seconds=16)
    answer = (await anna.send(PIN)).text  # the form kept her ticket number
    assert "билет № 1001 привязан (Анна Петрова)" in answer

    notices = staff_notices(library)
    assert len(notices) == 1
    assert "билет …001: 5 неудачных попыток с 1 аккаунта" in notices[0]
    assert "1001" not in notices[0]
    assert "2101" not in notices[0]
    assert "Кто-то" not in notices[0]
    assert "0005" not in notices[0]


async def test_many_accounts_share_one_slow_turn_and_staff_hear_once(
    library: RunningBot, clock: Clock
) -> None:
    first = await consented(library, 2111, "Первый")
    second = await consented(library, 2112, "Второй")
    await guess(first, "1001", ["0001", "0002", "0003"])
    assert not staff_notices(library)
    await guess(second, "1001", ["0004", "0005"])
    notices = staff_notices(library)
    assert len(notices) == 1
    assert "5 неудачных попыток с 2 аккаунтов" in notices[0]

    # A third account gets no turn of its own: it waits like everyone else.
    third = await consented(library, 2113, "Третий")
    assert "через 1 минуту" in await guess(third, "1001", ["0006"])
    clock.advance(seconds=16)
    assert "не подходят" in await guess(third, "1001", ["0006"])
    clock.advance(seconds=16)  # the wait doubled to 30 s after the sixth failure
    assert "проверяют с паузой" in await guess(third, "1001", ["0007"])
    clock.advance(seconds=15)
    assert "не подходят" in await guess(third, "1001", ["0007"])
    assert len(staff_notices(library)) == 1, "one notice per episode"

    # Half an hour without failures ends the episode: the ticket is checked at once again.
    clock.advance(minutes=31)
    anna = await consented(library, 2114)
    assert "билет № 1001 привязан" in await guess(anna, "1001", [PIN])


async def test_the_guard_table_names_no_ticket_and_the_secret_stays_in_the_data_dir(
    library: RunningBot, library_config: Config, clock: Clock
) -> None:
    mallory = await consented(library, 2121, "Кто-то")
    await guess(mallory, "1001", ["0001"])
    async with library.db.transaction() as session:
        keys = list(await session.scalars(select(LinkGuard.key)))
    assert keys
    unsalted = hashlib.sha256(b"1001").hexdigest()[:40]
    assert not any("1001" in key or unsalted in key for key in keys)

    path = library_config.data_dir / SECRET_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = bytes.fromhex(path.read_text().strip())
    assert len(secret) == 32
    keyed = hmac.new(secret, b"ticket\x001001", hashlib.sha256).hexdigest()[:40]
    assert f"ticket:{keyed}" in keys

    # A restart reads the same secret, so its keys find the same rows.
    restarted = GuardPolicy.from_config(library_config, clock=clock)
    assert restarted.ticket_key("1001") == f"ticket:{keyed}"
    assert bytes.fromhex(path.read_text().strip()) == secret


def test_the_secret_is_made_once_and_private(tmp_path: Path) -> None:
    data_dir = tmp_path / "fresh" / "data"
    first = installation_secret(data_dir)
    assert stat.S_IMODE((data_dir / SECRET_FILE).stat().st_mode) == 0o600
    assert installation_secret(data_dir) == first
    assert installation_secret(tmp_path / "elsewhere") != first
    assert [p.name for p in data_dir.iterdir()] == [SECRET_FILE], "no drafts left behind"


def test_the_wait_doubles_from_fifteen_seconds_to_five_minutes(config: Config) -> None:
    guard = GuardPolicy.from_config(config)
    waits = [guard.wait_after(n).total_seconds() for n in range(1, 13)]
    assert waits == [0, 0, 0, 0, 15, 30, 60, 120, 240, 300, 300, 300]


async def test_two_checks_at_once_share_one_turn(database: Database, config: Config) -> None:
    clock = Clock()
    guard = GuardPolicy.from_config(config, clock=clock)
    for n in range(5):
        await record_failure(database, guard, "1001", f"telegram:{n}")
    clock.advance(seconds=15)
    assert (await admit(database, guard, "1001", "telegram:7")).admitted
    late = await admit(database, guard, "1001", "telegram:8")
    assert late.ticket_open_at == clock.now + timedelta(seconds=15)
    assert (await admit(database, guard, "1002", "telegram:8")).admitted, "other tickets are free"
