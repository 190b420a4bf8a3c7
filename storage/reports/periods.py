"""Report periods: a quarter, a half-year, a year, a month or any run of days, cut at the
library's local midnight (a request received at 23:30 on 30 September in Krasnoyarsk belongs
to Q3 even though it is already October in UTC), and the period before it to compare with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTHS = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)
MONTHS_OF = (  # «1–7 декабря»
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)
_QUARTER = re.compile(r"^(\d{4})-?[QqКк]([1-4])$")
_HALF = re.compile(r"^(\d{4})-?[HhПп]([12])$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_YEAR = re.compile(r"^(\d{4})$")


class PeriodError(ValueError):
    """A period that cannot be read; the message is one line for the operator."""


@dataclass(frozen=True)
class Period:
    """Days `first` … `last` inclusive, in the library's zone."""

    first: date
    last: date
    zone: ZoneInfo
    # quarter | half | year | month | month_so_far | days: decides what "the period before" is
    kind: str = "days"

    @property
    def start(self) -> datetime:
        """The first moment, in UTC."""
        return datetime.combine(self.first, time(), self.zone).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The moment after the last day, in UTC (exclusive)."""
        return datetime.combine(self.last + timedelta(days=1), time(), self.zone).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    @property
    def label(self) -> str:
        if self.kind == "quarter":
            return f"{(self.first.month - 1) // 3 + 1} квартал {self.first.year} г."
        if self.kind == "half":
            return f"{(self.first.month - 1) // 6 + 1} полугодие {self.first.year} г."
        if self.kind == "year":
            return f"{self.first.year} год"
        if self.kind == "month":
            return f"{MONTHS[self.first.month - 1]} {self.first.year} г."
        if self.kind == "month_so_far":
            days = f"{self.first.day}–{self.last.day}" if self.days > 1 else f"{self.first.day}"
            return f"{days} {MONTHS_OF[self.first.month - 1]} {self.first.year} г."
        return f"{self.first:%d.%m.%Y} — {self.last:%d.%m.%Y}"

    @property
    def slug(self) -> str:
        """For file names: 2026-Q3, 2026-H1, 2026, 2026-07, 2026-07-01_2026-07-15."""
        if self.kind == "quarter":
            return f"{self.first.year}-Q{(self.first.month - 1) // 3 + 1}"
        if self.kind == "half":
            return f"{self.first.year}-H{(self.first.month - 1) // 6 + 1}"
        if self.kind == "year":
            return str(self.first.year)
        if self.kind == "month":
            return f"{self.first:%Y-%m}"
        return f"{self.first.isoformat()}_{self.last.isoformat()}"

    def previous(self) -> Period:
        """The period of the same length just before: the quarter, year or month before, or
        as many days before for an arbitrary range."""
        if self.kind == "quarter":
            return quarter(*_shift_month(self.first, -3), self.zone)
        if self.kind == "half":
            return half(*_shift_month(self.first, -6), self.zone)
        if self.kind == "year":
            return year(self.first.year - 1, self.zone)
        if self.kind == "month":
            return month(*_shift_month(self.first, -1), self.zone)
        if self.kind == "month_so_far":
            before = month(*_shift_month(self.first, -1), self.zone)
            last = min(before.first + timedelta(days=self.days - 1), before.last)
            return Period(before.first, last, self.zone, "month_so_far")
        last = self.first - timedelta(days=1)
        return Period(last - timedelta(days=self.days - 1), last, self.zone)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end


def _shift_month(first: date, months: int) -> tuple[int, int]:
    index = first.year * 12 + first.month - 1 + months
    return index // 12, index % 12 + 1


def _month_end(year_: int, month_: int) -> date:
    following = date(year_ + month_ // 12, month_ % 12 + 1, 1)
    return following - timedelta(days=1)


def quarter(year_: int, month_or_quarter: int, zone: ZoneInfo) -> Period:
    """The quarter that holds `month_or_quarter` as a month (1–12)."""
    first_month = (month_or_quarter - 1) // 3 * 3 + 1
    return Period(date(year_, first_month, 1), _month_end(year_, first_month + 2), zone, "quarter")


def half(year_: int, month_or_half: int, zone: ZoneInfo) -> Period:
    """The half-year that holds `month_or_half` as a month (1–12): January–June or
    July–December, as the regional forms report."""
    first_month = (month_or_half - 1) // 6 * 6 + 1
    return Period(date(year_, first_month, 1), _month_end(year_, first_month + 5), zone, "half")


def year(year_: int, zone: ZoneInfo) -> Period:
    return Period(date(year_, 1, 1), date(year_, 12, 31), zone, "year")


def month(year_: int, month_: int, zone: ZoneInfo) -> Period:
    return Period(date(year_, month_, 1), _month_end(year_, month_), zone, "month")


def month_so_far(zone: ZoneInfo, now: datetime) -> Period:
    """This month from its first day to today, to set against the same days of the month
    before (1–7 December against 1–7 November): a week of December against the whole of
    November says nothing. On the month's last day it is the whole month."""
    today = now.astimezone(zone).date()
    whole = month(today.year, today.month, zone)
    if today == whole.last:
        return whole
    return Period(whole.first, today, zone, "month_so_far")


def days(first: date, last: date, zone: ZoneInfo) -> Period:
    if last < first:
        raise PeriodError(f"the period ends ({last}) before it starts ({first})")
    return Period(first, last, zone)


def parse(text: str, zone: ZoneInfo) -> Period:
    """`2026-Q3` (or 2026Q3, 2026-К3), `2026-H1` (or 2026-П1), `2026`, `2026-07`."""
    value = text.strip()
    if found := _QUARTER.match(value):
        return quarter(int(found[1]), (int(found[2]) - 1) * 3 + 1, zone)
    if found := _HALF.match(value):
        return half(int(found[1]), (int(found[2]) - 1) * 6 + 1, zone)
    if found := _MONTH.match(value):
        if not 1 <= int(found[2]) <= 12:
            raise PeriodError(f"no month {found[2]} in {text!r}")
        return month(int(found[1]), int(found[2]), zone)
    if found := _YEAR.match(value):
        return year(int(found[1]), zone)
    raise PeriodError(
        f"period {text!r}: expected a quarter like 2026-Q3, a half-year like 2026-H1,"
        " a year or 2026-07"
    )


def current(kind: str, zone: ZoneInfo, now: datetime) -> Period:
    """The quarter / half-year / year / month that holds `now` in the library's zone."""
    today = now.astimezone(zone).date()
    if kind == "quarter":
        return quarter(today.year, today.month, zone)
    if kind == "half":
        return half(today.year, today.month, zone)
    if kind == "year":
        return year(today.year, zone)
    if kind == "month":
        return month(today.year, today.month, zone)
    raise ValueError(kind)
