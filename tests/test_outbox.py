"""Announcements reach every subscriber exactly once, through 429s, 5xx, blocks and crashes."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest
from sqlalchemy import select, update

from bot.transports.telegram import create_bot
from broadcasts.limits import RateLimiter
from broadcasts.sender import Sender
from storage import outbox, people, subscriptions
from storage.db import Database
from storage.outbox import (
    Audience,
    BroadcastStatus,
    Delivery,
    OutboxMessage,
    Report,
    Started,
    StartOutcome,
)
from tests.conftest import make_config
from tests.fakes.telegram_api import FakeTelegram

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# These stories are about delivery: no quiet hours, whatever the clock says.
ANY_HOUR = make_config(Path(__file__).parent, notifications={"quiet_hours": ""})


async def _start(db: Database, broadcast_id: int) -> Started:
    """Start an announcement the one way there is, as the scheduler does."""
    return await outbox.start(db, broadcast_id, config=ANY_HOUR, platforms=("telegram",))


async def _announced(db: Database, text: str) -> int:
    """An announcement to the «grants» subscribers, started."""
    broadcast = await outbox.create(
        db, text=text, audience=Audience(topic="grants"), scheduled_at=NOW
    )
    await _start(db, broadcast)
    return broadcast


async def _subscribers(db: Database, user_ids: list[int], topic: str = "grants") -> list[int]:
    ids = []
    for user_id in user_ids:
        person = await people.resolve(db, "telegram", str(user_id))
        await subscriptions.subscribe(db, person.id, [topic])
        ids.append(person.id)
    return ids


async def _statuses(db: Database, broadcast_id: int) -> Counter[str]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage.status).where(OutboxMessage.broadcast_id == broadcast_id)
        )
        return Counter(rows)


@pytest.fixture
async def sender_for(telegram: FakeTelegram, database: Database):  # type: ignore[no-untyped-def]
    bots = []
    reports: list[Report] = []

    async def report(found: Report) -> None:
        reports.append(found)

    def make(**options: object) -> Sender:
        bot = create_bot(telegram.token, api_server=telegram.base_url)
        bots.append(bot)
        options.setdefault("limiter", RateLimiter(1000.0, per_chat_interval=0))
        options.setdefault("retry_backoff", lambda attempt: timedelta(0))
        return Sender(database, bot, platform="telegram", on_report=report, **options)  # type: ignore[arg-type]

    make.reports = reports  # type: ignore[attr-defined]
    yield make
    for bot in bots:
        await bot.session.close()


async def test_audience_is_frozen_when_sending_starts(database: Database) -> None:
    await _subscribers(database, [1, 2, 3])
    await _subscribers(database, [4], topic="events")
    broadcast = await outbox.create(
        database, text="Грантовый конкурс", audience=Audience(topic="grants"), scheduled_at=NOW
    )
    assert (await _start(database, broadcast)).recipients == 3
    await _subscribers(database, [5])  # too late for this one
    again = await _start(database, broadcast)
    assert again.recipients == 0
    assert again.outcome is StartOutcome.NOT_SCHEDULED
    assert await _statuses(database, broadcast) == {Delivery.PENDING: 3}


async def test_every_subscriber_gets_it_once_and_staff_get_a_report(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(database, [11, 12, 13])
    broadcast = await outbox.create(
        database,
        text="Встреча НКО в четверг",
        audience=Audience(topic="grants"),
        scheduled_at=NOW,
        buttons=[{"text": "Подробнее", "url": "https://library.example/nko"}],
    )
    await _start(database, broadcast)
    sender = sender_for()
    assert await sender.drain() == 3
    assert sorted(telegram.delivered) == [(c, "Встреча НКО в четверг") for c in (11, 12, 13)]
    sent = telegram.calls_of("sendMessage")
    assert (
        sent[0].params["reply_markup"]["inline_keyboard"][0][0]["url"]
        == "https://library.example/nko"
    )
    assert await _statuses(database, broadcast) == {Delivery.SENT: 3}
    [report] = sender_for.reports
    assert report.counts == {Delivery.SENT: 3}
    assert await sender.drain() == 0  # nothing is sent twice


async def test_retry_after_pauses_the_sender_and_nothing_is_lost(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(database, [21, 22, 23])
    broadcast = await _announced(database, "Афиша")
    telegram.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    sender = sender_for(concurrency=1)
    started = asyncio.get_running_loop().time()
    while await sender.drain():
        pass
    assert asyncio.get_running_loop().time() - started >= 1.0  # the whole sender waited
    assert Counter(chat for chat, _ in telegram.delivered) == {21: 1, 22: 1, 23: 1}
    assert await _statuses(database, broadcast) == {Delivery.SENT: 3}


async def test_blocked_user_is_unsubscribed(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    person_ids = await _subscribers(database, [31, 32])
    telegram.blocked.add(32)
    broadcast = await _announced(database, "Новости")
    await sender_for().drain()
    assert await _statuses(database, broadcast) == {Delivery.SENT: 1, Delivery.BLOCKED: 1}
    assert await subscriptions.of(database, person_ids[1]) == set()
    assert await subscriptions.of(database, person_ids[0]) == {("grants", "")}


async def test_server_errors_are_retried_then_given_up(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(database, [41])
    broadcast = await _announced(database, "Повтор")
    telegram.fail_next("sendMessage", 502, "Bad Gateway")
    sender = sender_for()
    while await sender.drain():
        pass
    assert telegram.delivered == [(41, "Повтор")]
    assert await _statuses(database, broadcast) == {Delivery.SENT: 1}

    await _subscribers(database, [42])
    second = await _announced(database, "Сбой")
    for _ in range(10):
        telegram.fail_next("sendMessage", 500, "Internal Server Error")
    while await sender.drain():
        pass
    assert await _statuses(database, second) == {Delivery.FAILED: 2}


async def test_timeout_after_sending_is_unknown_and_not_resent(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(database, [51])
    broadcast = await _announced(database, "Медленно")
    telegram.slow["sendMessage"] = 2.0
    sender = sender_for()
    sender.bot.session.timeout = 0.3
    await sender.drain()
    assert await _statuses(database, broadcast) == {Delivery.UNKNOWN: 1}
    assert await sender.drain() == 0


async def test_restart_resumes_without_duplicates(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(database, [61, 62, 63, 64])
    broadcast = await _announced(database, "После сбоя")
    # A sender died: one row was sent, one was mid-send, one was claimed, one untouched.
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    async with database.transaction() as session:
        ids = list(await session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
        for row_id, status in zip(
            ids, (Delivery.SENT, Delivery.SENDING, Delivery.CLAIMED), strict=False
        ):
            await session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.id == row_id)
                .values(status=status, updated_at=long_ago)
            )
    sender = sender_for()
    await sender.recover()
    await sender.drain()
    assert sorted(chat for chat, _ in telegram.delivered) == [63, 64]
    assert await _statuses(database, broadcast) == {Delivery.SENT: 3, Delivery.UNKNOWN: 1}
    async with database.transaction() as session:
        status = await session.scalar(
            select(outbox.Broadcast.status).where(outbox.Broadcast.id == broadcast)
        )
    assert status == BroadcastStatus.DONE


async def test_rate_limiter_spaces_sends_and_honours_pauses() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(30.0, per_chat_interval=1.0, clock=lambda: now[0], sleep=sleep)
    starts = [await limiter.wait(f"chat{n}") for n in range(31)]
    gaps = [b - a for a, b in pairwise(starts)]
    assert min(gaps) >= 1 / 60 - 1e-9  # never a burst: at most twice the rate, to catch up
    # ... and never more than 30 in any window a little over a second: the 31st waits.
    assert starts[30] - starts[0] >= 1.03 - 1e-9
    assert sum(1 for t in starts if t < starts[0] + 1.0) == 30
    await limiter.wait("chat0")  # the same chat again: a second after its first send
    assert now[0] >= starts[0] + 1.0
    limiter.pause(5)
    paused_at = now[0]
    await limiter.wait("d")
    assert round(now[0] - paused_at, 3) == 5.0


async def test_a_refused_call_gives_its_turn_back() -> None:
    now = [0.0]

    async def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(2.0, per_chat_interval=0, clock=lambda: now[0], sleep=sleep)
    first = await limiter.wait("a")
    await limiter.wait("b")
    limiter.refund(first)  # «bot was blocked by the user»: nothing was sent
    third = await limiter.wait("c")
    assert third < 1.0  # did not wait for the window to pass
    fourth = await limiter.wait("d")
    assert fourth >= 1.03 - 1e-9  # two sent within the window: now it waits


async def test_due_announcements_wait_for_the_morning_unless_urgent(
    database: Database, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from broadcasts.announcements import start_due
    from tests.conftest import make_config

    config = make_config(tmp_path)
    await _subscribers(database, [71])
    night = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    calm = await outbox.create(
        database, text="Афиша недели", audience=Audience(topic="grants"), scheduled_at=night
    )
    urgent = await outbox.create(
        database,
        text="Библиотека закрыта завтра",
        audience=Audience(everyone=True),
        scheduled_at=night,
        urgent=True,
    )
    later = await outbox.create(
        database,
        text="Потом",
        audience=Audience(topic="grants"),
        scheduled_at=night + timedelta(days=1),
    )
    assert await start_due(database, config, platforms=("telegram",), now=night) == [urgent]
    morning = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    assert await start_due(database, config, platforms=("telegram",), now=morning) == [calm]
    assert await _statuses(database, later) == {}


async def test_starting_keeps_quiet_hours_whoever_starts_it(
    database: Database, tmp_path: Path
) -> None:
    """`outbox.start` is the only way an announcement starts, so no caller can skip the
    library's quiet hours (21:00–09:00 by default): one that is not urgent waits."""
    config = make_config(tmp_path)
    await _subscribers(database, [72])
    night = datetime(2026, 11, 23, 20, 30, tzinfo=UTC)  # 23:30 in Moscow
    calm = await outbox.create(
        database, text="Афиша недели", audience=Audience(topic="grants"), scheduled_at=night
    )
    urgent = await outbox.create(
        database, text="Закрыто", audience=Audience(topic="grants"), scheduled_at=night, urgent=True
    )
    waiting = await outbox.start(database, calm, config=config, platforms=("telegram",), now=night)
    morning = datetime(2026, 11, 24, 6, 0, tzinfo=UTC)  # 09:00 in Moscow
    assert waiting == Started(StartOutcome.WAITS, waits_until=morning)
    assert await _statuses(database, calm) == {}
    started = await outbox.start(
        database, urgent, config=config, platforms=("telegram",), now=night
    )
    assert started == Started(StartOutcome.STARTED, recipients=1)
    by_day = await outbox.start(database, calm, config=config, platforms=("telegram",), now=morning)
    assert by_day.recipients == 1


