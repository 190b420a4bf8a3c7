"""«Забронировать» from a catalogue card, as a reader and a librarian live it (#19): the
reader chooses where to pick the book up, the staff chat gets a card saying who asked
(ticket and name, or the messenger name), where, how to answer and what the library
system did; a second press is «уже забронировано»; a book already on the reader's card
is not reserved; staff answer with a button and the reader hears back. Where the library
system can take holds (Koha, SIP2) the hold is placed there.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import seed_catalogue
from bot.transports.telegram import create_bot
from storage import people
from storage.circulation import library_today
from storage.circulation.base import Patron
from storage.circulation.links import save_link
from storage.circulation.local_import import import_loans
from storage.circulation.models import ReaderHold
from storage.outbox import OutboxMessage
from tests.conftest import STAFF_CHAT_ID, RunningBot, StartBot, make_config
from tests.fakes.koha_api import FakeKoha
from tests.fakes.sip2_peer import Sip2Peer
from tests.fakes.telegram_api import Call
from tests.harness import Person, drain_outbox


async def deliver(bot: RunningBot) -> None:
    """What the running sender does: the outbox goes out."""
    await drain_outbox(
        bot.db, create_bot(bot.server.token, api_server=bot.server.base_url), "telegram"
    )


def to_chat(bot: RunningBot, chat_id: int) -> list[Call]:
    return [c for c in bot.server.calls_of("sendMessage") if c.chat_id == chat_id]


def cards(bot: RunningBot) -> list[Call]:
    return [c for c in to_chat(bot, STAFF_CHAT_ID) if "Бронь №" in c.text and c.buttons()]


async def consented(bot: RunningBot, user_id: int, name: str = "Анна") -> Person:
    reader = bot.person(user_id, name)
    await reader.send("/start")
    await reader.click("Согласен")
    return reader


async def linked(bot: RunningBot, reader: Person, ticket: str, ref: str, name: str) -> None:
    """The reader's ticket, linked as «Мои книги» links it once they proved it is theirs."""
    person = await people.find(bot.db, "telegram", str(reader.user["id"]))
    assert person is not None
    await save_link(bot.db, person.id, Patron(ticket=ticket, ref=ref, name=name))


async def reserve(reader: Person, query: str, title: str) -> None:
    await reader.send(query)
    await reader.click(f"1. {title}")


@pytest.fixture
async def library(bot: RunningBot) -> RunningBot:
    await seed_catalogue(bot.db)
    return bot


# --- no library system: staff place the hold by hand -----------------------------------------


async def test_reader_chooses_the_branch_and_staff_see_who_where_and_how(
    library: RunningBot,
) -> None:
    anna = await consented(library, 7101, "Анна")
    await reserve(anna, "Мастер и Маргарита", "Мастер и Маргарита")
    reply = await anna.click("Забронировать")
    assert "Где вам удобнее забрать «Мастер и Маргарита»?" in reply.text
    assert "Центральная библиотека" in reply.buttons
    assert "Детская библиотека" in reply.buttons
    reply = await anna.click("Детская библиотека")
    assert (
        "Заявку на бронь «Мастер и Маргарита» передали сотрудникам "
        "(забрать: Детская библиотека)" in reply.text
    )
    await deliver(library)
    (card,) = cards(library)
    assert "<b>Бронь №" in card.text
    assert "Читатель: Анна (Telegram), билет не привязан" in card.text
    assert "Забрать: Детская библиотека" in card.text
    assert "Связь: через бота в Telegram — ответьте кнопкой ниже" in card.text
    assert "Отложите книгу и ответьте читателю кнопкой ниже" in card.text
    assert "telegram:7101" not in card.text
    assert [b["text"] for b in card.buttons()] == ["✅ Отложено на 7 дней", "❌ Нет в наличии"]
    person = await people.find(library.db, "telegram", "7101")
    async with library.db.transaction() as session:
        about = list(
            await session.scalars(
                select(OutboxMessage.about_person_id).where(OutboxMessage.purpose == "hold_new")
            )
        )
    assert person is not None
    assert about == [person.id]  # /forget finds the card by the reader it names


async def test_a_second_press_is_already_reserved_and_staff_get_one_card(
    library: RunningBot,
) -> None:
    anna = await consented(library, 7102)
    await reserve(anna, "Лавр", "Лавр")
    reply = await anna.click("Забронировать")  # one branch holds it: nothing to choose
    assert "Заявку на бронь «Лавр» передали сотрудникам (забрать: Центральная библиотека)" in (
        reply.text
    )
    reply = await anna.click("Забронировать")
    assert "Вы уже забронировали «Лавр» — повторять не нужно" in reply.text
    await reserve(anna, "Мастер и Маргарита", "Мастер и Маргарита")
    await anna.click("Забронировать")
    await anna.click("Центральная библиотека")
    reply = await anna.click("Центральная библиотека")  # the branch button once more
    assert "Вы уже забронировали «Мастер и Маргарита»" in reply.text
    await deliver(library)
    assert len(cards(library)) == 2  # one per book, not one per press
    async with library.db.transaction() as session:
        assert len(list(await session.scalars(select(ReaderHold.id)))) == 2


