"""/forget forgets everywhere (#18, finding 2): one reader uses every feature, asks to be
forgotten, and then no table and no Redis key holds their name, phone, organisation,
ticket, question or messenger id — on SQLite, and on PostgreSQL with Redis.

The library system's own records are not the bot's to forget: with Koha or SIP2 they are
not in this database at all; with `kind = "local"` the `local_*` tables are a copy of the
library's export, replaced by the next import, and they are left out of the dump.
"""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from pathlib import Path

import pytest
from redis.asyncio import Redis
from sqlalchemy import select, text

from bot.app import fsm_backend
from bot.demo import seed_catalogue
from bot.transports.telegram import create_bot
from storage import people
from storage.circulation import library_today
from storage.circulation.local_import import import_loans
from storage.db import Database
from storage.events import registrations
from storage.events.models import Registration
from storage.faq import entries as library_faq
from storage.models import Activity, ActivityKind
from storage.outbox import OutboxMessage
from storage.schema import metadata
from tests.conftest import (
    REDIS,
    REDIS_PREFIX,
    REDIS_URL,
    STAFF_CHAT_ID,
    RunningBot,
    StartBot,
    make_config,
    redis_or_skip,
)
from tests.harness import drain_outbox
from tests.test_consultations_bot import last_to
from tests.test_events_bot import add_event

READER_ID = 7_340_551
TICKET = "K778812"
PIN = "4826"
# Everything of hers that must be gone: each string is hers alone in this library.
HERS = {
    "messenger name": "Зинаида",
    "typed name": "Уникальнова",
    "phone": "345-67-89",
    "phone digits": "9123456789",
    "organisation": "Лесная сказка",
    "ticket": TICKET,
    "question": "УСН-кукушка",
    "messenger id": str(READER_ID),
}
LIBRARY_SYSTEM_COPY = {"local_patrons", "local_loans", "local_holds", "local_renewals"}


def exports(tmp_path: Path, today: date) -> Path:
    loans = tmp_path / "loans.csv"
    due = (today + timedelta(days=5)).strftime("%d.%m.%Y")
    issued = (today - timedelta(days=20)).strftime("%d.%m.%Y")
    loans.write_text(
        "ticket;barcode;title;issued;due;renewals;name;surname;birth_year;pin;blocked\n"
        f"{TICKET};B-1;Мастер и Маргарита;{issued};{due};0;Зинаида Уникальнова;"
        f"Уникальнова;1985;{PIN};\n",
        encoding="utf-8",
    )
    return loans


async def dump_database(db: Database) -> str:
    """Every value of every row of every table (the library system's copy aside)."""
    lines = []
    async with db.connection(writes=False) as conn:
        for table in metadata.sorted_tables:
            if table.name in LIBRARY_SYSTEM_COPY:
                continue
            for row in (await conn.execute(select(table))).all():
                lines.append(f"{table.name}: " + " | ".join(map(str, row)))
        if db.dialect == "sqlite":
            found = await conn.execute(text("SELECT * FROM catalogue_search"))
            lines += ["catalogue_search: " + " | ".join(map(str, row)) for row in found]
    return "\n".join(lines)


async def dump_redis() -> str:
    client = Redis.from_url(REDIS_URL)
    try:
        lines = []
        async for key in client.scan_iter(match=f"{REDIS_PREFIX}:*", count=1000):
            kind = (await client.type(key)).decode()
            value = await client.get(key) if kind == "string" else b""
            lines.append(f"{key.decode()} = {(value or b'').decode(errors='replace')}")
        return "\n".join(lines)
    finally:
        await client.aclose()


def left_of_her(dump: str) -> dict[str, list[str]]:
    return {
        what: [line[:300] for line in dump.splitlines() if needle in line]
        for what, needle in HERS.items()
        if needle in dump
    }


