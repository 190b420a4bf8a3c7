"""MAX beside Telegram and VK: broadcasts through the outbox within MAX's rate, the staff
chat as a MAX group chat, tickets issued in MAX, and `libbot run` serving MAX.

Everything goes through the real stacks: the aiogram Dispatcher fed by MAX's long poll,
the outbox sender, the transport's client and the fake MAX Bot API (tests/fakes/max_api.py);
`libbot run` is the installed command in a process of its own.
"""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.kernel.config import WEEKDAYS, Config, ConfigError, load_config
from bot.transports.max.polling import max_bot
from bot.transports.paced import pace_for
from broadcasts.pacing import Priority
from broadcasts.sender import Sender
from storage import outbox, people, subscriptions
from storage.db import Database
from storage.events.models import Registration
from storage.events.tickets import qr_png
from storage.outbox import Audience, Delivery, Notice, OutboxMessage
from storage.reports.charts import channel_mix
from storage.subscriptions import Subscription
from storage.types import utcnow
from tests.conftest import make_config
from tests.fakes.max_api import FakeMax
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk
from tests.harness import drain_outbox
from tests.max_harness import (
    MaxPerson,
    RunningMaxBot,
    StartMaxBot,
    max_server,
    max_settings,
    start_max_bot,
)
from tests.test_cli import clean_env, libbot, run_refused
from tests.test_events_bot import add_event

__all__ = ["max_server", "start_max_bot"]  # the fixtures these stories use

MAX_STAFF_CHAT = -70_000_000_001
MAX_ADMIN = 900_001
ALL_DAY = {day: "00:00-23:59" for day in WEEKDAYS}


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """Notices at any hour; consultations taken round the clock."""
    return make_config(
        tmp_path, notifications={"quiet_hours": ""}, consultations={"hours": ALL_DAY}
    )


async def consented(running: RunningMaxBot, user_id: int, name: str = "Анна") -> MaxPerson:
    reader = running.person(user_id, name)
    await reader.start()
    await reader.click("Согласен")
    return reader


# --- the [max] section -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"token": "short"}, "[max] token: expected the bot's token from @MasterBot in MAX"),
        ({"token": "a token with spaces in it"}, "[max] token: expected the bot's token"),
        ({"api_server": "platform-api2.max.ru"}, "[max] api_server: expected a base URL"),
        ({"mode": "push"}, "[max] mode: Input should be 'polling' or 'webhook'"),
        ({"mode": "webhook"}, "[max]: mode 'webhook' needs webhook_url = 'https://…'"),
        (
            {"mode": "webhook", "webhook_url": "https://bot.library.example/max"},
            "[max]: mode 'webhook' needs webhook_secret (set LIBBOT_MAX__WEBHOOK_SECRET)",
        ),
        ({"webhook_secret": "abc"}, "[max] webhook_secret: expected 5-256 characters"),
        ({"rate": 40}, "[max] rate: Input should be less than or equal to 30"),
        ({"tokn": "x"}, "[max] tokn: unknown key; expected one of: token, api_server"),
    ],
)
def test_a_max_config_mistake_is_named_in_one_line(
    tmp_path: Path, section: dict[str, object], expected: str
) -> None:
    with pytest.raises(ConfigError) as error:
        make_config(tmp_path, max=section)
    assert expected in str(error.value)
    assert "\n" not in str(error.value)


def test_max_staff_and_admins_are_named_like_the_others(tmp_path: Path) -> None:
    config = make_config(
        tmp_path,
        max={"token": "max-token-of-the-library-bot"},
        staff={"admins": ["max:900001", 42], "chat_id": -70_000_000_001, "chat_messenger": "max"},
    )
    assert config.staff.admins == ["max:900001", "telegram:42"]
    assert config.max.api_server == "https://platform-api2.max.ru"
    assert config.max.rate <= 30, "MAX asks for no more than 30 requests a second"


def test_the_report_counts_max_as_a_channel_of_its_own() -> None:
    chart = channel_mix({"telegram": 6, "vk": 3, "max": 1})
    assert ["MAX", 1, 10.0] in chart.rows


# --- broadcasts to MAX readers through the outbox -----------------------------------------


async def max_subscribers(db: Database, server: FakeMax, count: int, first: int) -> list[int]:
    """Readers who write to the bot in MAX and follow «events»."""
    ids = []
    for user_id in range(first, first + count):
        server.add_user(user_id, f"Читатель {user_id}")
        person = await people.resolve(db, "max", str(user_id))
        await subscriptions.toggle(db, person.id, "events")
        ids.append(user_id)
    return ids