async def test_staff_set_it_aside_and_the_reader_hears_the_date(library: RunningBot) -> None:
    anna = await consented(library, 7103)
    await reserve(anna, "Лавр", "Лавр")
    await anna.click("Забронировать")
    await deliver(library)
    (card,) = cards(library)
    maria = library.admin()
    await maria.send("/start")
    reply = await maria.press_on(card, "Отложено")
    until = library_today(library.config)() + timedelta(days=7)
    number = card.text.split("Бронь № ")[1].split("<")[0]
    assert (
        f"✅ Бронь № {number}: отложено до {until:%d.%m.%Y} — читателю сообщили. "
        "Ответил(а): Мария Ивановна." in reply.to_chat(STAFF_CHAT_ID)[0].text
    )
    assert any(c.method == "editMessageReplyMarkup" for c in reply.calls)  # buttons gone
    reply = await maria.press_on(card, "Нет в наличии")  # a colleague a moment later
    assert reply.alerts == ["На эту бронь уже ответили."]
    await deliver(library)
    (told,) = [c for c in to_chat(library, 7103) if "отложено" in c.text]
    assert told.text == (
        f"📌 «Лавр»: отложено, ждёт вас до {until:%d.%m.%Y} включительно "
        "— Центральная библиотека. Возьмите читательский билет."
    )
    await reserve(anna, "Лавр", "Лавр")
    reply = await anna.click("Забронировать")
    assert f"«Лавр» уже отложена для вас и ждёт до {until:%d.%m.%Y}" in reply.text


async def test_not_available_offers_to_wait_and_the_reader_may_ask_again(
    library: RunningBot,
) -> None:
    anna = await consented(library, 7104)
    await reserve(anna, "Лавр", "Лавр")
    await anna.click("Забронировать")
    await deliver(library)
    (card,) = cards(library)
    maria = library.admin()
    await maria.send("/start")
    await maria.press_on(card, "Нет в наличии")
    await deliver(library)
    (told,) = [c for c in to_chat(library, 7104) if "нет в наличии" in c.text]
    assert "😔 «Лавр»: сейчас нет в наличии" in told.text
    assert [b["text"] for b in told.buttons()] == ["🔔 Сообщить, когда вернут"]
    anna.history.append(told)
    reply = await anna.click("Сообщить, когда вернут")
    assert "Напишу, как только «Лавр» вернут" in reply.text
    await reserve(anna, "Лавр", "Лавр")
    reply = await anna.click("Забронировать")
    assert "передали сотрудникам" in reply.text  # asked again: a new card
    await deliver(library)
    assert len(cards(library)) == 2


async def test_readers_cannot_answer_staff_cards(library: RunningBot) -> None:
    anna = await consented(library, 7105)
    await reserve(anna, "Лавр", "Лавр")
    await anna.click("Забронировать")
    await deliver(library)
    (card,) = cards(library)
    reply = await anna.press_on(card, "Отложено")
    assert reply.alerts == ["Этот раздел только для сотрудников библиотеки."]
    async with library.db.transaction() as session:
        assert list(await session.scalars(select(ReaderHold.status))) == ["requested"]


async def test_purchase_request_says_who_asked_only_with_consent(library: RunningBot) -> None:
    stranger = library.person(7106, "Пётр")
    await stranger.send("Квантовая хромодинамика для чайников")
    reply = await stranger.click("Оставить заявку")
    (notice,) = reply.to_chat(STAFF_CHAT_ID)
    assert "Квантовая хромодинамика для чайников" in notice.text
    assert "От: читатель без согласия на обработку данных" in notice.text
    assert "Пётр" not in notice.text
    anna = await consented(library, 7107, "Анна")
    await anna.send("Квантовая хромодинамика для чайников")
    reply = await anna.click("Оставить заявку")
    assert "От: Анна (Telegram), билет не привязан" in reply.to_chat(STAFF_CHAT_ID)[0].text
    await linked(library, anna, "K-7107", "K-7107", "Анна Смирнова")
    await anna.send("Квантовая хромодинамика для чайников")
    reply = await anna.click("Оставить заявку")
    assert "От: билет № K-7107, Анна Смирнова" in reply.to_chat(STAFF_CHAT_ID)[0].text


