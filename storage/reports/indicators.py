"""«Показатели»: the indicators of a practice passport, each computed from the rows of the other
sheets (never from a separate query) and stated with the rule that redoes it by hand — so every
number in the summary can be checked against the sheet it came from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from statistics import median

from storage.reports import grants, ratings
from storage.reports.build import ReportData
from storage.reports.work import EVENT_KINDS, ORGANISATION_SEPARATOR, Kind, Work, WorkRow
from storage.spreadsheets import Sheet

EVENT_SHEETS = (Work.TRAININGS, Work.PUBLIC, Work.CONSULTATIONS)
# A value of None prints as «—»: not applicable (no ratings yet; requests in a branch report).
Value = int | float | None


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    rule: str
    compute: Callable[[ReportData], Value]
    library_wide: bool = False  # needs requests or enquiries: «—» in a branch report


def _events(data: ReportData) -> list[WorkRow]:
    return [row for row in data.rows(*EVENT_SHEETS) if row.kind in EVENT_KINDS]


def _sum(data: ReportData, sheet: Work, *kinds: Kind) -> int:
    return sum(r.amount for r in data.work.get(sheet, []) if not kinds or r.kind in kinds)


def _count(data: ReportData, sheet: Work, *kinds: Kind) -> int:
    return sum(1 for r in data.work.get(sheet, []) if not kinds or r.kind in kinds)


def organisations(data: ReportData) -> int:
    names = {
        name
        for row in _events(data)
        for name in row.customer.split(ORGANISATION_SEPARATOR)
        if name.strip()
    }
    return len(names)


def _resolved_days(data: ReportData) -> list[int]:
    return [line.days_to_resolve for line in data.requests if line.days_to_resolve is not None]


def _median_days(data: ReportData) -> Value:
    days = _resolved_days(data)
    return round(median(days), 1) if days else None


def _ratings(data: ReportData) -> list[int]:
    return [line.rating for line in data.requests if line.rating]


def _mean_rating(data: ReportData) -> Value:
    ratings = _ratings(data)
    return round(sum(ratings) / len(ratings), 2) if ratings else None


def _event_kind(kind: Kind) -> Callable[[ReportData], Value]:
    return lambda data: sum(1 for row in _events(data) if row.kind is kind)


_EVENTS_RULE = "строки с видом «{kind}» на листах мероприятий"
_EVENT_PLURALS = {
    Kind.MEETUP: "встреч НКО",
    Kind.TRAINING: "обучающих мероприятий",
    Kind.PUBLIC_EVENT: "публичных мероприятий",
    Kind.CONSULTATION_DAY: "дней консультаций",
    Kind.OTHER_EVENT: "других мероприятий",
}
INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "events",
        "Проведено мероприятий — всего",
        "строки мероприятий на листах «Обучающие мероприятия», «Публичные мероприятия» "
        "и «Консультации» (вид «День консультаций»)",
        lambda data: len(_events(data)),
    ),
    *(
        Indicator(
            f"events_{kind.name.lower()}",
            f"  в том числе {_EVENT_PLURALS[kind]}",
            _EVENTS_RULE.format(kind=kind.value),
            _event_kind(kind),
        )
        for kind in EVENT_KINDS
    ),
    Indicator(
        "participants",
        "Участников мероприятий",
        "сумма «Количество» по строкам мероприятий (отмеченные на месте, "
        "а где посещаемость не отмечалась — записавшиеся)",
        lambda data: sum(row.amount for row in _events(data)),
    ),
    Indicator(
        "organisations",
        "Организаций (НКО) — участников мероприятий",
        "число разных названий в «Заказчик» строк мероприятий (через «; »)",
        organisations,
    ),
    Indicator(
        "consultations",
        "Консультаций дано",
        "сумма «Количество» листа «Консультации»: решённые обращения и участники дней консультаций",
        lambda data: _sum(data, Work.CONSULTATIONS),
    ),
    Indicator(
        "expertise",
        "Экспертиз проектных заявок проведено",
        "сумма «Количество» листа «Экспертизы проектных заявок»",
        lambda data: _sum(data, Work.EXPERTISE),
        library_wide=True,
    ),
    Indicator(
        "requests",
        "Запросов получено",
        "строки листа «Запросы»",
        lambda data: len(data.requests),
        library_wide=True,
    ),
    Indicator(
        "resolved",
        "Запросов решено",
        "строки листа «Запросы» с «Дата решения»",
        lambda data: len(_resolved_days(data)),
        library_wide=True,
    ),
    Indicator(
        "median_days",
        "Медианный срок решения запроса, дней",
        "медиана «Срок решения, дней» листа «Запросы»",
        _median_days,
        library_wide=True,
    ),
    Indicator(
        "broadcasts",
        "Рассылок отправлено",
        "строки вида «Рассылка» листа «Продвижение услуг РЦ»",
        lambda data: _count(data, Work.PROMOTION, Kind.BROADCAST),
    ),
    Indicator(
        "reach",
        "Охват рассылок и афиш, доставлено сообщений",
        "сумма «Количество» видов «Рассылка» и «Афиша на неделю» листа «Продвижение услуг РЦ»",
        lambda data: _sum(data, Work.PROMOTION, Kind.BROADCAST, Kind.DIGEST),
    ),
    Indicator(
        "subscriptions",
        "Новых подписок на рассылки",
        "сумма «Количество» вида «Подписка на рассылку» листа «Продвижение услуг РЦ»",
        lambda data: _sum(data, Work.PROMOTION, Kind.SUBSCRIPTION),
        library_wide=True,
    ),
    Indicator(
        "catalogue",
        "Справок по каталогу",
        "сумма «Количество» вида «Справка по каталогу» листа «Справки по каталогу и продления»",
        lambda data: _sum(data, Work.ENQUIRIES, Kind.CATALOGUE),
        library_wide=True,
    ),
    Indicator(
        "renewals",
        "Продлений книг",
        "сумма «Количество» вида «Продление книги» листа «Справки по каталогу и продления»",
        lambda data: _sum(data, Work.ENQUIRIES, Kind.RENEWAL),
        library_wide=True,
    ),
    Indicator(
        "rating",
        "Удовлетворённость: средняя оценка запросов (1–5)",
        "среднее «Оценка» листа «Запросы»",
        _mean_rating,
        library_wide=True,
    ),
    Indicator(
        "ratings",
        "Оценок получено",
        "заполненные «Оценка» листа «Запросы»",
        lambda data: len(_ratings(data)),
        library_wide=True,
    ),
)
# Grant applications (#27), from the sheet «Гранты»: on «Показатели», after the others.
GRANT_INDICATORS = tuple(
    Indicator(key, name, rule, lambda d, how=how: how(d.grants, d.period), library_wide=True)
    for key, name, rule, how in grants.INDICATORS
)
# Satisfaction after a service (#26), from the sheet «Оценки».
RATING_INDICATORS = tuple(
    Indicator(key, name, rule, lambda d, how=how: how(d.ratings), library_wide=True)
    for key, name, rule, how in ratings.INDICATORS
)
HEADINGS_TAIL = ("Изменение", "Изменение, %", "Как посчитано")


def value(indicator: Indicator, data: ReportData) -> Value:
    if indicator.library_wide and not data.library_wide:
        return None
    return indicator.compute(data)


def values(data: ReportData) -> dict[str, Value]:
    return {indicator.key: value(indicator, data) for indicator in INDICATORS}


def _change(now: Value, before: Value) -> tuple[object, object]:
    if now is None or before is None:
        return "", ""
    delta = round(now - before, 2)
    if isinstance(delta, float) and delta.is_integer():
        delta = int(delta)
    percent: object = round((now - before) / before * 100, 1) if before else ""
    return delta, percent


def column_label(data: ReportData) -> str:
    """The period a column holds; a period not over yet says so and up to which day, so
    that part of this quarter set against the whole of the last is not read as a fall."""
    if data.made_at.date() <= data.period.last:
        return f"{data.period.label} (по {data.made_at:%d.%m.%Y}, период не закончился)"
    return data.period.label


def sheet(current: ReportData, previous: ReportData) -> Sheet:
    """One row per indicator: this period, the one before, the change and the rule."""
    headings = ("Показатель", column_label(current), column_label(previous), *HEADINGS_TAIL)
    rows: list[list[object]] = []
    for indicator in (*INDICATORS, *GRANT_INDICATORS, *RATING_INDICATORS):
        now, before = value(indicator, current), value(indicator, previous)
        delta, percent = _change(now, before)
        rows.append(
            [
                indicator.name,
                "—" if now is None else now,
                "—" if before is None else before,
                delta,
                percent,
                indicator.rule,
            ]
        )
    return Sheet(headings, rows)
