"""Dates as staff type them (`bot.kernel.dates`): many phrasings, Russian month names in every case,
never a moment in the past, and a reason for every refusal (#19: «19.12 18.30», «19 декабря
18:30» and «в пятницу в 18» were refused; the example in the prompt was a past date)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.kernel.dates import (
    Unreadable,
    WhenError,
    example_start,
    read_end,
    read_moment,
    read_written_date,
)

MOSCOW = ZoneInfo("Europe/Moscow")
# Wednesday 16 December 2026, noon in the library.
NOW = datetime(2026, 12, 16, 12, 0, tzinfo=MOSCOW)


def at(day: int, month: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("19.12 18.30", at(19, 12, 18, 30)),
        ("19.12 18:30", at(19, 12, 18, 30)),
        ("19.12.2026 18:30", at(19, 12, 18, 30)),
        ("19.12.26 18:30", at(19, 12, 18, 30)),
        ("19/12/2026 18:30", at(19, 12, 18, 30)),
        ("19-12-2026 18:30", at(19, 12, 18, 30)),
        ("2026-12-19 18:30", at(19, 12, 18, 30)),
        ("2026-12-19T18:30", at(19, 12, 18, 30)),
        ("19 декабря 18:30", at(19, 12, 18, 30)),
        ("19 декабря в 18:30", at(19, 12, 18, 30)),
        ("19 Декабря, 18.30", at(19, 12, 18, 30)),
        ("19 декабря 2026 г. 18:30", at(19, 12, 18, 30)),
        ("19 дек. 18:30", at(19, 12, 18, 30)),
        ("19 декабря в 18", at(19, 12, 18)),
        ("18:30 19.12", at(19, 12, 18, 30)),
        ("18.30 19.12", at(19, 12, 18, 30)),  # the order that makes a real date
        ("завтра в 18", at(17, 12, 18)),
        ("завтра 18:30", at(17, 12, 18, 30)),
        ("Завтра в 18ч", at(17, 12, 18)),
        ("завтра в 6 вечера", at(17, 12, 18)),
        ("послезавтра в 10 утра", at(18, 12, 10)),
        ("сегодня в 19:00", at(16, 12, 19)),
        ("в пятницу в 18", at(18, 12, 18)),
        ("пятница 18:00", at(18, 12, 18)),
        ("пт 18:00", at(18, 12, 18)),
        ("пт 18.30", at(18, 12, 18, 30)),
        ("пт, 18.12 18:00", at(18, 12, 18)),  # a weekday with its date
        ("во вторник в 11:00", at(22, 12, 11)),
        ("в среду в 10", at(23, 12, 10)),  # today is Wednesday: next week's
        ("в субботу в 12", at(19, 12, 12)),
        ("в воскресенье в 12:00", at(20, 12, 12)),
        ("tomorrow at 6pm", at(17, 12, 18)),
        ("December 19 6:30 pm", at(19, 12, 18, 30)),
        ("fri 18:00", at(18, 12, 18)),
    ],
)
def test_what_staff_type_is_read_in_library_time(typed: str, expected: datetime) -> None:
    assert read_moment(typed, MOSCOW, NOW) == expected


@pytest.mark.parametrize(
    ("word", "month"),
    [
        # Every case form a sentence may put a month in: «в марте», «к маю», «1 января»…
        *[(w, 1) for w in ("январь", "января", "январе", "январю", "январем", "январём", "янв")],
        *[(w, 2) for w in ("февраль", "февраля", "феврале", "февр", "фев")],
        *[(w, 3) for w in ("март", "марта", "марте", "марту", "мартом", "мар")],
        *[(w, 4) for w in ("апрель", "апреля", "апреле", "апр")],
        *[(w, 5) for w in ("май", "мая", "мае", "маю", "маем")],
        *[(w, 6) for w in ("июнь", "июня", "июне", "июн")],
        *[(w, 7) for w in ("июль", "июля", "июле", "июл")],
        *[(w, 8) for w in ("август", "августа", "августе", "авг")],
        *[(w, 9) for w in ("сентябрь", "сентября", "сентябре", "сент", "сен")],
        *[(w, 10) for w in ("октябрь", "октября", "октябре", "окт")],
        *[(w, 11) for w in ("ноябрь", "ноября", "ноябре", "нояб", "ноя")],
        *[(w, 12) for w in ("декабрь", "декабря", "декабре", "декабрём", "дек")],
    ],
)
def test_month_names_in_every_case(word: str, month: int) -> None:
    moment = read_moment(f"20 {word} 10:00", MOSCOW, NOW)
    assert (moment.month, moment.day, moment.hour) == (month, 20, 10)


def test_a_day_and_month_that_passed_this_year_is_next_year() -> None:
    assert read_moment("10.12 10:00", MOSCOW, NOW) == at(10, 12, 10, year=2027)
    assert read_moment("1 января 10:00", MOSCOW, NOW) == at(1, 1, 10, year=2027)
    assert read_moment("20 декабря 10:00", MOSCOW, NOW) == at(20, 12, 10)  # still ahead


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("вчера вечером", Unreadable.WORDS),
        ("скоро", Unreadable.WORDS),
        ("", Unreadable.WORDS),
        ("19 декабря", Unreadable.NO_TIME),
        ("19.12", Unreadable.NO_TIME),
        ("в пятницу", Unreadable.NO_TIME),
        ("18:30", Unreadable.NO_DATE),
        ("18.30", Unreadable.NO_DATE),
        ("31.02 10:00", Unreadable.NO_SUCH_DAY),
        ("завтра в 25:00", Unreadable.NO_SUCH_DAY),
        ("вчера в 18", Unreadable.PAST),
        ("сегодня в 9", Unreadable.PAST),  # today, but the hour has gone
        ("16.12 11:00", Unreadable.PAST),  # not moved to next year: it is today
        ("01.12.2026 18:00", Unreadable.PAST),  # an explicit year is taken at its word
        ("пт 19.12 18:00", Unreadable.WRONG_WEEKDAY),  # 19.12.2026 is a Saturday
        ("19.12 20.12 18:00", Unreadable.WORDS),  # two dates
    ],
)
def test_refusals_say_what_is_wrong(typed: str, reason: Unreadable) -> None:
    with pytest.raises(WhenError) as caught:
        read_moment(typed, MOSCOW, NOW)
    assert caught.value.reason is reason


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("20:00", at(19, 12, 20)),
        ("20.00", at(19, 12, 20)),
        ("до 20.30", at(19, 12, 20, 30)),
        ("в 20", at(19, 12, 20)),
        ("20 ч", at(19, 12, 20)),
        ("20.12 10:00", at(20, 12, 10)),
    ],
)
def test_an_end_alone_is_on_the_start_day(typed: str, expected: datetime) -> None:
    assert read_end(typed, at(19, 12, 18, 30), MOSCOW, NOW) == expected


def test_an_end_before_the_start_is_refused() -> None:
    with pytest.raises(WhenError) as caught:
        read_end("18:00", at(19, 12, 18, 30), MOSCOW, NOW)
    assert caught.value.reason is Unreadable.NOT_AFTER_START


@pytest.mark.parametrize("days", range(8))
def test_the_example_is_the_next_friday_evening(days: int) -> None:
    now = NOW + timedelta(days=days)
    example = example_start(MOSCOW, now)
    assert example > now
    assert example - now <= timedelta(days=7, hours=7)
    assert (example.weekday(), example.hour, example.minute) == (4, 18, 30)
    # And the example, typed back, is read as the same moment.
    assert read_moment(f"{example:%d.%m %H:%M}", MOSCOW, now) == example


def test_a_date_near_midnight_uses_the_library_day_not_utc() -> None:
    late = datetime(2026, 12, 16, 23, 30, tzinfo=MOSCOW)  # 20:30 UTC, still the 16th in UTC
    assert read_moment("завтра в 10", MOSCOW, late) == at(17, 12, 10)
    early = datetime(2026, 12, 17, 0, 30, tzinfo=MOSCOW)  # 21:30 UTC on the 16th
    assert read_moment("завтра в 10", MOSCOW, early.astimezone(ZoneInfo("UTC"))) == at(18, 12, 10)


def test_a_year_far_ahead_is_a_typo_not_a_plan() -> None:
    """«31.12.9999 23:00» made the end-time example overflow (review finding)."""
    now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
    with pytest.raises(WhenError):
        read_moment("31.12.9999 23:00", ZoneInfo("Europe/Moscow"), now)
    assert read_moment("31.12.2028 23:00", ZoneInfo("Europe/Moscow"), now).year == 2028


def test_dates_written_down_in_sheets_and_forms() -> None:
    """One reader for a date as a sheet or staff write it: grant deadlines and work records."""
    assert read_written_date("31.03.2027", MOSCOW) == (datetime(2027, 3, 31, tzinfo=MOSCOW), True)
    assert read_written_date("31.03.27 г. 18:30", MOSCOW) == (
        datetime(2027, 3, 31, 18, 30, tzinfo=MOSCOW),
        False,
    )
    assert read_written_date("2027-03-31", MOSCOW) == (datetime(2027, 3, 31, tzinfo=MOSCOW), True)
    assert read_written_date("в пятницу", MOSCOW) is None
    with pytest.raises(WhenError) as wrong:
        read_written_date("31.02.2027", MOSCOW)
    assert wrong.value.reason is Unreadable.NO_SUCH_DAY
