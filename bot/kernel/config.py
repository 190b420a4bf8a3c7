"""Typed configuration: `config.toml` plus `LIBBOT_…` environment variables.

Every section is a pydantic model that forbids unknown keys, so a typo in a
librarian's config stops start-up with one line naming the key instead of being
silently ignored. Secrets may come from the environment: `LIBBOT_TELEGRAM__TOKEN`,
`LIBBOT_DATABASE__URL`, `LIBBOT_REDIS__URL`, `LIBBOT_TELEGRAM__WEBHOOK_SECRET`
(the double underscore separates section and key) override the file.
"""

from __future__ import annotations

import codecs
import os
import re
import tomllib
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

CONFIG_ENV_VAR = "LIBBOT_CONFIG"
DEFAULT_DATA_DIR = "libbot-data"
PUBLIC_TELEGRAM_API = "https://api.telegram.org"
PUBLIC_VK_API = "https://api.vk.ru"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
PLATFORMS = ("telegram", "vk", "console")

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the operator."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _parse_ranges(value: str) -> tuple[tuple[time, time], ...]:
    text = value.strip().lower()
    if text in ("", "closed", "выходной"):
        return ()
    ranges = []
    for part in text.split(","):
        match = _RANGE.match(part)
        if not match:
            msg = f"expected opening hours like '10:00-19:00' or 'closed', got {value!r}"
            raise ValueError(msg)
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        try:
            opens, closes = time(h1, m1), time(h2, m2)
        except ValueError as exc:
            raise ValueError(f"not a time of day in {value!r}") from exc
        if closes <= opens:
            raise ValueError(f"closing time must be after opening time in {value!r}")
        ranges.append((opens, closes))
    return tuple(ranges)


OpeningHours = Annotated[str, AfterValidator(lambda v: (_parse_ranges(v), v)[1])]


class WeekHours(Section):
    """Opening hours per weekday: '10:00-19:00', '10:00-14:00, 15:00-19:00' or 'closed'."""

    mon: OpeningHours = "closed"
    tue: OpeningHours = "closed"
    wed: OpeningHours = "closed"
    thu: OpeningHours = "closed"
    fri: OpeningHours = "closed"
    sat: OpeningHours = "closed"
    sun: OpeningHours = "closed"

    def ranges(self, weekday: int) -> tuple[tuple[time, time], ...]:
        """Opening ranges for `weekday` (0 = Monday), as datetime.weekday() counts."""
        return _parse_ranges(getattr(self, WEEKDAYS[weekday]))


class Branch(Section):
    id: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]
    name: Annotated[str, Field(min_length=1)]
    address: str = ""
    phone: str = ""
    hours: WeekHours = WeekHours()
    hours_note: str = ""
    # Location codes the catalogue uses for this branch (sigla, IRBIS storage place, Koha
    # branch code); the branch id itself always matches.
    codes: list[str] = []


class Library(Section):
    name: Annotated[str, Field(min_length=1)]
    timezone: str = "Europe/Moscow"
    phone: str = ""
    email: str = ""
    website: str = ""
    vk: str = ""
    branches: list[Branch] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}, e.g. 'Europe/Moscow'") from exc
        return value

    @field_validator("branches")
    @classmethod
    def _unique_ids(cls, branches: list[Branch]) -> list[Branch]:
        seen: set[str] = set()
        for branch in branches:
            if branch.id in seen:
                raise ValueError(f"branch id {branch.id!r} is used twice")
            seen.add(branch.id)
        return branches

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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


