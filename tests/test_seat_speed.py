"""Hundreds press «Записаться» at once (#22): the seats are decided together, in the order
people pressed, without waiting behind tickets, answers or the other writes of the burst;
the confirmation comes first and the ticket after it, drawn once per registration; the
conversation's state of many readers is written in shared transactions."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import event, insert, select, text

from bot.app import build_dispatcher
from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot, run_polling
from broadcasts.views.callbacks import EventAction, EventCb
from storage.db import Database
from storage.events import registrations
from storage.events.models import Registration, RegistrationStatus
from storage.events.registrations import Refused, Registered
from storage.events.seats import PATIENCE, desk_for
from storage.fsm import DatabaseStorage, unhurried
from storage.models import Consent, Person
from tests.conftest import RunningBot, make_config
from tests.fakes.telegram_api import FakeTelegram
from tests.test_event_tickets import files_of
from tests.test_events_bot import add_event
from tests.test_my_books import consented

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
CROWD = 70_100_000


@pytest.fixture
def config(tmp_path: Any) -> Config:
    return make_config(tmp_path, notifications={"quiet_hours": ""})


async def _people(db: Database, count: int, base: int = CROWD) -> list[int]:
    """Readers who have consented (as after «Согласен»), by their Telegram ids."""
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await session.execute(
            insert(Person),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": str(base + i),
                    "language": "ru",
                    "consent": Consent.GIVEN,
                    "consent_at": now,
                    "display_name": f"Читатель {i}",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for i in range(count)
            ],
        )
        ids = await session.scalars(
            select(Person.id).where(Person.platform_user_id.like("701%")).order_by(Person.id)
        )
        return list(ids)


# --- the crowd, through the real bot handling updates as they come (as it serves) -------


@pytest.fixture
async def serving(
    telegram: FakeTelegram, database: Database, config: Config
) -> AsyncIterator[FakeTelegram]:
    """The bot long-polling the fake API and handling each update in a task of its own,
    as `libbot run` does: many readers are answered at the same time."""
    locales = Locales()
    dp = build_dispatcher(config, database, locales)
    bot = create_bot(telegram.token, api_server=telegram.base_url)
    polling = asyncio.create_task(
        run_polling(dp, bot, locales, handle_signals=False, handle_as_tasks=True, polling_timeout=1)
    )
    yield telegram
    await dp.stop_polling()
    await polling
    await bot.session.close()


def _reader(i: int) -> dict[str, Any]:
    return {"id": CROWD + i, "is_bot": False, "first_name": f"Читатель {i}"}


def _chat(i: int) -> dict[str, Any]:
    return {"id": CROWD + i, "type": "private", "first_name": f"Читатель {i}"}


async def _answered(
    server: FakeTelegram, wanted: Callable[[str], bool], readers: int
) -> dict[int, int]:
    """Chat → the index of the first call whose text `wanted`, once every reader has one."""
    deadline = time.monotonic() + 60
    while True:
        first: dict[int, int] = {}
        for index, call in enumerate(server.calls):
            if call.chat_id and wanted(call.text):
                first.setdefault(call.chat_id, index)
        if len(first) >= readers or time.monotonic() > deadline:
            return first
        await asyncio.sleep(0.05)


async def test_a_crowd_finishing_the_form_at_once_gets_the_seats_in_press_order(
    serving: FakeTelegram, database: Database
) -> None:
    readers, seats = 30, 5
    event_id = await add_event(database, seats=seats, ask_organisation=False, ask_contact=False)
    await _people(database, readers)
    register = EventCb(action=EventAction.REGISTER, id=event_id).pack()
    for i in range(readers):
        message = {"message_id": 1, "date": int(time.time()), "chat": _chat(i), "text": "…"}
        serving.push(
            {
                "update_id": serving.next_update_id(),
                "callback_query": {
                    "id": str(i),
                    "from": _reader(i),
                    "chat_instance": str(i),
                    "message": {**message, "from": {"id": 1, "is_bot": True, "first_name": "Б"}},
                    "data": register,
                },
            }
        )
    asked = await _answered(serving, lambda t: "Как вас зовут?" in t, readers)
    assert len(asked) == readers
    # Everyone types their name at the same moment, in this order.
    pressed = list(reversed(range(readers)))
    for i in pressed:
        serving.push(
            {
                "update_id": serving.next_update_id(),
                "message": {
                    "message_id": 100 + i,
                    "date": int(time.time()),
                    "chat": _chat(i),
                    "from": _reader(i),
                    "text": f"Читатель Номер {i}",
                },
            }
        )
    answers = await _answered(
        serving, lambda t: "Вы записаны" in t or "листе ожидания" in t, readers
    )
    assert len(answers) == readers, "every reader is answered"
    async with database.transaction() as session:
        rows = (
            await session.execute(
                select(Person.platform_user_id, Registration.status, Registration.queued_at)
                .join(Person, Person.id == Registration.person_id)
                .where(Registration.event_id == event_id)
            )
        ).all()
    status = {int(user) - CROWD: s for user, s, _ in rows}
    confirmed = {i for i, s in status.items() if s == RegistrationStatus.CONFIRMED}
    assert confirmed == set(pressed[:seats]), "the seats go to the first to press"
    waiting = [
        int(user) - CROWD for user, s, _ in sorted(rows, key=lambda r: r[2]) if s == "waitlisted"
    ]
    assert waiting == pressed[seats:], "the waiting list keeps the order they pressed in"
    # Each confirmed reader has «Вы записаны» before the calendar file and the QR ticket.
    tickets = await _answered(serving, lambda t: "Ваш билет" in t, seats)
    assert {chat - CROWD for chat in tickets} == confirmed
    for i in confirmed:
        calls = [c for c in serving.calls if c.chat_id == CROWD + i]
        methods = [
            c.method for c in calls if c.method in ("sendMessage", "sendDocument", "sendPhoto")
        ]
        assert methods[-3:] == ["sendMessage", "sendDocument", "sendPhoto"]
        assert "✅ Вы записаны!" in calls[-3].text


# --- the desk: requests that come together are decided together -------------------------


async def _event(db: Database, seats: int) -> int:
    return await add_event(db, seats=seats, starts_at=NOW + timedelta(days=7))


async def test_presses_that_come_together_are_decided_in_one_transaction_in_press_order(
    database: Database,
) -> None:
    event_id = await _event(database, seats=10)
    people = await _people(database, 40)
    desk = desk_for(database)
    groups = desk.groups
    # The handlers reach the desk in another order than the readers pressed in.
    arrival = {person: 1000 + (i * 7) % 40 for i, person in enumerate(people)}

    async def press(person: int) -> Registered | Refused:
        return await registrations.register(
            database, event_id, person, name=f"№{arrival[person]}", now=NOW, arrival=arrival[person]
        )

    results = dict(zip(people, await asyncio.gather(*(press(p) for p in people)), strict=True))
    assert desk.groups - groups == 1, "one transaction for the crowd"
    by_press = sorted(people, key=arrival.__getitem__)
    places = {p: r.place for p, r in results.items() if isinstance(r, Registered)}
    assert len(places) == 40
    seated = [p for p in by_press if places[p].status is RegistrationStatus.CONFIRMED]
    assert seated == by_press[:10], "the first ten to press"
    assert [places[p].position for p in by_press[10:]] == list(range(1, 31))


async def test_a_later_press_waits_for_an_earlier_one_still_on_its_way(
    database: Database,
) -> None:
    event_id = await _event(database, seats=1)
    anna, boris, vera = await _people(database, 3)
    desk = desk_for(database)

    def press(person: int, arrival: int) -> asyncio.Task[Registered | Refused]:
        return asyncio.create_task(
            registrations.register(database, event_id, person, name="Имя", now=NOW, arrival=arrival)
        )

    # Anna pressed first, but her answer is still being read when Boris's reaches the desk.
    desk.expect(501)
    boris_press = press(boris, 502)
    await asyncio.sleep(0.2)
    assert not boris_press.done(), "Boris waits for Anna"
    anna_place = await press(anna, 501)
    boris_place = await boris_press
    assert isinstance(anna_place, Registered)
    assert isinstance(boris_place, Registered)
    assert anna_place.place.status is RegistrationStatus.CONFIRMED
    assert boris_place.place.position == 1
    # Someone whose answer was refused (a name too short) asks for nothing: Vera goes on.
    desk.expect(503)
    vera_press = press(vera, 504)
    await asyncio.sleep(0.05)
    desk.withdraw(503)
    vera_place = await asyncio.wait_for(vera_press, 5)
    assert isinstance(vera_place, Registered)
    assert vera_place.place.position == 2


async def test_an_earlier_press_that_never_asks_holds_nobody_for_long(database: Database) -> None:
    event_id = await _event(database, seats=1)
    (anna,) = await _people(database, 1)
    desk_for(database).expect(700)  # its handler failed before it could say so
    started = time.monotonic()
    place = await registrations.register(
        database, event_id, anna, name="Анна", now=NOW, arrival=701
    )
    assert isinstance(place, Registered)
    assert time.monotonic() - started < PATIENCE + 1.0


async def test_a_request_that_fails_does_not_cost_the_others_their_places(
    database: Database,
) -> None:
    event_id = await _event(database, seats=2)
    anna, boris = await _people(database, 2)
    nobody = 999_999  # no such person: the insert fails on its foreign key

    async def press(person: int) -> Registered | Refused:
        return await registrations.register(database, event_id, person, name="Имя", now=NOW)

    anna_place, lost, boris_place = await asyncio.gather(
        press(anna), press(nobody), press(boris), return_exceptions=True
    )
    assert isinstance(lost, Exception)
    assert isinstance(anna_place, Registered)
    assert isinstance(boris_place, Registered)
    assert {anna_place.place.status, boris_place.place.status} == {RegistrationStatus.CONFIRMED}
    async with database.transaction() as session:
        taken = await session.scalar(text(f"SELECT taken FROM events WHERE id = {event_id}"))
    assert taken == 2, "the failed request took no seat"


async def test_a_second_press_in_the_same_moment_gets_the_same_place(database: Database) -> None:
    event_id = await _event(database, seats=1)
    (anna,) = await _people(database, 1)
    first, second = await asyncio.gather(
        registrations.register(database, event_id, anna, name="Анна", now=NOW),
        registrations.register(database, event_id, anna, name="Анна", now=NOW),
    )
    assert isinstance(first, Registered)
    assert isinstance(second, Registered)
    assert first.place.id == second.place.id
    assert {first.existing, second.existing} == {False, True}


async def test_a_seat_asked_for_inside_a_transaction_does_not_wait_for_itself(
    database: Database,
) -> None:
    event_id = await _event(database, seats=1)
    (anna,) = await _people(database, 1)
    async with database.transaction() as session:
        await session.execute(select(1))
        result = await asyncio.wait_for(
            registrations.register(database, event_id, anna, name="Анна", now=NOW), 10
        )
    assert isinstance(result, Registered)
    assert result.place.status is RegistrationStatus.CONFIRMED


async def test_an_urgent_transaction_is_next_for_the_sqlite_writer(sqlite_db: Database) -> None:
    order: list[str] = []
    holding = asyncio.Event()
    release = asyncio.Event()

    async def first() -> None:
        async with sqlite_db.transaction():
            holding.set()
            await release.wait()
            order.append("first")

    async def write(name: str, urgent: bool) -> None:
        async with sqlite_db.transaction(urgent=urgent):
            order.append(name)

    holder = asyncio.create_task(first())
    await holding.wait()
    waiting = [
        asyncio.create_task(write("ordinary", False)),
        asyncio.create_task(write("another", False)),
        asyncio.create_task(write("seat", True)),
    ]
    await asyncio.sleep(0.05)
    release.set()
    await asyncio.gather(holder, *waiting)
    assert order == ["first", "seat", "ordinary", "another"]


# --- the ticket: drawn once, after the confirmation --------------------------------------


async def test_the_ticket_is_the_same_file_each_time_and_follows_the_confirmation(
    bot: RunningBot,
) -> None:
    event_id = await add_event(
        bot.db, "Открытое общение", ask_organisation=False, ask_contact=False
    )
    anna = await consented(bot, 6301, "Анна")
    await anna.send(f"/start event_{event_id}")
    await anna.click("Записаться")
    reply = await anna.send("Анна Петрова")
    methods = [c.method for c in reply.calls if c.method.startswith("send")]
    assert methods == ["sendMessage", "sendDocument", "sendPhoto"]
    assert "✅ Вы записаны!" in reply.messages[0].text
    await anna.send("📅 Мероприятия")
    await anna.click("Мои записи")
    again = await anna.click("Билет: Открытое общение")
    assert files_of(again) == files_of(reply)

    def content(r: Any, method: str, field: str) -> bytes:
        return next(c for c in r.calls if c.method == method).params[field]["content"]

    assert content(again, "sendPhoto", "photo") == content(reply, "sendPhoto", "photo")
    assert content(again, "sendDocument", "document") == content(reply, "sendDocument", "document")


# --- the conversation's state of many readers at once ------------------------------------


def _key(chat: int) -> StorageKey:
    return StorageKey(bot_id=1, chat_id=chat, user_id=chat)


async def test_many_conversations_written_at_once_share_transactions(database: Database) -> None:
    storage = DatabaseStorage(database)
    keys = [_key(c) for c in range(100)]
    assert {await storage.get_state(key) for key in keys} == {None}  # known: no read below
    writes: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.startswith("INSERT INTO fsm_states"):
            writes.append(statement)

    event.listen(database.engine.sync_engine, "before_cursor_execute", executed)
    try:
        await asyncio.gather(*(storage.set_state(key, "Form:name") for key in keys))
    finally:
        event.remove(database.engine.sync_engine, "before_cursor_execute", executed)
    # The first write goes at once, alone; the other 99 wait for it and go together.
    assert len(writes) <= 2, f"{len(writes)} writes for 100 conversations"
    fresh = DatabaseStorage(database)
    assert {await fresh.get_state(key) for key in keys} == {"Form:name"}


async def test_an_unhurried_write_is_read_at_once_and_committed_soon(database: Database) -> None:
    storage = DatabaseStorage(database)
    with unhurried():
        await storage.set_data(_key(5), {"catalogue_queries": {"1": "Мастер и Маргарита"}})
    assert await storage.get_data(_key(5)) == {"catalogue_queries": {"1": "Мастер и Маргарита"}}
    await storage.close()  # what is on its way is written first
    restarted = DatabaseStorage(database)
    assert await restarted.get_data(_key(5)) == {"catalogue_queries": {"1": "Мастер и Маргарита"}}
