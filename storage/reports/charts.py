"""Charts for the «Графики» sheet and the staff dashboard, drawn with matplotlib's object API
(no pyplot, no display, safe in a worker thread). Each chart comes with the table it was drawn
from, so the sheet shows the numbers beside the picture.
"""

from __future__ import annotations

import io
import textwrap
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from storage.consultations.register import RegisterLine
from storage.reports.collect import HeldEvent
from storage.reports.periods import Period
from storage.reports.work import shorten

if TYPE_CHECKING:
    from matplotlib.figure import Figure

MAX_EVENTS = 40
MAX_TOPICS = 8
# Label lengths, in characters: an event's title beside its bar, a topic in the legend, a
# dashboard panel's title and a period under its bar per line.
EVENT_LABEL = 55
LEGEND_LABEL = 35
PANEL_TITLE = 26
TICK_LABEL = 12
CHANNEL_NAMES = {
    "telegram": "Telegram",
    "vk": "ВКонтакте",
    "max": "MAX",
    "console": "Консоль (демо)",
}
COLOURS = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
)


@dataclass(frozen=True)
class Chart:
    title: str
    headings: tuple[str, ...]
    rows: list[list[object]]
    png: bytes
    labels: tuple[str, ...] = ()  # the category labels drawn on the picture, in order


def _figure(**options: Any) -> Figure:
    """A figure; matplotlib is imported on the first chart, not when the bot starts."""
    from matplotlib.figure import Figure

    return Figure(**options)


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png", dpi=100, bbox_inches="tight")
    return out.getvalue()


def _empty(figure: Figure, title: str, text: str) -> None:
    axes = figure.add_subplot()
    axes.set_title(title)
    axes.text(0.5, 0.5, text, ha="center", va="center", fontsize=12, color="#555555")
    axes.set_axis_off()


