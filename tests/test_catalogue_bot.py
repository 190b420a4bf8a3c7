"""A reader asks for books in Telegram: the list, the card per branch, and what follows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.demo import seed_catalogue
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.returns import notify_returned
from storage.catalogue.models import CatalogueItem, CatalogueRecord
from storage.models import Activity, ActivityKind
from tests.conftest import STAFF_CHAT_ID, RunningBot
from tests.harness import drain_outbox

NOON_IN_MOSCOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NIGHT_IN_MOSCOW = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)


@pytest.fixture
async def library(bot: RunningBot) -> RunningBot:
    await seed_catalogue(bot.db)
    return bot


async def test_find_book_button_explains_what_to_type(library: RunningBot) -> None:
    reply = await library.person(901).send("🔎 Найти книгу")
    assert "Напишите название, автора или ISBN" in reply.text


async def test_reader_finds_a_book_and_sees_copies_per_branch(library: RunningBot) -> None:
    anna = library.person(902)
    reply = await anna.send("есть ли Мастер и Маргарита?")
    assert "Нашлась 1 книга" in reply.text
    assert "1. Мастер и Маргарита — Булгаков, М. А. (2019)" in reply.text
    card = await anna.click("1. Мастер и Маргарита")
    assert "<b>Мастер и Маргарита</b>" in card.text
    assert "Центральная библиотека</b> — 2 из 3 на полке; 1 выдана, вернут к" in card.text
    assert "шифр 84(2Рос=Рус)6 Б90" in card.text
    assert "Детская библиотека</b> — на полке нет; 1 выдана, вернут к" in card.text
    assert any("Забронировать" in b for b in card.buttons)
    assert not any("Сообщить" in b for b in card.buttons)  # copies are on the shelf
    async with library.db.transaction() as session:
        logged = (await session.scalars(select(Activity).order_by(Activity.id))).all()
    assert logged[0].kind == ActivityKind.CATALOGUE_QUERY
    # Анна has not consented: the log keeps that she asked and found, not what she typed.
    assert (logged[0].content, logged[0].status) == ("message before consent", "found")


async def test_unmapped_location_codes_are_shown_as_exported(library: RunningBot) -> None:
    anna = library.person(903)
    await anna.send("Тихий Дон")
    card = await anna.click("1. Тихий Дон")
    assert "<b>БСЧ</b> — 2 из 2 на полке" in card.text  # not a branch in this config


async def test_misspelt_title_gets_a_suggestion(library: RunningBot) -> None:
    reply = await library.person(904).send("мастер и маргорита")
    assert "Возможно, вы искали: «мастер маргарита»" in reply.text
    assert "Мастер и Маргарита" in reply.text


async def test_more_pages_through_a_long_list(library: RunningBot) -> None:
    anna = library.person(905)
    reply = await anna.send("роман")
    assert "Первые 5" in reply.text
    page = await anna.click("Ещё")
    assert "Ещё по запросу «роман» (6–10 из" in page.text
    assert "6. " in page.text


async def test_waiting_for_a_returned_book(library: RunningBot) -> None:
    anna = library.person(906)
    await anna.send("Зулейха")
    card = await anna.click("1. Зулейха")
    assert "на полке нет; 2 выданы" in card.text
    reply = await anna.click("Сообщить, когда вернут")
    assert "Напишу, как только «Зулейха открывает глаза» вернут" in reply.text
    reply = await anna.click("Сообщить, когда вернут")
    assert "уже ждёте" in reply.text

    bot = create_bot(library.server.token, api_server=library.server.base_url)
    try:
        locales = Locales()
        assert (
            await notify_returned(
                library.db, bot, locales, library.config, platform="telegram", now=NOON_IN_MOSCOW
            )
            == 0
        )
        async with library.db.transaction() as session:
            record_id = await session.scalar(
                select(CatalogueRecord.id).where(CatalogueRecord.title == "Зулейха открывает глаза")
            )
            await session.execute(
                update(CatalogueItem)
                .where(CatalogueItem.record_id == record_id, CatalogueItem.barcode == "100101")
                .values(status="available", due_date=None)
            )
        night = await notify_returned(
            library.db, bot, locales, library.config, platform="telegram", now=NIGHT_IN_MOSCOW
        )
        assert night == 0  # quiet hours: it waits for the morning
        sent = await notify_returned(
            library.db, bot, locales, library.config, platform="telegram", now=NOON_IN_MOSCOW
        )
        assert sent == 1
        notices = [c.text for c in library.server.calls_of("sendMessage") if c.chat_id == 906]
        assert (
            notices[-1]
            == "📚 «Зулейха открывает глаза» снова на полке: Центральная библиотека. Приходите!"
        )
        assert (
            await notify_returned(
                library.db, bot, locales, library.config, platform="telegram", now=NOON_IN_MOSCOW
            )
            == 0
        )
    finally:
        await bot.session.close()


async def test_hold_needs_consent_then_reaches_the_staff_chat(library: RunningBot) -> None:
    anna = library.person(907, "Анна")
    await anna.send("Лавр")
    await anna.click("1. Лавр")
    reply = await anna.click("Забронировать")
    assert "нужно согласие" in reply.text
    await anna.click("Согласен")
    await anna.send("Лавр")
    await anna.click("1. Лавр")
    reply = await anna.click("Забронировать")
    assert "Заявку на бронь «Лавр» передали сотрудникам" in reply.text
    await drain_outbox(
        library.db, create_bot(library.server.token, api_server=library.server.base_url), "telegram"
    )
    staff = [c for c in library.server.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]
    assert staff
    # The reader by name, with the branch and the way to answer — not a messenger id.
    assert "Читатель: Анна (Telegram), билет не привязан" in staff[0].text
    assert "Забрать: Центральная библиотека" in staff[0].text
    assert "telegram:907" not in staff[0].text


async def test_missing_book_can_be_requested_for_purchase(library: RunningBot) -> None:
    anna = library.person(908)
    reply = await anna.send("Квантовая хромодинамика для чайников")
    assert "ничего не нашлось" in reply.text
    reply = await anna.click("Оставить заявку")
    assert "Спасибо! Заявку на «Квантовая хромодинамика для чайников»" in reply.text
    (notice,) = reply.to_chat(STAFF_CHAT_ID)
    assert "Квантовая хромодинамика" in notice.text
    assert "От: читатель без согласия на обработку данных" in notice.text
    async with library.db.transaction() as session:
        statuses = list(await session.scalars(select(Activity.status).order_by(Activity.id)))
    assert statuses == ["not found", "purchase request"]


async def test_forged_catalogue_buttons(library: RunningBot) -> None:
    anna = library.person(909)
    reply = await anna.press("cat:rec:999999:0:0")
    assert "Этой книги в каталоге больше нет" in reply.text
    reply = await anna.press("cat:more:0:5:1")  # no search was made
    assert "Этот список устарел" in reply.text
    reply = await anna.press("cat:watch:999999:0:0")
    assert "Этой книги в каталоге больше нет" in reply.text
    for absurd in ("cat:rec:abc:0:0", "cat:rec:99999999999999999999:0:0", "cat:more:0:-5:1"):
        reply = await anna.press(absurd)
        assert reply.alerts == ["Кнопка устарела. Вот меню:"], absurd


async def test_buttons_belong_to_their_own_answer(library: RunningBot) -> None:
    anna = library.person(911)
    missing = await anna.send("Гарри Поттер и философский камень")
    buy = next(
        b["callback_data"] for m in missing.messages for b in m.buttons() if "заявку" in b["text"]
    )
    await anna.send("Булгаков")
    reply = await anna.press(buy)  # the older answer's button
    assert "Заявку на «Гарри Поттер и философский камень»" in reply.text
