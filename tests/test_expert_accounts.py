"""Experts as staff see them and as they see their work (issue #19): the roles list showed
`console:2` for the demo's expert, and an expert saw nothing passed to her entry of the
directory before her bot account was linked to it."""

from __future__ import annotations

import io
from pathlib import Path

from bot.demo import DEMO_USERS, demo_config, run_demo, seed_consultations
from bot.demo.history import seed_history
from storage import people
from storage.consultations import directory
from storage.consultations import requests as desk
from storage.db import Database
from storage.models import Role
from tests.conftest import RunningBot
from tests.test_consultations_bot import file_request
from tests.test_my_books import consented

IRINA = 700_101


async def test_the_roles_list_names_people_not_messenger_ids(bot: RunningBot) -> None:
    """Ирина never gave the bot a name (no consent): the list shows her directory name. A
    staff member with neither name nor entry is shown by id, the only thing there is."""
    irina = bot.person(IRINA, "Ирина")
    await irina.send("/start")
    olga = bot.person(IRINA + 1, "Ольга")
    await olga.send("/start")
    for user_id, role in ((IRINA, Role.EXPERT), (IRINA + 1, Role.STAFF)):
        person = await people.find(bot.db, "telegram", str(user_id))
        assert person is not None
        await people.grant(bot.db, person.id, role, granted_by=None)
        if role is Role.EXPERT:
            await directory.add_expert(
                bot.db, name="Ирина Соколова", competences=["accounting"], person_id=person.id
            )
    maria = bot.admin()
    await maria.send("/staff")
    reply = await maria.click("Сотрудники и эксперты")
    assert "• Ирина Соколова — эксперт" in reply.text
    assert f"telegram:{IRINA}" not in reply.text
    assert "Снять: Ирина Соколова (эксперт)" in reply.buttons
    assert f"• telegram:{IRINA + 1} — сотрудник" in reply.text
    reply = await maria.click("Снять: Ирина Соколова (эксперт)")
    assert "Роль «эксперт» снята: Ирина Соколова." in reply.text


async def test_an_expert_who_writes_later_gets_the_requests_passed_to_her(
    bot: RunningBot,
) -> None:
    """Ирина is in the directory before she ever wrote to the bot; a request is passed to
    her. When the admin makes her an expert, the bot asks which entry she is — and the
    request is in her «Обращения ко мне» at once."""
    entry = await directory.add_expert(bot.db, name="Ирина Соколова", competences=["accounting"])
    await directory.add_expert(bot.db, name="Олег Брагин", competences=["legal"])
    anna = await consented(bot, 1911, "Анна")
    number = await file_request(bot, anna)
    maria = bot.admin()
    await maria.send("/start")
    await maria.press(f"desk:to:{number}:{entry.id}")

    irina = bot.person(IRINA, "Ирина")
    await irina.send("/start")
    await maria.send("/staff")
    await maria.click("Сотрудники и эксперты")
    await maria.click("Назначить эксперта")
    reply = await maria.send(f"telegram:{IRINA}")
    assert "Кто telegram:700101 в справочнике экспертов?" in reply.text
    assert reply.buttons[:3] == ["Ирина Соколова", "Олег Брагин", "Нет в справочнике"]
    reply = await maria.click("Ирина Соколова")
    assert "Готово: это Ирина Соколова из справочника." in reply.text
    assert "Эксперта ждёт 1 открытое обращение" in reply.text

    reply = await irina.send("Обращения ко мне")
    assert f"№ {number}" in " ".join(reply.buttons)
    # The entry is hers now: it is not offered for the next expert.
    assert [e.name for e in await directory.not_in_the_bot(bot.db)] == ["Олег Брагин"]


async def test_a_stale_link_button_changes_nothing(bot: RunningBot) -> None:
    entry = await directory.add_expert(bot.db, name="Ирина Соколова", competences=["accounting"])
    irina = bot.person(IRINA, "Ирина")
    await irina.send("/start")
    person = await people.find(bot.db, "telegram", str(IRINA))
    assert person is not None
    maria = bot.admin()
    await maria.send("/start")
    # Not an expert (any more): the button from an old message links nobody.
    reply = await maria.press(f"xlink:{person.id}:{entry.id}")
    assert "Не получилось" in reply.text
    assert await directory.expert_of(bot.db, person.id) is None
    # A reader forging the button is refused like any staff button.
    reply = await irina.press(f"xlink:{person.id}:{entry.id}")
    assert reply.alerts == ["Этот раздел только для сотрудников библиотеки."]
    assert await directory.expert_of(bot.db, person.id) is None


async def test_the_demo_expert_sees_requests_waiting_for_her(sqlite_db: Database) -> None:
    """The demo's history passes requests to the directory's experts by entry, so the demo
    expert's «Обращения ко мне» is not empty the first time she opens it."""
    config = demo_config()
    await seed_consultations(sqlite_db, config)
    await seed_history(sqlite_db, config)
    user_id, _name = DEMO_USERS["expert"]
    irina = await people.find(sqlite_db, "console", str(user_id))
    assert irina is not None
    waiting = await desk.open_requests(sqlite_db, expert_person_id=irina.id)
    assert len(waiting) >= 2
    assert {r.expert_name for r in waiting} == {"Ирина Соколова"}


def _demo(tmp_path: Path, role: str, script: str) -> str:
    """One run of `libbot demo --as ROLE` in-process; what the terminal showed."""
    import asyncio

    out = io.StringIO()
    asyncio.run(
        run_demo(
            demo_config(base_dir=tmp_path), as_user=role, stdin=io.StringIO(script), stdout=out
        )
    )
    return out.getvalue()


async def test_the_demo_roles_list_shows_the_experts_name(tmp_path: Path) -> None:
    import asyncio

    shown = await asyncio.to_thread(_demo, tmp_path, "admin", "/staff\n10\n")
    assert "Ирина Соколова — эксперт" in shown
    assert "console:2" not in shown
    shown = await asyncio.to_thread(_demo, tmp_path, "expert", "Обращения ко мне\n")
    assert "Открытых обращений нет" not in shown
    assert "№ " in shown