class Telegram(Section):
    token: SecretStr | None = None
    api_server: str = PUBLIC_TELEGRAM_API
    mode: Literal["polling", "webhook"] = "polling"
    webhook_url: str = ""
    webhook_secret: SecretStr | None = None
    listen_host: str = "127.0.0.1"
    listen_port: Annotated[int, Field(ge=1, le=65535)] = 8080
    webhook_path: str = ""  # local path to serve; default: the path of webhook_url
    # Messages a second one sender process sends (Telegram allows a bot about 30): with
    # several `--role sender` processes, give each its share.
    rate: Annotated[float, Field(gt=0, le=30)] = 30.0

    @field_validator("token")
    @classmethod
    def _token_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not re.fullmatch(r"\d+:[\w-]+", value.get_secret_value()):
            raise ValueError("expected a token from @BotFather like '123456:ABC-DEF…'")
        return value

    @field_validator("api_server")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected a base URL like 'https://api.telegram.org'")
        return value.rstrip("/")

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
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected a base URL like 'https://api.vk.ru'")
        return value.rstrip("/")

    @model_validator(mode="after")
    def _token_needs_group(self) -> Vk:
        if self.token is not None and self.group_id is None:
            raise ValueError("a VK token needs group_id (the community's number, without 'club')")
        return self


def _messenger_id(value: int | str) -> str:
    """Normalise an admin id to 'platform:id'; a bare number is a Telegram id."""
    if isinstance(value, int):
        return f"telegram:{value}"
    platform, _, ident = value.partition(":")
    if platform not in PLATFORMS or not ident.strip().lstrip("-").isdigit():
        msg = f"expected a Telegram id (a number) or 'vk:123' / 'console:1', got {value!r}"
        raise ValueError(msg)
    return f"{platform}:{ident.strip()}"


class Staff(Section):
    admins: list[Annotated[int | str, AfterValidator(_messenger_id)]] = []
    chat_id: int | None = None
    # The staff chat is a Telegram group by default; a VK-only library names a VK chat
    # (its peer id, 2000000000 + the chat number).
    chat_messenger: Literal["telegram", "vk"] = "telegram"


class Privacy(Section):
    operator: str = ""
    policy_url: str = ""
    # Message texts in the outbox and the content of activity rows are blanked after this
    # many days (the rows stay counted for the reports, which never read their text).
    retention_days: Annotated[int, Field(ge=1, le=3650)] = 365
    # A form left half-way (a name, a phone typed and never sent) is dropped after this.
    abandoned_form_hours: Annotated[int, Field(ge=1, le=24 * 90)] = 72


class Limits(Section):
    burst: Annotated[int, Field(ge=1, le=1000)] = 8
    per_second: Annotated[float, Field(gt=0, le=100)] = 1.0
    max_input_chars: Annotated[int, Field(ge=100, le=100_000)] = 4096


class Catalogue(Section):
    # Export files re-read every night, so the index follows the library's own system.
    import_paths: list[str] = []
    import_at: Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")] = "03:00"
    import_format: Literal["", "marc21", "rusmarc", "marcxml", "irbis", "csv"] = ""
    import_encoding: str = ""

    @field_validator("import_encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        if value and value.replace("-", "").lower() != "marc8":
            try:
                codecs.lookup(value)
            except LookupError:
                raise ValueError(
                    f"unknown encoding {value!r}; e.g. 'cp1251', 'utf-8', 'marc-8'"
                ) from None
        return value

    # The nightly files are the whole catalogue: withdraw records they no longer contain.
    import_full: bool = True
    # How often to look for returned books that readers asked to be told about.
    watch_check_minutes: Annotated[int, Field(ge=1, le=1440)] = 10


class Notifications(Section):
    # Automatic messages (reminders, «книгу вернули») wait outside these hours.
    quiet_hours: str = "21:00-09:00"
    # An announcement whose time passed while the bot was stopped is still sent after a
    # restart within this many hours; later than that it is marked missed, staff told.
    missed_grace_hours: Annotated[float, Field(ge=0, le=24 * 7)] = 6

    @field_validator("quiet_hours")
    @classmethod
    def _range(cls, value: str) -> str:
        if not value:
            return value
        match = re.fullmatch(r"(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})", value.strip())
        try:
            if match is None:
                raise ValueError
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            time(h1, m1), time(h2, m2)
        except ValueError:
            raise ValueError("expected 'HH:MM-HH:MM', e.g. '21:00-09:00', or '' for none") from None
        return value

    def quiet_end(self, local: datetime) -> datetime:
        """`local` itself outside quiet hours, else the moment they end (the morning)."""
        if not self.is_quiet(local.time()):
            return local
        end_text = self.quiet_hours.split("-")[1].strip()
        end = local.replace(
            hour=int(end_text.split(":")[0]),
            minute=int(end_text.split(":")[1]),
            second=0,
            microsecond=0,
        )
        return end if end > local else end + timedelta(days=1)

    def is_quiet(self, local: time) -> bool:
        if not self.quiet_hours:
            return False
        start_text, end_text = (part.strip() for part in self.quiet_hours.split("-"))
        start, end = (time(*map(int, t.split(":"))) for t in (start_text, end_text))
        if start <= end:
            return start <= local < end
        return local >= start or local < end


class Topic(Section):
    id: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z0-9_]+$")]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    name_en: str = ""
    # Per branch: a reader may follow only the branches they go to.
    per_branch: bool = False


