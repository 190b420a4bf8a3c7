"""`libbot demo --library-system irbis64`: the demo library on a practice IRBIS64 server
started in the demo's own process — what a librarian sees before connecting theirs:
the loans read from the reader record, renewals written back, the catalogue read over
the protocol and the card's copies live. No token, nothing leaves the machine."""

from __future__ import annotations

import io
from pathlib import Path

from bot.demo import demo_config, run_demo

# consent, «Мои книги», ticket and PIN, «Продлить все» (the third button), a title, its card
SCRIPT = "/start\n1\n📚 Мои книги\n1001\n1234\n3\nМастер и Маргарита\n1\n"


async def test_demo_reader_renews_on_the_practice_irbis_server(tmp_path: Path) -> None:
    out = io.StringIO()
    config = demo_config(base_dir=tmp_path)
    await run_demo(config, stdin=io.StringIO(SCRIPT), stdout=out, library_system="irbis64")
    text = out.getvalue()
    assert "билет № 1001 привязан (Анна Смирнова)" in text
    assert "✅ «Мастер и Маргарита» — продлено до" in text
    assert "❌ «Лавр» — нельзя: книгу ждёт другой читатель" in text
    assert "❌ «Обломов» — нельзя: срок прошёл слишком давно" in text
    assert "Центральная библиотека им. А. С. Пушкина — 2 из 3 на полке" in text
