"""Prometheus metrics of one process: updates handled, handler latency, outbox depth and
sends by result, served at /metrics (with /healthz) on the webhook server, or on
`[monitoring] listen_port` for processes without one.

One registry per process, made by the app factory and handed to the middleware and the
senders, so tests and several dispatchers in one process never share counters.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiohttp import web
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from storage.db import Database
from storage.outbox import Delivery, OutboxMessage

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.updates = Counter(
            "libbot_updates_handled",
            "Updates handled, by messenger and kind",
            ["platform", "kind"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "libbot_handler_seconds",
            "Time from an update's arrival to the end of its handling",
            ["platform"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.sends = Counter(
            "libbot_sends",
            "Outbox messages by messenger and result",
            ["platform", "result"],
            registry=self.registry,
        )
        self.outbox_depth = Gauge(
            "libbot_outbox_depth",
            "Outbox messages waiting to be sent, by messenger",
            ["platform"],
            registry=self.registry,
        )

    def sent(self, platform: str, result: str, count: int = 1) -> None:
        self.sends.labels(platform=platform, result=result).inc(count)

    async def refresh(self, db: Database) -> None:
        """Outbox depth is read from the database when scraped: it is shared by all."""
        async with db.transaction() as session:
            rows = await session.execute(
                select(OutboxMessage.platform, func.count())
                .where(OutboxMessage.status == Delivery.PENDING)
                .group_by(OutboxMessage.platform)
            )
            depth = {platform: count for platform, count in rows}
        for platform in set(depth) | {"telegram", "vk"}:
            self.outbox_depth.labels(platform=platform).set(depth.get(platform, 0))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class MetricsMiddleware(BaseMiddleware):
    """Counts every update and times its handling (the outermost middleware)."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        started = time.perf_counter()
        platform = str(data.get("platform", "telegram"))
        try:
            return await handler(event, data)
        finally:
            kind = event.event_type if isinstance(event, Update) else type(event).__name__
            self.metrics.updates.labels(platform=platform, kind=kind).inc()
            self.metrics.latency.labels(platform=platform).observe(time.perf_counter() - started)


def add_routes(app: web.Application, metrics: Metrics, db: Database) -> None:
    """/healthz (the database answers) and /metrics on an aiohttp app."""

    async def healthz(_request: web.Request) -> web.Response:
        try:
            async with db.transaction() as session:
                await session.execute(select(1))
        except Exception as exc:  # noqa: BLE001 - any failure: not healthy, and why
            return web.json_response({"status": "error", "database": str(exc)[:200]}, status=503)
        return web.json_response({"status": "ok"})

    async def scrape(_request: web.Request) -> web.Response:
        await metrics.refresh(db)
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)