async def test_forget_erases_the_hold_and_its_card(library: RunningBot) -> None:
    anna = await consented(library, 7108, "Зинаида")
    await reserve(anna, "Лавр", "Лавр")
    await anna.click("Забронировать")
    await deliver(library)
    assert "Читатель: Зинаида (Telegram)" in cards(library)[0].text
    await anna.send("/forget")
    await anna.click("Да, удалить")
    async with library.db.transaction() as session:
        assert not list(await session.scalars(select(ReaderHold.id)))
        rows = (
            await session.execute(
                select(OutboxMessage.text, OutboxMessage.about_person_id).where(
                    OutboxMessage.purpose == "hold_new"
                )
            )
        ).all()
    assert [tuple(row) for row in rows] == [(None, None)]  # counted, no longer about her


# --- the `local` system: loans known, holds by hand ------------------------------------------


@pytest.fixture
async def local_library(start_bot: StartBot, tmp_path: Path) -> RunningBot:
    config = make_config(tmp_path, library_system={"kind": "local"})
    running = await start_bot(config)
    await seed_catalogue(running.db)
    today = library_today(config)()
    loans = tmp_path / "loans.csv"
    loans.write_text(
        "ticket;barcode;title;issued;due;renewals;name;pin\n"
        f"L-77;2000000000042;Лавр;{today - timedelta(days=3):%d.%m.%Y};"
        f"{today + timedelta(days=11):%d.%m.%Y};0;Анна Смирнова;1234\n",
        encoding="utf-8",
    )
    await import_loans(running.db, loans)
    return running


async def test_a_book_already_on_the_readers_card_is_not_reserved(
    local_library: RunningBot,
) -> None:
    anna = await consented(local_library, 7201)
    await linked(local_library, anna, "L-77", "L-77", "Анна Смирнова")
    await reserve(anna, "Лавр", "Лавр")
    reply = await anna.click("Забронировать")
    assert "«Лавр» уже у вас на руках — бронировать её не нужно" in reply.text
    await deliver(local_library)
    assert not cards(local_library)
    async with local_library.db.transaction() as session:
        assert not list(await session.scalars(select(ReaderHold.id)))


async def test_a_linked_reader_is_named_by_ticket_and_name(local_library: RunningBot) -> None:
    anna = await consented(local_library, 7202)
    await linked(local_library, anna, "L-77", "L-77", "Анна Смирнова")
    await reserve(anna, "Мастер и Маргарита", "Мастер и Маргарита")
    await anna.click("Забронировать")
    await anna.click("Центральная библиотека")
    await deliver(local_library)
    (card,) = cards(local_library)
    assert "Читатель: билет № L-77, Анна Смирнова" in card.text
    assert "Отложите книгу и ответьте читателю кнопкой ниже" in card.text  # local: by hand


# --- Koha: the hold is placed in the library system ------------------------------------------


@pytest.fixture
async def koha(tmp_path: Path) -> AsyncIterator[FakeKoha]:
    fake = FakeKoha(today=library_today(make_config(tmp_path))())
    fake.libraries = {"ЦБ", "ДБ"}
    await fake.start()
    yield fake
    await fake.stop()


@pytest.fixture
async def koha_library(start_bot: StartBot, tmp_path: Path, koha: FakeKoha) -> RunningBot:
    # Koha's copies carry the barcodes the nightly export gave the catalogue.
    master = koha.add_item("Мастер и Маргарита", "100001", library="ЦБ")
    koha.add_item(None, "100004", library="ДБ", biblio_id=master.biblio_id)
    koha.add_item("Лавр", "100111", library="ЦБ")
    koha.add_patron("23529000123", "Ёлкина", "Мария", password="pin-1985", patron_id=5)
    koha.add_patron("23529000999", "Блоков", "Олег", restricted=True, patron_id=6)
    config = make_config(
        tmp_path,
        library_system={
            "kind": "koha",
            "timeout_seconds": 0.5,
            "koha": {"url": koha.url, "user": koha.user, "password": koha.password},
        },
    )
    running = await start_bot(config)
    await seed_catalogue(running.db)
    return running


async def test_koha_takes_the_hold_and_the_staff_card_says_so(
    koha_library: RunningBot, koha: FakeKoha
) -> None:
    maria = await consented(koha_library, 7301, "Маша")
    await linked(koha_library, maria, "23529000123", "5", "Мария Ёлкина")
    await reserve(maria, "Мастер и Маргарита", "Мастер и Маргарита")
    await maria.click("Забронировать")
    reply = await maria.click("Детская библиотека")
    assert (
        "📌 «Мастер и Маргарита» забронирована в библиотечной системе "
        "(забрать: Детская библиотека)." in reply.text
    )
    (hold,) = koha.holds.values()
    assert (hold.patron_id, hold.pickup_library_id) == (5, "ДБ")
    await deliver(koha_library)
    (card,) = cards(koha_library)
    assert "Читатель: билет № 23529000123, Мария Ёлкина" in card.text
    assert f"✅ Бронь оформлена в библиотечной системе (№ {hold.hold_id})" in card.text
    assert "Когда система отметит бронь как ждущую, бот напомнит читателю сам" in card.text
    async with koha_library.db.transaction() as session:
        row = await session.scalar(select(ReaderHold))
    assert row is not None
    assert (row.status, row.system_ref) == ("placed", str(hold.hold_id))