def delivered(server: FakeMax) -> Counter[int]:
    """How many messages of the bot each reader's dialog shows."""
    return Counter(
        m["recipient"]["user_id"]
        for m in server.messages.values()
        if m["sender"]["user_id"] == server.bot_id and m["recipient"]["chat_type"] == "dialog"
    )


async def test_an_announcement_reaches_max_readers_within_the_rate_once_each(
    max_server: FakeMax, config: Config, database: Database
) -> None:
    """The MAX sender of `libbot run`: the bot's pacer at `[max] rate`, MAX counting calls
    a second. A reader who blocked the bot is unsubscribed, a 429 pauses the sender and the
    message still goes, an answer that never came leaves its row «unknown», never resent."""
    readers = await max_subscribers(database, max_server, 40, first=30_000)
    max_server.blocked.add(readers[5])
    max_server.rate_limit = 30  # MAX's «30 rps»: more in a second is refused with 429
    max_server.fail_next("POST /messages", 429, retry_after=1)
    max_server.hang_next("POST /messages")  # this request goes out and no answer comes
    cfg = config.model_copy(update={"max": max_settings(max_server, timeout_seconds=1)})
    broadcast = await outbox.create(
        database,
        text="<b>Лекция</b> в субботу",
        audience=Audience(topic="events"),
        scheduled_at=utcnow(),
        buttons=[{"text": "Подробнее", "url": "https://library.example/lecture"}],
    )
    started = await outbox.start(database, broadcast, config=cfg, platforms=("max",))
    assert started.recipients == 40
    bot = max_bot(cfg.max)
    sender = Sender(
        database,
        bot,
        platform="max",
        limiter=pace_for(bot, "max", cfg).lane(Priority.BULK),
        retry_backoff=lambda _attempt: timedelta(0),
    )
    began = time.monotonic()
    await sender.drain()
    took = time.monotonic() - began
    await sender.drain()  # a second pass finds nothing to resend
    await bot.session.close()

    async with database.transaction() as session:
        states = Counter(await session.scalars(select(OutboxMessage.status)))
        following = await session.scalar(select(func.count()).select_from(Subscription))
    assert states == {Delivery.SENT: 38, Delivery.BLOCKED: 1, Delivery.UNKNOWN: 1}
    assert following == 39, "whoever blocked the bot is unsubscribed"
    got = delivered(max_server)
    assert max(got.values()) == 1, "nobody got it twice"
    assert sum(got.values()) == 38
    assert readers[5] not in got
    # 40 rows: 38 delivered, one refused as blocked, one unanswered, one 429 — and not a
    # single 429 from MAX's own count of calls a second.
    assert len(max_server.calls_of("POST /messages")) == 41
    stamps = sorted(
        m["timestamp"] / 1000
        for m in max_server.messages.values()
        if m["sender"]["user_id"] == max_server.bot_id
    )
    # Paced at [max] rate when they start; a busy machine may bunch their arrival a little,
    # never past MAX's 30 a second.
    busiest = max(sum(1 for t in stamps if s <= t < s + 1.0) for s in stamps)
    assert busiest <= 30
    assert took >= (len(stamps) - 1) / (cfg.max.rate * 1.1), "no faster than [max] rate"
    sent = max_server.calls_of("POST /messages")
    assert sent[0].body["format"] == "html", "the bot's markup is kept"
    [keyboard] = [a for a in sent[0].attachments if a["type"] == "inline_keyboard"]
    assert keyboard["payload"]["buttons"][0][0]["url"] == "https://library.example/lecture"


# --- the staff chat in MAX ----------------------------------------------------------------


def max_staff_config(tmp_path: Path) -> Config:
    return make_config(
        tmp_path,
        notifications={"quiet_hours": ""},
        consultations={"hours": ALL_DAY},
        staff={"admins": [f"max:{MAX_ADMIN}"], "chat_id": MAX_STAFF_CHAT, "chat_messenger": "max"},
    )


