"""Issue #19, «Мои книги» as a new reader meets it: a ticket typed as people type it, a
desk code in every verification mode, no second «Продлить» that silently spends the last
renewal, and «Сообщить, когда вернут» listed and cancelled in «Мои книги».
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.demo import seed_catalogue
from storage import people
from storage.catalogue import watches
from storage.catalogue.models import CatalogueRecord, CatalogueWatch
from storage.circulation import library_today
from storage.circulation.links import typed_ticket
from storage.circulation.local_import import import_holds, import_loans
from storage.circulation.models import LocalLoan, ReaderLink
from storage.db import Database
from tests.conftest import RunningBot, StartBot
from tests.harness import Person, Reply
from tests.test_my_books import PIN, _d, consented, local_config, write_exports


async def _library(start_bot: StartBot, tmp_path: Path, verification: str) -> RunningBot:
    """The readers of `test_my_books` (Анна 1001, Борис 1002, Вера 1003) on `local`."""
    config = local_config(tmp_path, verification=verification)
    running = await start_bot(config)
    loans, holds = write_exports(tmp_path, library_today(config)())
    await import_loans(running.db, loans)
    await import_holds(running.db, holds)
    return running


@pytest.fixture
async def library(start_bot: StartBot, tmp_path: Path) -> RunningBot:
    return await _library(start_bot, tmp_path, "password")


# --- 1. the ticket as people type it ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "ticket"),
    [
        ("№ 1001", "1001"),
        ("№1001", "1001"),
        ("N 1001", "1001"),
        ("No. 1001", "1001"),
        ("билет 1001", "1001"),
        ("Мой читательский билет № 1001", "1001"),
        ("Номер билета: 1001.", "1001"),
        ("10 01", "1001"),
        ("10-01", "1001"),
        ("10–01", "1001"),  # an en dash, as phones autocorrect
        ("«1001»", "1001"),
        ("(1001)", "1001"),
        ("ЦБ-001234", "ЦБ-001234"),  # letters and their dash stay: systems store them
        ("ЦБ–001234", "ЦБ-001234"),
        ("N1001", "N1001"),  # glued to the number, a letter may be part of it
        ("23529000123", "23529000123"),
    ],
)
def test_a_ticket_is_read_as_people_type_it(typed: str, ticket: str) -> None:
    assert typed_ticket(typed) == ticket


@pytest.mark.parametrize(
    "typed", ["Иванова 1985", "не помню", "привет", "билет", "№", "+7 (495) 000-00-00", "a@b.ru"]
)
def test_what_cannot_be_a_ticket_is_not_one(typed: str) -> None:
    assert typed_ticket(typed) is None


async def test_number_sign_and_words_cost_no_attempt(library: RunningBot) -> None:
    anna = await consented(library, 2101)
    await anna.send("📚 Мои книги")
    reply = await anna.send("№ 1001")
    assert "пароль (PIN)" in reply.text
    reply = await anna.send(PIN)
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text

    boris = await consented(library, 2102, "Борис")
    await boris.send("📚 Мои книги")
    for not_a_ticket in ("Сидоров 1990", "не помню номер"):
        reply = await boris.send(not_a_ticket)
        assert "Это не похоже на номер билета" in reply.text
    reply = await boris.send("Читательский билет № 10-02.")
    assert "пароль (PIN)" in reply.text
    reply = await boris.send("0000")
    # One wrong PIN is one attempt: the polite answers above cost nothing.
    assert "Номер билета или пароль не подходят. Осталось 4 попытки." in reply.text
    await boris.send("билет 1002")
    reply = await boris.send("1111")
    assert "билет № 1002 привязан" in reply.text


# --- 2. a desk code in every verification mode --------------------------------------------


async def _desk_code(library: RunningBot, typed_ticket: str) -> str:
    admin = library.admin()
    await admin.send("/start")
    await admin.click("Согласен")
    reply = await admin.send("🛠 Для сотрудников")
    assert "Код для привязки билета" in " ".join(reply.buttons)
    await admin.click("Код для привязки")
    reply = await admin.send(typed_ticket)
    assert "Код для билета № 1001" in reply.text
    return reply.text.split("<b>")[1].split("</b>")[0]


async def _start_linking(library: RunningBot, user_id: int, name: str = "Анна") -> Person:
    reader = await consented(library, user_id, name)
    await reader.send("📚 Мои книги")
    return reader


async def test_desk_code_links_a_ticket_where_the_library_asks_for_a_password(
    start_bot: StartBot, tmp_path: Path
) -> None:
    library = await _library(start_bot, tmp_path, "password")
    code = await _desk_code(library, "№ 1001")
    anna = await _start_linking(library, 2111)
    reply = await anna.send("1001")
    assert "пароль (PIN)" in reply.text
    assert "или одноразовый код, если его выдали в библиотеке" in reply.text
    reply = await anna.send(code)
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    # The code was used up; the PIN still works, and a wrong six digits is one attempt.
    other = await _start_linking(library, 2112)
    await other.send("1001")
    reply = await other.send(code)
    assert "Номер билета или пароль не подходят. Осталось 4 попытки." in reply.text
    await other.send("1001")
    reply = await other.send(PIN)
    assert "билет № 1001 привязан" in reply.text


async def test_wrong_code_then_right_pin_while_a_code_waits(
    start_bot: StartBot, tmp_path: Path
) -> None:
    library = await _library(start_bot, tmp_path, "password")
    code = await _desk_code(library, "1001")
    anna = await _start_linking(library, 2113)
    await anna.send("1001")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    reply = await anna.send(wrong)
    assert "Осталось 4 попытки" in reply.text
    await anna.send("1001")
    reply = await anna.send(PIN)
    assert "билет № 1001 привязан" in reply.text
    # The code staff gave is still good for the reader it was meant for.
    vera = await _start_linking(library, 2114, "Анна")
    await vera.send("1001")
    reply = await vera.send(code)
    assert "билет № 1001 привязан" in reply.text


async def test_desk_code_links_a_ticket_where_the_library_asks_surname_and_year(
    start_bot: StartBot, tmp_path: Path
) -> None:
    library = await _library(start_bot, tmp_path, "surname_birth_year")
    code = await _desk_code(library, "1001")
    anna = await _start_linking(library, 2115)
    reply = await anna.send("1001")
    assert "фамилию и год рождения" in reply.text
    assert "или одноразовый код" in reply.text
    reply = await anna.send(code[:3] + " " + code[3:])  # typed in two groups
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    async with library.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(ReaderLink)) == 1


# --- 3. no second «Продлить» that silently spends the last renewal --------------------------


async def test_after_a_renewal_the_same_book_has_no_button_until_the_list_is_opened_again(
    library: RunningBot,
) -> None:
    today = library_today(library.config)()
    anna = await _start_linking(library, 2121)
    await anna.send("1001")
    await anna.send(PIN)
    reply = await anna.click("Продлить: Мастер и Маргарита")
    assert f"✅ «Мастер и Маргарита» — продлено до <b>{_d(today, 19)}</b>" in reply.text
    assert f"«Мастер и Маргарита» — вернуть до <b>{_d(today, 19)}</b>" in reply.text
    assert "продлений: 1 / 2" in reply.text
    assert not any("Мастер и Маргарита" in b for b in reply.buttons)
    assert not any("Продлить все" in b for b in reply.buttons)
    assert "🔄 Продлить: Тихий Дон" in reply.buttons  # the others are still offered
    # Opened anew, the list offers it again and says the press is the last renewal.
    reply = await anna.click("Обновить")
    assert "🔄 Продлить последний раз: Мастер и Маргарита" in reply.buttons
    assert "🔄 Продлить все" in reply.buttons
    reply = await anna.click("Продлить последний раз: Мастер и Маргарита")
    assert f"продлено до <b>{_d(today, 33)}</b>" in reply.text
    assert "продлений: 2 / 2" in reply.text
    async with library.db.transaction() as session:
        loan = await session.scalar(select(LocalLoan).where(LocalLoan.barcode == "B-1"))
    assert loan is not None
    assert loan.renewals == 2


# --- 4. «Сообщить, когда вернут» in «Мои книги» --------------------------------------------


async def _wait_for(reader: Person, query: str, title: str) -> None:
    await reader.send(query)
    await reader.click(f"1. {title}")
    reply = await reader.click("Сообщить, когда вернут")
    assert "Напишу, как только" in reply.text
    assert "снять в «Мои книги»" in reply.text


async def _watches(library: RunningBot) -> int:
    async with library.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(CatalogueWatch)) or 0)


def _edited(reply: Reply) -> str:
    return "\n".join(c.text for c in reply.calls if c.method == "editMessageText")


async def test_waits_are_listed_and_cancelled_before_a_ticket_is_linked(
    library: RunningBot,
) -> None:
    await seed_catalogue(library.db)
    anna = await consented(library, 2131)
    await _wait_for(anna, "Зулейха", "Зулейха")
    await _wait_for(anna, "Казус Кукоцкого", "Казус Кукоцкого")
    reply = await anna.send("📚 Мои книги")
    assert "Введите <b>номер билета</b>" in reply.text
    assert "Сообщу, когда вернут:" in reply.text
    assert "• «Зулейха открывает глаза»" in reply.text
    assert "• «Казус Кукоцкого»" in reply.text
    assert "🔕 Не ждать: Зулейха открывает глаза" in reply.buttons
    reply = await anna.click("Не ждать: Зулейха открывает глаза")
    assert reply.alerts == ["Хорошо, больше не жду «Зулейха открывает глаза»."]
    assert "Зулейха" not in _edited(reply)
    assert "• «Казус Кукоцкого»" in _edited(reply)
    assert await _watches(library) == 1
    # The linking form is still where it was: the ticket is asked for.
    reply = await anna.send("1001")
    assert "пароль (PIN)" in reply.text


async def test_waits_are_listed_with_the_loans_and_nobody_cancels_another_readers(
    library: RunningBot,
) -> None:
    await seed_catalogue(library.db)
    anna = await _start_linking(library, 2132)
    await anna.send("1001")
    await anna.send(PIN)
    await _wait_for(anna, "Зулейха", "Зулейха")
    reply = await anna.send("📚 Мои книги")
    assert "<b>Ваши книги</b>" in reply.text
    assert "• «Зулейха открывает глаза»" in reply.text
    button = next(b for c in reply.messages for b in c.buttons() if "Не ждать" in b["text"])
    # Another reader replays Anna's button: nothing is cancelled.
    boris = await consented(library, 2133, "Борис")
    reply = await boris.press(button["callback_data"])
    assert reply.alerts == ["Этого ожидания уже нет: его сняли или книга уже вернулась."]
    assert await _watches(library) == 1
    reply = await anna.press(button["callback_data"])
    assert reply.alerts == ["Хорошо, больше не жду «Зулейха открывает глаза»."]
    assert "<b>Ваши книги</b>" in _edited(reply)
    assert "Сообщу, когда вернут" not in _edited(reply)
    assert await _watches(library) == 0


async def test_waits_are_listed_where_the_library_has_no_system(bot: RunningBot) -> None:
    await seed_catalogue(bot.db)
    anna = bot.person(2134)  # not even consented: a wait is a button press, not typed text
    await _wait_for(anna, "Зулейха", "Зулейха")
    reply = await anna.send("📚 Мои книги")
    assert "продлить можно по телефону" in reply.text.lower()
    assert "• «Зулейха открывает глаза»" in reply.text
    reply = await anna.click("Не ждать: Зулейха")
    assert reply.alerts == ["Хорошо, больше не жду «Зулейха открывает глаза»."]
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(CatalogueWatch)) == 0


async def test_only_open_waits_are_listed_and_only_their_owner_cancels_them(
    database: Database,
) -> None:
    await seed_catalogue(database)
    anna = await people.resolve(database, "telegram", "2135")
    boris = await people.resolve(database, "telegram", "2136")
    async with database.transaction() as session:
        records = list(
            await session.scalars(select(CatalogueRecord.id).order_by(CatalogueRecord.id))
        )
    for record_id in records[:12]:
        await watches.watch(database, anna.id, record_id)
    listed, total = await watches.waiting(database, anna.id, limit=10)
    assert (len(listed), total) == (10, 12)
    assert [w.record_id for w in listed] == records[:10]  # oldest first
    # An answered wait («книга вернулась») is done: not listed, not cancellable.
    assert await watches.claim(database, listed[0].watch_id)
    listed, total = await watches.waiting(database, anna.id, limit=10)
    assert total == 11
    assert await watches.cancel(database, anna.id, listed[0].watch_id) is not None
    async with database.transaction() as session:
        answered = await session.scalar(
            select(CatalogueWatch.id).where(CatalogueWatch.notified_at.is_not(None))
        )
    assert answered is not None
    assert await watches.cancel(database, anna.id, answered) is None
    # Boris cannot cancel Anna's.
    assert await watches.cancel(database, boris.id, listed[1].watch_id) is None
    assert (await watches.waiting(database, anna.id, limit=10))[1] == 10
