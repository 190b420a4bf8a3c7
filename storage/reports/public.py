"""The public summary of a year («публичный отчёт»): one printable, self-contained HTML page
for the library's site — the key figures and three small charts, each with its table.

Every figure is an indicator of the year's workbook (`storage.reports.indicators`), so the
page and the report handed in agree. Nothing in it names a person: no row's content,
customer, responsible or executor is read here — only counts by month, by kind of work (the
configured kinds and the report's own) and by messenger. The charts are SVG drawn by
matplotlib with their text as outlines, so the page needs no fonts, scripts or files.
"""

from __future__ import annotations

import html
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from storage.reports import indicators
from storage.reports.build import ReportData
from storage.reports.charts import CHANNEL_NAMES
from storage.reports.periods import MONTHS
from storage.reports.work import EVENT_KINDS, Kind, Work, shorten

# Not an indicator of the workbook: the rows of its «Другая работа РЦ» sheet.
OTHER_WORK = "other_work"
# The figures on the page, in order: (indicator key, label for the public).
FIGURES = (
    ("events", "мероприятий проведено"),
    ("participants", "участников мероприятий"),
    ("organisations", "организаций — участников"),
    ("consultations", "консультаций дано"),
    ("expertise", "экспертиз проектных заявок"),
    ("requests", "обращений получено"),
    ("resolved", "обращений решено"),
    (OTHER_WORK, "писем поддержки, заявок и другой работы"),
    ("catalogue", "справок по каталогу"),
    ("renewals", "продлений книг"),
    ("reach", "сообщений рассылок доставлено"),
)
# Rows that are a day's tally or a message, not a piece of work: not in «по видам».
NOT_WORK = (Work.ENQUIRIES, Work.PROMOTION)
MAX_KINDS = 10
OTHER_KIND = "Другая работа"  # «по видам»: a kind neither configured nor the report's own
BLUE, ORANGE = "#1f5f99", "#e08a1e"


@dataclass(frozen=True)
class Table:
    title: str
    headings: tuple[str, ...]
    rows: list[tuple[str, int]] | list[tuple[str, int, int]]


def _months(data: ReportData) -> list[tuple[int, int]]:
    """(year, month) of each month of the period, in order: a period from November to
    February is four months of two years, never an empty range or two Januaries merged."""
    first, last = data.period.first, data.period.last
    count = (last.year - first.year) * 12 + last.month - first.month + 1
    return [
        (first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1)
        for i in range(count)
    ]


def by_month(data: ReportData) -> Table:
    """Events and consultations given per month of the period (the year's name beside the
    month's when the period crosses a new year)."""
    events: Counter[tuple[int, int]] = Counter()
    consultations: Counter[tuple[int, int]] = Counter()
    for sheet, rows in data.work.items():
        for row in rows:
            month = (row.at.year, row.at.month)
            if row.kind in EVENT_KINDS and sheet in indicators.EVENT_SHEETS:
                events[month] += 1
            if sheet is Work.CONSULTATIONS:
                consultations[month] += row.amount
    months = _months(data)
    years = len({year for year, _ in months}) > 1
    rows_ = [
        (MONTHS[m - 1] + (f" {y}" if years else ""), events[(y, m)], consultations[(y, m)])
        for y, m in months
    ]
    return Table(
        "Мероприятия и консультации по месяцам", ("Месяц", "Мероприятия", "Консультации"), rows_
    )


def by_kind(data: ReportData, kinds: Iterable[str]) -> Table:
    """Pieces of work by their kind (events, consultations, letters…), the commonest first.
    Only the configured kinds (`kinds`, `[work] kinds`) and the report's own are named: a
    kind typed in an imported sheet is free text («Встреча с Ивановой») and is counted as
    «Другая работа», never shown."""
    named = set(kinds) | {str(kind) for kind in Kind}
    counted: Counter[str] = Counter()
    for sheet, rows in data.work.items():
        if sheet in NOT_WORK:
            continue
        for row in rows:
            kind = "Обращение через чат-бот" if row.kind is Kind.REQUEST else str(row.kind)
            counted[kind if kind in named or row.kind is Kind.REQUEST else OTHER_KIND] += 1
    top = counted.most_common(MAX_KINDS)
    return Table("Работа ресурсного центра по видам", ("Вид работы", "Сколько раз"), top)


def by_channel(data: ReportData) -> Table:
    shown = sorted(data.channels.items(), key=lambda pair: -pair[1])
    rows_ = [(CHANNEL_NAMES.get(name, name), count) for name, count in shown]
    return Table("Обращения через чат-бот по мессенджерам", ("Мессенджер", "Обращений"), rows_)


def _svg(figure: object) -> str:
    out = io.StringIO()
    figure.savefig(out, format="svg", bbox_inches="tight")  # type: ignore[attr-defined]
    text = out.getvalue()
    return text[text.index("<svg") :]