async def test_a_consultation_card_in_a_max_staff_chat_is_answered_there(
    start_max_bot: StartMaxBot, tmp_path: Path
) -> None:
    """`[staff] chat_messenger = "max"`: the card and its buttons go to a MAX group chat,
    an admin takes the request with the card's button, and a reply to the card is the
    answer, which reaches the reader in MAX."""
    running = await start_max_bot(max_staff_config(tmp_path))
    running.server.add_chat(MAX_STAFF_CHAT)
    anna = await consented(running, 6601)
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    await anna.click("Ответить здесь, в чате")
    await anna.click("Вечером")
    await drain_outbox(running.db, running.bot, "max")
    maria = running.person(MAX_ADMIN, "Мария")
    await maria.start()
    [card] = maria.shown(MAX_STAFF_CHAT)
    assert "Новое обращение" in card["body"]["text"]
    assert "Анна Петрова" in card["body"]["text"]
    assert "Нужно ли НКО на УСН сдавать баланс?" in card["body"]["text"]
    reply = await maria.click("Взять", in_chat=MAX_STAFF_CHAT)
    assert any("теперь ваше" in alert for alert in reply.alerts)
    assert "в работе" in maria.shown(MAX_STAFF_CHAT)[0]["body"]["text"]

    answer = "Да, упрощённую бухгалтерскую отчётность сдают все НКО."
    said = await maria.send_in_chat(MAX_STAFF_CHAT, answer, reply_to=card["body"]["mid"])
    assert "Ответ отправлен" in said.text
    await drain_outbox(running.db, running.bot, "max")
    assert any(answer in m["body"]["text"] for m in anna.shown())
    assert not running.telegram.calls_of("sendMessage"), "nothing went to Telegram"


async def test_a_reader_replying_in_the_max_staff_chat_changes_nothing(
    start_max_bot: StartMaxBot, tmp_path: Path
) -> None:
    """Only staff answer: a reader who is in the chat and replies to a card is told so."""
    running = await start_max_bot(max_staff_config(tmp_path))
    running.server.add_chat(MAX_STAFF_CHAT)
    anna = await consented(running, 6602)
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    await anna.send("Как вести учёт пожертвований?")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    await anna.click("Ответить здесь, в чате")
    await anna.click("Вечером")
    await drain_outbox(running.db, running.bot, "max")
    [card] = anna.shown(MAX_STAFF_CHAT)
    said = await anna.send_in_chat(MAX_STAFF_CHAT, "Сама отвечу", reply_to=card["body"]["mid"])
    assert "Ответ отправлен" not in said.text
    await drain_outbox(running.db, running.bot, "max")
    assert not any("Сама отвечу" in m["body"]["text"] for m in anna.shown())


# --- tickets issued in MAX ----------------------------------------------------------------


async def test_a_ticket_issued_in_max_holds_a_max_deep_link(
    start_max_bot: StartMaxBot, config: Config
) -> None:
    """The QR ticket staff scan at the door opens the MAX bot, not Telegram's."""
    running = await start_max_bot(config)
    await add_event(running.db, questions="[]")
    anna = await consented(running, 6003)
    await anna.send("📅 Мероприятия")
    await anna.click("1. Открытое общение")
    await anna.click("Записаться")
    await anna.send("Анна Петрова")
    await anna.click("Частное лицо")
    reply = await anna.send("8 (900) 123-45-67")
    assert "✅ Вы записаны!" in reply.text
    [qr] = [data for kind, _name, data in reply.files if kind == "image"]
    async with running.db.transaction() as session:
        ticket = await session.scalar(select(Registration.ticket))
    link = f"https://max.ru/{running.server.username}?start=ticket_{ticket}"
    assert qr == qr_png(link)
    assert qr != qr_png(f"https://t.me/{running.server.username}?start=ticket_{ticket}")


# --- `libbot run` ---------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def until(check: object, process: asyncio.subprocess.Process, seconds: float = 30) -> None:
    """Wait for `check()` to hold while `libbot run` is still running."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.returncode is None:
        if check():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)


async def waiting_notice(config: Config, *, max_user: int) -> None:
    """A notice for a MAX reader waiting in the outbox of `config`'s database."""
    db = Database(config.database_url)
    await db.upgrade()
    person = await people.resolve(db, "max", str(max_user))
    await outbox.enqueue(
        db,
        [
            Notice(
                platform="max",
                chat_id=str(max_user),
                person_id=person.id,
                text="Книга ждёт вас до пятницы",
                purpose="test",
                dedupe_key="max-role-sender",
                expires_at=utcnow() + timedelta(hours=1),
            )
        ],
    )
    await db.dispose()


