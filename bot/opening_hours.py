"""Opening hours: «открыто сейчас?» and a week line like «Пн–Пт 10:00–19:00; Вс выходной»."""

from __future__ import annotations

from datetime import datetime

from bot.config import WEEKDAYS, WeekHours


def is_open(hours: WeekHours, local_now: datetime) -> bool:
    moment = local_now.time()
    return any(opens <= moment < closes for opens, closes in hours.ranges(local_now.weekday()))


def has_hours(hours: WeekHours) -> bool:
    return any(hours.ranges(day) for day in range(7))


def week_line(hours: WeekHours, day_names: list[str], closed: str) -> str:
    """Group consecutive days that share the same hours."""

    def day_text(day: int) -> str:
        ranges = hours.ranges(day)
        if not ranges:
            return closed
        return ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in ranges)

    groups: list[tuple[int, int, str]] = []
    for day in range(len(WEEKDAYS)):
        text = day_text(day)
        if groups and groups[-1][2] == text:
            groups[-1] = (groups[-1][0], day, text)
        else:
            groups.append((day, day, text))
    parts = []
    for first, last, text in groups:
        days = day_names[first] if first == last else f"{day_names[first]}–{day_names[last]}"
        parts.append(f"{days} {text}")
    return "; ".join(parts)
