"""[privacy], [limits] and [notifications]: what the bot keeps, how much it takes in, and
when it keeps quiet."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Annotated

from pydantic import Field, field_validator

from bot.kernel.config.base import Section


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
    # A reply the messenger kept refusing («retry after») this long is dropped, logged:
    # the reader has pressed again or given up, and a late answer would confuse.
    reply_deadline_seconds: Annotated[float, Field(ge=1, le=600)] = 60.0


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
