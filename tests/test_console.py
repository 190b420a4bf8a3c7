"""The console transport in-process: numbered buttons, and a clean stop at end of input."""

from __future__ import annotations

import io
from pathlib import Path

from bot.app import build_dispatcher
from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.console import ConsoleTransport, plain
from storage.circulation import library_today
from storage.circulation.local_import import import_holds, import_loans
from storage.db import Database
from tests.test_my_books import PIN, local_config, write_exports


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


async def test_buttons_of_an_edited_message_still_work(tmp_path: Path, sqlite_db: Database) -> None:
    """«Мои книги» → link → «🔔 Напоминания» edits the message; its «Обновить» must then
    show the loans, not «Сначала привяжите читательский билет» (#19)."""
    config = local_config(tmp_path)
    loans, holds = write_exports(tmp_path, library_today(config)())
    await import_loans(sqlite_db, loans)
    await import_holds(sqlite_db, holds)
    out = io.StringIO()
    console = ConsoleTransport(
        build_dispatcher(config, sqlite_db, Locales()),
        user_id=3001,
        first_name="Анна",
        stdin=io.StringIO(""),
        stdout=out,
    )

    async def press(label: str) -> str:
        labels = [choice.label for choice in console.session.choices]
        assert any(label in shown for shown in labels), labels
        number = next(i for i, shown in enumerate(labels, start=1) if label in shown)
        start = len(out.getvalue())
        await console.say(str(number))
        return out.getvalue()[start:]

    await console.say("/start")
    await press("Согласен")
    await console.say("📚 Мои книги")
    await console.say("1001")
    await console.say(PIN)
    await press("Напоминания")
    shown = await press("Обновить")
    assert "Сначала привяжите" not in shown
    assert "Мастер и Маргарита" in shown