def test_each_refusal_means_one_thing_for_every_way_of_sending() -> None:
    from aiogram.exceptions import (
        TelegramBadRequest,
        TelegramForbiddenError,
        TelegramNetworkError,
        TelegramRetryAfter,
        TelegramServerError,
        TelegramUnauthorizedError,
    )
    from aiogram.methods import SendMessage

    from broadcasts.sender import Failure, Outcome, classify

    method = SendMessage(chat_id=1, text="Афиша")
    said = [
        (TelegramRetryAfter(method, "Too Many Requests", retry_after=3), Outcome.RETRY_AFTER),
        (TelegramForbiddenError(method, "bot was blocked by the user"), Outcome.BLOCKED),
        (TelegramBadRequest(method, "chat not found"), Outcome.REJECTED),
        (TelegramServerError(method, "Bad Gateway"), Outcome.UNREACHED),
        (TelegramNetworkError(method, "ClientConnectorError: refused"), Outcome.UNREACHED),
        (TelegramNetworkError(method, "Request timeout error"), Outcome.UNCERTAIN),
        (TelegramUnauthorizedError(method, "Unauthorized"), Outcome.REFUSED),
    ]
    for refusal, meaning in said:
        assert classify(refusal) == Failure(
            meaning, refusal.message, retry_after=getattr(refusal, "retry_after", 0)
        ), refusal
    assert classify(TelegramBadRequest(method, "x" * 400)).error == "x" * 300  # type: ignore[union-attr]
    assert classify(RuntimeError("a bug")) is None  # not the messenger's: never resent blindly
    # A 429 is the limit itself and a timeout may have arrived: those keep their turn.
    assert [o for o in Outcome if Failure(o, "").counted] == [
        Outcome.RETRY_AFTER,
        Outcome.UNCERTAIN,
    ]


