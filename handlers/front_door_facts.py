"""The library's facts as answers to typed questions: hours for a day, a branch or right
now; addresses; phones, e-mail and website — all straight from the config, so what the
bot says is what «О библиотеке» says.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.kernel.config import WEEKDAYS, Branch, Config
from bot.kernel.i18n import Texts
from bot.kernel.opening_hours import has_hours, is_open, next_opening, week_line
from storage.front_door.decide import Decision, Span


def _branches(config: Config, decision: Decision) -> list[Branch]:
    """The branch the question names, else all of them."""
    named = [b for b in config.library.branches if b.id == decision.branch_id]
    return named or list(config.library.branches)


def _day_hours(branch: Branch, weekday: int, texts: Texts) -> str:
    ranges = branch.hours.ranges(weekday)
    if not ranges:
        return texts("hours-closed")
    return ", ".join(f"{a:%H:%M}–{b:%H:%M}" for a, b in ranges)


def _asked_day(decision: Decision, local_now: datetime) -> datetime | None:
    """The date a question names: today, tomorrow, or the next such weekday (today if it
    is today)."""
    if decision.day_offset is not None:
        return local_now + timedelta(days=decision.day_offset)
    if decision.weekday is not None:
        return local_now + timedelta(days=(decision.weekday - local_now.weekday()) % 7)
    return None


def _now_line(branch: Branch, local_now: datetime, texts: Texts) -> str:
    if is_open(branch.hours, local_now):
        closes = next(
            b for a, b in branch.hours.ranges(local_now.weekday()) if a <= local_now.time() < b
        )
        return texts("fd-open-now", until=f"{closes:%H:%M}")
    opening = next_opening(branch.hours, local_now)
    if opening is None:
        return texts("hours-all-closed")
    same_day = opening.date() == local_now.date()
    tomorrow = opening.date() == (local_now + timedelta(days=1)).date()
    when = (
        texts("fd-today")
        if same_day
        else texts("fd-tomorrow")
        if tomorrow
        else texts(f"fd-on-{WEEKDAYS[opening.weekday()]}")
    )
    return texts("fd-closed-now", day=when, at=f"{opening:%H:%M}")


def hours_answer(config: Config, texts: Texts, decision: Decision, now: datetime) -> str:
    local_now = now.astimezone(config.library.zone)
    branches = [b for b in _branches(config, decision) if has_hours(b.hours)]
    if not branches:
        return texts("fd-hours-unknown")
    day = _asked_day(decision, local_now)
    lines: list[str] = []
    if day is not None:
        is_today = day.date() == local_now.date()
        label = (
            texts("fd-today")
            if is_today
            else texts("fd-tomorrow")
            if decision.day_offset == 1
            else texts(f"fd-on-{WEEKDAYS[day.weekday()]}")
        )
        lines.append(texts("fd-hours-day-title", day=label, date=f"{day:%d.%m}"))
        for branch in branches:
            hours = _day_hours(branch, day.weekday(), texts)
            line = texts("fd-hours-branch", branch=branch.name, hours=hours)
            if is_today:
                line += " · " + _now_line(branch, local_now, texts)
            lines.append(line)
    elif decision.open_now:
        lines.append(texts("fd-hours-now-title"))
        lines += [
            texts("fd-hours-branch", branch=b.name, hours=_now_line(b, local_now, texts))
            for b in branches
        ]
    else:
        day_names = [texts(f"day-{d}") for d in WEEKDAYS]
        lines.append(texts("fd-hours-week-title"))
        for branch in branches:
            hours = week_line(branch.hours, day_names, texts("hours-closed"))
            lines.append(texts("fd-hours-branch", branch=branch.name, hours=hours))
            lines.append("   " + _now_line(branch, local_now, texts))
    notes = [texts("about-branch-note", note=b.hours_note) for b in branches if b.hours_note]
    if decision.holiday:
        notes.append(texts("fd-hours-holiday"))
    return "\n".join([*lines, *notes])


def address_answer(config: Config, texts: Texts, decision: Decision) -> str:
    branches = [b for b in _branches(config, decision) if b.address]
    if not branches:
        return texts("fd-address-unknown", phone=_phone(config))
    lines = [texts("fd-address-title")]
    for branch in branches:
        lines.append(texts("fd-address-branch", branch=branch.name, address=branch.address))
        if branch.phone:
            lines.append("   " + texts("about-branch-phone", phone=branch.phone))
    return "\n".join(lines)


def contacts_answer(config: Config, texts: Texts) -> str:
    library = config.library
    lines = [texts("about-contacts")]
    lines += [
        texts(key, **{field: value})
        for key, field, value in (
            ("about-phone", "phone", library.phone),
            ("about-email", "email", library.email),
            ("about-website", "website", library.website),
            ("about-vk", "vk", library.vk),
        )
        if value
    ]
    lines += [
        texts("fd-contacts-branch", branch=b.name, phone=b.phone)
        for b in library.branches
        if b.phone
    ]
    if len(lines) == 1:
        return texts("fd-contacts-unknown")
    return "\n".join(lines)


def _phone(config: Config) -> str:
    if config.library.phone:
        return config.library.phone
    return next((b.phone for b in config.library.branches if b.phone), "none")


def span_label(texts: Texts, decision: Decision, local_now: datetime) -> str:
    """«на субботу», «на эту неделю» — for the events answer's title."""
    if decision.span is Span.WEEK:
        return texts("fd-span-week")
    if decision.span is Span.WEEKEND:
        return texts("fd-span-weekend")
    day = _asked_day(decision, local_now)
    if day is None:
        return ""
    if decision.day_offset == 0:
        return texts("fd-span-today")
    if decision.day_offset == 1:
        return texts("fd-span-tomorrow")
    return texts(f"fd-span-{WEEKDAYS[day.weekday()]}", date=f"{day:%d.%m}")


def span_bounds(decision: Decision, local_now: datetime) -> tuple[datetime, datetime] | None:
    """The local moments an events question covers, or None for «all upcoming»."""
    midnight = local_now.replace(hour=0, minute=0, second=0, microsecond=0)
    if decision.span is Span.WEEK:
        return local_now, midnight + timedelta(days=7 - local_now.weekday())
    if decision.span is Span.WEEKEND:
        saturday = midnight + timedelta(days=(5 - local_now.weekday()) % 7)
        if local_now.weekday() == 6:
            saturday = midnight - timedelta(days=1)
        return max(local_now, saturday), saturday + timedelta(days=2)
    day = _asked_day(decision, local_now)
    if day is None:
        return None
    start = day.replace(hour=0, minute=0, second=0, microsecond=0)
    return max(local_now, start), start + timedelta(days=1)
