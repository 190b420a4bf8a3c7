"""Broadcast benchmark: 10,000 subscribers, a hostile Bot API, and a sender killed mid-way.

    python bench/broadcast.py [--subscribers 10000] [--max-subscribers 3000]
                              [--messenger all|telegram|max]

A local fake Bot API (its own process) enforces 30 messages/s and 1/s per chat with
429s, and injects 5% 5xx, 1% timeouts (the message is accepted, the answer never
comes in time) and 2% users who blocked the bot. The real `Sender` drains the
outbox in another process; about 40% of the way it is SIGKILLed and started again.
Figures: delivered, duplicates (chats that got it twice), lost (recipients neither
delivered nor accounted for), blocked, unknown, the achieved rate as a fraction of
the limit, and — with the limit lifted — the pipeline's own ceiling in messages/s.

The MAX row does the same through the fake MAX Bot API (tests/fakes/max_api.py, its own
process), which refuses more than MAX's 30 requests a second with 429 and here also
injects 5% 503, 1% late answers (the message is kept, the answer comes after the client
gave up) and 2% readers who blocked the bot (403 chat.denied); the sender goes at
`[max] rate` (25 by default) through the MAX transport and is SIGKILLed at 40% too. Its
achieved rate is a fraction of that configured rate.
The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter, deque
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

TOKEN = "4242:BENCH-token"
ANSWERS: Counter[int] = Counter()  # error answers the fake gave, by status
CHAT_BASE = 10_000_000
RATE = float(os.environ.get("BENCH_RATE", "30"))  # the sender's pace; the API allows 30/s
MAX_TOKEN = "bench-max-token-0000001"
MAX_RATE = 25.0  # `[max] rate`'s default: MAX allows 30 requests a second


# --- the fake Bot API (runs in its own process) -------------------------------------------


class HostileApi:
    def __init__(self, *, limited: bool, seed: int = 1) -> None:
        self.limited = limited
        self.rng = random.Random(seed)
        self.recent: deque[float] = deque()
        self.chat_last: dict[int, float] = {}
        self.delivered: Counter[int] = Counter()
        self.accepted_at: list[float] = []
        self.blocked: set[int] = set()

    async def handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        if method == "stats":
            return web.json_response(
                {
                    "delivered": dict(self.delivered),
                    "accepted_at": self.accepted_at,
                    "answers": dict(ANSWERS),
                }
            )
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        form = await request.post()
        chat = int(str(form["chat_id"]))
        now = time.monotonic()
        if self.limited:
            while self.recent and now - self.recent[0] > 1.0:
                self.recent.popleft()
            if len(self.recent) >= 30:
                ANSWERS[4290] += 1  # over the bot's 30/s
                return _error(429, "Too Many Requests: retry after 1", retry_after=1)
            if now - self.chat_last.get(chat, -10.0) < 1.0:
                ANSWERS[4291] += 1  # over one chat's 1/s
                return _error(429, "Too Many Requests: retry after 1", retry_after=1)
            roll = self.rng.random()
            if chat in self.blocked:
                return _error(403, "Forbidden: bot was blocked by the user")
            if roll < 0.05:
                return _error(502, "Bad Gateway")
            self.recent.append(now)
            self.chat_last[chat] = now
        self.delivered[chat] += 1
        self.accepted_at.append(time.time())
        if self.limited and roll < 0.06:  # 1%: accepted, but the answer is too late
            await asyncio.sleep(15)
        message = {
            "message_id": len(self.accepted_at),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "text": str(form.get("text", "")),
        }
        return web.json_response({"ok": True, "result": message})


def _error(status: int, description: str, retry_after: int | None = None) -> web.Response:
    ANSWERS[status] += 1
    body: dict[str, object] = {"ok": False, "error_code": status, "description": description}
    if retry_after:
        body["parameters"] = {"retry_after": retry_after}
    return web.json_response(body, status=status)


def serve(port_file: Path, *, limited: bool, blocked: list[int]) -> None:
    api = HostileApi(limited=limited)
    api.blocked = set(blocked)

    async def main() -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", api.handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        await asyncio.to_thread(port_file.write_text, str(port))
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_max(port_file: Path, *, blocked: list[int]) -> None:
    """The fake MAX Bot API with faults, and beside it a /stats page of what it kept."""
    from tests.fakes.max_api import FakeMax, MaxApiError, MaxCall

    class HostileMax(FakeMax):
        def __init__(self) -> None:
            super().__init__(token=MAX_TOKEN)
            self.rng = random.Random(1)
            self.rate_limit = 30  # MAX's «30 rps»: more in a second is refused with 429
            self.blocked = set(blocked)

        def _check_rate(self, call: MaxCall) -> None:
            try:
                super()._check_rate(call)
            except MaxApiError:
                ANSWERS[429] += 1
                raise

        async def _route(self, call: MaxCall) -> object:
            if call.route != "POST /messages":
                return await super()._route(call)
            roll = self.rng.random()
            if roll < 0.05:
                ANSWERS[503] += 1
                raise MaxApiError(503, "service.unavailable", "Service unavailable")
            try:
                result = await super()._route(call)
            except MaxApiError as exc:
                ANSWERS[exc.status] += 1
                raise
            if roll < 0.06:  # 1%: kept, but the answer comes after the client gave up
                await asyncio.sleep(15)
            return result

    async def main() -> None:
        api = await HostileMax().start()

        async def stats_page(_request: web.Request) -> web.Response:
            mine = [
                m
                for m in api.messages.values()
                if m["sender"]["user_id"] == api.bot_id and m["recipient"]["user_id"]
            ]
            delivered = Counter(m["recipient"]["user_id"] for m in mine)
            return web.json_response(
                {
                    "delivered": {str(k): v for k, v in delivered.items()},
                    "accepted_at": [m["timestamp"] / 1000 for m in mine],
                    "answers": dict(ANSWERS),
                }
            )

        app = web.Application()
        app.router.add_get("/stats", stats_page)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        stats_port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        answer = f"{api.base_url} http://127.0.0.1:{stats_port}/stats"
        await asyncio.to_thread(port_file.write_text, answer)
        await asyncio.Event().wait()

    asyncio.run(main())


# --- the sender (runs in its own process, so it can be killed) ------------------------------


def run_sender(
    db_url: str, api: str, *, limited: bool, stale_after: float, platform: str = "telegram"
) -> None:
    from pydantic import SecretStr

    from bot.kernel.config import Max
    from bot.transports.max.polling import max_bot
    from bot.transports.telegram import create_bot
    from broadcasts.limits import RateLimiter
    from broadcasts.sender import Sender
    from storage.db import Database
    from storage.outbox import OPEN, OutboxMessage

    async def main() -> None:
        db = Database(db_url)
        if platform == "max":  # the MAX transport at `[max] rate`, 5 s a call at most
            settings = Max(token=SecretStr(MAX_TOKEN), api_server=api, timeout_seconds=5)
            bot = max_bot(settings)
            limiter = RateLimiter(settings.rate, per_chat_interval=0)
        else:
            bot = create_bot(TOKEN, api_server=api)
            bot.session.timeout = 5
            limiter = RateLimiter(
                30.0 if limited else 100_000.0, per_chat_interval=1.0 if limited else 0
            )
        sender = Sender(
            db,
            bot,
            platform=platform,
            limiter=limiter,
            concurrency=64,
            retry_backoff=lambda attempt: timedelta(seconds=min(attempt, 3)),
            stale_after=timedelta(seconds=stale_after),
        )
        from sqlalchemy import func, select

        stop = asyncio.Event()
        task = asyncio.create_task(sender.run(stop))
        while True:
            await asyncio.sleep(1)
            async with db.transaction() as session:
                open_rows = await session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .where(OutboxMessage.status.in_(OPEN))
                )
            if not open_rows:
                break
        stop.set()
        await task
        await bot.session.close()
        await db.dispose()

    asyncio.run(main())


# --- the orchestra --------------------------------------------------------------------------


async def prepare(db_url: str, subscribers: int, platform: str = "telegram") -> int:
    from sqlalchemy import insert

    from bot.kernel.config import parse_config
    from storage import outbox
    from storage.db import Database
    from storage.models import Person
    from storage.subscriptions import Subscription

    db = Database(db_url)
    await db.upgrade()
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await session.execute(
            insert(Person.__table__),
            [
                {
                    "id": n + 1,
                    "platform": platform,
                    "platform_user_id": str(CHAT_BASE + n),
                    "language": "ru",
                    "consent": "unknown",
                    "created_at": now,
                    "last_seen_at": now,
                }
                for n in range(subscribers)
            ],
        )
        await session.execute(
            insert(Subscription.__table__),
            [
                {"person_id": n + 1, "topic": "events", "branch_id": "", "created_at": now}
                for n in range(subscribers)
            ],
        )
    broadcast = await outbox.create(
        db,
        text="Афиша недели: встреча НКО в четверг",
        audience=outbox.Audience(topic="events"),
        scheduled_at=now,
    )
    # Started the one way there is; the bench runs at any hour, so no quiet hours.
    any_hour = parse_config(
        {"library": {"name": "bench"}, "notifications": {"quiet_hours": ""}},
        source="bench",
        base_dir=Path.cwd(),
    )
    await outbox.start(db, broadcast, config=any_hour, platforms=(platform,))
    await db.dispose()
    return broadcast


async def outcome(db_url: str) -> Counter[str]:
    from sqlalchemy import func, select

    from storage.db import Database
    from storage.outbox import OutboxMessage

    db = Database(db_url)
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
        counts = Counter(dict(rows.all()))
    await db.dispose()
    return counts


def start_api(
    folder: Path, *, limited: bool, blocked: list[int]
) -> tuple[subprocess.Popen[bytes], str]:
    port_file = folder / f"port-{limited}"
    process = subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--serve",
            str(port_file),
            "limited" if limited else "unlimited",
            json.dumps(blocked),
        ]
    )
    for _ in range(200):
        if port_file.is_file() and port_file.read_text():
            return process, f"http://127.0.0.1:{port_file.read_text()}"
        time.sleep(0.05)
    raise RuntimeError("fake API did not start")


def stats(api: str) -> dict[str, object]:
    import urllib.request

    with urllib.request.urlopen(f"{api}/bot{TOKEN}/stats", timeout=30) as response:
        return json.loads(response.read())


def sender_process(
    db_url: str, api: str, *, limited: bool, stale_after: float, platform: str = "telegram"
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            __file__,
            "--sender",
            db_url,
            api,
            "limited" if limited else "unlimited",
            str(stale_after),
            platform,
        ]
    )


def limited_run(folder: Path, subscribers: int) -> dict[str, object]:
    db_url = f"sqlite+aiosqlite:///{folder / 'broadcast.sqlite3'}"
    asyncio.run(prepare(db_url, subscribers))
    rng = random.Random(3)
    blocked = rng.sample(range(CHAT_BASE, CHAT_BASE + subscribers), subscribers * 2 // 100)
    api_process, api = start_api(folder, limited=True, blocked=blocked)
    started = time.time()
    try:
        sender = sender_process(db_url, api, limited=True, stale_after=5.0)
        while sum(stats(api)["delivered"].values()) < subscribers * 0.4:  # type: ignore[union-attr]
            time.sleep(0.5)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        killed_at = time.time()
        sender = sender_process(db_url, api, limited=True, stale_after=5.0)
        sender.wait(timeout=3600)
        final = stats(api)
    finally:
        api_process.terminate()
    delivered: dict[str, int] = final["delivered"]  # type: ignore[assignment]
    accepted_at: list[float] = final["accepted_at"]  # type: ignore[assignment]
    counts = asyncio.run(outcome(db_url))
    duplicates = sum(1 for n in delivered.values() if n > 1)
    per_second = Counter(int(t) for t in accepted_at)
    busy = [n for second, n in per_second.items() if n > 0 and second != int(killed_at)]
    accounted = counts["sent"] + counts["blocked"] + counts["unknown"] + counts["failed"]
    return {
        "subscribers": subscribers,
        "delivered": len(delivered),
        "duplicates": duplicates,
        "lost": subscribers - accounted + sum(counts[s] for s in ("pending", "claimed", "sending")),
        "outbox": dict(counts),
        "blocked": counts["blocked"],
        "unknown": counts["unknown"],
        "seconds": round(time.time() - started, 1),
        "achieved_rate_fraction": round(sum(busy) / len(busy) / 30, 3) if busy else 0,
        "killed_and_restarted": True,
        "api_errors": final["answers"],
    }


def start_max_api(folder: Path, *, blocked: list[int]) -> tuple[subprocess.Popen[bytes], str, str]:
    port_file = folder / "port-max"
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-max", str(port_file), json.dumps(blocked)]
    )
    for _ in range(400):
        if port_file.is_file() and port_file.read_text():
            api, stats_url = port_file.read_text().split()
            return process, api, stats_url
        time.sleep(0.05)
    raise RuntimeError("fake MAX API did not start")


def max_stats(url: str) -> dict[str, object]:
    import urllib.request

    with urllib.request.urlopen(url, timeout=30) as response:
        return json.loads(response.read())


def max_run(folder: Path, subscribers: int) -> dict[str, object]:
    """The limited run's figures for MAX readers, through the MAX transport."""
    db_url = f"sqlite+aiosqlite:///{folder / 'max.sqlite3'}"
    asyncio.run(prepare(db_url, subscribers, "max"))
    rng = random.Random(3)
    blocked = rng.sample(range(CHAT_BASE, CHAT_BASE + subscribers), subscribers * 2 // 100)
    api_process, api, stats_url = start_max_api(folder, blocked=blocked)
    started = time.time()
    try:
        sender = sender_process(db_url, api, limited=True, stale_after=5.0, platform="max")
        while sum(max_stats(stats_url)["delivered"].values()) < subscribers * 0.4:  # type: ignore[union-attr]
            time.sleep(0.5)
        os.kill(sender.pid, signal.SIGKILL)
        sender.wait()
        killed_at = time.time()
        sender = sender_process(db_url, api, limited=True, stale_after=5.0, platform="max")
        sender.wait(timeout=3600)
        final = max_stats(stats_url)
    finally:
        api_process.terminate()
    delivered: dict[str, int] = final["delivered"]  # type: ignore[assignment]
    accepted_at: list[float] = final["accepted_at"]  # type: ignore[assignment]
    counts = asyncio.run(outcome(db_url))
    per_second = Counter(int(t) for t in accepted_at)
    busy = [n for second, n in per_second.items() if n > 0 and second != int(killed_at)]
    accounted = counts["sent"] + counts["blocked"] + counts["unknown"] + counts["failed"]
    return {
        "subscribers": subscribers,
        "delivered": len(delivered),
        "duplicates": sum(1 for n in delivered.values() if n > 1),
        "lost": subscribers - accounted + sum(counts[s] for s in ("pending", "claimed", "sending")),
        "outbox": dict(counts),
        "blocked": counts["blocked"],
        "unknown": counts["unknown"],
        "seconds": round(time.time() - started, 1),
        "configured_rate": MAX_RATE,
        "achieved_rate_fraction": round(sum(busy) / len(busy) / MAX_RATE, 3) if busy else 0,
        "busiest_second": max(per_second.values(), default=0),
        "killed_and_restarted": True,
        "api_errors": final["answers"],
    }


def ceiling_run(folder: Path, subscribers: int) -> dict[str, object]:
    db_url = f"sqlite+aiosqlite:///{folder / 'ceiling.sqlite3'}"
    asyncio.run(prepare(db_url, subscribers))
    api_process, api = start_api(folder, limited=False, blocked=[])
    try:
        started = time.time()
        sender_process(db_url, api, limited=False, stale_after=120).wait(timeout=3600)
        elapsed = time.time() - started
        delivered = len(stats(api)["delivered"])  # type: ignore[arg-type]
    finally:
        api_process.terminate()
    return {
        "delivered": delivered,
        "seconds": round(elapsed, 1),
        "messages_per_second": round(delivered / elapsed),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=10_000)
    parser.add_argument("--max-subscribers", type=int, default=3_000)
    parser.add_argument("--messenger", choices=("all", "telegram", "max"), default="all")
    parser.add_argument("--serve", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--serve-max", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--sender", nargs=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        port_file, mode, blocked = args.serve
        serve(Path(port_file), limited=mode == "limited", blocked=json.loads(blocked))
        return
    if args.serve_max:
        port_file, blocked = args.serve_max
        serve_max(Path(port_file), blocked=json.loads(blocked))
        return
    if args.sender:
        db_url, api, mode, stale, platform = args.sender
        run_sender(
            db_url, api, limited=mode == "limited", stale_after=float(stale), platform=platform
        )
        return
    result: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as folder:
        if args.messenger in ("all", "telegram"):
            limited = limited_run(Path(folder), args.subscribers)
            print(f"limited: {json.dumps(limited)}", file=sys.stderr)
            ceiling = ceiling_run(Path(folder), args.subscribers)
            print(f"ceiling: {json.dumps(ceiling)}", file=sys.stderr)
            result.update(limited, ceiling=ceiling)
        if args.messenger in ("all", "max"):
            in_max = max_run(Path(folder), args.max_subscribers)
            print(f"max: {json.dumps(in_max)}", file=sys.stderr)
            result["max"] = in_max
    result["targets"] = {"duplicates": 0, "lost": 0, "achieved_rate_fraction_min": 0.9}
    print(json.dumps(result))


if __name__ == "__main__":
    main()
