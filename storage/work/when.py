"""When a piece of work was done, as staff type it: «сегодня», «вчера», «позавчера», «12.11»,
«12.11.2026», «12.11.2026 14:30», «2026-11-12».

`bot.kernel.dates` reads the moments of events to come and refuses the past; work is
recorded after it is done, so here it is the other way round: a day and month without a
year is the latest such day not after today (12.12 typed on 8 December is last year's), and
a day after today is refused.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from storage.work.files import read_date

DAYS_BACK = {"сегодня": 0, "вчера": 1, "позавчера": 2, "today": 0, "yesterday": 1}
_DAY_MONTH = re.compile(r"^(\d{1,2})[./](\d{1,2})(?:[ ,]+(\d{1,2})[:.](\d{2}))?$")


def days_back(days: int, zone: ZoneInfo, now: datetime) -> tuple[datetime, bool]:
    """The whole day `days` before today: «Сегодня», «Вчера», «Позавчера» as buttons."""
    day = now.astimezone(zone).date() - timedelta(days=days)
    return datetime.combine(day, time(), zone), True


def read_when(text: str, zone: ZoneInfo, now: datetime) -> tuple[datetime, bool] | None:
    """(the moment, whether it is a whole day), or None when it is not a date or is later
    than today."""
    value = " ".join(text.casefold().split()).rstrip(".")
    today = now.astimezone(zone).date()
    if value in DAYS_BACK:
        return days_back(DAYS_BACK[value], zone, now)
    found = read_date(value, zone)
    if found is None and (short := _DAY_MONTH.match(value)):
        day_, month = int(short[1]), int(short[2])
        for year in (today.year, today.year - 1):
            try:
                candidate = read_date(f"{day_}.{month}.{year}", zone)
            except ValueError:
                candidate = None
            if candidate is not None and candidate[0].date() <= today:
                found = candidate
                break
        if found is not None and short[3] is not None:
            hour, minute = int(short[3]), int(short[4])
            if hour > 23 or minute > 59:
                return None
            found = (found[0].replace(hour=hour, minute=minute), False)
    if found is None or found[0].astimezone(zone).date() > today:
        return None
    return found