async def test_finished_broadcast_is_reported_to_staff_and_logged(
    database: Database, telegram: FakeTelegram, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from bot.kernel.i18n import Locales
    from bot.kernel.messengers import Messengers
    from broadcasts.announcements import on_finished
    from storage.models import Activity, ActivityKind
    from tests.conftest import STAFF_CHAT_ID, make_config

    config = make_config(tmp_path)
    await _subscribers(database, [81, 82])
    telegram.blocked.add(82)
    broadcast = await outbox.create(
        database,
        text="Новые поступления",
        audience=Audience(topic="grants"),
        scheduled_at=NOW,
        author_name="Ольга",
    )
    await _start(database, broadcast)
    bot = create_bot(telegram.token, api_server=telegram.base_url)
    try:

        async def report(found: Report) -> None:
            await on_finished(
                database, Messengers.of(bot), Locales(), config, found, platform="telegram"
            )

        await Sender(database, bot, platform="telegram", on_report=report).drain()
    finally:
        await bot.session.close()
    [notice] = [c.text for c in telegram.calls_of("sendMessage") if c.chat_id == STAFF_CHAT_ID]
    assert "доставлено 1 из 2; заблокировали бота: 1" in notice
    async with database.transaction() as session:
        logged = await session.scalar(
            select(Activity).where(Activity.kind == ActivityKind.SERVICE_PROMOTION)
        )
    assert logged is not None
    assert (logged.content, logged.responsible) == ("Новые поступления", "Ольга")
    assert logged.notes == "blocked=1 sent=1"


async def test_a_recalled_broadcast_is_deleted_from_chats_and_the_rest_never_sent(
    database: Database, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(database, [31, 32, 33, 34])
    broadcast = await _announced(database, "Ошибочная рассылка")
    sender = sender_for()
    assert await sender.drain() == 4
    # One more row still waiting (sent later in real life), one message too old to delete.
    async with database.transaction() as session:
        rows = list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.broadcast_id == broadcast)
            )
        )
        rows[0].status = Delivery.PENDING
        rows[1].updated_at = datetime.now(UTC) - timedelta(days=3)
        telegram.undeletable.add(int(rows[2].message_id or 0))
    assert [r.id for r in await outbox.recent(database, datetime.now(UTC))] == [broadcast]
    taken_back = await outbox.request_recall(database, broadcast, datetime.now(UTC))
    assert taken_back == outbox.RecallRequest(to_delete=2, dropped=1, too_old=1)
    assert await outbox.request_recall(database, broadcast, datetime.now(UTC)) is None
    await sender.drain()
    assert len(telegram.deleted) == 1
    assert await _statuses(database, broadcast) == {
        Delivery.EXPIRED: 1,  # never sent
        Delivery.SENT: 1,  # older than the messenger allows to delete
        Delivery.UNRECALLED: 1,  # the messenger refused
        Delivery.RECALLED: 1,
    }
    assert await sender.drain() == 0  # nothing deleted or sent twice
    assert len(telegram.calls_of("sendMessage")) == 4


