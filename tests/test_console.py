"""The console transport in-process: numbered buttons, and a clean stop at end of input."""

from __future__ import annotations

import io

from bot.app import build_dispatcher
from bot.config import Config
from bot.i18n import Locales
from bot.transports.console import ConsoleTransport, plain
from storage.db import Database


async def _talk(config: Config, db: Database, script: str, user_id: int = 1001) -> str:
    out = io.StringIO()
    transport = ConsoleTransport(
        build_dispatcher(config, db, Locales()),
        user_id=user_id,
        first_name="Анна",
        stdin=io.StringIO(script),
        stdout=out,
    )
    await transport.run()
    return out.getvalue()


async def test_a_number_presses_the_last_shown_button(config: Config, sqlite_db: Database) -> None:
    output = await _talk(config, sqlite_db, "/start\n1\n/menu\n6\n")
    assert "1) ✅ Согласен(на)" in output
    assert "Согласие записано" in output
    assert "ул. Ленина, 1" in output  # 6) «О библиотеке» in the menu


async def test_a_number_with_no_such_button_is_just_text(
    config: Config, sqlite_db: Database
) -> None:
    output = await _talk(config, sqlite_db, "/start\n42\n")
    assert "По запросу «42» в каталоге ничего не нашлось" in output


async def test_staff_chat_notices_are_marked(config: Config, sqlite_db: Database) -> None:
    # The admin in the test config is a Telegram id; give the console user the role instead.
    admin = config.model_copy(
        update={"staff": config.staff.model_copy(update={"admins": ["console:7"]})}
    )
    await _talk(admin, sqlite_db, "/start\n", user_id=1001)
    output = await _talk(admin, sqlite_db, "/staff\n1\n", user_id=7)
    assert "Обращения за сегодня" in output


def test_html_is_shown_as_plain_text() -> None:
    assert plain("<b>Часы</b> &amp; адреса") == "Часы & адреса"
