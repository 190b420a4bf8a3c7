"""[library] and [catalogue]: the library, its branches and their opening hours, and the
export files its catalogue is read from."""

from __future__ import annotations

import codecs
import re
from datetime import time
from typing import Annotated, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, Field, field_validator

from bot.kernel.config.base import Section

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_RANGE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–]\s*(\d{1,2}):(\d{2})\s*$")


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
    codes: list[str] = []  # noqa: RUF012 - pydantic copies it


class Library(Section):
    name: Annotated[str, Field(min_length=1)]
    timezone: str = "Europe/Moscow"
    phone: str = ""
    email: str = ""
    website: str = ""
    vk: str = ""
    branches: list[Branch] = []  # noqa: RUF012 - pydantic copies it

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


class Catalogue(Section):
    # Export files re-read every night, so the index follows the library's own system.
    import_paths: list[str] = []  # noqa: RUF012 - pydantic copies it
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
