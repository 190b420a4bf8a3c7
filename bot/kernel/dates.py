"""A date and time as staff type them: «19.12 18.30», «19.12.2026 18:30», «19 декабря
18:30», «завтра в 18», «в пятницу в 18», «пт 18:00» (and the English words for the same),
read in the library's time zone and never in the past.

Why not `dateparser` from PyPI: version 1.5.0, tried on these phrasings, reads «19.12 18.30»
as 18.12.2030 19:12, «завтра в 18» as tomorrow 12:00 and «в пятницу в 18» as last Friday
midnight — each without a word. A date that looks right and is wrong goes out to every
reader; a refusal costs one retyped line. So this reader is strict: every word must be
understood, or it says which part is missing, and the form answers with an example.

The rules:
- a day and month without a year is this year, or next year once that day has passed;
- a weekday is the next such day after today («в пятницу» on a Friday is next week's);
  «в эту / в следующую пятницу» read the same — the preview shows the date with its weekday;
- «сегодня», «завтра», «послезавтра» count from today in the library's zone;
- a moment that has passed (today earlier, an explicit past year) is refused, never moved.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A library plans events a season or two ahead; a year further off is a typo.
YEARS_AHEAD = 2


class Unreadable(enum.StrEnum):
    """What is wrong with a typed date: each has its own polite answer."""

    WORDS = "words"  # something in it is not a date or a time
    NO_TIME = "no-time"  # a day without a time
    NO_DATE = "no-date"  # a time without a day
    NO_SUCH_DAY = "no-such-day"  # 31.02, 25:00
    PAST = "past"  # it has already happened
    NOT_AFTER_START = "not-after-start"  # an end at or before the start
    WRONG_WEEKDAY = "wrong-weekday"  # «пт 19.12» when 19.12 is not a Friday


class WhenError(ValueError):
    def __init__(self, reason: Unreadable) -> None:
        super().__init__(reason.value)
        self.reason = reason


_MONTH_STEMS = (
    ("январ", 1),
    ("феврал", 2),
    ("март", 3),
    ("апрел", 4),
    ("июн", 6),
    ("июл", 7),
    ("август", 8),
    ("сентябр", 9),
    ("октябр", 10),
    ("ноябр", 11),
    ("декабр", 12),
)
# Every case form: январь, января, январе, январю, январём; март, марта, марте, марту, мартом.
_CASE_ENDINGS = ("", "ь", "я", "е", "ю", "ем", "а", "у", "ом")
_MONTH_WORDS = {
    **{stem + ending: month for stem, month in _MONTH_STEMS for ending in _CASE_ENDINGS},
    **dict.fromkeys(("май", "мая", "мае", "маю", "маем"), 5),
    **{"янв": 1, "фев": 2, "февр": 2, "мар": 3, "апр": 4, "авг": 8, "сен": 9, "сент": 9},
    **{"окт": 10, "ноя": 11, "нояб": 11, "дек": 12},
    **{
        name: number
        for number, names in enumerate(
            (
                ("january", "jan"),
                ("february", "feb"),
                ("march",),
                ("april", "apr"),
                ("may",),
                ("june", "jun"),
                ("july", "jul"),
                ("august", "aug"),
                ("september", "sep", "sept"),
                ("october", "oct"),
                ("november", "nov"),
                ("december", "dec"),
            ),
            start=1,
        )
        for name in names
    },
}
_WEEKDAY_WORDS = {
    word: day
    for day, words in enumerate(
        (
            ("понедельник", "пн", "пон", "monday", "mon"),
            ("вторник", "вт", "tuesday", "tue", "tues"),
            ("среда", "среду", "ср", "wednesday", "wed"),
            ("четверг", "чт", "thursday", "thu", "thurs"),
            ("пятница", "пятницу", "пт", "пят", "friday", "fri"),
            ("суббота", "субботу", "сб", "суб", "saturday", "sat"),
            ("воскресенье", "вс", "вскр", "sunday", "sun"),
        )
    )
    for word in words
}
_DAY_WORDS = {
    "позавчера": -2,
    "вчера": -1,
    "сегодня": 0,
    "завтра": 1,
    "послезавтра": 2,
    "yesterday": -1,
    "today": 0,
    "tomorrow": 1,
}
# «6 вечера», «2 дня», «10 утра», «6 pm»: how an hour under 12 is read.
_AFTERNOON = {"дня", "вечера", "pm", "p.m"}
_MORNING = {"утра", "ночи", "am", "a.m"}
_HOUR_WORDS = {"ч", "час", "часа", "часов", "h", "o'clock"}
# Words that carry no date: prepositions, «года», «в эту / в следующую пятницу».
_FILLERS = {
    "в",
    "во",
    "на",
    "к",
    "с",
    "до",
    "по",
    "г",
    "год",
    "года",
    "at",
    "on",
    "the",
    "from",
    "to",
    "till",
    "until",
    "эту",
    "этот",
    "это",
    "следующую",
    "следующий",
    "следующее",
    "this",
    "next",
    "-",
    "—",
    "–",
}

_FULL_DATE = re.compile(r"(\d{1,2})([./-])(\d{1,2})\2(\d{4}|\d{2})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
_COLON_TIME = re.compile(r"(\d{1,2}):(\d{2})")
_DOT_PAIR = re.compile(r"(\d{1,2})\.(\d{1,2})")  # 19.12 (a date) or 18.30 (a time)
_SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})")
_NUMBER = re.compile(r"\d{1,4}")


@dataclass(slots=True)
class _Day:
    """The day as typed: a calendar date (`month` > 0, the year optional), days from today
    (`offset`), or a weekday — which may also come with a date, as a check on it."""

    year: int | None = None
    month: int = 0
    day: int = 0
    offset: int | None = None
    weekday: int | None = None


@dataclass(slots=True)
class _Parsed:
    day: _Day | None = None
    hour: int | None = None
    minute: int = 0

    def set_day(self, day: _Day) -> None:
        """One day per answer; «пт 19.12» is a date whose weekday is checked."""
        if self.day is None:
            self.day = day
        elif self.day.month and day.weekday is not None and not day.month:
            self.day.weekday = day.weekday
        elif day.month and self.day.weekday is not None and not self.day.month:
            day.weekday = self.day.weekday
            self.day = day
        else:
            raise WhenError(Unreadable.WORDS)  # two dates in one answer

    def set_time(self, hour: int, minute: int) -> None:
        if self.hour is not None:
            raise WhenError(Unreadable.WORDS)
        self.hour, self.minute = hour, minute


def _tokens(text: str) -> list[str]:
    text = text.lower().replace("ё", "е")
    text = re.sub(r"[,;!?«»\"()]", " ", text)
    text = re.sub(r"(\d)t(\d)", r"\1 \2", text)  # 2026-12-19T18:30
    text = re.sub(r"(\d)([a-zа-я])", r"\1 \2", text)  # 18ч, 6pm, 19дек
    text = re.sub(r"([a-zа-я])(\d)", r"\1 \2", text)
    return [token.rstrip(".") or token for token in text.split()]


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if year < 100 else year


def _after(tokens: list[str], i: int) -> str:
    return tokens[i] if i < len(tokens) else ""


def _parse(text: str, *, time_alone: bool = False) -> _Parsed:
    """The parts typed, before deciding the year or whether the moment has passed.
    `time_alone`: a lone «20.30» is a time (an end), not a date without one."""
    tokens = _tokens(text)
    if not tokens:
        raise WhenError(Unreadable.WORDS)
    parsed = _Parsed()
    pairs: list[tuple[int, int]] = []
    loose: list[int] = []
    i = 0
    while i < len(tokens):
        token, following = tokens[i], _after(tokens, i + 1)
        if token in _FILLERS:
            pass
        elif match := _FULL_DATE.fullmatch(token):
            parsed.set_day(_Day(_year(match[4]), int(match[3]), int(match[1])))
        elif match := _ISO_DATE.fullmatch(token):
            parsed.set_day(_Day(int(match[1]), int(match[2]), int(match[3])))
        elif match := _COLON_TIME.fullmatch(token):
            parsed.set_time(int(match[1]), int(match[2]))
            if following in _AFTERNOON | _MORNING:
                parsed.hour = _twelve_hour(int(match[1]), following)
                i += 1
            elif following in _HOUR_WORDS:
                i += 1
        elif match := _DOT_PAIR.fullmatch(token):
            pairs.append((int(match[1]), int(match[2])))
        elif match := _SLASH_DATE.fullmatch(token):
            parsed.set_day(_Day(None, int(match[2]), int(match[1])))
        elif _NUMBER.fullmatch(token) and following in _MONTH_WORDS:
            # «19 декабря», «19 декабря 2026», «19 дек. 2026 г.»
            i += 1
            day = _Day(None, _MONTH_WORDS[following], int(token))
            if re.fullmatch(r"\d{4}", _after(tokens, i + 1)):
                day.year = int(tokens[i + 1])
                i += 1
            parsed.set_day(day)
        elif _NUMBER.fullmatch(token) and following in _HOUR_WORDS | _AFTERNOON | _MORNING:
            parsed.set_time(_twelve_hour(int(token), following), 0)
            i += 1
        elif _NUMBER.fullmatch(token):
            loose.append(int(token))
        elif token in _MONTH_WORDS and re.fullmatch(r"\d{1,2}", following):
            # «December 19», «December 19 2026»
            i += 1
            day = _Day(None, _MONTH_WORDS[token], int(following))
            if re.fullmatch(r"\d{4}", _after(tokens, i + 1)):
                day.year = int(tokens[i + 1])
                i += 1
            parsed.set_day(day)
        elif token in _WEEKDAY_WORDS:
            parsed.set_day(_Day(weekday=_WEEKDAY_WORDS[token]))
        elif token in _DAY_WORDS:
            parsed.set_day(_Day(offset=_DAY_WORDS[token]))
        else:
            raise WhenError(Unreadable.WORDS)
        i += 1
    _place_pairs(parsed, pairs, time_alone=time_alone)
    if loose:
        # «завтра в 18»: a lone number next to a day is the hour.
        if len(loose) > 1 or parsed.hour is not None:
            raise WhenError(Unreadable.WORDS)
        parsed.set_time(loose[0], 0)
    return parsed


def _twelve_hour(hour: int, word: str) -> int:
    if word in _AFTERNOON and 1 <= hour < 12:
        return hour + 12
    if word in _MORNING and hour == 12:
        return 0
    return hour


def _place_pairs(parsed: _Parsed, pairs: list[tuple[int, int]], *, time_alone: bool) -> None:
    """«19.12 18.30»: a dot pair is a date or a time, and what else was typed decides. Two
    pairs are a date and a time, in whichever order makes a real date."""
    if not pairs:
        return
    if len(pairs) > 2:
        raise WhenError(Unreadable.WORDS)
    if len(pairs) == 2:
        first, second = pairs
        if not _real_date(first) and _real_date(second) and _real_time(first):
            first, second = second, first
        parsed.set_day(_Day(None, first[1], first[0]))
        parsed.set_time(*second)
        return
    (pair,) = pairs
    has_date = parsed.day is not None and bool(parsed.day.month or parsed.day.offset is not None)
    if parsed.day is not None and parsed.hour is None:
        parsed.set_time(*pair)  # «завтра 18.30», «пт 18.30»
    elif not has_date and parsed.hour is not None:
        parsed.set_day(_Day(None, pair[1], pair[0]))  # «18:30 19.12»
    elif parsed.day is None and parsed.hour is None and time_alone:
        parsed.set_time(*pair)
    elif parsed.day is None and parsed.hour is None:
        # A pair alone: say which half is missing.
        raise WhenError(Unreadable.NO_TIME if _real_date(pair) else Unreadable.NO_DATE)
    else:
        raise WhenError(Unreadable.WORDS)


def _real_date(pair: tuple[int, int]) -> bool:
    return 1 <= pair[0] <= 31 and 1 <= pair[1] <= 12


def _real_time(pair: tuple[int, int]) -> bool:
    return 0 <= pair[0] <= 23 and 0 <= pair[1] <= 59


def _clock(parsed: _Parsed) -> time:
    if parsed.hour is None:
        raise WhenError(Unreadable.NO_TIME)
    if not _real_time((parsed.hour, parsed.minute)):
        raise WhenError(Unreadable.NO_SUCH_DAY)
    return time(parsed.hour, parsed.minute)


def _at(day: date, clock: time, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, clock, tzinfo=zone)


def _resolve(spec: _Day, clock: time, zone: ZoneInfo, now: datetime) -> datetime:
    today = now.astimezone(zone).date()
    if spec.offset is not None:
        return _at(today + timedelta(days=spec.offset), clock, zone)
    if not spec.month and spec.weekday is not None:
        ahead = (spec.weekday - today.weekday()) % 7 or 7
        return _at(today + timedelta(days=ahead), clock, zone)
    try:
        if spec.year is not None:
            if spec.year > today.year + YEARS_AHEAD:  # «31.12.9999»: a typo, not a plan
                raise ValueError(spec.year)
            day = date(spec.year, spec.month, spec.day)
        else:
            day = date(today.year, spec.month, spec.day)
            if day < today:  # that day has passed this year: next year's
                day = date(today.year + 1, spec.month, spec.day)
    except ValueError as exc:
        raise WhenError(Unreadable.NO_SUCH_DAY) from exc
    if spec.weekday is not None and day.weekday() != spec.weekday:
        raise WhenError(Unreadable.WRONG_WEEKDAY)
    return _at(day, clock, zone)


def read_moment(text: str, zone: ZoneInfo, now: datetime) -> datetime:
    """The moment typed, in `zone`, strictly after `now`; `WhenError` says what is wrong."""
    parsed = _parse(text)
    if parsed.day is None:
        raise WhenError(Unreadable.NO_DATE if parsed.hour is not None else Unreadable.WORDS)
    moment = _resolve(parsed.day, _clock(parsed), zone, now)
    if moment <= now:
        raise WhenError(Unreadable.PAST)
    return moment


def read_end(text: str, starts: datetime, zone: ZoneInfo, now: datetime) -> datetime:
    """An end: a time alone («20:00», «до 20.30», «в 20») is on the start's day; a day and a
    time are read as `read_moment` reads them. Either way after the start."""
    parsed = _parse(text, time_alone=True)
    clock = _clock(parsed)
    if parsed.day is None:
        moment = _at(starts.astimezone(zone).date(), clock, zone)
    else:
        moment = _resolve(parsed.day, clock, zone, now)
    if moment <= starts:
        raise WhenError(Unreadable.NOT_AFTER_START)
    return moment


def example_start(zone: ZoneInfo, now: datetime) -> datetime:
    """The date a prompt shows as its example: the next Friday at 18:30, so an example is
    never in the past and reads like a real plan."""
    return _resolve(_Day(weekday=4), time(18, 30), zone, now)


# A date as a sheet or a staff member writes it down (not a reader's «в пятницу в шесть»).
_WRITTEN = re.compile(
    r"^(\d{1,2})[./](\d{1,2})[./](\d{2}|\d{4})(?: ?г\.?)?(?:[ T,]+(\d{1,2})[:.](\d{2}))?$"
)
_WRITTEN_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{1,2}):(\d{2}))?")


def read_written_date(text: str, zone: ZoneInfo) -> tuple[datetime, bool] | None:
    """«31.03.2027», «31.03.27 г.», «31.03.2027 18:00», «2027-03-31» (a time may follow) as
    (the moment in `zone`, whether it is a whole day); None when the text is not written
    as a date, `WhenError(NO_SUCH_DAY)` when it is but there is no such day or time.

    For dates written down (imported sheets, grant deadlines, a work record's day); what a
    reader types about an event to come is `read_moment`'s."""
    value = " ".join(text.split()).rstrip(".")
    if found := _WRITTEN.match(value):
        day, month, year = int(found[1]), int(found[2]), int(found[3])
        year += 2000 if year < 100 else 0
    elif found := _WRITTEN_ISO.match(value):
        year, month, day = int(found[1]), int(found[2]), int(found[3])
    else:
        return None
    try:
        if found[4] is None:
            return datetime(year, month, day, tzinfo=zone), True
        return datetime(year, month, day, int(found[4]), int(found[5]), tzinfo=zone), False
    except ValueError as exc:
        raise WhenError(Unreadable.NO_SUCH_DAY) from exc
