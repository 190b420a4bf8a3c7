"""Linking a ticket by phone in MAX (#23 with #24): MAX's `request_contact` button shares the
reader's own number, as Telegram's does, and the one reader with it is linked."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kernel.config import Config
from storage.circulation.local_import import import_loans
from tests.max_harness import MaxPerson, MaxReply, StartMaxBot, max_server, start_max_bot
from tests.test_max_stories import consented
from tests.test_phone_link import local_phone_config, phone_export

__all__ = ["max_server", "start_max_bot"]  # the fixtures these stories use


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return local_phone_config(tmp_path)


async def someone_elses_contact(reader: MaxPerson, owner: int, phone: str) -> MaxReply:
    """A contact card of another MAX user, sent as if it were the reader's own."""
    mark = len(reader.server.calls)
    card = reader.server.contact_attachment(owner, phone)
    number = reader.server.message_created(reader.user_id, "", attachments=[card])
    return await reader._step(number, mark=mark)


async def test_a_max_reader_shares_her_number_and_her_ticket_is_linked(
    start_max_bot: StartMaxBot, config: Config, tmp_path: Path
) -> None:
    running = await start_max_bot(config)
    await import_loans(running.db, phone_export(tmp_path, config))
    anna = await consented(running, 7101, "Анна")
    reply = await anna.send("📚 Мои книги")
    assert "Поделиться номером" in " ".join(reply.buttons)
    assert "Ввести номер билета" in " ".join(reply.buttons)

    forged = await someone_elses_contact(anna, 7999, "+7 912 345-67-89")
    assert "привязан" not in forged.text
    assert "Это не ваш номер" in forged.text

    reply = await anna.share_contact("+7 912 345-67-89")
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert "«Мастер и Маргарита»" in reply.text
