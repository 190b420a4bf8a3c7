"""Webhook mode: Telegram's secret header is checked before any update is handled."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from aiohttp import web

from bot.app import build_dispatcher
from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.telegram import build_webhook_app, create_bot, run_webhook
from storage.db import Database
from tests.conftest import make_config
from tests.fakes.telegram_api import FakeTelegram

SECRET = "s3cret_token-for-tests"


def webhook_config(tmp_path: Path, port: int = 8443) -> Config:
    return make_config(
        tmp_path,
        telegram={
            "mode": "webhook",
            "webhook_url": "https://bot.library.example/tg/hook",
            "webhook_secret": SECRET,
            "listen_port": port,
        },
    )


def start_update(update_id: int, user_id: int) -> dict[str, object]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": {"id": user_id, "type": "private"},
            "from": {"id": user_id, "is_bot": False, "first_name": "Анна", "language_code": "ru"},
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        },
    }


@pytest.fixture
async def webhook_url(
    telegram: FakeTelegram, database: Database, tmp_path: Path
) -> AsyncIterator[str]:
    config = webhook_config(tmp_path)
    dp = build_dispatcher(config, database, Locales())
    bot = create_bot(telegram.token, api_server=telegram.base_url)
    runner = web.AppRunner(build_webhook_app(dp, bot, config, handle_in_background=False))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    yield f"http://127.0.0.1:{port}/tg/hook"
    await runner.cleanup()


async def test_update_with_the_right_secret_is_answered(
    webhook_url: str, telegram: FakeTelegram
) -> None:
    async with aiohttp.ClientSession() as http:
        response = await http.post(
            webhook_url,
            json=start_update(1, 801),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
    assert response.status == 200
    sent = [c for c in telegram.calls_of("sendMessage") if c.chat_id == 801]
    assert any("Здравствуйте" in c.text for c in sent)


@pytest.mark.parametrize("header", [None, "wrong-secret", SECRET + "x"])
async def test_update_with_a_wrong_or_missing_secret_is_rejected(
    webhook_url: str, telegram: FakeTelegram, header: str | None
) -> None:
    headers = {"X-Telegram-Bot-Api-Secret-Token": header} if header else {}
    async with aiohttp.ClientSession() as http:
        response = await http.post(webhook_url, json=start_update(2, 802), headers=headers)
    assert response.status == 401
    assert not telegram.calls_of("sendMessage")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def test_run_webhook_registers_the_hook_with_its_secret_and_serves(
    telegram: FakeTelegram, sqlite_db: Database, tmp_path: Path
) -> None:
    port = free_port()
    config = webhook_config(tmp_path, port)
    locales = Locales()
    dp = build_dispatcher(config, sqlite_db, locales)
    bot = create_bot(telegram.token, api_server=telegram.base_url)
    stop = asyncio.Event()
    server = asyncio.create_task(run_webhook(dp, bot, config, locales, stop=stop))
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(100):
                try:
                    health = await http.get(f"http://127.0.0.1:{port}/healthz")
                    break
                except aiohttp.ClientConnectorError:
                    await asyncio.sleep(0.05)
            assert health.status == 200
            assert telegram.webhook["url"] == "https://bot.library.example/tg/hook"
            assert telegram.webhook["secret_token"] == SECRET
            response = await http.post(
                f"http://127.0.0.1:{port}/tg/hook",
                json=start_update(3, 803),
                headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
            )
            assert response.status == 200
        for _ in range(100):
            if any(c.chat_id == 803 for c in telegram.calls_of("sendMessage")):
                break
            await asyncio.sleep(0.05)
        assert any(c.chat_id == 803 for c in telegram.calls_of("sendMessage"))
    finally:
        stop.set()
        await server


async def test_the_webhook_server_reports_health_and_prometheus_metrics(
    webhook_url: str, telegram: FakeTelegram
) -> None:
    base = webhook_url.removesuffix("/tg/hook")
    async with aiohttp.ClientSession() as http:
        health = await http.get(f"{base}/healthz")
        assert health.status == 200
        assert (await health.json()) == {"status": "ok"}
        await http.post(
            webhook_url,
            json=start_update(4, 804),
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        scraped = await http.get(f"{base}/metrics")
        body = await scraped.text()
    assert scraped.status == 200
    assert scraped.headers["Content-Type"].startswith("text/plain")
    assert 'libbot_updates_handled_total{kind="message",platform="telegram"} 1.0' in body
    assert 'libbot_handler_seconds_count{platform="telegram"} 1.0' in body
    assert 'libbot_outbox_depth{platform="telegram"} 0.0' in body