async def use_everything(bot: RunningBot) -> None:
    """Зинаида consents, links her ticket and renews, subscribes, registers for a meetup
    through the form, comes to another, files a request with a file, gets a staff note
    and an answer, and asks for a hold."""
    zina = bot.person(READER_ID, "Зинаида")
    await zina.send("/start")
    await zina.click("Согласен")
    await zina.send("📚 Мои книги")
    await zina.send(TICKET)
    reply = await zina.send("0000")  # a wrong PIN first, as people do
    await zina.send(TICKET)
    reply = await zina.send(PIN)
    assert "привязан" in reply.text
    reply = await zina.click("🔄 Продлить: Мастер и Маргарита")
    # Subscriptions: the first topic offered.
    reply = await zina.send("🔔 Подписки")
    await zina.click(reply.buttons[0])
    # A meetup through the form: her name, organisation and phone typed.
    await add_event(bot.db, "Открытое общение")
    await zina.send("📅 Мероприятия")
    await zina.click("1. Открытое общение")
    await zina.click("Записаться")
    await zina.send("Зинаида Уникальнова")
    await zina.send("АНО «Лесная сказка»")
    reply = await zina.send("8 (912) 345-67-89")
    # Another meetup, already held, where staff ticked her as present.
    held = await add_event(bot.db, "Прошлая встреча", seats=10)
    person = await people.find(bot.db, "telegram", str(READER_ID))
    assert person is not None
    came = await registrations.register(
        bot.db, held, person.id, name="Зинаида Уникальнова", organisation="АНО «Лесная сказка»"
    )
    assert isinstance(came, registrations.Registered)
    maria = bot.admin()
    await maria.send("/start")
    reply = await maria.send(f"/start ticket_{came.place.ticket}")
    assert "Уникальнова" in reply.text
    # A consultation request with a file; staff note and answer quote her.
    await zina.send("Консультация")
    await zina.click("Бухгалтерия и налоги")
    await zina.send_file(name="устав-лесная-сказка.pdf", caption="Вопрос про УСН-кукушка")
    await zina.send("Зинаида Уникальнова")
    await zina.send("АНО «Лесная сказка»")
    await zina.click("Ответить здесь, в чате")
    await zina.click("Вечером")
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Уникальнова")
    await maria.press_on(card, "Заметка")
    await maria.send("Зинаида Уникальнова просила перезвонить: 8 (912) 345-67-89")
    await maria.press_on(card, "Ответить")
    await maria.send("Зинаида, про УСН-кукушка ответим на встрече.")
    await deliver(bot)
    # Staff made a library FAQ entry of her question in one tap, and one of their own.
    await library_faq.add(
        bot.db, "Что такое УСН-кукушка?", "Ответим на встрече.", source_person_id=person.id
    )
    await library_faq.add(bot.db, "Как записаться?", "С паспортом.", author="Мария Ивановна")
    # A hold from the catalogue card (a book she does not have) reaches the staff chat.
    reply = await zina.send("Война и мир")
    await zina.click(next(b for b in reply.buttons if "Война и мир" in b))
    reply = await zina.click("Забронировать")
    if "Где вам удобнее забрать" in reply.text:
        reply = await zina.click(reply.buttons[0])
    assert "передали сотрудникам" in reply.text
    await deliver(bot)
    assert "билет № K778812, Зинаида Уникальнова" in last_to(bot, STAFF_CHAT_ID, "Бронь").text


async def deliver(bot: RunningBot) -> None:
    await drain_outbox(
        bot.db, create_bot(bot.server.token, api_server=bot.server.base_url), "telegram"
    )


async def forget_and_dump(bot: RunningBot, *, with_redis: bool) -> str:
    zina = bot.person(READER_ID, "Зинаида")
    asked = await zina.send("/forget")
    # She is told what goes before she confirms.
    assert "записи на 2 предстоящих мероприятия" in asked.text
    assert "1 открытое обращение к специалисту будет отозвано" in asked.text
    assert f"привязка читательского билета № {TICKET}" in asked.text
    assert "подписка на рассылки" in asked.text
    assert "1 заявка на бронь" in asked.text
    reply = await zina.click("Да, удалить")
    assert "удалены" in reply.text
    dump = await dump_database(bot.db)
    if with_redis:
        dump += "\n" + await dump_redis()
    return dump


@pytest.fixture
async def library(start_bot: StartBot, tmp_path: Path, database: Database) -> RunningBot:
    config = make_config(tmp_path, library_system={"kind": "local", "max_renewals": 2})
    options = {}
    if database.dialect == "postgresql":  # the scale path: PostgreSQL and Redis together
        await redis_or_skip()
        redis_config = make_config(tmp_path, library_system={"kind": "local"}, redis=REDIS)
        storage, isolation = fsm_backend(redis_config, database)
        options = {"storage": storage, "isolation": isolation}
    running = await start_bot(config, **options)
    running.server.number_updates_from(secrets.randbelow(10**12) + 10**6)
    await seed_catalogue(running.db)
    await import_loans(running.db, exports(tmp_path, library_today(config)()))
    return running


async def test_after_forget_nothing_of_hers_is_left_anywhere(library: RunningBot) -> None:
    await use_everything(library)
    before = left_of_her(await dump_database(library.db))
    # The story did reach every place the dump looks at.
    assert set(before) == set(HERS), sorted(set(HERS) - set(before))
    dump = await forget_and_dump(library, with_redis=library.db.dialect == "postgresql")
    assert left_of_her(dump) == {}
    # Guard rows are keyed hashes, unreadable in a dump; none is left of her either.
    assert "link_guards:" not in dump


async def test_the_reports_still_count_what_she_did(library: RunningBot) -> None:
    await use_everything(library)
    async with library.db.transaction() as session:
        logged_before = len(list(await session.scalars(select(Activity.id))))
    await forget_and_dump(library, with_redis=False)
    async with library.db.transaction() as session:
        kinds = list(await session.scalars(select(Activity.kind)))
        places = list(await session.scalars(select(Registration.id)))
        cards = list(await session.scalars(select(OutboxMessage.status)))
    assert len(kinds) > logged_before  # nothing deleted, the erasure itself added
    assert ActivityKind.DATA_ERASURE in kinds
    assert ActivityKind.EVENT_REGISTRATION in kinds
    assert len(places) == 2  # the seat she held and the meetup she came to, unnamed
    # The FAQ entry made of her question went with her; staff's own stays.
    assert [e.question for e in await library_faq.entries(library.db)] == ["Как записаться?"]
    assert cards  # delivered notices stay counted, without their text