async def test_koha_refuses_a_blocked_card_and_staff_decide(
    koha_library: RunningBot, koha: FakeKoha
) -> None:
    oleg = await consented(koha_library, 7302, "Олег")
    await linked(koha_library, oleg, "23529000999", "6", "Олег Блоков")
    await reserve(oleg, "Лавр", "Лавр")
    reply = await oleg.click("Забронировать")
    assert (
        "Библиотечная система не приняла бронь «Лавр»: билет заблокирован или есть "
        "задолженность — подойдите на абонемент. Заявку передали сотрудникам" in reply.text
    )
    assert not koha.holds
    await deliver(koha_library)
    (card,) = cards(koha_library)
    assert "⚠️ Библиотечная система не приняла бронь: restricted" in card.text


async def test_koha_down_the_hold_still_reaches_staff(
    koha_library: RunningBot, koha: FakeKoha
) -> None:
    maria = await consented(koha_library, 7303, "Маша")
    await linked(koha_library, maria, "23529000123", "5", "Мария Ёлкина")
    koha.down = True
    await reserve(maria, "Лавр", "Лавр")
    reply = await maria.click("Забронировать")
    assert "Заявку на бронь «Лавр» передали сотрудникам" in reply.text
    await deliver(koha_library)
    (card,) = cards(koha_library)
    assert "⚠️ Библиотечная система не ответила — оформите бронь вручную" in card.text


async def test_without_a_linked_ticket_koha_is_not_asked(
    koha_library: RunningBot, koha: FakeKoha
) -> None:
    anna = await consented(koha_library, 7304)
    await reserve(anna, "Лавр", "Лавр")
    await anna.click("Забронировать")
    assert not koha.sent("POST", "/holds")
    await deliver(koha_library)
    (card,) = cards(koha_library)
    assert "Билет в боте не привязан — в библиотечной системе бронь не оформлена" in card.text


# --- SIP2: Hold (15) -----------------------------------------------------------------------


@pytest.fixture
async def acs(tmp_path: Path) -> AsyncIterator[Sip2Peer]:
    peer = Sip2Peer(today=library_today(make_config(tmp_path))())
    peer.add_patron("1001", "Анна Петрова", "4821")
    peer.add_item("100111", "Лавр", location="ЦБ")
    async with peer.running():
        yield peer


async def test_sip2_places_the_hold_for_pickup(
    start_bot: StartBot, tmp_path: Path, acs: Sip2Peer
) -> None:
    config = make_config(
        tmp_path,
        library_system={
            "kind": "sip2",
            "timeout_seconds": 2,
            "sip2": {"host": "127.0.0.1", "port": acs.port, "institution": "TESTLIB"},
        },
    )
    bot = await start_bot(config)
    await seed_catalogue(bot.db)
    anna = await consented(bot, 7401)
    await linked(bot, anna, "1001", "1001", "Анна Петрова")
    await reserve(anna, "Лавр", "Лавр")
    reply = await anna.click("Забронировать")
    assert "📌 «Лавр» забронирована в библиотечной системе" in reply.text
    assert [(h.ticket, h.barcode, h.pickup) for h in acs.holds] == [("1001", "100111", "ЦБ")]
    await deliver(bot)
    (card,) = cards(bot)
    assert "✅ Бронь оформлена в библиотечной системе (№ 100111)" in card.text


async def test_forged_and_stale_branch_buttons(library: RunningBot) -> None:
    anna = await consented(library, 7109)
    reply = await anna.press("hold:999999:central")
    assert "Этой книги в каталоге больше нет" in reply.text
    await reserve(anna, "Мастер и Маргарита", "Мастер и Маргарита")
    asked = await anna.click("Забронировать")
    (pick,) = [b["callback_data"] for m in asked.messages for b in m.buttons()][:1]
    reply = await anna.press(pick.replace("central", "mars"))  # a branch no longer there
    assert "Этого филиала нет в списке для выдачи" in reply.text
    reply = await anna.press("holddesk:ready:1")  # a reader forging a staff answer
    assert reply.alerts == ["Этот раздел только для сотрудников библиотеки."]
    async with library.db.transaction() as session:
        assert not list(await session.scalars(select(ReaderHold.id)))
