"""Registration benchmark: N people press «Записаться» for a hall of S seats at once,
through the real bot (aiogram, long polling) and a local fake Bot API.

    python bench/registration.py [--people 500] [--seats 65] [--database sqlite|postgresql|both]

Every person has consented; the event asks only for a name. All presses arrive at
once, then all names at once (the moment a seat is actually taken). Figures per
database: confirmed, waitlisted, duplicates (people with two places), positions
without gaps, whether the seats went to the first to press, and three latencies of the
name step, p50 / p99:

- `decision_ms`: from the update reaching the bot (the getUpdates answer that brought
  it) to its registration row committed — the seat decision;
- `seat_ms`: from the handler asking for the seat (`registrations.register`) to that
  commit — the decision itself, once the update has been read and the form checked;
- `reply_ms`: from the update reaching the bot to the bot's answer («Вы записаны» or the
  waiting list) arriving at the fake API;
- `latency_ms`: from the update being queued at the fake API to that answer (what a
  reader waits, polling included).

The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextvars
import json
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

POSTGRES_URL = os.environ.get(
    "LIBBOT_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
USER_BASE = 70_000_000


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def prepare(db_url: str, people: int, seats: int) -> int:
    from sqlalchemy import delete, insert, text

    from storage.db import Database
    from storage.events.models import Event, EventKind, Registration
    from storage.models import Activity, Consent, Person

    db = Database(db_url)
    await db.upgrade()
    now = datetime.now(UTC)
    async with db.transaction() as session:
        if db.dialect == "postgresql":
            await session.execute(text("TRUNCATE registrations, events RESTART IDENTITY CASCADE"))
        await session.execute(delete(Registration))
        await session.execute(delete(Activity))
        await session.execute(delete(Person).where(Person.platform_user_id.like("70%")))
        await session.execute(
            insert(Person),
            [
                {
                    "platform": "telegram",
                    "platform_user_id": str(USER_BASE + i),
                    "language": "ru",
                    "consent": Consent.GIVEN,
                    "consent_at": now,
                    "display_name": f"Участник {i}",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for i in range(people)
            ],
        )
        event = Event(
            title="Открытое общение",
            kind=EventKind.MEETUP,
            starts_at=now + timedelta(days=7),
            seats=seats,
            waitlist=True,
            ask_organisation=False,
            ask_contact=False,
        )
        session.add(event)
        await session.flush()
        event_id = event.id
    await db.dispose()
    return event_id


class Timeline:
    """When each update reached the bot and when its seat was decided (monotonic seconds).

    The arrival is taken from the getUpdates answer that brought the update (a request
    middleware of the bot's session), the decision from `registrations.register`
    returning — after its transaction committed — in the task handling that update."""

    def __init__(self) -> None:
        self.arrived: dict[int, float] = {}  # update id → reached the bot
        self.asked: dict[int, float] = {}  # update id → the handler asked for the seat
        self.decided: dict[int, float] = {}  # update id → registration committed
        self.handling: contextvars.ContextVar[int | None] = contextvars.ContextVar(
            "bench_update", default=None
        )

    async def on_request(self, make_request: Any, bot: Any, method: Any) -> Any:
        from aiogram.methods import GetUpdates

        result = await make_request(bot, method)
        if isinstance(method, GetUpdates):
            now = time.monotonic()
            for update in result:
                self.arrived.setdefault(update.update_id, now)
        return result

    async def on_update(
        self, handler: Callable[[Any, dict[str, Any]], Awaitable[Any]], event: Any, data: Any
    ) -> Any:
        self.handling.set(event.update_id)
        return await handler(event, data)

    def watch(self, register: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
        async def timed(*args: Any, **kwargs: Any) -> Any:
            update_id = self.handling.get()
            if update_id is not None:
                self.asked.setdefault(update_id, time.monotonic())
            result = await register(*args, **kwargs)
            if update_id is not None:
                self.decided.setdefault(update_id, time.monotonic())
            return result

        return timed


def _user(i: int) -> dict[str, object]:
    return {"id": USER_BASE + i, "is_bot": False, "first_name": f"Участник {i}"}


async def run(db_url: str, people: int, seats: int) -> dict[str, object]:
    from sqlalchemy import func, select

    from bot.app import build_dispatcher
    from bot.kernel.config import parse_config
    from bot.kernel.i18n import Locales
    from bot.transports.telegram import create_bot, run_polling
    from storage.db import Database
    from storage.events import registrations
    from storage.events.models import Registration, RegistrationStatus
    from storage.models import Person
    from tests.fakes.telegram_api import FakeTelegram

    event_id = await prepare(db_url, people, seats)
    config = parse_config(
        {
            "library": {"name": "Бенчмарк", "branches": [{"id": "central", "name": "ЦБ"}]},
            "limits": {"burst": 1000, "per_second": 100},
        },
        source="bench",
        base_dir=Path(tempfile.gettempdir()),
    )
    api = await FakeTelegram().start()
    db = Database(db_url)
    locales = Locales()
    dp = build_dispatcher(config, db, locales)
    bot = create_bot(api.token, api_server=api.base_url)
    timeline = Timeline()
    bot.session.middleware(timeline.on_request)
    dp.update.outer_middleware(timeline.on_update)
    register = registrations.register
    registrations.register = timeline.watch(register)  # type: ignore[assignment]
    polling = asyncio.create_task(
        run_polling(dp, bot, locales, handle_signals=False, handle_as_tasks=True, polling_timeout=1)
    )

    async def replies(marker: str, expected: int, limit: float = 120.0) -> dict[int, float]:
        """chat id → when the first reply containing `marker` arrived."""
        deadline = time.monotonic() + limit
        while True:
            seen: dict[int, float] = {}
            for call in api.calls:
                if call.method == "sendMessage" and marker(call.text) and call.chat_id:  # type: ignore[operator]
                    seen.setdefault(call.chat_id, call.at)
            if len(seen) >= expected or time.monotonic() > deadline:
                return seen
            await asyncio.sleep(0.05)

    try:
        for i in range(people):
            chat = {"id": USER_BASE + i, "type": "private", "first_name": f"Участник {i}"}
            api.push(
                {
                    "update_id": api.next_update_id(),
                    "callback_query": {
                        "id": str(i),
                        "from": _user(i),
                        "chat_instance": str(i),
                        "message": {
                            "message_id": 1,
                            "date": int(time.time()),
                            "chat": chat,
                            "from": {"id": 1, "is_bot": True, "first_name": "Library"},
                            "text": "…",
                        },
                        "data": f"ev:reg:{event_id}:::0",
                    },
                }
            )
        asked = await replies(lambda t: "Как вас зовут" in t, people)  # type: ignore[arg-type]
        sent_at: dict[int, float] = {}
        name_update: dict[int, int] = {}  # chat → the update with the name (the press)
        for i in range(people):
            chat = {"id": USER_BASE + i, "type": "private", "first_name": f"Участник {i}"}
            sent_at[USER_BASE + i] = time.monotonic()
            name_update[USER_BASE + i] = update_id = api.next_update_id()
            api.push(
                {
                    "update_id": update_id,
                    "message": {
                        "message_id": 100 + i,
                        "date": int(time.time()),
                        "chat": chat,
                        "from": _user(i),
                        "text": f"Участник Номер {i}",
                    },
                }
            )
        started = time.monotonic()
        answered = await replies(
            lambda t: "Вы записаны" in t or "листе ожидания" in t,  # type: ignore[arg-type]
            people,
        )
        wall = time.monotonic() - started
        # The tickets follow the confirmations (paced like every message): the bot stops
        # once they are out, not with handlers still sending.
        await replies(lambda t: "Ваш билет" in t, min(seats, people))  # type: ignore[arg-type]
    finally:
        registrations.register = register  # type: ignore[assignment]
        await dp.stop_polling()
        await polling
        await bot.session.close()
        await api.stop()
    latencies = [(answered[c] - sent_at[c]) * 1000 for c in answered if c in sent_at]
    arrived = timeline.arrived
    decisions = [
        (timeline.decided[u] - arrived[u]) * 1000
        for u in name_update.values()
        if u in timeline.decided and u in arrived
    ]
    seat_times = [
        (timeline.decided[u] - timeline.asked[u]) * 1000
        for u in name_update.values()
        if u in timeline.decided and u in timeline.asked
    ]
    reply_times = [
        (answered[c] - arrived[u]) * 1000
        for c, u in name_update.items()
        if c in answered and u in arrived
    ]
    async with db.transaction() as session:
        statuses = dict(
            (
                await session.execute(
                    select(Registration.status, func.count()).group_by(Registration.status)
                )
            ).all()
        )
        duplicates = await session.scalar(
            select(func.count()).select_from(
                select(Registration.person_id)
                .group_by(Registration.person_id)
                .having(func.count() > 1)
                .subquery()
            )
        )
        queued = list(
            await session.scalars(
                select(Registration.queued_at)
                .where(Registration.status == RegistrationStatus.WAITLISTED)
                .order_by(Registration.queued_at)
            )
        )
        rows = (
            await session.execute(
                select(Person.platform_user_id, Registration.status, Registration.queued_at)
                .join(Person, Person.id == Registration.person_id)
                .where(Registration.event_id == event_id)
            )
        ).all()
    await db.dispose()
    # Press order: the order the names were sent in (update ids). The seats go to the
    # first `seats` of them, and the waiting list keeps the same order.
    pressed = sorted(name_update, key=name_update.__getitem__)
    status_of = {int(chat): status for chat, status, _ in rows}
    confirmed_chats = {c for c, s in status_of.items() if s == RegistrationStatus.CONFIRMED}
    waiting = sorted(
        (queued_at, int(chat))
        for chat, status, queued_at in rows
        if status == RegistrationStatus.WAITLISTED
    )
    in_press_order = confirmed_chats == set(pressed[:seats]) and [c for _, c in waiting] == [
        c for c in pressed if status_of.get(c) == RegistrationStatus.WAITLISTED
    ]
    out_of_order = len(confirmed_chats - set(pressed[:seats]))
    return {
        "people": people,
        "seats": seats,
        "asked": len(asked),
        "answered": len(answered),
        "confirmed": statuses.get(RegistrationStatus.CONFIRMED, 0),
        "waitlisted": statuses.get(RegistrationStatus.WAITLISTED, 0),
        "duplicates": int(duplicates or 0),
        "waitlist_distinct_order": len(set(queued)) == len(queued),
        "in_press_order": in_press_order,
        "seats_out_of_press_order": out_of_order,
        "decided": len(decisions),
        "decision_ms_p50": round(percentile(decisions, 0.50), 1) if decisions else None,
        "decision_ms_p99": round(percentile(decisions, 0.99), 1) if decisions else None,
        "seat_ms_p50": round(percentile(seat_times, 0.50), 1) if seat_times else None,
        "seat_ms_p99": round(percentile(seat_times, 0.99), 1) if seat_times else None,
        "reply_ms_p50": round(percentile(reply_times, 0.50), 1) if reply_times else None,
        "reply_ms_p99": round(percentile(reply_times, 0.99), 1) if reply_times else None,
        "latency_ms_p50": round(percentile(latencies, 0.50), 1) if latencies else None,
        "latency_ms_p99": round(percentile(latencies, 0.99), 1) if latencies else None,
        "latency_ms_max": round(max(latencies), 1) if latencies else None,
        "wall_s": round(wall, 2),
    }


async def postgres_reachable() -> bool:
    from sqlalchemy import text

    from storage.db import Database

    db = Database(POSTGRES_URL)
    try:
        async with db.engine.connect() as conn:
            await conn.execute(text("select 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not available here"
        return False
    finally:
        await db.dispose()


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument("--seats", type=int, default=65)
    parser.add_argument("--database", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    results: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        if args.database in ("sqlite", "both"):
            url = f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"
            results["sqlite"] = await run(url, args.people, args.seats)
            print("sqlite:", results["sqlite"])
        if args.database in ("postgresql", "both"):
            if await postgres_reachable():
                results["postgresql"] = await run(POSTGRES_URL, args.people, args.seats)
                print("postgresql:", results["postgresql"])
            else:
                print(f"postgresql: not reachable at {POSTGRES_URL}, skipped")
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
