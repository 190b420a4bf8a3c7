"""«Мои книги»: a reader links a ticket, sees loans and renews them — on the `local` system.

Every story runs on SQLite and PostgreSQL, through the real aiogram stack and the
fake Bot API.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.kernel.config import Config
from storage.circulation import library_today
from storage.circulation.loan_keys import loan_key
from storage.circulation.local_import import import_holds, import_loans
from storage.circulation.models import LocalLoan, ReaderLink
from storage.fsm import FsmRecord
from storage.models import Activity, ActivityKind
from tests.conftest import ADMIN_ID, RunningBot, StartBot, make_config

PIN = "4821"


def _d(today: date, days: int) -> str:
    return (today + timedelta(days=days)).strftime("%d.%m.%Y")


def write_exports(tmp_path: Path, today: date) -> tuple[Path, Path]:
    """Anna (1001) has five books in every state a renewal can meet; Boris (1002) has one
    and a hold on Anna's «Лавр»; Vera (1003) has a blocked card."""
    loans = tmp_path / "loans.csv"
    loans.write_text(
        "ticket;barcode;title;issued;due;renewals;name;surname;birth_year;pin;blocked\n"
        f"1001;B-1;Мастер и Маргарита;{_d(today, -20)};{_d(today, 5)};0;"
        f"Анна Петрова;Петрова;1985;{PIN};\n"
        f"1001;B-2;Тихий Дон;{_d(today, -30)};{_d(today, 2)};0;;;;;\n"
        f"1001;B-3;Война и мир;{_d(today, -60)};{_d(today, 3)};2;;;;;\n"
        f"1001;B-4;Лавр;{_d(today, -20)};{_d(today, 9)};0;;;;;\n"
        f"1001;B-5;Обломов;{_d(today, -90)};{_d(today, -45)};0;;;;;\n"
        f"1002;B-6;Чапаев и Пустота;{_d(today, -10)};{_d(today, 4)};0;Борис;Сидоров;1990;1111;\n"
        f"1003;B-7;Белая гвардия;{_d(today, -10)};{_d(today, 4)};0;"
        "Вера;Орлова;1970;2222;долг за утерю\n",
        encoding="utf-8",
    )
    holds = tmp_path / "holds.csv"
    holds.write_text(
        "ticket,title,barcode,status,branch,pickup_until\n"
        "1002,Лавр,B-4,pending,,\n"
        f"1001,Щегол,C-9,waiting,Центральная библиотека,{_d(today, 6)}\n",
        encoding="utf-8",
    )
    return loans, holds


def local_config(tmp_path: Path, **settings: object) -> Config:
    return make_config(
        tmp_path,
        library_system={"kind": "local", "max_renewals": 2, "overdue_limit_days": 30, **settings},
    )


@pytest.fixture
async def library(start_bot: StartBot, tmp_path: Path) -> RunningBot:
    config = local_config(tmp_path)
    running = await start_bot(config)
    loans, holds = write_exports(tmp_path, library_today(config)())
    await import_loans(running.db, loans)
    await import_holds(running.db, holds)
    return running


async def consented(library: RunningBot, user_id: int, name: str = "Анна"):
    reader = library.person(user_id, name)
    await reader.send("/start")
    await reader.click("Согласен")
    return reader


async def link(library: RunningBot, user_id: int, ticket: str, secret: str, name: str = "Анна"):
    reader = await consented(library, user_id, name)
    await reader.send("📚 Мои книги")
    await reader.send(ticket)
    reply = await reader.send(secret)
    return reader, reply


async def test_reader_links_a_ticket_and_sees_loans_and_holds(library: RunningBot) -> None:
    today = library_today(library.config)()
    anna = await consented(library, 2001)
    reply = await anna.send("📚 Мои книги")
    assert "Введите <b>номер билета</b>" in reply.text
    reply = await anna.send("10 01")  # phones insert spaces
    assert "пароль (PIN)" in reply.text
    reply = await anna.send(PIN)
    pin_message = anna.history[-1]
    deleted = [c for c in reply.calls if c.method == "deleteMessage"]
    assert len(deleted) == 1, "the message with the PIN is deleted"
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert PIN not in reply.text
    assert f"«Мастер и Маргарита» — вернуть до <b>{_d(today, 5)}</b>, продлений: 0 / 2" in (
        reply.text
    )
    assert "«Обломов»" in reply.text
    assert "⚠️ срок прошёл" in reply.text
    assert "продлить нельзя: продления исчерпаны" in reply.text  # Война и мир
    assert "продлить нельзя: книгу ждёт другой читатель" in reply.text  # Лавр
    assert "продлить нельзя: срок прошёл слишком давно" in reply.text  # Обломов
    assert "«Щегол» — Центральная библиотека, заберите до" in reply.text
    assert "🔄 Продлить: Мастер и Маргарита" in reply.buttons
    assert not any("Война и мир" in b for b in reply.buttons)
    assert pin_message is not None
    # The PIN reached neither the activity log nor the FSM storage.
    async with library.db.transaction() as session:
        contents = list(await session.scalars(select(Activity.content)))
        states = list(await session.scalars(select(FsmRecord.data)))
    assert not any(PIN in (c or "") for c in contents)
    assert not any(PIN in s for s in states)


