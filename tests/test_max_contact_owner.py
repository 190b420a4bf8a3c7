"""A MAX contact links a ticket only when MAX names its account (`max_info`) as the
reader's own: a phone-book card with the reader's number — even one carrying a `hash`,
which nobody outside MAX can check — links nothing (#24, the lead's decision)."""

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


async def send_card(reader: MaxPerson, card: dict[str, object]) -> MaxReply:
    mark = len(reader.server.calls)
    number = reader.server.message_created(reader.user_id, "", attachments=[card])
    return await reader._step(number, mark=mark)


async def test_a_phone_book_card_with_the_readers_number_links_nothing(
    start_max_bot: StartMaxBot, config: Config, tmp_path: Path
) -> None:
    running = await start_max_bot(config)
    await import_loans(running.db, phone_export(tmp_path, config))
    anna = await consented(running, 7201, "Анна")
    await anna.send("📚 Мои книги")

    card = anna.server.phone_book_card("Анна Петрова", "+7 912 345-67-89")
    card["payload"]["hash"] = "0f3c9a"  # looks vouched for; nothing proves it
    reply = await send_card(anna, card)
    assert "привязан" not in reply.text
    assert "Это не ваш номер" in reply.text

    reply = await anna.share_contact("+7 912 345-67-89")  # her own, as MAX names it
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
