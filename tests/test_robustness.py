"""Bad input, failures and floods: always a polite answer, never a dead end, nothing lost."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from bot.kernel.config import Config
from storage.models import Activity
from tests.conftest import RunningBot, StartBot, make_config
from tests.fakes.telegram_api import FakeTelegram


async def test_unknown_command_explains_what_the_bot_can_do(bot: RunningBot) -> None:
    reply = await bot.person(701).send("/renew_everything_now")
    assert "Такой команды нет" in reply.text
    assert "Что умеет бот" in reply.text


async def test_sticker_gets_a_hint_and_the_menu(bot: RunningBot) -> None:
    reply = await bot.person(702).send_sticker()
    assert "понимаю текст и кнопки" in reply.text
    assert any("О библиотеке" in b for b in reply.buttons)


async def test_text_that_looks_like_markup_is_shown_as_text(bot: RunningBot) -> None:
    reply = await bot.person(703).send("<b>1 & 2</b> <script>")
    assert "&lt;b&gt;1 &amp; 2&lt;/b&gt;" in reply.text  # escaped, and the fake API parsed it


async def test_too_long_text_is_refused_politely(start_bot: StartBot, tmp_path: Path) -> None:
    bot = await start_bot(make_config(tmp_path, limits={"max_input_chars": 1000}))
    reply = await bot.person(704).send("книга " * 500)
    assert "слишком длинное (3\u00a0000 знаков)" in reply.text  # Russian digit grouping
    assert "до 1\u00a0000 знаков" in reply.text


async def test_long_answer_is_split_into_valid_messages(
    start_bot: StartBot, tmp_path: Path
) -> None:
    branches = [
        {"id": f"b{i}", "name": f"Библиотека-филиал № {i}", "address": "ул. Длинная, " * 8 + str(i)}
        for i in range(60)
    ]
    config = make_config(tmp_path, library={"branches": branches})
    bot = await start_bot(config)
    reply = await bot.person(705).send("О библиотеке")
    assert len(reply.messages) >= 2
    assert all(len(m.text) <= 4096 for m in reply.messages)
    assert "Библиотека-филиал № 0" in reply.messages[0].text
    assert "Библиотека-филиал № 59" in reply.messages[-1].text
    assert [bool(m.buttons()) for m in reply.messages][-1] is True
    assert not any(m.buttons() for m in reply.messages[:-1])


async def test_failing_handler_apologises_and_logs_the_error(bot: RunningBot) -> None:
    bot.server.fail_next("sendMessage", 500, "Internal Server Error")
    reply = await bot.person(706).send("О библиотеке")
    assert "что-то пошло не так" in reply.text
    async with bot.db.transaction() as session:
        row = await session.scalar(select(Activity).order_by(Activity.id.desc()))
    assert row is not None
    assert row.status == "error"


async def test_flooding_user_is_throttled_once_then_silently(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config: Config = make_config(tmp_path, limits={"burst": 3, "per_second": 0.01})
    bot = await start_bot(config)
    flooder = bot.person(707)
    answered = [await flooder.send("О библиотеке") for _ in range(3)]
    assert all("ул. Ленина" in r.text for r in answered)
    warned = await flooder.send("О библиотеке")
    assert "не так быстро" in warned.text
    silent = await flooder.send("О библиотеке")
    assert silent.messages == []
    async with bot.db.transaction() as session:
        kinds = list(await session.scalars(select(Activity.kind).order_by(Activity.id)))
    assert kinds == ["library_info"] * 3 + ["throttled"]
    # Someone else is not affected.
    other = await bot.person(708).send("О библиотеке")
    assert "ул. Ленина" in other.text


async def test_bot_waits_for_an_unavailable_api_at_start(
    start_bot: StartBot, telegram: FakeTelegram
) -> None:
    telegram.fail_next("deleteWebhook", 502, "Bad Gateway")
    bot = await start_bot()
    reply = await bot.person(709).send("/start")
    assert "Здравствуйте" in reply.text
    assert len(telegram.calls_of("deleteWebhook")) == 2


def test_every_filter_and_handler_runs_in_the_event_loop() -> None:
    """aiogram sends a plain-function filter (`F.text`, `F.action == …`) to a worker thread
    on every update; the conversation turns each into a coroutine when it is built."""
    from aiogram import Router

    from handlers import build_router

    def checks(router: Router) -> list[object]:
        found: list[object] = []
        for observer in router.observers.values():
            for handler in observer.handlers:
                found += [handler, *(handler.filters or ())]
        for child in router.sub_routers:
            found += checks(child)
        return found

    everything = checks(build_router())
    assert len(everything) > 100
    assert [c for c in everything if not c.awaitable] == []  # type: ignore[attr-defined]
