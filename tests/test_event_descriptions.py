"""Issue #18, finding 7: an event description cut at 4,000 characters could cut a tag, and then
every reader opening the event got an apology (Telegram refused the HTML). Now a description
over the limit is refused with the limit named — in the staff forms and in the events import —
and an old over-long row is shortened as text, so its card still opens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from storage.db import Database
from storage.events.descriptions import DESCRIPTION_LIMIT, plain_text
from storage.events.importing import import_events
from storage.events.models import Event
from tests.conftest import RunningBot
from tests.fakes.telegram_api import visible_length
from tests.test_events_bot import add_event, staff_events_screen
from tests.test_my_books import consented

APOLOGY = "Извините, что-то пошло не так"
UNIT = "Лекция о городе & его людях <для всех>. "


def long_description(units: int = 72) -> tuple[str, list[dict[str, Any]]]:
    """What a staff member pastes: 2,880 characters, «Лекция» in bold in every sentence. As
    HTML (tags, &amp; &lt; &gt;) it is 4,104 characters, and the first 4,000 end inside
    «<b>Лекция</b>» — where the old cut fell."""
    text = UNIT * units
    bold = [{"type": "bold", "offset": i * len(UNIT), "length": 6} for i in range(units)]
    return text, bold


OLD_ROW_HTML = "".join(
    "<b>Лекция</b> о городе &amp; его людях &lt;для всех&gt;. " for _ in range(72)
)


def test_the_fake_telegram_refuses_html_cut_inside_a_tag() -> None:
    """As Telegram does («can't parse entities»): the fake must not take a cut tag for text."""
    assert OLD_ROW_HTML[3990:4000] == "<b>Лекция<"
    offset = len(OLD_ROW_HTML[:3999].encode())  # Telegram counts UTF-8 bytes
    error = f"Unclosed start tag at byte offset {offset}"
    assert visible_length(OLD_ROW_HTML[:4000], "HTML")[1] == error
    assert visible_length("x <b>y</b", "HTML")[1] == "Unclosed end tag at byte offset 6"
    assert visible_length("a < b", "HTML")[1] == 'Unsupported start tag "" at byte offset 2'
    assert visible_length("<b>Лекция</b> &amp; x &am", "HTML") == (14, None)  # a lone & is text


async def test_staff_edit_too_long_a_description_and_are_told_the_limit(bot: RunningBot) -> None:
    event_id = await add_event(bot.db)
    admin = await staff_events_screen(bot)
    await admin.click("Открытое общение")
    await admin.click("Изменить")
    reply = await admin.click("Описание")
    assert "Новое описание для афиши?" in reply.text
    text, bold = long_description()
    reply = await admin.send(text, entities=bold)
    assert "Описание не помещается в карточку мероприятия" in reply.text
    assert "4\u00a0104 знаков вместе с оформлением, а можно до 3\u00a0000" in reply.text
    assert "ничего не сохранено" in reply.text
    async with bot.db.transaction() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        assert event.description == "Встреча некоммерческих организаций района."
    # Still at the step: a shorter one, formatting and all, is taken as it is.
    reply = await admin.send(
        "Встреча НКО & друзей", entities=[{"type": "bold", "offset": 8, "length": 3}]
    )
    assert "Сохранено" in reply.text
    async with bot.db.transaction() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        assert event.description == "Встреча <b>НКО</b> &amp; друзей"
    anna = await consented(bot, 6101, "Анна")
    reply = await anna.send(f"/start event_{event_id}")
    assert "Встреча <b>НКО</b> &amp; друзей" in reply.text
    assert APOLOGY not in reply.text


async def test_a_new_event_with_too_long_a_description_waits_for_a_shorter_one(
    bot: RunningBot,
) -> None:
    admin = await staff_events_screen(bot)
    await admin.click("Новое мероприятие")
    await admin.send("Школа НКО: отчётность")
    await admin.click("Обучающее мероприятие")
    await admin.send((datetime.now(UTC) + timedelta(days=10)).strftime("%d.%m.%Y 18:00"))
    await admin.click("Пропустить")  # no end time
    await admin.click("Центральная библиотека")
    await admin.click("Пропустить")  # no room
    reply = await admin.send("20")
    assert "Описание для афиши" in reply.text
    text, bold = long_description()
    reply = await admin.send(text, entities=bold)
    assert f"до {DESCRIPTION_LIMIT:,}".replace(",", "\u00a0") in reply.text
    assert "Пропустить" in reply.buttons  # the step is still open
    async with bot.db.transaction() as session:
        assert list(await session.scalars(select(Event))) == []
    text, bold = long_description(50)  # 2,850 with its formatting
    reply = await admin.send(text, entities=bold)
    assert "Так мероприятие увидят в афише" in reply.text  # the preview holds it whole
    assert "<b>Лекция</b> о городе" in reply.text
    reply = await admin.click("Опубликовать")
    assert "«Школа НКО: отчётность»" in reply.text
    async with bot.db.transaction() as session:
        event = await session.scalar(select(Event))
    assert event is not None
    assert event.description is not None
    assert event.description.startswith("<b>Лекция</b> о городе &amp; его людях &lt;для всех&gt;.")
    assert len(event.description) == 50 * 57


async def test_an_old_over_long_description_still_opens_for_a_reader(bot: RunningBot) -> None:
    # Stored by the old form: the first 4,000 characters, ending inside «<b>Лекция</b>».
    event_id = await add_event(bot.db, description=OLD_ROW_HTML[:4000])
    anna = await consented(bot, 6102, "Анна")
    reply = await anna.send(f"/start event_{event_id}")
    assert APOLOGY not in reply.text
    [card] = [c for c in reply.messages if "Открытое общение" in c.text]
    assert card.text.count("Лекция о городе &amp; его людях &lt;для всех&gt;.") > 40
    assert "<b>Лекция" not in card.text  # shortened as text: the markup went, not half of it
    assert "…" in card.text
    assert card.text.endswith("свободно 65 из 65")  # the rest of the card is whole
    assert "✅ Записаться" in reply.buttons


async def test_imported_descriptions_are_text_and_too_long_ones_are_reported(
    database: Database, tmp_path: Path
) -> None:
    plan = tmp_path / "план.csv"
    starts = (datetime.now(UTC) + timedelta(days=30)).strftime("%d.%m.%Y 18:00")
    too_long = "Очень подробно. " * 200  # 3,200 characters
    plan.write_text(
        "Название;Вид;Начало;Описание\n"
        f"Семейный день;публичное;{starts};Для детей 6+ & родителей <3\n"
        f"Лекция;публичное;{starts};{too_long}\n",
        encoding="utf-8",
    )
    summary = await import_events(database, plan, zone=ZoneInfo("Europe/Moscow"), branches=set())
    assert summary.added == 1
    assert summary.skipped == [
        f"line 3: description is {len(too_long.strip())} characters, the limit is 3000"
    ]
    async with database.transaction() as session:
        [event] = list(await session.scalars(select(Event)))
    assert event.description == "Для детей 6+ &amp; родителей &lt;3"
    assert plain_text(event.description) == "Для детей 6+ & родителей <3"
    assert visible_length(event.description, "HTML")[1] is None