async def test_renewing_one_book_then_pressing_again_does_not_renew_twice(
    library: RunningBot,
) -> None:
    today = library_today(library.config)()
    anna, _ = await link(library, 2002, "1001", PIN)
    reply = await anna.click("Продлить: Мастер и Маргарита")
    new_due = _d(today, 5 + 14)
    assert f"✅ «Мастер и Маргарита» — продлено до <b>{new_due}</b>" in reply.text
    assert "продлений: 1 / 2" in reply.text
    # The same (now old) button pressed again: recognised, not renewed a second time.
    old_button = next(
        b for call in anna.history[:-1] for b in call.buttons() if "Мастер и Маргарита" in b["text"]
    )
    reply = await anna.press(old_button["callback_data"])
    assert reply.alerts == [f"Уже продлено: «Мастер и Маргарита» — до {new_due}."]
    async with library.db.transaction() as session:
        loan = await session.scalar(select(LocalLoan).where(LocalLoan.barcode == "B-1"))
        logged = list(
            await session.scalars(select(Activity).where(Activity.kind == ActivityKind.RENEWAL))
        )
    assert loan is not None
    assert loan.renewals == 1
    assert [(a.content, a.status) for a in logged] == [("Мастер и Маргарита", "renewed")]


async def test_renew_all_gives_one_summary_with_reasons(library: RunningBot) -> None:
    today = library_today(library.config)()
    anna, _ = await link(library, 2003, "1001", PIN)
    reply = await anna.click("Продлить все")
    summary = reply.messages[-1].text
    assert summary.startswith("<b>Продление</b>")
    assert f"✅ «Мастер и Маргарита» — продлено до <b>{_d(today, 19)}</b>" in summary
    assert f"✅ «Тихий Дон» — продлено до <b>{_d(today, 16)}</b>" in summary
    assert "❌ «Война и мир» — нельзя: продления исчерпаны" in summary
    assert "❌ «Лавр» — нельзя: книгу ждёт другой читатель" in summary
    assert "❌ «Обломов» — нельзя: срок прошёл слишком давно" in summary
    assert len([m for m in reply.messages if m.method == "sendMessage"]) == 1
    async with library.db.transaction() as session:
        statuses = sorted(
            (a.content, a.status)
            for a in await session.scalars(
                select(Activity).where(Activity.kind == ActivityKind.RENEWAL)
            )
        )
    assert statuses == [
        ("Война и мир", "refused: too_many"),
        ("Лавр", "refused: reserved"),
        ("Мастер и Маргарита", "renewed"),
        ("Обломов", "refused: overdue"),
        ("Тихий Дон", "renewed"),
    ]


async def test_blocked_card_explains_why_nothing_can_be_renewed(library: RunningBot) -> None:
    _, reply = await link(library, 2004, "1003", "2222", "Вера")
    assert "продлить нельзя: читательский билет заблокирован" in reply.text
    assert not any(b.startswith("🔄") for b in reply.buttons)


async def test_a_reader_cannot_touch_another_readers_loan(library: RunningBot) -> None:
    anna, reply = await link(library, 2005, "1001", PIN)
    button = next(b for c in anna.history for b in c.buttons() if "Мастер и Маргарита" in b["text"])
    boris, _ = await link(library, 2006, "1002", "1111", "Борис")
    # Boris replays Anna's button, then forges one naming Anna's loan id with his own key.
    reply = await boris.press(button["callback_data"])
    assert reply.alerts == ["Эта книга за вами не числится."]
    async with library.db.transaction() as session:
        annas = await session.scalar(select(LocalLoan).where(LocalLoan.barcode == "B-1"))
    assert annas is not None
    forged = f"loan:renew:{loan_key('1002', str(annas.id))}:{annas.due.toordinal()}"
    reply = await boris.press(forged)
    assert reply.alerts == ["Эта книга за вами не числится."]
    reply = await boris.press("loan:renew:../../etc:1")
    assert "Кнопка устарела" in reply.text or reply.alerts
    async with library.db.transaction() as session:
        annas = await session.scalar(select(LocalLoan).where(LocalLoan.barcode == "B-1"))
    assert annas is not None
    assert annas.renewals == 0
    # And someone with no ticket linked is asked to link one.
    stranger = library.person(2007, "Гость")
    reply = await stranger.press(button["callback_data"])
    assert reply.alerts == ["Сначала привяжите читательский билет в разделе «Мои книги»."]