DEFAULT_TOPICS = [
    Topic(id="events", name="Афиша мероприятий", name_en="Events", per_branch=True),
    Topic(id="new_books", name="Новые поступления", name_en="New books"),
    Topic(id="grants", name="Для НКО: гранты и конкурсы", name_en="For NGOs: grants and contests"),
    Topic(id="children", name="Детские мероприятия", name_en="Children's events", per_branch=True),
]


class Subscriptions(Section):
    topics: list[Topic] = DEFAULT_TOPICS
    # «Афиша на неделю», built from the events, to this topic's subscribers ('' = none).
    digest_topic: str = "events"
    digest_at: Annotated[
        str, Field(pattern=r"^(|(mon|tue|wed|thu|fri|sat|sun) ([01]\d|2[0-3]):[0-5]\d)$")
    ] = "mon 10:00"

    @model_validator(mode="after")
    def _digest_topic_known(self) -> Subscriptions:
        if self.digest_topic and self.topic(self.digest_topic) is None:
            raise ValueError(f"digest_topic {self.digest_topic!r} is not one of the topics")
        return self

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[Topic]) -> list[Topic]:
        ids = [t.id for t in topics]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"topic id {duplicated[0]!r} is used twice")
        return topics

    def topic(self, topic_id: str) -> Topic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


class Koha(Section):
    # The Koha server's base address; libbot calls its REST API under /api/v1.
    url: str = ""
    # Either an API user (Koha's RESTBasicAuth) or an OAuth client (client credentials).
    user: str = ""
    password: SecretStr | None = None
    client_id: str = ""
    client_secret: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected the Koha address like 'https://koha.library.ru'")
        return value.rstrip("/")


class Sip2(Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 6001
    # The self-check terminal account (SIP2 login, message 93); empty: no login.
    user: str = ""
    password: SecretStr | None = None
    location: str = ""
    institution: str = ""
    # SIP2 says cp850, which has no Cyrillic; Russian systems speak UTF-8 or cp1251.
    encoding: str = "utf-8"
    checksums: bool = True

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}; e.g. 'utf-8', 'cp1251'") from None
        return value


class LibrarySystem(Section):
    """Where loans live and how readers prove a ticket is theirs («Мои книги»)."""

    # none: «Мои книги» explains how to renew by phone; local: loans imported from CSV.
    kind: Literal["none", "local", "koha", "sip2"] = "none"
    verification: Literal["password", "surname_birth_year", "desk_code"] = "password"
    link_max_failures: Annotated[int, Field(ge=1, le=50)] = 5
    link_lock_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 30
    desk_code_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    # Renewal rules of the `local` system (Koha and SIP2 systems apply their own).
    renewal_days: Annotated[int, Field(ge=1, le=365)] = 14
    max_renewals: Annotated[int, Field(ge=0, le=100)] = 2
    renew_before_days: Annotated[int, Field(ge=0, le=365)] = 0  # 0: any time before due
    overdue_limit_days: Annotated[int, Field(ge=0, le=3650)] = 30
    holds_block_renewal: bool = True
    koha: Koha = Koha()
    sip2: Sip2 = Sip2()

    @model_validator(mode="after")
    def _complete(self) -> LibrarySystem:
        if self.kind == "koha" and not self.koha.url:
            raise ValueError("kind 'koha' needs [library_system.koha] url")
        if self.kind == "koha" and not (self.koha.user or self.koha.client_id):
            raise ValueError("kind 'koha' needs [library_system.koha] user or client_id")
        if self.kind == "sip2" and self.verification == "surname_birth_year":
            raise ValueError(
                "SIP2 does not tell the year of birth: use verification 'password' or 'desk_code'"
            )
        return self