def _months_chart(table: Table) -> str:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 2.6))
    axes = figure.add_subplot()
    # «Январь» → «Янв», «Январь 2027» → «Янв 27»
    labels = [
        " ".join([parts[0][:3], *(y[-2:] for y in parts[1:])])
        for parts in (str(r[0]).split() for r in table.rows)
    ]
    positions = range(len(labels))
    events = [int(r[1]) for r in table.rows]
    consultations = [int(r[2]) for r in table.rows]  # type: ignore[misc]
    axes.bar([p - 0.2 for p in positions], events, 0.4, label="Мероприятия", color=BLUE)
    axes.bar([p + 0.2 for p in positions], consultations, 0.4, label="Консультации", color=ORANGE)
    axes.set_xticks(list(positions), labels, fontsize=9)
    axes.legend(fontsize=9, frameon=False)
    axes.spines[["top", "right"]].set_visible(False)
    axes.yaxis.get_major_locator().set_params(integer=True)
    return _svg(figure)


def _bars_chart(table: Table, colour: str) -> str:
    from matplotlib.figure import Figure

    rows = list(reversed(table.rows)) or [("нет данных", 0)]
    figure = Figure(figsize=(6.4, 0.3 * len(rows) + 0.5))
    axes = figure.add_subplot()
    bars = axes.barh(range(len(rows)), [int(r[1]) for r in rows], color=colour)
    axes.set_yticks(range(len(rows)), [shorten(str(r[0]), 32) for r in rows], fontsize=9)
    axes.bar_label(bars, fontsize=9, padding=3)
    axes.spines[["top", "right"]].set_visible(False)
    axes.xaxis.set_visible(False)
    return _svg(figure)


def _table_html(table: Table) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in table.headings)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(cell))}</td>" for cell in row) + "</tr>"
        for row in table.rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _figure_html(value: indicators.Value, label: str) -> str:
    shown = "—" if value is None else f"{value:,}".replace(",", "\u202f")
    return f'<div class="figure"><b>{shown}</b><span>{html.escape(label)}</span></div>'


STYLE = """
body{font-family:"PT Sans","Segoe UI",Arial,sans-serif;color:#1c2733;max-width:820px;
margin:24px auto;padding:0 16px;line-height:1.35}
h1{font-size:24px;margin:0 0 4px}h2{font-size:17px;margin:26px 0 8px}
.lead{color:#51606f;margin:0 0 18px}
.figures{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}
.figure{border:1px solid #d5dde5;border-radius:8px;padding:10px;background:#f6f9fc}
.figure b{display:block;font-size:24px;color:#1f5f99}.figure span{font-size:12.5px}
section{display:grid;grid-template-columns:62% 38%;gap:0 12px;align-items:start}
section h2{grid-column:1/3}
svg{max-width:100%;height:auto}
table{border-collapse:collapse;font-size:11.5px}
td,th{border:1px solid #d5dde5;padding:2px 8px;text-align:left}
footer{margin-top:26px;font-size:11.5px;color:#51606f}
@media print{@page{size:A4;margin:10mm}body{margin:0;max-width:none;font-size:12px}
h1{font-size:20px}h2{font-size:14px;margin:10px 0 4px}.lead{margin-bottom:8px}
.figures{gap:5px}.figure{padding:5px 8px}.figure b{font-size:18px}.figure span{font-size:11px}
table{font-size:9.5px}td,th{padding:0 5px}footer{margin-top:10px}section{break-inside:avoid}}
"""


def page(data: ReportData, made_at: datetime, *, kinds: Iterable[str]) -> str:
    """The whole page as text (UTF-8 HTML); `kinds`: the configured kinds of work
    (`[work] kinds`), the only typed kinds it names."""
    values = indicators.values(data)
    values[OTHER_WORK] = len(data.work.get(Work.OTHER, []))
    months, kinds, channels = by_month(data), by_kind(data, kinds), by_channel(data)
    figures = "".join(_figure_html(values[key], label) for key, label in FIGURES)
    sections = [
        (months, _months_chart(months)),
        (kinds, _bars_chart(kinds, BLUE)),
        (channels, _bars_chart(channels, ORANGE)),
    ]
    charts = "".join(
        f"<section><h2>{html.escape(t.title)}</h2>{svg}{_table_html(t)}</section>"
        for t, svg in sections
    )
    library = html.escape(data.library)
    label = html.escape(data.period.label)
    return (
        '<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">'
        f"<title>Публичный отчёт ресурсного центра — {label}</title>"
        f"<style>{STYLE}</style></head><body>"
        f"<h1>Ресурсный центр для НКО: итоги — {label}</h1>"
        f'<p class="lead">{library}</p>'
        f'<div class="figures">{figures}</div>{charts}'
        f"<footer>Все цифры — из отчёта ресурсного центра за этот период (листы «Показатели»"
        f" и «{Work.OTHER.value}»);"
        f" сформировано {made_at:%d.%m.%Y}. Персональные данные в отчёт не входят.</footer>"
        "</body></html>"
    )