async def test_run_web_serves_three_messengers_and_the_sender_role_sends_to_max(
    telegram: FakeTelegram, vk: FakeVk, max_server: FakeMax, tmp_path: Path
) -> None:
    """`libbot run --role web` takes the updates of all three messengers, each reader's
    «start» answered in their own; `libbot run --role sender` beside it sends the outbox
    of all three, MAX's included. MAX in webhook mode: libbot subscribes with the secret
    and serves the URL's path on `[max] listen_port`; a request without the secret is
    refused, nobody long-polls MAX."""
    port = free_port()
    config = tmp_path / "config.toml"
    config.write_text(
        "[library]\nname = 'Библиотека в трёх мессенджерах'\n"
        f"[telegram]\ntoken = '{telegram.token}'\napi_server = '{telegram.base_url}'\n"
        f"[vk]\ntoken = '{vk.token}'\ngroup_id = {vk.group_id}\napi_server = '{vk.base_url}'\n"
        f"[max]\ntoken = '{max_server.token}'\napi_server = '{max_server.base_url}'\n"
        "mode = 'webhook'\nwebhook_url = 'https://bot.library.example/max'\n"
        f"webhook_secret = 'max-secret-1'\nlisten_port = {port}\n",
        encoding="utf-8",
    )
    await waiting_notice(load_config(config), max_user=46)
    process, sender = [
        await asyncio.create_subprocess_exec(
            *libbot(),
            "run",
            "--config",
            str(config),
            "--role",
            role,
            stderr=asyncio.subprocess.PIPE,
            env=clean_env(tmp_path),
        )
        for role in ("web", "sender")
    ]
    local = f"http://127.0.0.1:{port}/max"
    try:
        # Connected (VK delivers only what happens after that), however slow the start.
        await until(
            lambda: vk.longpoll_requests > 0 and max_server.subscription is not None, process, 90
        )
        assert max_server.subscription is not None
        assert max_server.subscription["url"] == "https://bot.library.example/max"
        assert max_server.subscription["secret"] == "max-secret-1"
        max_server.add_user(43, "Борис")
        update = max_server.updates[max_server.bot_started(43) - 1]
        status = 0
        for _ in range(200):  # the server is up a moment after subscribing
            try:
                status = await max_server.webhook_post(local, update)
                break
            except OSError:
                await asyncio.sleep(0.05)
        assert status == 200
        vk.add_user(42, "Анна")
        vk.message_new(42, "Начать", payload={"command": "start"})
        telegram.push(
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": 44, "type": "private"},
                    "from": {"id": 44, "is_bot": False, "first_name": "Вера"},
                    "text": "/start",
                },
            }
        )
        await until(
            lambda: (
                max_server.sent_to(43)
                and any(42 in c.peer_ids for c in vk.calls_of("messages.send"))
                and any(c.chat_id == 44 for c in telegram.calls_of("sendMessage"))
            ),
            process,
        )
        greeting = "Библиотека в трёх мессенджерах"
        assert any(greeting in c.text for c in max_server.sent_to(43))
        assert any(greeting in c.text for c in vk.calls_of("messages.send") if 42 in c.peer_ids)
        assert any(greeting in c.text for c in telegram.calls_of("sendMessage") if c.chat_id == 44)
        max_server.subscription["secret"] = "forged-secret"
        assert await max_server.webhook_post(local, update) == 401
        assert not max_server.calls_of("GET /updates"), "no long poll beside the webhook"
        await until(lambda: max_server.sent_to(46), sender)
        assert [c.text for c in max_server.sent_to(46)] == ["Книга ждёт вас до пятницы"]
    finally:
        for running in (process, sender):
            if running.returncode is None:
                running.send_signal(signal.SIGTERM)
        outputs = [await asyncio.wait_for(p.communicate(), 30) for p in (process, sender)]
    assert process.returncode == 0, outputs[0][1].decode()
    assert sender.returncode == 0, outputs[1][1].decode()


async def test_run_with_a_rejected_max_token_says_so_in_one_line(
    max_server: FakeMax, tmp_path: Path
) -> None:
    code, stderr = await run_refused(
        tmp_path,
        "[library]\nname = 'X'\n"
        f"[max]\ntoken = 'not-the-bots-token-at-all'\napi_server = '{max_server.base_url}'\n",
    )
    assert code == 2
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line == (
        "libbot: MAX rejected [max] token: check it with @MasterBot in MAX"
        " (or on the bot's page at business.max.ru)"
    )
