"""Circulation: loans, renewals and holds through the library's own system.

`open_library_system` builds the connector the config names; handlers and the
reminder sweep only see the `LibrarySystem` protocol from `base`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

from bot.kernel.config import Config
from storage.circulation.base import LibrarySystem
from storage.db import Database


def library_today(config: Config) -> Callable[[], date]:
    """Due dates are calendar days in the library's own time zone."""
    zone = config.library.zone
    return lambda: datetime.now(zone).date()


def open_library_system(config: Config, db: Database) -> LibrarySystem | None:
    """The configured connector, or None when the library has none (`kind = "none"`)."""
    settings = config.library_system
    today = library_today(config)
    if settings.kind == "local":
        from storage.circulation.local import LocalSystem

        return LocalSystem(db, settings, today=today)
    if settings.kind == "koha":
        from storage.circulation.koha import KohaSystem

        return KohaSystem(settings.koha, timeout=settings.timeout_seconds, today=today)
    if settings.kind == "sip2":
        from storage.circulation.sip2 import Sip2System

        return Sip2System(settings.sip2, timeout=settings.timeout_seconds, today=today)
    if settings.kind == "irbis64":
        from storage.circulation.irbis import IrbisSystem

        return IrbisSystem(
            settings.irbis64,
            settings,
            timeout=settings.timeout_seconds,
            today=today,
            branches=config.library.branches,
        )
    return None
