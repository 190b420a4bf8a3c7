"""/metrics and /healthz of a process, and the middleware that counts updates.

The counters themselves are `bot.kernel.metrics.Metrics` (the senders count too); the
outbox depth is read from the database when scraped, since it is shared by all processes.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update
from aiohttp import web
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import func, select

from bot.kernel.metrics import Metrics
from storage.db import Database
from storage.outbox import Delivery, OutboxMessage


async def refresh(metrics: Metrics, db: Database) -> None:
    """Outbox depth is read from the database when scraped: it is shared by all."""
    async with db.transaction() as session:
        rows = await session.execute(
            select(OutboxMessage.platform, func.count())
            .where(OutboxMessage.status == Delivery.PENDING)
            .group_by(OutboxMessage.platform)
        )
        metrics.outbox_waiting({platform: count for platform, count in rows})


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
        await refresh(metrics, db)
        return web.Response(
            body=metrics.exposition(), headers={"Content-Type": CONTENT_TYPE_LATEST}
        )

    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", scrape)
