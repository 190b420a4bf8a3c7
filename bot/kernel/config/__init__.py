"""Typed configuration: `config.toml` plus `LIBBOT_…` environment variables.

Every section is a pydantic model that forbids unknown keys, so a typo in a
librarian's config stops start-up with one line naming the key instead of being
silently ignored. Secrets may come from the environment: `LIBBOT_TELEGRAM__TOKEN`,
`LIBBOT_DATABASE__URL`, `LIBBOT_REDIS__URL`, `LIBBOT_TELEGRAM__WEBHOOK_SECRET`,
`LIBBOT_VK__TOKEN`, `LIBBOT_MAX__TOKEN`
(the double underscore separates section and key) override the file.

The sections live in modules by theme (the library and its catalogue, the messengers,
the library system, policies, topics, services); `loading` assembles them into `Config`
and reads the file. Everything is importable from here, as `bot.kernel.config.X`.
"""

from bot.kernel.config.base import ConfigError, Section
from bot.kernel.config.library import WEEKDAYS, Branch, Catalogue, Library, OpeningHours, WeekHours
from bot.kernel.config.library_system import Koha, LibrarySystem, Reminders, Sip2
from bot.kernel.config.loading import CONFIG_ENV_VAR, Config, config_path, load_config, parse_config
from bot.kernel.config.messengers import (
    MESSENGERS,
    PLATFORMS,
    PUBLIC_MAX_API,
    PUBLIC_TELEGRAM_API,
    PUBLIC_VK_API,
    Max,
    Staff,
    Telegram,
    Vk,
)
from bot.kernel.config.policies import Limits, Notifications, Privacy
from bot.kernel.config.services import (
    DEFAULT_DATA_DIR,
    Database,
    Logging,
    Monitoring,
    Outbox,
    Redis,
)
from bot.kernel.config.topics import (
    DEFAULT_CONSULTATION_TOPICS,
    DEFAULT_TOPICS,
    LIBRARIAN_TOPIC,
    WORKING_WEEK,
    Consultations,
    ConsultationTopic,
    Librarian,
    Subscriptions,
    Topic,
)

__all__ = [
    "CONFIG_ENV_VAR",
    "DEFAULT_CONSULTATION_TOPICS",
    "DEFAULT_DATA_DIR",
    "DEFAULT_TOPICS",
    "LIBRARIAN_TOPIC",
    "MESSENGERS",
    "PLATFORMS",
    "PUBLIC_MAX_API",
    "PUBLIC_TELEGRAM_API",
    "PUBLIC_VK_API",
    "WEEKDAYS",
    "WORKING_WEEK",
    "Branch",
    "Catalogue",
    "Config",
    "ConfigError",
    "ConsultationTopic",
    "Consultations",
    "Database",
    "Koha",
    "Librarian",
    "Library",
    "LibrarySystem",
    "Limits",
    "Logging",
    "Max",
    "Monitoring",
    "Notifications",
    "OpeningHours",
    "Outbox",
    "Privacy",
    "Redis",
    "Reminders",
    "Section",
    "Sip2",
    "Staff",
    "Subscriptions",
    "Telegram",
    "Topic",
    "Vk",
    "WeekHours",
    "config_path",
    "load_config",
    "parse_config",
]