class Reminders(Section):
    """Due-date and pickup reminders for linked readers (each reader may turn them off)."""

    days_before: Annotated[int, Field(ge=0, le=30)] = 3  # 0: no advance reminder
    on_due_date: bool = True
    overdue_max: Annotated[int, Field(ge=0, le=10)] = 3  # weekly, at most this many
    hold_ready: bool = True
    check_minutes: Annotated[int, Field(ge=1, le=1440)] = 60


class ConsultationTopic(Section):
    id: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[a-z0-9_]+$")]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    name_en: str = ""
    # Logged as «экспертиза проектной заявки» instead of «консультация».
    expertise: bool = False


DEFAULT_CONSULTATION_TOPICS = [
    ConsultationTopic(
        id="registration",
        name="Регистрация и документы НКО",
        name_en="NGO registration and documents",
    ),
    ConsultationTopic(id="accounting", name="Бухгалтерия и налоги", name_en="Accounting and taxes"),
    ConsultationTopic(id="legal", name="Юридические вопросы", name_en="Legal questions"),
    ConsultationTopic(
        id="grants",
        name="Грантовые конкурсы и проектная заявка",
        name_en="Grant contests and applications",
    ),
    ConsultationTopic(
        id="expertise",
        name="Экспертиза проектной заявки",
        name_en="Review of a project application",
        expertise=True,
    ),
    ConsultationTopic(id="pr", name="PR и соцсети", name_en="PR and social media"),
    ConsultationTopic(id="volunteers", name="Работа с добровольцами", name_en="Volunteers"),
    ConsultationTopic(id="fundraising", name="Фандрайзинг", name_en="Fundraising"),
    ConsultationTopic(
        id="social_business",
        name="Социальное предпринимательство",
        name_en="Social entrepreneurship",
    ),
    ConsultationTopic(id="other", name="Другое", name_en="Other"),
]

WORKING_WEEK = {day: "09:00-18:00" for day in ("mon", "tue", "wed", "thu", "fri")}


class Consultations(Section):
    """Consultation requests: topics, the working hours answers are promised in, reminders."""

    topics: list[ConsultationTopic] = DEFAULT_CONSULTATION_TOPICS
    # When staff answer requests; «ответим в течение рабочего дня» counts these hours.
    hours: WeekHours = WeekHours(**WORKING_WEEK)
    # A request nobody took reminds the staff chat after this many working days (0: never).
    remind_unclaimed_after_days: Annotated[float, Field(ge=0, le=30)] = 1
    max_attachments: Annotated[int, Field(ge=0, le=20)] = 5
    max_attachment_mb: Annotated[float, Field(gt=0, le=2000)] = 20
    # Reminders before an agreed meeting, in hours (both the requester and the specialist).
    appointment_reminders_hours: list[Annotated[int, Field(ge=1, le=24 * 14)]] = [24, 2]
    check_minutes: Annotated[int, Field(ge=1, le=1440)] = 5

    @field_validator("topics")
    @classmethod
    def _unique_topics(cls, topics: list[ConsultationTopic]) -> list[ConsultationTopic]:
        ids = [t.id for t in topics]
        duplicated = sorted({i for i in ids if ids.count(i) > 1})
        if duplicated:
            raise ValueError(f"topic id {duplicated[0]!r} is used twice")
        if not topics:
            raise ValueError("at least one topic is needed")
        return topics

    def topic(self, topic_id: str) -> ConsultationTopic | None:
        return next((t for t in self.topics if t.id == topic_id), None)


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


