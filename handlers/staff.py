"""«Для сотрудников»: the staff panel. Every handler here is behind a server-side role check."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import (
    ComposeAction,
    ComposeCb,
    DeskAction,
    DeskCb,
    StaffAction,
    StaffCb,
    StaffEventAction,
    StaffEventCb,
)
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole, MenuButton
from handlers.routes import Routes
from handlers.staff_grants import StaffGrantAction, StaffGrantCb
from handlers.staff_work_cards import WorkAction, WorkCb
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.reports.today import count as count_today

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


def staff_keyboard(
    texts: Texts, person: PersonView, config: Config | None = None
) -> InlineKeyboardMarkup:
    rows = [
        [button(texts("staff-today"), StaffCb(action=StaffAction.TODAY).pack())],
        [button(texts("staff-compose"), ComposeCb(action=ComposeAction.NEW).pack())],
        [button(texts("staff-scheduled"), ComposeCb(action=ComposeAction.LIST).pack())],
        [button(texts("staff-events"), StaffEventCb(action=StaffEventAction.LIST).pack())],
        [button(texts("staff-requests"), DeskCb(action=DeskAction.LIST).pack())],
        [
            button(texts("staff-report"), StaffCb(action=StaffAction.REPORT).pack()),
            button(texts("staff-stats"), StaffCb(action=StaffAction.STATS).pack()),
        ],
    ]
    if config is not None and config.library_system.kind != "none":
        rows.append(
            [
                button(texts("staff-desk-code"), StaffCb(action=StaffAction.DESK_CODE).pack()),
                button(texts("staff-unlink"), StaffCb(action=StaffAction.UNLINK).pack()),
            ]
        )
    if person.has(Role.ADMIN):
        rows.append([button(texts("staff-roles"), StaffCb(action=StaffAction.ROLES).pack())])
    # Last, so the buttons above keep their numbers in the console demo.
    rows.append([button(texts("faq-staff-button"), StaffCb(action=StaffAction.FAQ).pack())])
    rows.append([button(texts("work-button"), WorkCb(action=WorkAction.OPEN).pack())])
    rows.append(
        [button(texts("grants-staff-button"), StaffGrantCb(action=StaffGrantAction.MENU).pack())]
    )
    return inline(texts, *rows)


async def today_text(db: Database, config: Config, texts: Texts) -> str:
    """The day's cases, each in its own unit (see `storage.reports.today`), not the log's rows:
    a request filled in over nine messages is one request."""
    found = await count_today(db, config, datetime.now(UTC))
    lines = [texts("staff-today-title", date=f"{found.period.first:%d.%m.%Y}")]
    if found.empty:
        lines.append(texts("staff-today-empty"))
        return "\n".join(lines)
    lines += [
        texts("staff-today-line", kind=texts(f"today-{key.replace('_', '-')}"), count=number)
        for key, number in found.cases.items()
        if number
    ]
    lines.append(texts("staff-today-line", kind=texts("today-people"), count=found.people))
    lines.append(texts("staff-today-note"))
    return "\n".join(lines)


@routes.message(Command("staff"))
@routes.message(MenuButton("menu-staff"))
async def staff_menu(
    message: Message, texts: Texts, person: PersonView, config: Config, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await message.answer(texts("staff-menu"), reply_markup=staff_keyboard(texts, person, config))


@routes.callback_query(StaffCb.filter(F.action == StaffAction.TODAY))
async def today(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            await today_text(db, config, texts),
            reply_markup=staff_keyboard(texts, person, config),
        )
