"""[database], [redis], [logging], [outbox] and [monitoring]: where the processes keep
their data and how they run and report."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import Field, field_validator

from bot.kernel.config.base import Section

DEFAULT_DATA_DIR = "libbot-data"


class Database(Section):
    url: str = ""
    data_dir: str = DEFAULT_DATA_DIR
    echo: bool = False

    @field_validator("url")
    @classmethod
    def _supported_driver(cls, value: str) -> str:
        if value and not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
            raise ValueError(
                "expected 'sqlite+aiosqlite:///path' or 'postgresql+asyncpg://user@host/db'"
            )
        return value


class Redis(Section):
    url: str = ""
    # Every key and channel libbot uses starts with this, so several installations (or
    # test runs) can share one Redis: pub/sub channels are not separated by DB numbers.
    prefix: str = "libbot"

    @field_validator("prefix")
    @classmethod
    def _plain_prefix(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z0-9_.-]{1,64}", value):
            raise ValueError("expected letters, digits, '_', '-' or '.', e.g. 'libbot-ensk'")
        return value

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: str) -> str:
        if value and not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("expected 'redis://host:6379/0'")
        return value


class Logging(Section):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"


class Outbox(Section):
    """How long a sender's claim on outbox rows lasts: rows a crashed sender had claimed
    but not tried go back to the others after it."""

    lease_seconds: Annotated[int, Field(ge=1, le=3600)] = 120


class Monitoring(Section):
    """/healthz and /metrics for processes without a webhook server (`--role sender`,
    `scheduler`, polling). 0: off. The webhook server always has both."""

    listen_host: str = "127.0.0.1"
    listen_port: Annotated[int, Field(ge=0, le=65535)] = 0
