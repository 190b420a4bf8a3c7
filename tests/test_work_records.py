"""The resource centre's offline work (#25): staff record a phone consultation in three taps
and it is on the «Консультации» sheet of the quarter's workbook; its author corrects and
deletes it, every change kept; another member of staff (not an admin) cannot, not even with
a forged button; a closed quarter's records stay as handed in; the indicators are redone from
the workbook's own cells with the new rows; `libbot work add`; a customer is forgotten.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.kernel.config import Config
from handlers.staff_work_cards import WorkAction, WorkCb
from storage import erasure, people
from storage.db import Database
from storage.models import Person, Role
from storage.reports import document, periods
from storage.reports.offline import open_quarter
from storage.reports.work import HEADINGS
from storage.work import records
from storage.work.records import Actor, Refusal, WorkDraft, WorkRefused
from tests.conftest import RunningBot

OLGA, IVAN, READER = 7001, 7002, 7003


async def staff(bot: RunningBot, user_id: int, name: str) -> Any:
    """A member of staff (not an admin) who has opened «Для сотрудников»."""
    member = await people.resolve(bot.db, "telegram", str(user_id), language_hint="ru")
    await people.grant(bot.db, member.id, Role.STAFF, granted_by=None)
    chat = bot.person(user_id, name)
    await chat.send("/start")
    await chat.send("🛠 Для сотрудников")
    return chat


async def quarter_sheets(db: Database, config: Config) -> dict[str, list[list[object]]]:
    now = datetime.now(UTC)
    period = open_quarter(now, config.library.zone)
    report = await document.prepare(db, config, period, now=now + timedelta(seconds=1))
    book = load_workbook(BytesIO(document.to_xlsx(report)))
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows(min_row=3)]
        for name in book.sheetnames
    }


async def test_a_phone_consultation_in_three_taps_is_on_the_consultations_sheet(
    bot: RunningBot,
) -> None:
    olga = await staff(bot, OLGA, "Ольга")
    reply = await olga.click("Записать работу")
    assert "Какую?" in reply.text
    assert "Консультация по телефону" in reply.buttons

    reply = await olga.click("Консультация по телефону")  # 1
    assert "Что сделано?" in reply.text
    reply = await olga.send("Как зарегистрировать АНО: <документы> & сроки")  # 2
    assert "Так будет записано" in reply.text
    assert "&lt;документы&gt; &amp; сроки" in reply.text  # shown as typed, never as markup
    assert "сейчас" in reply.text
    reply = await olga.click("Готово")  # 3
    assert "Записано, №" in reply.text

    [item] = await records.in_period(
        bot.db, open_quarter(datetime.now(UTC), bot.config.library.zone)
    )
    assert item.draft.kind == "Консультация по телефону"
    assert item.draft.content == "Как зарегистрировать АНО: <документы> & сроки"
    assert item.draft.responsible == "Ольга"  # «ответственный — я» by default
    assert (item.draft.customer, item.draft.executor, item.draft.people) == ("", "", None)

    sheets = await quarter_sheets(bot.db, bot.config)
    [row] = [r for r in sheets["Консультации"] if r[6] == "Консультация по телефону"]
    assert row[0] == "Как зарегистрировать АНО: <документы> & сроки"
    assert row[2] == "Ольга"
    assert row[7] == 1
    assert f"учёт работы № {item.id}" in row[5]
    assert "Другая работа РЦ" not in sheets  # no such work this quarter: no such sheet
    summary = {r[0]: r[1] for r in sheets["Показатели"]}
    assert summary["Консультаций дано"] == 1


async def test_the_author_adds_details_corrects_and_deletes_every_change_kept(
    bot: RunningBot,
) -> None:
    olga = await staff(bot, OLGA, "Ольга")
    await records.add(
        bot.db,
        WorkDraft(
            "Письмо поддержки", "Письмо для фонда", datetime.now(UTC), customer="АНО «Добрые руки»"
        ),
        author_id=None,
        author="libbot",
    )
    await olga.click("Записать работу")
    await olga.click("Помощь с Госуслугами")
    await olga.send("Подача отчёта НКО через Госуслуги")
    reply = await olga.click("Дополнить")
    assert "👤 Заказчик" in reply.buttons
    await olga.click("Дата")
    reply = await olga.click("Вчера")
    yesterday = datetime.now(bot.config.library.zone).date() - timedelta(days=1)
    assert f"{yesterday:%d.%m.%Y}" in reply.text
    await olga.click("Заказчик")
    reply = await olga.send("добрые")  # a customer met before is suggested
    assert "АНО «Добрые руки»" in reply.buttons
    reply = await olga.click("Добрые руки")
    assert "Заказчик: АНО «Добрые руки»" in reply.text
    await olga.click("Число людей")
    reply = await olga.send("много")
    assert "цифрами" in reply.text
    await olga.send("2")
    reply = await olga.send("а ещё приходил бухгалтер")  # typed at the card: not a search
    assert "Запись ещё не сохранена" in reply.text
    assert "Людей: 2" in reply.text
    reply = await olga.click("Готово")
    assert "Записано" in reply.text
    mine = await records.by_author(
        bot.db,
        (await people.find(bot.db, "telegram", str(OLGA))).id,  # type: ignore[union-attr]
        open_quarter(datetime.now(UTC), bot.config.library.zone),
    )
    [item] = mine
    assert item.draft.people == 2
    assert item.draft.customer == "АНО «Добрые руки»"
    assert item.draft.all_day

    reply = await olga.click("Исправить")
    assert f"Исправление записи № {item.id}" in reply.text
    await olga.click("Примечания")
    await olga.send("=1+1 перезвонить")
    reply = await olga.click("Сохранить")
    assert "Исправлено" in reply.text
    changed = await records.get(bot.db, item.id)
    assert changed is not None
    assert changed.draft.notes == "=1+1 перезвонить"  # text, kept as typed
    reply = await olga.click("История")
    assert "записал(а) Ольга" in reply.text
    assert "Ольга исправил(а): 🗒 Примечания" in reply.text

    sheets = await quarter_sheets(bot.db, bot.config)
    [row] = [r for r in sheets["Консультации"] if r[6] == "Помощь с Госуслугами"]
    assert row[5].startswith("=1+1 перезвонить")  # a string cell, not a formula

    await olga.click("К записи")
    reply = await olga.click("Удалить")
    assert "Удалить запись" in reply.text
    reply = await olga.click("Да, удалить")
    assert "удалена" in reply.text
    assert (await records.get(bot.db, item.id)).deleted  # type: ignore[union-attr]
    actions = [c.action for c in await records.history(bot.db, item.id)]
    assert actions == ["created", "changed", "deleted"]
    sheets = await quarter_sheets(bot.db, bot.config)
    assert not [r for r in sheets["Консультации"] if r[6] == "Помощь с Госуслугами"]


async def test_another_staff_member_cannot_change_it_even_with_a_forged_button(
    bot: RunningBot,
) -> None:
    olga = await staff(bot, OLGA, "Ольга")
    await olga.click("Записать работу")
    await olga.click("Консультация по телефону")
    await olga.send("Консультация по уставу ТОС")
    await olga.click("Готово")
    [item] = await records.in_period(
        bot.db, open_quarter(datetime.now(UTC), bot.config.library.zone)
    )

    ivan = await staff(bot, IVAN, "Иван")
    for action in (WorkAction.EDIT, WorkAction.DROP, WorkAction.DROP_YES):
        reply = await ivan.press(WorkCb(action=action, id=item.id).pack())
        assert any("только тот, кто её сделал" in a for a in reply.alerts), action
    reader = bot.person(READER, "Читатель")
    await reader.send("/start")
    await reader.press(WorkCb(action=WorkAction.DROP_YES, id=item.id).pack())
    after = await records.get(bot.db, item.id)
    assert after == item  # nothing changed
    assert [c.action for c in await records.history(bot.db, item.id)] == ["created"]

    maria = bot.admin()  # an admin may
    await maria.send("/start")
    reply = await maria.press(WorkCb(action=WorkAction.DROP_YES, id=item.id).pack())
    assert "удалена" in reply.text
    assert [c.by for c in await records.history(bot.db, item.id)][-1] == "Мария Ивановна"


async def test_a_closed_quarter_stays_as_handed_in(database: Database, config: Config) -> None:
    zone = config.library.zone
    last_year = datetime(2025, 11, 12, 10, tzinfo=zone)
    item = await records.add(
        database,
        WorkDraft("Письмо поддержки", "Письмо для ТОС", last_year),
        author_id=None,
        author="x",
    )
    admin = Actor(None, "Мария Ивановна", admin=True)
    now = open_quarter(datetime.now(UTC), zone)
    assert records.may_change(item, admin, now) is Refusal.CLOSED
    with pytest.raises(WorkRefused) as refused:
        await records.change(database, item.id, admin, now, notes="поздно")
    assert refused.value.reason is Refusal.CLOSED
    this_quarter = periods.quarter(2025, 11, zone)
    changed = await records.change(database, item.id, admin, this_quarter, notes="в срок")
    assert changed.draft.notes == "в срок"
    # The date cannot be moved out of the open quarter either.
    with pytest.raises(WorkRefused) as moved:
        await records.change(
            database, item.id, admin, this_quarter, done_at=datetime(2025, 9, 1, tzinfo=zone)
        )
    assert moved.value.reason is Refusal.CLOSED


async def test_a_date_in_a_handed_in_quarter_is_refused_in_the_bot_and_the_draft_kept(
    bot: RunningBot,
) -> None:
    """«01.01.2020» typed (or «Позавчера» on 1 April) would put the record into a quarter
    already handed in, where Ольга could no longer correct or delete it: the bot says the
    quarter is closed and the draft waits for another date."""
    olga = await staff(bot, OLGA, "Ольга")
    await olga.click("Записать работу")
    await olga.click("Консультация по телефону")
    await olga.send("Консультация по уставу ТОС")
    await olga.click("Дополнить")
    await olga.click("Дата")
    reply = await olga.send("01.01.2020")
    assert "Квартал этой записи уже закрыт" in reply.text
    assert await records.in_period(bot.db, periods.quarter(2020, 1, bot.config.library.zone)) == []
    reply = await olga.send("сегодня")  # still at the date step, the draft kept
    assert "Консультация по уставу ТОС" in reply.text
    reply = await olga.click("Готово")
    assert "Записано" in reply.text
    [item] = await records.in_period(
        bot.db, open_quarter(datetime.now(UTC), bot.config.library.zone)
    )
    assert item.draft.content == "Консультация по уставу ТОС"


async def test_text_typed_at_the_kind_step_gets_the_kind_buttons_again(
    bot: RunningBot,
) -> None:
    olga = await staff(bot, OLGA, "Ольга")
    await olga.click("Записать работу")
    await olga.click("Консультация по телефону")
    await olga.send("Консультация по уставу ТОС")
    await olga.click("Дополнить")
    await olga.click("Вид работы")
    reply = await olga.send("письмо")  # typed, not pressed: answered, not swallowed
    assert "Выберите вид работы" in reply.text
    assert "Письмо поддержки" in reply.buttons
    reply = await olga.click("Письмо поддержки")
    assert "Письмо поддержки" in reply.text
    assert "Консультация по уставу ТОС" in reply.text


async def test_a_record_for_a_closed_quarter_is_refused_unless_imported(
    database: Database, config: Config
) -> None:
    """The bot passes the open quarter (a draft dated 31 March saved on 1 April is refused);
    `libbot work add` passes none: adding past work is its purpose."""
    zone = config.library.zone
    open_now = open_quarter(datetime.now(UTC), zone)
    old = WorkDraft("Письмо поддержки", "Письмо для ТОС", datetime(2020, 3, 31, 10, tzinfo=zone))
    with pytest.raises(WorkRefused) as refused:
        await records.add(database, old, author_id=None, author="Ольга", open_period=open_now)
    assert refused.value.reason is Refusal.CLOSED
    assert await records.in_period(database, periods.quarter(2020, 3, zone)) == []
    await records.add(database, old, author_id=None, author="libbot", source="import")
    assert len(await records.in_period(database, periods.quarter(2020, 3, zone))) == 1


async def test_indicators_recompute_from_the_workbooks_own_cells(
    database: Database, config: Config
) -> None:
    zone = config.library.zone
    at = datetime(2026, 8, 5, 11, tzinfo=zone)
    for kind, content, people_ in (
        ("Консультация по телефону", "Как оформить пожертвование", None),
        ("Консультация (очно)", "Бюджет проекта", 3),
        ("Встреча НКО", "Встреча руководителей НКО", 14),
        ("Обучающее мероприятие", "Семинар по отчётности", 20),
        ("Письмо поддержки", "Письмо для ТОС «Северный»", None),
        ("Работа с добровольцами", "Инструктаж добровольцев", 8),
        ("Экспертиза проектной заявки", "Заявка клуба «Вектор»", 3),
    ):
        await records.add(
            database, WorkDraft(kind, content, at, people=people_), author_id=None, author="x"
        )
    period = periods.parse("2026-Q3", zone)
    report = await document.prepare(database, config, period, now=datetime(2026, 12, 1, tzinfo=UTC))
    book = load_workbook(BytesIO(document.to_xlsx(report)))
    assert "Другая работа РЦ" in book.sheetnames
    assert [c.value for c in book["Другая работа РЦ"][2]] == list(HEADINGS)

    def rows(name: str) -> list[list[object]]:
        return [[c.value for c in row] for row in book[name].iter_rows(min_row=3)]

    def total(name: str) -> int:
        return sum(int(r[7] or 0) for r in rows(name))

    event_kinds = {"Встреча НКО", "Обучающее мероприятие", "Публичное мероприятие"}
    events = [
        r
        for name in ("Обучающие мероприятия", "Публичные мероприятия", "Консультации")
        for r in rows(name)
        if r[6] in event_kinds or r[6] == "День консультаций"
    ]
    summary = {r[0]: r[1] for r in rows("Показатели")}
    assert summary["Консультаций дано"] == total("Консультации") == 4
    assert summary["Экспертиз проектных заявок проведено"] == total("Экспертизы проектных заявок")
    [expertise] = rows("Экспертизы проектных заявок")
    assert expertise[7] == 1  # one expertise, whoever came with the application
    assert expertise[5].startswith("человек: 3; учёт работы №")
    assert summary["Проведено мероприятий — всего"] == len(events) == 2
    assert summary["Участников мероприятий"] == sum(int(r[7]) for r in events) == 34
    assert [r[6] for r in rows("Другая работа РЦ")] == [
        "Письмо поддержки",
        "Работа с добровольцами",
    ]


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\ntimezone = 'Europe/Moscow'\n", encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    return config


def test_libbot_work_add_and_forget_customer(
    config_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(config_file)]
    code = main(
        [
            "work", "add", *config,
            "--kind", "консультация по телефону",
            "--content", "Консультация по гранту",
            "--date", "12.11.2026 14:30",
            "--customer", "Иванов П. С.",
            "--executor", "Смирнова О. П.",
            "--responsible", "Иванова М. И.",
            "--people", "2",
            "--notes", "перезвонить",
        ]
    )  # fmt: skip
    assert code == 0, capsys.readouterr().err
    assert "Записано: № 1, Консультация по телефону" in capsys.readouterr().out
    assert main(["work", "add", *config, "--kind", "Нет такого", "--content", "x"]) == 2
    assert "no kind 'Нет такого'" in capsys.readouterr().err
    bad_date = ["--kind", "Письмо поддержки", "--content", "x", "--date", "31.02.2026"]
    assert main(["work", "add", *config, *bad_date]) == 2
    assert "--date" in capsys.readouterr().err
    assert main(["work", "kinds", *config]) == 0
    assert "Консультация по телефону → «Консультации»" in capsys.readouterr().out
    assert main(["work", "forget-customer", *config, "иванов  п. с."]) == 0
    assert "Убрано из записей: 1" in capsys.readouterr().out


async def test_a_person_named_as_a_customer_is_forgotten_with_forget(database: Database) -> None:
    """/forget takes their name from the work records that name them as the customer (and
    from the history of those records); the work itself stays counted."""
    zina = await people.resolve(database, "telegram", "555", language_hint="ru")
    async with database.transaction() as session:
        person = await session.get(Person, zina.id)
        assert person is not None
        person.display_name = "Зинаида Уникальнова"
    at = datetime.now(UTC)
    item = await records.add(
        database,
        WorkDraft("Консультация по телефону", "Про субсидии", at),
        author_id=None,
        author="x",
    )
    admin = Actor(None, "Мария Ивановна", admin=True)
    quarter = open_quarter(at, ZoneInfo("Europe/Moscow"))
    await records.change(database, item.id, admin, quarter, customer="зинаида  уникальнова")
    await erasure.erase(database, zina.id)
    after = await records.get(database, item.id)
    assert after is not None
    assert after.draft.customer == ""
    assert after.draft.content == "Про субсидии"
    assert all("никальнова" not in str(c) for c in await records.history(database, item.id))


async def test_forget_blanks_their_name_in_the_history_of_a_record_corrected_since(
    database: Database,
) -> None:
    """The record named Зинаида as its customer, then was corrected to an organisation: her
    name is still in the «customer» line of its history, and /forget blanks it there too;
    the organisation, now the customer, stays."""
    zina = await people.resolve(database, "telegram", "556", language_hint="ru")
    async with database.transaction() as session:
        person = await session.get(Person, zina.id)
        assert person is not None
        person.display_name = "Зинаида Уникальнова"
    at = datetime.now(UTC)
    item = await records.add(
        database,
        WorkDraft("Консультация по телефону", "Про гранты", at, customer="Зинаида Уникальнова"),
        author_id=None,
        author="x",
    )
    admin = Actor(None, "Мария Ивановна", admin=True)
    quarter = open_quarter(at, ZoneInfo("Europe/Moscow"))
    await records.change(database, item.id, admin, quarter, customer="АНО «Ромашка»")
    await records.change(database, item.id, admin, quarter, customer="АНО «Ромашка» (фонд)")
    await erasure.erase(database, zina.id)
    after = await records.get(database, item.id)
    assert after is not None
    assert after.draft.customer == "АНО «Ромашка» (фонд)"
    history = await records.history(database, item.id)
    assert all("никальнова" not in str(c) for c in history)
    assert any("Ромашка» (фонд)" in str(c) for c in history)  # a line not naming her stays
