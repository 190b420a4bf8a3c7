"""The public summary of the year («публичный отчёт», #25): one self-contained HTML page with
the year's key figures — the same numbers as the workbook's «Показатели» — and three charts
drawn inline, that names nobody: no reader, no customer, no member of staff, no question.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli import main
from bot.kernel.config import Config
from storage.db import Database
from storage.reports import indicators, periods, public
from storage.reports.build import ReportData, gather
from storage.reports.work import Kind, Work, WorkRow
from storage.work import records
from storage.work.records import WorkDraft
from tests.test_reports import build_history

NOW = datetime(2026, 12, 20, 9, tzinfo=UTC)
# Names and words that are someone's: none may reach the public page.
PERSONAL = (
    "Анна Петрова",
    "Гриша",
    "Иванов Пётр Сергеевич",
    "Смирнова Ольга",
    "Козлов",
    "налоговой",  # a request's question
    "+7 (900)",
)


class Page(HTMLParser):
    """What a browser would see: the tags opened and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        assert tag not in ("script", "iframe", "link", "img"), tag  # self-contained, no scripts

    def handle_data(self, data: str) -> None:
        self.text.append(data)


async def test_the_public_summary_has_the_figures_and_charts_and_no_personal_data(
    database: Database, config: Config
) -> None:
    await build_history(database)
    at = datetime(2026, 8, 5, 11, tzinfo=UTC)
    for kind, content in (
        ("Консультация по телефону", "Консультация Иванова Петра Сергеевича о субсидии"),
        ("Письмо поддержки", "Письмо для проекта <b>«Двор»</b>"),
    ):
        await records.add(
            database,
            WorkDraft(
                kind,
                content,
                at,
                customer="Иванов Пётр Сергеевич",
                responsible="Смирнова Ольга",
                executor="Козлов А. В.",
                notes="тел. +7 (900) 123-45-67",
            ),
            author_id=None,
            author="Смирнова Ольга",
        )
    year = periods.parse("2026", config.library.zone)
    data = await gather(database, config, year, now=NOW)
    page = public.page(data, NOW, kinds=[kind.name for kind in config.work.kinds])

    parsed = Page()
    parsed.feed(page)
    text = " ".join(" ".join(parsed.text).split())
    assert parsed.tags.count("svg") == 3
    assert "Ресурсный центр для НКО: итоги — 2026 год" in text
    assert config.library.name in text
    values = indicators.values(data)
    for key, label in public.FIGURES:
        if key in values:
            assert f"{values[key]} {label}" in text.replace("\u202f", ""), key
    assert "1 писем поддержки, заявок и другой работы" in text  # the letter of support
    assert "Консультация по телефону 1" in text  # the work by kind, in its table
    assert "август" in text
    for personal in PERSONAL:
        assert personal not in page, personal
    assert "Двор" not in page  # no record's content either


def test_libbot_report_public_writes_the_page(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\ntimezone = 'Europe/Moscow'\n", encoding="utf-8")
    options = ["--config", str(config)]
    assert main(["db", "upgrade", *options]) == 0
    out = tmp_path / "summary.html"
    assert main(["report", "--public", "--year", "2026", "--out", str(out), *options]) == 0
    assert "публичный отчёт, 2026 год" in capsys.readouterr().out
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    wrong = ["report", "--public", "--year", "2026", "--out", str(tmp_path / "s.xlsx"), *options]
    assert main(wrong) == 2
    assert "--public writes one HTML page" in capsys.readouterr().err


def work(at: date, kind: Kind | str, content: str = "") -> WorkRow:
    return WorkRow(content, at, "", "", "", "", kind, 1)


def test_a_period_across_new_year_shows_each_month_of_each_year() -> None:
    """November 2025 to February 2026: four months in order, the year beside each, and a
    January of another year is not counted in this one."""
    zone = ZoneInfo("Europe/Moscow")
    period = periods.days(date(2025, 11, 1), date(2026, 2, 28), zone)
    data = ReportData(period, "Библиотека", None, NOW.replace(tzinfo=None))
    data.work[Work.PUBLIC] = [
        work(date(2025, 12, 10), Kind.PUBLIC_EVENT),
        work(date(2026, 1, 15), Kind.PUBLIC_EVENT),
        work(date(2026, 1, 20), Kind.PUBLIC_EVENT),
    ]
    table = public.by_month(data)
    assert [row[:2] for row in table.rows] == [
        ("ноябрь 2025", 0),
        ("декабрь 2025", 1),
        ("январь 2026", 2),
        ("февраль 2026", 0),
    ]
    assert "<svg" in public.page(data, NOW, kinds=[])


def test_a_kind_typed_in_an_imported_sheet_is_not_named_on_the_public_page() -> None:
    """An imported sheet's «Вид работы» is free text: «Встреча с Ивановой» is counted as
    «Другая работа», while the configured kinds and the report's own keep their names."""
    zone = ZoneInfo("Europe/Moscow")
    data = ReportData(periods.year(2026, zone), "Библиотека", None, NOW.replace(tzinfo=None))
    data.work[Work.OTHER] = [
        work(date(2026, 3, 2), "Встреча с Ивановой"),
        work(date(2026, 3, 3), "Письмо поддержки"),
    ]
    data.work[Work.PUBLIC] = [work(date(2026, 3, 4), Kind.PUBLIC_EVENT)]
    rows = dict(public.by_kind(data, ["Письмо поддержки"]).rows)
    assert rows == {"Другая работа": 1, "Письмо поддержки": 1, "Публичное мероприятие": 1}
    assert "Ивановой" not in public.page(data, NOW, kinds=["Письмо поддержки"])
