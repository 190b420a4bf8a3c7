"""Throughput benchmark: simulated readers talking to the bot through its webhook.

    python bench/throughput.py [--users 200] [--rate 100] [--seconds 15] [--quick]
    python bench/throughput.py --kinds [--readers 20] [--seconds 10] [--quick]

A local fake Bot API records when each reply arrives; simulated readers POST updates to
the bot's webhook (one `libbot run` process, or two behind a round-robin balancer as a
reverse proxy would spread them) and the latency of an update is the time from its POST
to the bot's reply reaching the fake API. Readers ask what readers ask: the library's
addresses and hours, and the catalogue (a search over the demo catalogue).

Scenarios: an echo bot on the same harness (aiogram alone: the ceiling), then libbot
with 1 and 2 processes on SQLite and on PostgreSQL (2 processes share Redis for the
conversation state and the once-only update claim). For each: the most updates a second
the bot answers with 50 readers writing as fast as they are answered (closed loop), and
at a steady `--rate` updates a second (open loop) the latency p50/p99. The last line
printed is one JSON object with every figure and each scenario's ratio to the echo bot.

`--kinds`: the cost of one kind of question at a time. `--readers` readers (20) who
have consented ask, each as soon as answered, for `--seconds` the same kind of question:
«ℹ️ О библиотеке» (a menu button: no search), a title the catalogue holds, and a title it
does not hold — the catalogue miss: the front door, the search, its typo fallback, the
question remembered in the conversation's state for «Оставить заявку». Per kind, for
libbot ×1 on SQLite (and PostgreSQL unless `--quick`): answers a second, p50 and p99.
The bot's own pacing (one message a second per chat, 30 a second in all) is switched off
in this mode, in the bot's process only: it measures what the bot does before it
answers, not the messenger's limits (bench/burst.py measures those).

For each database a reference runs too, «echo + 1 read + log»: the echo bot that before
answering reads once (`SELECT 1` on a connection of SQLAlchemy's async engine — the cheapest
read that layer allows; libbot's reads go through an ORM session, which costs more) and
after it writes the activity row every interaction must leave. It is the least a bot on this stack can do for a reader, so its
ratio bounds what libbot — which also searches the catalogue, keeps the conversation
state and checks who is asking — can reach on the same machine.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict, deque
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

TOKEN = "4242:BENCH-throughput"
SECRET = "bench-secret"
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
QUESTIONS = ("ℹ️ О библиотеке", "Мастер и Маргарита", "роман", "Пушкин", "ℹ️ О библиотеке")
CLOSED_LOOP_READERS = 50
# --kinds: what each kind of question sends (readers take turns through the list).
KINDS = {
    "about": ("ℹ️ О библиотеке",),
    "catalogue_hit": ("Мастер и Маргарита", "Пушкин", "Евгений Онегин"),
    "catalogue_miss": (
        "Сто лет одиночества",
        "Над пропастью во ржи",
        "Убить пересмешника",
        "Хроники Нарнии",
        "Гордость и предубеждение",
    ),
}
CHAT_BASE = 5_000_000
KIND_READERS_BASE = CHAT_BASE + 300_000
REPLY_TIMEOUT = 10.0  # seconds; a reply later than this counts as none


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class FakeBotApi:
    """Just enough Bot API for a bot behind a webhook; remembers when each chat was answered."""

    def __init__(self) -> None:
        self.replies: dict[int, deque[float]] = defaultdict(deque)
        self.waiting: dict[int, asyncio.Future[float]] = {}
        self.message_ids = itertools.count(1)
        self.runner: web.AppRunner | None = None
        self.url = ""

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self.handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        port = free_port()
        await web.TCPSite(self.runner, "127.0.0.1", port).start()
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = dict(request.query)
        if request.can_read_body:
            if request.content_type == "application/json":
                params.update(await request.json())
            else:
                params.update(await request.post())
        if method == "getMe":
            result: Any = {"id": 4242, "is_bot": True, "first_name": "Bench", "username": "bench"}
        elif method in ("sendMessage", "sendPhoto", "sendDocument", "editMessageText"):
            chat = int(params["chat_id"])
            now = time.perf_counter()
            future = self.waiting.pop(chat, None)
            if future is not None and not future.done():
                future.set_result(now)
            result = {
                "message_id": next(self.message_ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "text": str(params.get("text") or "…"),
            }
        else:  # setWebhook, setMyCommands, answerCallbackQuery, …
            result = True
        return web.json_response({"ok": True, "result": result})

    def expect(self, chat: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiting[chat] = future
        return future


class Bots:
    """One or two bot processes behind a round-robin balancer."""

    def __init__(self, ports: list[int]) -> None:
        self.urls = itertools.cycle([f"http://127.0.0.1:{p}/hook" for p in ports])
        self.update_ids = itertools.count(1)
        self.http: aiohttp.ClientSession | None = None

    async def press(self, chat: int, data: str) -> None:
        """A button press under a message of the bot's."""
        user = {"id": chat, "is_bot": False, "first_name": "Чит", "language_code": "ru"}
        update = {
            "update_id": next(self.update_ids),
            "callback_query": {
                "id": str(next(self.update_ids)),
                "from": user,
                "chat_instance": str(chat),
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": chat, "type": "private"},
                    "from": {"id": 4242, "is_bot": True, "first_name": "Bench"},
                    "text": "…",
                },
            },
        }
        await self._send(update)

    async def post(self, chat: int, text: str) -> None:
        update = {
            "update_id": next(self.update_ids),
            "message": {
                "message_id": next(self.update_ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private"},
                "from": {"id": chat, "is_bot": False, "first_name": "Чит", "language_code": "ru"},
                "text": text,
            },
        }
        await self._send(update)

    async def _send(self, update: dict[str, Any]) -> None:
        assert self.http is not None
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        async with self.http.post(next(self.urls), json=update, headers=headers) as response:
            await response.read()


async def ask(api: FakeBotApi, bots: Bots, chat: int, text: str) -> float:
    """One update and the time until its reply (seconds); inf when none came in time."""
    answered = api.expect(chat)
    sent = time.perf_counter()
    await bots.post(chat, text)
    try:
        return await asyncio.wait_for(answered, REPLY_TIMEOUT) - sent
    except TimeoutError:
        return float("inf")


async def closed_loop(api: FakeBotApi, bots: Bots, seconds: float) -> float:
    """Updates answered per second with readers who write as soon as they are answered."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def reader(chat: int) -> None:
        nonlocal done
        for question in itertools.cycle(QUESTIONS):
            if time.perf_counter() >= deadline:
                return
            if await ask(api, bots, chat, question) != float("inf"):
                done += 1

    started = time.perf_counter()
    await asyncio.gather(*(reader(CHAT_BASE + n) for n in range(CLOSED_LOOP_READERS)))
    return done / (time.perf_counter() - started)


async def open_loop(
    api: FakeBotApi, bots: Bots, *, users: int, rate: float, seconds: float
) -> dict[str, float]:
    """Updates at a steady rate, each from the next reader in turn; latency percentiles."""
    latencies: list[float] = []
    tasks = []
    questions = itertools.cycle(QUESTIONS)
    chats = itertools.cycle(range(CHAT_BASE + 100_000, CHAT_BASE + 100_000 + users))
    start = time.perf_counter()
    for n in range(int(rate * seconds)):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        tasks.append(asyncio.create_task(ask(api, bots, next(chats), next(questions))))
    latencies = list(await asyncio.gather(*tasks))
    answered = sorted(x for x in latencies if x != float("inf"))
    elapsed = time.perf_counter() - start
    if not answered:
        return {"answered": 0, "p50_ms": float("inf"), "p99_ms": float("inf")}
    p99 = answered[min(len(answered) - 1, int(len(latencies) * 0.99))]
    return {
        "offered_per_s": round(rate, 1),
        "answered_per_s": round(len(answered) / elapsed, 1),
        "unanswered": len(latencies) - len(answered),
        "p50_ms": round(statistics.median(answered) * 1000, 1),
        "p99_ms": round(p99 * 1000, 1) if len(answered) == len(latencies) else float("inf"),
    }


def write_config(folder: Path, api: str, port: int, database_url: str, redis: str | None) -> Path:
    path = folder / f"bot-{port}.toml"
    lines = [
        "[library]",
        "name = 'Библиотека (бенчмарк)'",
        "timezone = 'Europe/Moscow'",
        "[[library.branches]]",
        "id = 'central'",
        "name = 'Центральная библиотека'",
        "address = 'ул. Ленина, 1'",
        "codes = ['ЦБ', 'central']",
        "[database]",
        f"url = '{database_url}'",
        "[telegram]",
        f"token = '{TOKEN}'",
        f"api_server = '{api}'",
        "mode = 'webhook'",
        "webhook_url = 'https://bench.library.example/hook'",
        f"webhook_secret = '{SECRET}'",
        f"listen_port = {port}",
        "[limits]",
        "burst = 1000",
        "per_second = 100",
        "[logging]",
        "level = 'WARNING'",
    ]
    if redis:
        lines += ["[redis]", f"url = '{redis}'"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def prepare_database(url: str) -> None:
    from bot.demo import seed_catalogue
    from storage.db import Database

    db = Database(url)
    try:
        if db.dialect == "postgresql":
            from sqlalchemy import text

            async with db.engine.begin() as conn:
                await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
                await conn.execute(text("CREATE SCHEMA public"))
        await db.upgrade()
        await seed_catalogue(db)
    finally:
        await db.dispose()


async def ensure_postgres_database() -> str | None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(f"{POSTGRES}/test", isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            exists = await conn.scalar(
                text("SELECT 1 FROM pg_database WHERE datname = 'libbot_bench'")
            )
            if not exists:
                await conn.execute(text('CREATE DATABASE "libbot_bench"'))
    except Exception as exc:  # noqa: BLE001 - no server: the PostgreSQL runs are skipped
        print(f"PostgreSQL not available ({exc}); its scenarios are skipped")
        return None
    finally:
        await engine.dispose()
    return f"{POSTGRES}/libbot_bench"


async def flush_redis() -> None:
    from redis.asyncio import Redis

    client = Redis.from_url(REDIS)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def start_processes(command: list[list[str]]) -> list[asyncio.subprocess.Process]:
    processes = [
        await asyncio.create_subprocess_exec(*args, stderr=asyncio.subprocess.DEVNULL)
        for args in command
    ]
    return processes


async def wait_listening(ports: list[int]) -> None:
    async with aiohttp.ClientSession() as http:
        for port in ports:
            for _ in range(600):
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.05)
            else:
                raise RuntimeError(f"the bot on port {port} did not start")


async def stop_processes(processes: list[asyncio.subprocess.Process]) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 30)
        if process.returncode is None:
            process.kill()


async def scenario(
    name: str, commands: list[list[str]], ports: list[int], api: FakeBotApi, args: Any
) -> dict[str, Any]:
    processes = await start_processes(commands)
    try:
        await wait_listening(ports)
        bots = Bots(ports)
        connector = aiohttp.TCPConnector(limit=0)
        async with aiohttp.ClientSession(connector=connector) as http:
            bots.http = http
            # Every reader says hello once first: the consent question is not measured.
            for n in range(0, args.users, 50):
                await asyncio.gather(
                    *(
                        ask(api, bots, CHAT_BASE + 100_000 + m, "/start")
                        for m in range(n, min(n + 50, args.users))
                    )
                )
            await asyncio.gather(
                *(ask(api, bots, CHAT_BASE + m, "/start") for m in range(CLOSED_LOOP_READERS))
            )
            await asyncio.sleep(1.0)  # the greeting's second message arrives: not a reply
            throughput = await closed_loop(api, bots, args.seconds)
            steady = await open_loop(
                api, bots, users=args.users, rate=args.rate, seconds=args.seconds
            )
    finally:
        await stop_processes(processes)
    result = {"scenario": name, "updates_per_s": round(throughput, 1), **steady}
    print(json.dumps(result, ensure_ascii=False))
    return result


async def kinds_scenario(
    name: str, commands: list[list[str]], ports: list[int], api: FakeBotApi, args: Any
) -> dict[str, Any]:
    """Each kind of question on its own: `args.readers` consenting readers in a closed loop."""
    processes = await start_processes(commands)
    readers = [KIND_READERS_BASE + n for n in range(args.readers)]
    figures: dict[str, Any] = {"scenario": name, "readers": args.readers}
    try:
        await wait_listening(ports)
        bots = Bots(ports)
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
            bots.http = http
            await asyncio.gather(*(ask(api, bots, chat, "/start") for chat in readers))
            await asyncio.sleep(1.0)  # the greeting's second message: not a reply
            await asyncio.gather(*(bots.press(chat, "consent:yes") for chat in readers))
            await asyncio.sleep(1.5)  # the menu and the subscriptions' offer arrive
            for kind, texts in KINDS.items():
                figures[kind] = await kind_loop(api, bots, readers, texts, args.seconds)
                await asyncio.sleep(0.5)
    finally:
        await stop_processes(processes)
    print(json.dumps(figures, ensure_ascii=False))
    return figures


async def kind_loop(
    api: FakeBotApi, bots: Bots, readers: list[int], texts: tuple[str, ...], seconds: float
) -> dict[str, float]:
    latencies: list[float] = []
    deadline = time.perf_counter() + seconds

    async def reader(n: int, chat: int) -> None:
        for turn in itertools.count(n):
            if time.perf_counter() >= deadline:
                return
            latencies.append(await ask(api, bots, chat, texts[turn % len(texts)]))

    started = time.perf_counter()
    await asyncio.gather(*(reader(n, chat) for n, chat in enumerate(readers)))
    elapsed = time.perf_counter() - started
    answered = sorted(x for x in latencies if x != float("inf"))
    if not answered:
        return {"answers_per_s": 0.0, "unanswered": len(latencies)}
    return {
        "answers_per_s": round(len(answered) / elapsed, 1),
        "unanswered": len(latencies) - len(answered),
        "p50_ms": round(statistics.median(answered) * 1000, 1),
        "p99_ms": round(answered[min(len(answered) - 1, int(len(answered) * 0.99))] * 1000, 1),
    }


async def kinds_main(args: Any) -> None:
    api = FakeBotApi()
    await api.start()
    results: list[dict[str, Any]] = []
    unpaced = [sys.executable, __file__, "--unpaced-libbot"]
    try:
        with tempfile.TemporaryDirectory() as folder:
            databases = [("sqlite", f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}")]
            postgres = None if args.quick else await ensure_postgres_database()
            if postgres:
                databases.append(("postgresql", postgres))
            for kind, url in databases:
                await prepare_database(url)
                port = free_port()
                command = [[*unpaced, str(write_config(Path(folder), api.url, port, url, None))]]
                name = f"libbot {kind} ×1"
                results.append(await kinds_scenario(name, command, [port], api, args))
    finally:
        await api.stop()
    summary = {"benchmark": "throughput --kinds", "seconds": args.seconds, "scenarios": results}
    print(json.dumps(summary, ensure_ascii=False))


def unpaced_libbot_main(config_path: str) -> None:
    """`libbot run` as it serves, with the bot's own pacing switched off (`--kinds`)."""
    from bot.kernel.config import load_config
    from bot.serve import serve
    from broadcasts.pacing import Pacer

    async def at_once(_pacer: Pacer, _chat: str, _priority: Any = None) -> None:
        return None

    Pacer.turn = at_once  # type: ignore[method-assign,assignment]
    asyncio.run(serve(load_config(Path(config_path))))


def echo_main(port: int, api: str, database_url: str | None = None) -> None:
    """The ceiling: an aiogram bot that echoes every text, on the same webhook harness.

    With a database: the reference floor — one read before the answer, the activity row
    after it (see the module's docstring)."""
    from aiogram import Bot, Dispatcher
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer
    from aiogram.types import Message
    from aiogram.webhook.aiohttp_server import SimpleRequestHandler, setup_application
    from sqlalchemy import literal, select

    from storage import activity
    from storage.db import Database
    from storage.models import ActivityKind

    async def main() -> None:
        session = AiohttpSession()
        session.api = TelegramAPIServer.from_base(api)
        bot = Bot(TOKEN, session=session)
        dp = Dispatcher()
        db = Database(database_url) if database_url else None
        in_progress = 0

        @dp.message()
        async def echo(message: Message) -> None:
            nonlocal in_progress
            if db is None:
                await message.answer(message.text or "…")
                return
            in_progress += 1
            try:
                async with db.engine.connect() as reading:
                    await reading.execute(select(literal(1)))
                await message.answer(message.text or "…")
            finally:
                in_progress -= 1
            note = activity.ActivityNote(
                platform="telegram", kind=ActivityKind.CATALOGUE_QUERY, content=message.text
            )
            await activity.record(db, note, expected=in_progress + 1)

        app = web.Application()
        SimpleRequestHandler(dp, bot, secret_token=SECRET).register(app, path="/hook")

        async def healthz(_request: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        app.router.add_get("/healthz", healthz)
        setup_application(app, dp, bot=bot)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await runner.cleanup()
        if db is not None:
            await db.dispose()

    asyncio.run(main())


async def main(args: Any) -> None:
    api = FakeBotApi()
    await api.start()
    results: list[dict[str, Any]] = []
    libbot = [sys.executable, "-m", "bot", "run", "--config"]
    try:
        port = free_port()
        echo = [[sys.executable, __file__, "--echo-server", str(port), "--api", api.url]]
        results.append(await scenario("echo bot", echo, [port], api, args))
        databases: list[tuple[str, str]] = []
        with tempfile.TemporaryDirectory() as folder:
            databases.append(("sqlite", f"sqlite+aiosqlite:///{Path(folder) / 'bench.sqlite3'}"))
            postgres = None if args.quick else await ensure_postgres_database()
            if postgres:
                databases.append(("postgresql", postgres))
            for kind, url in databases:
                await prepare_database(url)
                floor = [[*echo[0], "--floor-database", url]]
                name = f"echo + 1 read + log ({kind})"
                reference = await scenario(name, floor, [port], api, args)
                results.append({**reference, "reference": True})
                for count in (1, 2) if not args.quick else (1,):
                    await prepare_database(url)
                    redis = REDIS if count == 2 else None
                    if redis:
                        await flush_redis()
                    ports = [free_port() for _ in range(count)]
                    commands = [
                        [*libbot, str(write_config(Path(folder), api.url, p, url, redis))]
                        for p in ports
                    ]
                    name = f"libbot {kind} ×{count}"
                    results.append(await scenario(name, commands, ports, api, args))
    finally:
        await api.stop()
    ceiling = results[0]["updates_per_s"] or 1.0
    for result in results[1:]:
        result["ratio_to_echo"] = round(result["updates_per_s"] / ceiling, 3)
        if result.get("reference"):
            continue
        result["meets_target"] = (
            result.get("p99_ms", float("inf")) <= 100.0 and result["ratio_to_echo"] >= 0.5
        )
    summary = {
        "benchmark": "throughput",
        "users": args.users,
        "rate_per_s": args.rate,
        "seconds": args.seconds,
        "scenarios": results,
    }
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--quick", action="store_true", help="echo and SQLite ×1 only")
    parser.add_argument(
        "--kinds", action="store_true", help="each kind of question on its own (see above)"
    )
    parser.add_argument("--readers", type=int, default=20, help="readers at once for --kinds")
    parser.add_argument("--echo-server", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--floor-database", help=argparse.SUPPRESS)
    parser.add_argument("--unpaced-libbot", help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.echo_server:
        echo_main(parsed.echo_server, parsed.api, parsed.floor_database)
    elif parsed.unpaced_libbot:
        unpaced_libbot_main(parsed.unpaced_libbot)
    elif parsed.kinds:
        asyncio.run(kinds_main(parsed))
    else:
        asyncio.run(main(parsed))