def _weeks(period: Period) -> list[date]:
    monday = period.first - timedelta(days=period.first.weekday())
    weeks = []
    while monday <= period.last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def requests_by_week(lines: list[RegisterLine], period: Period) -> Chart:
    """Requests received per week (from Monday), stacked by topic; the rarest topics
    grouped as «Прочие» past eight."""
    title = "Запросы по неделям и темам"
    totals = Counter(line.topic for line in lines)
    topics = [topic for topic, _ in totals.most_common(MAX_TOPICS)]
    if len(totals) > MAX_TOPICS:
        topics[-1] = "Прочие"
    shown = set(topics)

    def topic_of(line: RegisterLine) -> str:
        return line.topic if line.topic in shown else "Прочие"

    weeks = _weeks(period)
    table: dict[date, Counter[str]] = {week: Counter() for week in weeks}
    for line in lines:
        day = line.received.date()
        table[day - timedelta(days=day.weekday())][topic_of(line)] += 1
    rows: list[list[object]] = [
        [week, *(table[week][topic] for topic in topics), sum(table[week].values())]
        for week in weeks
    ]
    figure = _figure(figsize=(10, 4.5))
    if not lines:
        _empty(figure, title, "Запросов за период не было")
    else:
        axes = figure.add_subplot()
        positions = range(len(weeks))
        bottom = [0] * len(weeks)
        for index, topic in enumerate(topics):
            heights = [table[week][topic] for week in weeks]
            axes.bar(
                positions,
                heights,
                bottom=bottom,
                label=shorten(topic, LEGEND_LABEL),  # the same text as Chart.labels
                color=COLOURS[index],
            )
            bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
        step = max(1, len(weeks) // 14)
        axes.set_xticks(list(positions)[::step], [f"{w:%d.%m}" for w in weeks][::step])
        axes.set_ylabel("запросов")
        axes.set_xlabel("неделя (с понедельника)")
        axes.set_title(title)
        axes.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        axes.grid(axis="y", alpha=0.3)
    legend = tuple(shorten(topic, LEGEND_LABEL) for topic in topics)
    return Chart(title, ("Неделя с", *topics, "Всего"), rows, _png(figure), legend)


def participants_per_event(events: list[HeldEvent]) -> Chart:
    title = "Участники мероприятий"
    chosen = events
    if len(events) > MAX_EVENTS:
        largest = sorted(events, key=lambda e: e.participants, reverse=True)[:MAX_EVENTS]
        chosen = sorted(largest, key=lambda e: (e.starts_at, e.id))
        title += f" ({MAX_EVENTS} крупнейших из {len(events)})"
    rows: list[list[object]] = [
        [event.starts_at, event.title, event.registered, event.participants] for event in events
    ]
    labels = [f"{e.starts_at:%d.%m} {shorten(e.title, EVENT_LABEL)}" for e in chosen]
    figure = _figure(figsize=(10, max(3.0, 0.3 * len(chosen) + 1.2)))
    if not chosen:
        _empty(figure, title, "Мероприятий за период не было")
    else:
        axes = figure.add_subplot()
        positions = range(len(chosen))
        axes.barh(positions, [e.registered for e in chosen], color="#c6dbef", label="записались")
        axes.barh(
            positions,
            [e.participants for e in chosen],
            color="#2171b5",
            height=0.5,
            label="участники",
        )
        axes.set_yticks(list(positions), labels, fontsize=8)
        axes.invert_yaxis()
        axes.set_xlabel("человек")
        axes.set_title(title)
        axes.legend(fontsize=8, loc="lower right")
        axes.grid(axis="x", alpha=0.3)
    headings = ("Дата", "Мероприятие", "Записались", "Участников")
    return Chart(title, headings, rows, _png(figure), tuple(labels))


def channel_mix(channels: dict[str, int]) -> Chart:
    title = "Обращения к чат-боту по каналам"
    ordered = sorted(channels.items(), key=lambda item: item[1], reverse=True)
    total = sum(channels.values())
    rows: list[list[object]] = [
        [CHANNEL_NAMES.get(name, name), count, round(count / total * 100, 1) if total else 0]
        for name, count in ordered
    ]
    figure = _figure(figsize=(7, 4))
    if not total:
        _empty(figure, title, "Обращений за период не было")
    else:
        axes = figure.add_subplot()
        names = [str(row[0]) for row in rows]
        counts = [count for _, count in ordered]
        bars = axes.bar(names, counts, color=COLOURS[: len(names)])
        axes.bar_label(bars, labels=[f"{c} ({c / total:.0%})" for c in counts], fontsize=9)
        axes.set_ylabel("обращений")
        axes.set_title(title)
        axes.grid(axis="y", alpha=0.3)
    return Chart(title, ("Канал", "Обращений", "Доля, %"), rows, _png(figure))


def dashboard(
    title: str,
    labels: tuple[str, str],
    figures: list[tuple[str, float | None, float | None]],
) -> bytes:
    """Small multiples: for each indicator the previous and the current period side by side,
    each panel with its own scale (a hundred renewals must not flatten three events)."""
    columns = 3
    lines = (len(figures) + columns - 1) // columns
    figure = _figure(figsize=(11, 2.6 * lines + 0.8))
    figure.suptitle(title, fontsize=14)
    for index, (name, now, before) in enumerate(figures, start=1):
        axes = figure.add_subplot(lines, columns, index)
        heights = [before or 0, now or 0]
        ticks = [textwrap.fill(labels[1], TICK_LABEL), textwrap.fill(labels[0], TICK_LABEL)]
        bars = axes.bar(ticks, heights, color=["#bdbdbd", "#2171b5"])
        axes.bar_label(
            bars,
            labels=["—" if v is None else f"{v:g}" for v in (before, now)],
            fontsize=10,
        )
        # Wrapped, never cut: the panel is narrow and the name is the only legend it has.
        axes.set_title(textwrap.fill(name, PANEL_TITLE), fontsize=10)
        axes.set_yticks([])
        axes.set_ylim(0, max([*heights, 1]) * 1.25)
        for side in ("top", "right", "left"):
            axes.spines[side].set_visible(False)
    figure.tight_layout(rect=(0, 0, 1, 0.95))
    return _png(figure)
