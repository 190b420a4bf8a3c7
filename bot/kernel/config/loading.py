"""The whole configuration (`Config`) and how it is read: the file, `LIBBOT_…` variables,
and a validation error turned into the one line an operator reads."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from bot.kernel.config.base import ConfigError
from bot.kernel.config.library import Catalogue, Library
from bot.kernel.config.library_system import LibrarySystem, Reminders
from bot.kernel.config.messengers import Max, Staff, Telegram, Vk
from bot.kernel.config.policies import Limits, Notifications, Privacy
from bot.kernel.config.ratings import Ratings
from bot.kernel.config.services import Database, Logging, Monitoring, Outbox, Redis
from bot.kernel.config.topics import Consultations, Librarian, Subscriptions
from bot.kernel.config.work import ResourceWork

CONFIG_ENV_VAR = "LIBBOT_CONFIG"


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
    max: Max = Max()
    staff: Staff = Staff()
    privacy: Privacy = Privacy()
    limits: Limits = Limits()
    catalogue: Catalogue = Catalogue()
    subscriptions: Subscriptions = Subscriptions()
    notifications: Notifications = Notifications()
    library_system: LibrarySystem = LibrarySystem()
    reminders: Reminders = Reminders()
    consultations: Consultations = Consultations()
    librarian: Librarian = Librarian()
    logging: Logging = Logging()
    monitoring: Monitoring = Monitoring()
    outbox: Outbox = Outbox()
    work: ResourceWork = ResourceWork()
    ratings: Ratings = Ratings()  # #26: a rating after each kind of service

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