async def test_wrong_answer_does_not_say_which_part_was_wrong(library: RunningBot) -> None:
    _, wrong_pin = await link(library, 2010, "1001", "0000")
    _, unknown_ticket = await link(library, 2011, "999999", PIN)
    assert "Номер билета или пароль не подходят. Осталось 4 попытки." in wrong_pin.text
    assert "Номер билета или пароль не подходят. Осталось 4 попытки." in unknown_ticket.text


async def test_reader_turns_reminders_off_and_unlinks(library: RunningBot) -> None:
    anna, _ = await link(library, 2012, "1001", PIN)
    reply = await anna.click("Напоминания: вкл.")
    assert reply.alerts == ["Напоминания о сроках выключены."]
    assert "🔕 Напоминания: выкл." in reply.buttons
    await anna.click("Отвязать билет")
    reply = await anna.click("Да, отвязать")
    assert "Билет отвязан" in reply.text
    reply = await anna.send("📚 Мои книги")
    assert "Введите <b>номер билета</b>" in reply.text


async def test_linking_needs_consent(library: RunningBot) -> None:
    reply = await library.person(2013).send("📚 Мои книги")
    assert "нужно ваше согласие" in reply.text
    assert "✅ Согласен(на)" in reply.buttons


async def test_telegram_and_another_account_share_one_ticket(library: RunningBot) -> None:
    await link(library, 2014, "1001", PIN)
    _, reply = await link(library, 2015, "1001", PIN)
    assert "билет № 1001 привязан" in reply.text
    async with library.db.transaction() as session:
        tickets = list(await session.scalars(select(ReaderLink.ticket)))
    assert tickets == ["1001", "1001"]


async def test_surname_and_year_of_birth(start_bot: StartBot, tmp_path: Path) -> None:
    config = local_config(tmp_path, verification="surname_birth_year")
    library = await start_bot(config)
    loans, _ = write_exports(tmp_path, library_today(config)())
    await import_loans(library.db, loans)
    reader = await consented(library, 2016)
    await reader.send("Мои книги")
    reply = await reader.send("1001")
    assert "фамилию и год рождения" in reply.text
    reply = await reader.send("Петрова")
    assert "через пробел" in reply.text
    reply = await reader.send("ПЕТРОВА 1986")
    assert "фамилия и год рождения не подходят" in reply.text
    await reader.send("1001")
    reply = await reader.send("петрова, 1985 г.")
    assert "билет № 1001 привязан" in reply.text


async def test_staff_give_a_desk_code_and_unlink_on_request(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config = local_config(tmp_path, verification="desk_code")
    library = await start_bot(config)
    loans, _ = write_exports(tmp_path, library_today(config)())
    await import_loans(library.db, loans)
    admin = library.admin()
    await admin.send("/start")
    await admin.click("Согласен")
    await admin.send("🛠 Для сотрудников")
    await admin.click("Код для привязки")
    reply = await admin.send("1001")
    code = reply.text.split("<b>")[1].split("</b>")[0]
    assert code.isdigit()
    assert len(code) == 6
    reader = await consented(library, 2017)
    await reader.send("Мои книги")
    reply = await reader.send("1001")
    assert "код из библиотеки" in reply.text
    reply = await reader.send(code)
    assert "билет № 1001 привязан" in reply.text
    # The code works once.
    other = await consented(library, 2018)
    await other.send("Мои книги")
    await other.send("1001")
    reply = await other.send(code)
    assert "код не подходят" in reply.text
    # The reader asks at the desk to unlink; staff do it and the reader is told.
    await admin.send("🛠 Для сотрудников")
    await admin.click("Отвязать билет")
    reply = await admin.send("1001")
    assert "Билет № 1001 отвязан: 1 аккаунт." in reply.text
    told = [c for c in reply.calls if c.method == "sendMessage" and c.chat_id == 2017]
    assert told
    assert "отвязал читательский билет" in told[0].text
    assert ADMIN_ID != 2017


async def test_a_reader_cannot_use_staff_ticket_tools(library: RunningBot) -> None:
    anna = await consented(library, 2019)
    reply = await anna.press("staff:code")
    assert "только для сотрудников" in (reply.text + " ".join(reply.alerts)).lower()


async def test_library_without_a_system_explains_how_to_renew(bot: RunningBot) -> None:
    reply = await bot.person(2020).send("📚 Мои книги")
    assert "продлить можно по телефону: +7 (495) 000-00-00" in reply.text.lower()


async def test_forget_removes_the_ticket_link(library: RunningBot) -> None:
    anna, _ = await link(library, 2021, "1001", PIN)
    await anna.send("/forget")
    await anna.click("Да, удалить")
    async with library.db.transaction() as session:
        assert list(await session.scalars(select(ReaderLink))) == []
