"""«Отчёт» and «Статистика» for staff: the resource-centre report for a period as an XLSX file in
the chat, and this month so far against the same days of the last as a picture. Behind the
staff role (server side); a button only names a period, the dates are computed here.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from weakref import WeakKeyDictionary

from aiogram import F
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)
from sqlalchemy.exc import SQLAlchemyError

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ReportCb, ReportPeriod, StaffAction, StaffCb
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.reports import charts, document, indicators
from storage.reports.build import gather
from storage.reports.periods import Period, current, month_so_far
from storage.reports.typed import TypedTally, typed_questions

log = logging.getLogger(__name__)

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))

# One report at a time per person: a second press while the first is being made is
# answered, not queued (a yearly report is heavy work). Per database: several bots may
# run in one process (the tests, the demo).
_making: WeakKeyDictionary[Database, set[int]] = WeakKeyDictionary()

# The figures on the dashboard, in its order.
DASHBOARD = (
    "events",
    "participants",
    "organisations",
    "consultations",
    "requests",
    "resolved",
    "catalogue",
    "renewals",
    "reach",
)


def period_for(choice: ReportPeriod, config: Config, now: datetime) -> Period:
    kind = {"m": "month", "q": "quarter", "h": "half", "y": "year"}[choice.value[0]]
    period = current(kind, config.library.zone, now)
    return period.previous() if choice.value.endswith("1") else period


def periods_keyboard(texts: Texts) -> InlineKeyboardMarkup:
    def choice(period: ReportPeriod) -> InlineKeyboardButton:
        return button(texts(f"report-period-{period.value}"), ReportCb(period=period).pack())

    return inline(
        texts,
        [choice(ReportPeriod.THIS_MONTH), choice(ReportPeriod.LAST_MONTH)],
        [choice(ReportPeriod.THIS_QUARTER), choice(ReportPeriod.LAST_QUARTER)],
        [choice(ReportPeriod.THIS_HALF), choice(ReportPeriod.LAST_HALF)],
        [choice(ReportPeriod.THIS_YEAR), choice(ReportPeriod.LAST_YEAR)],
    )


@routes.callback_query(StaffCb.filter(F.action == StaffAction.REPORT))
async def choose(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("report-choose"), reply_markup=periods_keyboard(texts))


@routes.callback_query(ReportCb.filter())
async def report(
    query: CallbackQuery,
    callback_data: ReportCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    making = _making.setdefault(db, set())
    if person.id in making:
        await query.answer(texts("report-busy"), show_alert=True)
        return
    await query.answer()
    if not isinstance(query.message, Message):
        return
    now = datetime.now(UTC)
    period = period_for(callback_data.period, config, now)
    activity.content = f"report {period.slug}"
    making.add(person.id)
    try:
        await query.message.answer(texts("report-working", period=period.label))
        made = await document.prepare(db, config, period, now=now)
        data = await asyncio.to_thread(document.to_xlsx, made)
    except (SQLAlchemyError, OSError, ValueError):
        log.exception("report %s failed", period.slug)
        activity.status = "report failed"
        await query.message.answer(texts("report-failed"), reply_markup=inline(texts))
        return
    finally:
        making.discard(person.id)
    activity.status = "report sent"
    await query.message.answer_document(
        BufferedInputFile(data, filename=f"{made.file_stem}.xlsx"),
        caption=texts(
            "report-caption",
            period=period.label,
            requests=len(made.current.requests),
            events=len(made.current.events),
        ),
        reply_markup=_again(texts),
    )


@routes.callback_query(StaffCb.filter(F.action == StaffAction.STATS))
async def stats(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    """The dashboard: like with like, the month so far against the same days of the
    month before."""
    staff_at_work(activity, person)
    activity.content = "dashboard"
    await query.answer()
    if not isinstance(query.message, Message):
        return
    now = datetime.now(UTC)
    month = month_so_far(config.library.zone, now)
    before = month.previous()
    try:
        this = indicators.values(await gather(db, config, month, now=now))
        last = indicators.values(await gather(db, config, before, now=now))
    except SQLAlchemyError:
        log.exception("dashboard failed")
        await query.message.answer(texts("report-failed"), reply_markup=inline(texts))
        return
    figures = [(texts(f"stats-{key}"), this[key], last[key]) for key in DASHBOARD]
    labels = (month.label, before.label)
    title = texts("stats-title", current=month.label, previous=labels[1])
    png = await asyncio.to_thread(charts.dashboard, title, labels, figures)
    lines = [
        texts(
            "stats-line",
            name=texts(f"stats-{key}"),
            now=_shown(this[key]),
            before=_shown(last[key]),
        )
        for key in DASHBOARD
    ]
    await query.message.answer_photo(
        BufferedInputFile(png, filename=f"stats-{month.slug}.png"),
        caption=texts("stats-caption", current=month.label, previous=labels[1])
        + "\n"
        + "\n".join(lines),
    )
    await query.message.answer(
        _typed_text(texts, month.label, await typed_questions(db, month)),
        reply_markup=_again(texts),
    )


def _typed_text(texts: Texts, label: str, tally: TypedTally) -> str:
    """What readers typed this month: the bot's own share, the librarian's, and the
    questions it could not place (what to add to «Частые вопросы»)."""
    if not tally.typed:
        return texts("stats-typed-none", period=label)
    lines = [
        texts(
            "stats-typed",
            period=label,
            typed=tally.typed,
            automatic=tally.automatic,
            share=tally.automatic_share or 0,
            librarian=tally.to_librarian,
            unplaced=tally.not_placed,
        )
    ]
    if tally.unplaced:
        lines.append(texts("stats-typed-unplaced"))
        lines += [texts("stats-typed-line", text=text, count=n) for text, n in tally.unplaced]
    return "\n".join(lines)


def _again(texts: Texts) -> InlineKeyboardMarkup:
    """«Отчёт» again under a report or the dashboard."""
    return inline(texts, [button(texts("staff-report"), StaffCb(action=StaffAction.REPORT).pack())])


def _shown(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"