async def test_staff_recall_an_announcement_from_the_bot(
    bot, telegram: FakeTelegram, sender_for
) -> None:  # type: ignore[no-untyped-def]
    await _subscribers(bot.db, [41, 42])
    broadcast = await _announced(bot.db, "Не та дата!")
    await sender_for().drain()
    admin = bot.admin()
    await admin.send("/staff")
    reply = await admin.click("Запланированные рассылки")
    assert "Не та дата!" in reply.text
    await admin.click(f"Отозвать №{broadcast}")
    reply = await admin.click("Да, отозвать")
    assert "удаляю сообщений — 2" in reply.text
    await sender_for().drain()
    assert sorted(chat for chat, _ in telegram.deleted) == [41, 42]


async def test_nko_members_and_an_events_registrants_are_audiences(database: Database) -> None:
    from storage.events import registrations
    from storage.events.models import Registration, RegistrationStatus
    from storage.models import Consent, Person

    ids = {}
    for user_id, organisation in ((11, "АНО «Добро»"), (12, None), (13, "Фонд «Память»")):
        person = await people.resolve(database, "telegram", str(user_id))
        ids[user_id] = person.id
        async with database.transaction() as session:
            row = await session.get(Person, person.id)
            assert row is not None
            row.consent = Consent.GIVEN
            row.organisation = organisation
    nko = await outbox.create(
        database, text="Для НКО", audience=Audience(nko=True), scheduled_at=NOW
    )
    assert (await _start(database, nko)).recipients == 2

    event_id = await registrations.create_event(
        database, title="Семинар", kind="training", starts_at=NOW + timedelta(days=3), seats=1
    )
    for user_id in (11, 12, 13):
        await registrations.register(database, event_id, ids[user_id], name=str(user_id), now=NOW)
    async with database.transaction() as session:
        places = {
            person_id: (registration_id, status)
            for registration_id, person_id, status in await session.execute(
                select(Registration.id, Registration.person_id, Registration.status)
            )
        }
    assert places[ids[11]][1] == RegistrationStatus.CONFIRMED
    assert places[ids[13]][1] == RegistrationStatus.WAITLISTED
    # Who cancelled is no longer among those told about the event.
    await registrations.cancel(database, places[ids[12]][0], person_id=ids[12])
    registered = await outbox.create(
        database, text="Смена зала", audience=Audience(event_id=event_id), scheduled_at=NOW
    )
    assert (await _start(database, registered)).recipients == 2
    async with database.transaction() as session:
        told = set(
            await session.scalars(
                select(OutboxMessage.person_id).where(OutboxMessage.broadcast_id == registered)
            )
        )
    assert told == {ids[11], ids[13]}
    assert Audience.load(Audience(event_id=event_id).dump()) == Audience(event_id=event_id)
    assert Audience.load('{"topic": "grants", "branch": "", "everyone": false}') == Audience(
        topic="grants"
    )


async def test_a_claim_another_sender_recovered_is_not_sent_by_the_first(
    database: Database,
) -> None:
    """A claim that waited longer than the lease went back to the pool and another sender
    took it: the first sender's «about to send» finds it is no longer theirs."""
    person = await people.resolve(database, "telegram", "77")
    broadcast = await outbox.create(
        database, text="Афиша", audience=Audience(everyone=True), scheduled_at=NOW
    )
    await _start(database, broadcast)
    [first] = await outbox.claim(database, "telegram", 10)
    await outbox.recover(database, "telegram", older_than=timedelta(seconds=-1))
    [second] = await outbox.claim(database, "telegram", 10)
    assert second.outbox_id == first.outbox_id
    assert person.id == first.person_id
    assert await outbox.begin_sending(database, [first]) == set()
    assert await outbox.begin_sending(database, [second]) == {second.outbox_id}
