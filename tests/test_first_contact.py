"""A reader's first minutes with the bot in Telegram: greeting, menu, library facts, consent."""

from __future__ import annotations

from sqlalchemy import select

from storage.models import Activity, ActivityKind, Consent, Person
from tests.conftest import RunningBot


async def test_start_greets_shows_menu_and_asks_consent(bot: RunningBot) -> None:
    anna = bot.person(501)
    reply = await anna.send("/start")
    assert "Здравствуйте" in reply.text
    assert "Библиотека имени Тестова" in reply.text
    menu = [b for m in reply.messages if "keyboard" in (m.markup or {}) for b in m.buttons()]
    labels = [b["text"] for b in menu]
    assert any("Найти книгу" in label for label in labels)
    assert any("О библиотеке" in label for label in labels)
    assert not any("сотрудников" in label for label in labels)
    assert "152-ФЗ" in reply.text
    assert any("Согласен" in b for b in reply.buttons)


async def test_bot_registers_russian_commands(bot: RunningBot) -> None:
    await bot.person(501).send("/start")
    calls = bot.server.calls_of("setMyCommands")
    russian = next(c for c in calls if not c.params.get("language_code"))
    descriptions = {c["command"]: c["description"] for c in russian.params["commands"]}
    assert descriptions["forget"] == "Удалить мои данные"
    assert descriptions["start"].startswith("Начать")


async def test_about_the_library_lists_branches_hours_and_phones(bot: RunningBot) -> None:
    reply = await bot.person(502).send("ℹ️ О библиотеке")
    assert "Центральная библиотека" in reply.text
    assert "ул. Ленина, 1" in reply.text
    assert "Пн–Пт 10:00–19:00; Сб 11:00–17:00; Вс выходной" in reply.text
    assert "Детская библиотека" in reply.text
    assert "Вс 11:00–16:00" in reply.text
    assert "+7 (495) 000-00-01" in reply.text
    assert any("В меню" in b for b in reply.buttons)


async def test_typed_menu_label_works_without_emoji_or_case(bot: RunningBot) -> None:
    reply = await bot.person(503).send("о библиотеке")
    assert "ул. Ленина, 1" in reply.text


async def test_every_menu_section_answers_with_its_own_screen(bot: RunningBot) -> None:
    boris = bot.person(504, "Борис")
    reply = await boris.send("Консультация")
    assert "скоро" not in reply.text
    assert any("Бухгалтерия и налоги" in b for b in reply.buttons)
    assert any("В меню" in b for b in reply.buttons)


async def test_consent_accepted_is_stored_with_the_name(bot: RunningBot) -> None:
    anna = bot.person(505, "Анна")
    await anna.send("/start")
    reply = await anna.click("Согласен")
    assert "Согласие записано" in reply.text
    async with bot.db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.platform_user_id == "505"))
    assert person is not None
    assert person.consent == Consent.GIVEN
    assert person.display_name == "Анна"


async def test_consent_refused_keeps_no_personal_data_and_search_stays_open(
    bot: RunningBot,
) -> None:
    anna = bot.person(506, "Анна")
    await anna.send("/start")
    reply = await anna.click("Не сейчас")
    assert "данные мы не сохраняем" in reply.text
    async with bot.db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.platform_user_id == "506"))
    assert person is not None
    assert person.consent == Consent.REFUSED
    assert person.display_name is None
    reply = await anna.send("О библиотеке")
    assert "ул. Ленина, 1" in reply.text


async def test_nothing_personal_is_stored_before_consent(bot: RunningBot) -> None:
    await bot.person(507, "Пётр").send("/start")
    async with bot.db.transaction() as session:
        person = await session.scalar(select(Person).where(Person.platform_user_id == "507"))
    assert person is not None
    assert person.consent == Consent.UNKNOWN
    assert (person.display_name, person.phone, person.email, person.organisation) == (None,) * 4


async def test_every_update_is_logged_as_activity(bot: RunningBot) -> None:
    anna = bot.person(508)
    await anna.send("/start")
    await anna.send("О библиотеке")
    await anna.send("что-то непонятное")
    async with bot.db.transaction() as session:
        rows = (await session.scalars(select(Activity).order_by(Activity.id))).all()
    assert [r.kind for r in rows] == [
        ActivityKind.MENU,
        ActivityKind.LIBRARY_INFO,
        ActivityKind.CATALOGUE_QUERY,
    ]
    assert all(r.platform == "telegram" and r.person_id is not None for r in rows)
    # She has not consented: her words are not kept, only that she asked.
    assert rows[2].content == "message before consent"
    assert rows[2].status == "not found"
    assert rows[2].notes == "front door: catalogue (short, may be a title or an author); hits=0"
    assert rows[0].update_id is not None
