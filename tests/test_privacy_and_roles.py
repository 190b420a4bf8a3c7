"""/forget, and who may do what: staff and admin actions are checked on the server."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from broadcasts.views.callbacks import RoleAction, RoleCb, StaffAction, StaffCb
from storage import people
from storage.models import Activity, ActivityKind, FsmRecord, Person, PersonRole, Role
from tests.conftest import ADMIN_ID, STAFF_CHAT_ID, RunningBot


async def test_forget_erases_the_person_and_anonymises_their_activity(bot: RunningBot) -> None:
    anna = bot.person(601, "Анна")
    await anna.send("/start")
    await anna.click("Согласен")
    await anna.send("мой телефон 8 900 000 00 00")
    reply = await anna.send("/forget")
    assert "Удалить все ваши данные" in reply.text
    reply = await anna.click("Да, удалить")
    assert "данные удалены" in reply.text
    async with bot.db.transaction() as session:
        assert await session.scalar(select(Person).where(Person.platform_user_id == "601")) is None
        rows = (await session.scalars(select(Activity).order_by(Activity.id))).all()
    assert len(rows) == 5  # /start, consent, text, /forget, confirmation: still counted
    assert all(r.person_id is None and r.customer is None for r in rows)
    assert not any("8 900" in (r.content or "") for r in rows)
    assert rows[-1].kind == ActivityKind.DATA_ERASURE


async def test_forget_can_be_cancelled(bot: RunningBot) -> None:
    anna = bot.person(602, "Анна")
    await anna.send("/start")
    await anna.click("Согласен")
    await anna.send("/forget")
    reply = await anna.click("Отмена")
    assert "ничего не удаляем" in reply.text
    assert await people.find(bot.db, "telegram", "602") is not None


async def test_forget_clears_a_half_filled_form(bot: RunningBot) -> None:
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Сотрудники и эксперты")
    await admin.click("Назначить сотрудника")
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 1
    await admin.send("/forget")
    await admin.click("Да, удалить")
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(FsmRecord)) == 0


async def test_reader_is_refused_staff_section_and_staff_is_let_in(bot: RunningBot) -> None:
    reader = bot.person(603, "Читатель")
    reply = await reader.send("/staff")
    assert "только для сотрудников" in reply.text
    reply = await reader.send("Для сотрудников")
    assert "только для сотрудников" in reply.text

    admin = bot.admin()
    reply = await admin.send("/staff")
    assert "Для сотрудников" in reply.text
    assert any("Сегодня" in b for b in reply.buttons)


async def test_staff_sees_todays_requests_by_kind(bot: RunningBot) -> None:
    reader = bot.person(604)
    await reader.send("/start")
    await reader.send("О библиотеке")
    admin = bot.admin()
    await admin.send("/staff")
    reply = await admin.click("Сегодня")
    assert "Справок о библиотеке: 1" in reply.text
    assert "Читателей написали боту: 1" in reply.text  # cases and people, not menu presses
    assert "Меню и справка" not in reply.text


async def test_forged_staff_buttons_are_refused_for_a_reader(bot: RunningBot) -> None:
    reader = bot.person(605)
    await reader.send("/start")
    for data in (
        StaffCb(action=StaffAction.TODAY).pack(),
        StaffCb(action=StaffAction.ROLES).pack(),
        RoleCb(action=RoleAction.ADD, role=Role.STAFF).pack(),
        RoleCb(action=RoleAction.REVOKE, role=Role.STAFF, person_id=1).pack(),
    ):
        reply = await reader.press(data)
        assert reply.alerts == ["Этот раздел только для сотрудников библиотеки."], data
        assert "Обращения за сегодня" not in reply.text


async def test_admin_makes_a_staff_member_who_then_sees_the_staff_menu(bot: RunningBot) -> None:
    olga = bot.person(606, "Ольга")
    await olga.send("/start")
    await olga.click("Согласен")
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Сотрудники и эксперты")
    reply = await admin.click("Назначить сотрудника")
    assert "идентификатор" in reply.text
    reply = await admin.send("не число")
    assert "Не похоже на идентификатор" in reply.text
    reply = await admin.send("telegram:999999")
    assert "ещё не видел" in reply.text
    reply = await admin.send("telegram:606")
    assert "Готово: Ольга — сотрудник" in reply.text
    # Olga is told, and so is the staff chat.
    assert any("сотрудник" in c.text for c in reply.to_chat(606))
    assert any("Ольга" in c.text for c in reply.to_chat(STAFF_CHAT_ID))

    reply = await olga.send("/menu")
    assert any("Для сотрудников" in b for b in reply.buttons)
    reply = await olga.send("/staff")
    assert any("Сегодня" in b for b in reply.buttons)
    assert not any("Сотрудники и эксперты" in b for b in reply.buttons)  # admins only

    # A staff member (not admin) forging the admin's revoke button is refused.
    target = await people.find(bot.db, "telegram", "606")
    assert target is not None
    forged = RoleCb(action=RoleAction.REVOKE, role=Role.STAFF, person_id=target.id).pack()
    reply = await olga.press(forged)
    assert reply.alerts == ["Это действие доступно только администраторам бота."]
    async with bot.db.transaction() as session:
        assert await session.get(PersonRole, (target.id, "staff")) is not None

    async with bot.db.transaction() as session:
        logged = await session.scalar(
            select(Activity).where(Activity.kind == ActivityKind.ROLE_CHANGE)
        )
    assert logged is not None
    assert logged.status == "granted"
    assert logged.responsible == f"telegram:{ADMIN_ID}"


async def test_admin_revokes_a_role(bot: RunningBot) -> None:
    olga = bot.person(607, "Ольга")
    await olga.send("/start")
    target = await people.find(bot.db, "telegram", "607")
    assert target is not None
    await people.grant(bot.db, target.id, Role.EXPERT, granted_by=None)
    admin = bot.admin()
    await admin.send("/staff")
    reply = await admin.click("Сотрудники и эксперты")
    assert "эксперт" in reply.text
    reply = await admin.click("Снять")
    assert "снята" in reply.text
    assert not await people.with_role(bot.db, Role.EXPERT)


async def test_menu_button_abandons_a_form(bot: RunningBot) -> None:
    admin = bot.admin()
    await admin.send("/staff")
    await admin.click("Сотрудники и эксперты")
    await admin.click("Назначить сотрудника")
    reply = await admin.send("О библиотеке")
    assert "ул. Ленина, 1" in reply.text
    reply = await admin.send("606")  # no longer an id for the form: a catalogue question
    assert "По запросу «606»" in reply.text


async def test_forged_and_stale_callback_data_gets_the_menu(bot: RunningBot) -> None:
    anna = bot.person(608)
    await anna.send("/start")
    for data in ("consent:maybe", "lang:de", "nav:nowhere", "unknown", "x" * 64, "forget:perhaps"):
        reply = await anna.press(data)
        assert reply.alerts == ["Кнопка устарела. Вот меню:"], data
        assert any("О библиотеке" in b for b in reply.buttons)


async def test_reader_switches_to_english(bot: RunningBot) -> None:
    anna = bot.person(609)
    await anna.send("/language")
    reply = await anna.click("English")
    assert "Language: English" in reply.text
    reply = await anna.send("About the library")
    assert "Mon–Fri 10:00–19:00" in reply.text
    reply = await anna.send("/help")
    assert "What the bot can do" in reply.text


async def test_english_client_is_greeted_in_english(bot: RunningBot) -> None:
    reply = await bot.person(610, "John", language="en").send("/start")
    assert "Hello!" in reply.text
    assert json.dumps(reply.buttons, ensure_ascii=False).count("Find a book") == 1
