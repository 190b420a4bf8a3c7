"""«отмена» or /cancel inside any form leaves it, keeps nothing it asked, and shows the
menu — never taken for the form's answer (#19)."""

from __future__ import annotations

from sqlalchemy import func, select

from storage.consultations.models import ConsultationRequest
from storage.models import FsmRecord
from tests.conftest import RunningBot
from tests.test_events_bot import add_event


async def consented(bot: RunningBot, user_id: int):
    reader = bot.person(user_id, "Анна")
    await reader.send("/start")
    await reader.click("Согласен")
    return reader


async def nothing_left(bot: RunningBot) -> None:
    async with bot.db.transaction() as session:
        states = list(await session.scalars(select(FsmRecord.state)))
        requests = await session.scalar(select(func.count()).select_from(ConsultationRequest))
    assert [s for s in states if s] == []
    assert requests == 0


async def test_typed_cancel_leaves_the_consultation_form(bot: RunningBot) -> None:
    anna = await consented(bot, 9401)
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    await anna.send("Нужно ли сдавать баланс?")
    reply = await anna.send("отмена")  # asked her name, she changed her mind
    assert "ничего из этой анкеты не сохранено" in reply.text
    assert "🔎 Найти книгу" in reply.buttons
    await nothing_left(bot)


async def test_slash_cancel_leaves_the_event_form(bot: RunningBot) -> None:
    await add_event(bot.db)
    anna = await consented(bot, 9402)
    await anna.send("📅 Мероприятия")
    await anna.click("1. Открытое общение")
    reply = await anna.click("Записаться")
    assert "Как вас зовут?" in reply.text
    reply = await anna.send("/cancel")
    assert "ничего из этой анкеты не сохранено" in reply.text
    reply = await anna.send("Анна Петрова")  # no form any more: a catalogue question
    assert "Какую организацию" not in reply.text
    await nothing_left(bot)


async def test_cancel_outside_a_form_just_shows_the_menu(bot: RunningBot) -> None:
    anna = await consented(bot, 9403)
    reply = await anna.send("Отмена")
    assert "Отменять нечего" in reply.text
    assert "🔎 Найти книгу" in reply.buttons
