"""[telegram], [vk], [max] and [staff]: the messengers the bot talks in and who runs it there."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, SecretStr, field_validator, model_validator

from bot.kernel.config.base import Section

PUBLIC_TELEGRAM_API = "https://api.telegram.org"
PUBLIC_VK_API = "https://api.vk.ru"
# The server the MAX Bot API's OpenAPI schema names (`servers`).
PUBLIC_MAX_API = "https://platform-api2.max.ru"
PLATFORMS = ("telegram", "vk", "max", "console")
# The messengers a reader writes from (the demo console is none of them).
MESSENGERS = ("telegram", "vk", "max")

_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
# MAX checks a subscription's secret against ^[a-zA-Z0-9_-]{5,256}$.
_MAX_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{5,256}$")
# A MAX bot token: one word of letters, digits, '-' and '_' (no spaces, nothing to escape
# in a header).
_MAX_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,512}$")


def _base_url(value: str, example: str) -> str:
    """A messenger API's base URL without its trailing slash."""
    if not value.startswith(("http://", "https://")):
        raise ValueError(f"expected a base URL like {example!r}")
    return value.rstrip("/")


class Telegram(Section):
    token: SecretStr | None = None
    api_server: str = PUBLIC_TELEGRAM_API
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    listen_port: Annotated[int, Field(ge=1, le=65535)] = 8080
    webhook_path: str = ""  # local path to serve; default: the path of webhook_url
    # Messages a second the bot sends, replies and broadcasts together (Telegram allows a
    # bot about 30). With `[redis] url` every process shares this budget; without Redis,
    # several `--role sender` processes should each get their share.
    rate: Annotated[float, Field(gt=0, le=30)] = 30.0
    # Messages one chat may get at once before the pace of one a second applies.
    chat_burst: Annotated[int, Field(ge=1, le=100)] = 3

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"\d+:[\w-]+", value.get_secret_value()):
            raise ValueError("expected a token from @BotFather like '123456:ABC-DEF…'")
        return value

    @field_validator("api_server")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _base_url(value, PUBLIC_TELEGRAM_API)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("expected 1-256 characters of A-Z, a-z, 0-9, '_' and '-'")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> Telegram:
        if self.mode == "webhook" and not self.webhook_url.startswith("https://"):
            raise ValueError("mode 'webhook' needs webhook_url = 'https://…' (the public address)")
        if self.mode == "webhook" and self.webhook_secret is None:
            raise ValueError(
                "mode 'webhook' needs webhook_secret (set LIBBOT_TELEGRAM__WEBHOOK_SECRET)"
            )
        return self


class Vk(Section):
    """A VK community's bot: its token (Manage → API usage → access tokens, with messages
    allowed) and its numeric id. `api_server` is the API's base URL; the tests point it at
    a local fake VK API."""

    token: SecretStr | None = None
    group_id: Annotated[int, Field(ge=1)] | None = None
    api_server: str = PUBLIC_VK_API
    api_version: Annotated[str, Field(pattern=r"^5\.\d+$")] = "5.199"
    # VK allows a community token 20 calls a second; messages go a little under that.
    rate: Annotated[float, Field(gt=0, le=20)] = 18.0
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 15.0

    @field_validator("api_server")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _base_url(value, PUBLIC_VK_API)

    @model_validator(mode="after")
    def _token_needs_group(self) -> Vk:
        if self.token is not None and self.group_id is None:
            raise ValueError("a VK token needs group_id (the community's number, without 'club')")
        return self


class Max(Section):
    """A bot in MAX: its token (from @MasterBot in MAX, or the bot's «Интеграция» page on
    the MAX for partners platform). Updates come by long polling (`GET /updates`) or, in
    webhook mode, MAX posts them to `webhook_url`, which libbot serves on `listen_host`
    and `listen_port` (its own server: Telegram's webhook may be off or elsewhere).
    `api_server` is the API's base URL; the tests point it at a local fake MAX API."""

    token: SecretStr | None = None
    api_server: str = PUBLIC_MAX_API
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    listen_port: Annotated[int, Field(ge=1, le=65535)] = 8081
    webhook_path: str = ""  # local path to serve; default: the path of webhook_url
    # MAX asks for no more than 30 requests a second to its API; messages go a little
    # under that, leaving room for polling, button answers and uploads.
    rate: Annotated[float, Field(gt=0, le=30)] = 25.0
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 15.0

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _MAX_TOKEN.match(value.get_secret_value()):
            raise ValueError(
                "expected the bot's token from @MasterBot in MAX (letters, digits, '-', '_')"
            )
        return value

    @field_validator("api_server")
    @classmethod
    def _http_url(cls, value: str) -> str:
        return _base_url(value, PUBLIC_MAX_API)

    @field_validator("webhook_secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not _MAX_WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("expected 5-256 characters of A-Z, a-z, 0-9, '_' and '-'")
        return value

    @model_validator(mode="after")
    def _webhook_needs_url(self) -> Max:
        if self.mode == "webhook" and not self.webhook_url.startswith("https://"):
            raise ValueError("mode 'webhook' needs webhook_url = 'https://…' (the public address)")
        if self.mode == "webhook" and self.webhook_secret is None:
            raise ValueError("mode 'webhook' needs webhook_secret (set LIBBOT_MAX__WEBHOOK_SECRET)")
        return self


def _messenger_id(value: int | str) -> str:
    """Normalise an admin id to 'platform:id'; a bare number is a Telegram id."""
    if isinstance(value, int):
        return f"telegram:{value}"
    platform, _, ident = value.partition(":")
    if platform not in PLATFORMS or not ident.strip().lstrip("-").isdigit():
        msg = (
            "expected a Telegram id (a number) or 'vk:123' / 'max:123' / 'console:1', "
            f"got {value!r}"
        )
        raise ValueError(msg)
    return f"{platform}:{ident.strip()}"


class Staff(Section):
    admins: list[Annotated[int | str, AfterValidator(_messenger_id)]] = []  # noqa: RUF012 - pydantic copies it
    chat_id: int | None = None
    # The staff chat is a Telegram group by default; a VK-only library names a VK chat
    # (its peer id, 2000000000 + the chat number); a MAX library names the MAX group
    # chat's chat_id.
    chat_messenger: Literal["telegram", "vk", "max"] = "telegram"