class Config(BaseSettings):
    """The whole configuration. Environment variables win over the file."""

    model_config = SettingsConfigDict(
        extra="forbid",
        frozen=True,
        env_prefix="LIBBOT_",
        env_nested_delimiter="__",
        nested_model_default_partial_update=True,
    )

    library: Library
    database: Database = Database()
    redis: Redis = Redis()
    telegram: Telegram = Telegram()
    vk: Vk = Vk()
    staff: Staff = Staff()
    privacy: Privacy = Privacy()
    limits: Limits = Limits()
    catalogue: Catalogue = Catalogue()
    subscriptions: Subscriptions = Subscriptions()
    notifications: Notifications = Notifications()
    library_system: LibrarySystem = LibrarySystem()
    reminders: Reminders = Reminders()
    consultations: Consultations = Consultations()
    logging: Logging = Logging()
    monitoring: Monitoring = Monitoring()
    outbox: Outbox = Outbox()

    # Where relative paths in the file are resolved: the config file's folder.
    base_dir: Path = Field(default=Path(), exclude=True)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, init_settings)

    @property
    def data_dir(self) -> Path:
        return (self.base_dir / self.database.data_dir).resolve()

    @property
    def database_url(self) -> str:
        """The configured URL, or an SQLite file in the data directory."""
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{self.data_dir / 'libbot.sqlite3'}"


def _describe_location(loc: tuple[int | str, ...]) -> str:
    if not loc:
        return "config"
    section, *rest = loc
    path = ""
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else str(part))
    return f"[{section}] {path}".strip() if rest else f"[{section}]"


def _describe_error(error: dict[str, Any], known: dict[str, list[str]]) -> str:
    loc = tuple(error["loc"])
    where = _describe_location(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        parent = ".".join(str(p) for p in loc[:-1] if not isinstance(p, int))
        expected = known.get(parent)
        what = "unknown section" if len(loc) == 1 else "unknown key"
        hint = f"; expected one of: {', '.join(expected)}" if expected else ""
        return f"{where}: {what}{hint}"
    if kind == "missing":
        return f"{where}: required key is missing"
    message = error["msg"].removeprefix("Value error, ")
    return f"{where}: {message}"


def _known_keys() -> dict[str, list[str]]:
    """Field names per dotted section path, for 'did you mean' style hints."""
    known: dict[str, list[str]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        names = [n for n, f in model.model_fields.items() if not f.exclude]
        known[prefix] = names
        for name, field in model.model_fields.items():
            annotation = field.annotation
            inner = getattr(annotation, "__args__", (annotation,))
            for candidate in inner:
                if isinstance(candidate, type) and issubclass(candidate, BaseModel):
                    walk(candidate, f"{prefix}.{name}".lstrip("."))

    walk(Config, "")
    return known


def parse_config(data: dict[str, Any], *, source: str, base_dir: Path) -> Config:
    """Validate already-parsed TOML data; raise ConfigError with one readable line."""
    try:
        return Config(**data, base_dir=base_dir)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        raise ConfigError(f"{source}: {_describe_error(dict(first), _known_keys())}") from None


def config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """`--config` wins, then $LIBBOT_CONFIG, then ./config.toml."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(CONFIG_ENV_VAR) or "config.toml")


def load_config(path: str | os.PathLike[str] | None = None) -> Config:
    file = config_path(path)
    if not file.is_file():
        raise ConfigError(
            f"config file not found: {file} (copy config.example.toml to config.toml, "
            f"or pass --config / set {CONFIG_ENV_VAR})"
        )
    try:
        data = tomllib.loads(file.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: not valid TOML: {exc}") from None
    except UnicodeDecodeError:
        raise ConfigError(f"{file}: not UTF-8 text; save the file as UTF-8") from None
    return parse_config(data, source=str(file), base_dir=file.parent)
