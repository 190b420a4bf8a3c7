"""Opening hours: «открыто сейчас?» and a week line like «Пн–Пт 10:00–19:00; Вс выходной»."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.config import WEEKDAYS, WeekHours


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


def _open_periods(
    hours: WeekHours, start: datetime, days: int = 15
) -> list[tuple[datetime, datetime]]:
    """Opening periods from `start` on (local, aware), clipped to begin no earlier than it."""
    periods = []
    midnight = start.replace(hour=0, minute=0, second=0, microsecond=0)
    for offset in range(days):
        day = midnight + timedelta(days=offset)
        for opens, closes in hours.ranges(day.weekday()):
            begin = day.replace(hour=opens.hour, minute=opens.minute)
            end = day.replace(hour=closes.hour, minute=closes.minute)
            if end > start:
                periods.append((max(begin, start), end))
    return periods


def next_opening(hours: WeekHours, local_now: datetime) -> datetime | None:
    """When work next begins: now if open, else the next opening; None if never open."""
    periods = _open_periods(hours, local_now, days=8)
    return periods[0][0] if periods else None


def working_day_minutes(hours: WeekHours) -> int:
    """The length of a typical working day (the median over open weekdays), in minutes."""
    lengths = sorted(
        sum((b.hour * 60 + b.minute) - (a.hour * 60 + a.minute) for a, b in hours.ranges(d))
        for d in range(7)
        if hours.ranges(d)
    )
    return lengths[len(lengths) // 2] if lengths else 0


def add_working_days(hours: WeekHours, local_start: datetime, days: float) -> datetime:
    """The moment `days` working days after `local_start`, counting only opening hours:
    Friday 17:00 plus one day of 09:00–18:00 is Monday 17:00; a request that arrives on
    Saturday has until Monday's closing. With no opening hours, plain days are added."""
    budget = timedelta(minutes=working_day_minutes(hours) * days)
    if not budget:
        return local_start + timedelta(days=days)
    weeks = int(days // 5) + 2
    for begin, end in _open_periods(hours, local_start, days=7 * weeks + 7):
        if end - begin >= budget:
            return begin + budget
        budget -= end - begin
    return local_start + timedelta(days=days)
