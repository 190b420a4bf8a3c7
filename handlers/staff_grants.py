"""«🏆 Гранты» for staff: the contests on the calendar (each with its card, a change of one
field, taking it off the calendar) and the organisations' applications, moved on in two
taps from their list — the application, then its new status («Подана», «Поддержана», «Не
поддержана»); after «Поддержана» the sum granted is asked. Adding and changing a contest
are forms (`staff_grants_form`); `libbot grants import` loads a file.

Every press is checked on the server (the staff role); forged data — an id that is not
there, a move the status does not allow — changes nothing.
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Annotated, Any

from aiogram import F
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message
from pydantic import Field

from bot.kernel.config import Config
from bot.kernel.i18n import Markup, Texts
from broadcasts.views.grant_view import card, rubles
from broadcasts.views.keyboards import button, inline
from handlers import forms
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import AtStep, Filling, Form, Invalid, Shown, Step
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.db import Database
from storage.grants import applications, contests
from storage.grants.applications import MOVES, ApplicationView, Moved
from storage.grants.models import Status
from storage.models import Role
from storage.people import PersonView

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))

Id = Annotated[int, Field(ge=0, le=2**31 - 1)]
STATUSES = tuple(Status)  # `n` of a MOVE button
SHOWN = 20
# The fields of a contest staff may change, in the order of their buttons (`n` of EDIT).
FIELDS = ("name", "operator", "link", "deadline", "opens", "results", "amount", "eligible", "tags")


class StaffGrantAction(enum.StrEnum):
    MENU = "menu"
    ADD = "add"
    LIST = "list"
    CARD = "card"  # id
    EDIT_MENU = "edits"  # id
    EDIT = "edit"  # id, n = a FIELDS index
    CLOSE = "close"  # id, asks to confirm
    CLOSE_YES = "closeyes"  # id
    APPS = "apps"  # id = the last application shown: the next page, older ones
    APP = "app"  # id = application
    MOVE = "move"  # id = application, n = a STATUSES index
    SUM = "sum"  # id = application, n = 1 requested, 2 granted
    CANCEL = "cancel"  # leaves a form
    SKIP = "skip"  # «Пропустить» an optional step
    PICK = "pick"  # n = an operator offered


class StaffGrantCb(CallbackData, prefix="sgrant"):
    action: StaffGrantAction
    id: Id = 0
    n: Annotated[int, Field(ge=0, le=99)] = 0


def scb(action: StaffGrantAction, id_: int = 0, n: int = 0) -> str:
    return StaffGrantCb(action=action, id=id_, n=n).pack()


def _menu_row(texts: Texts) -> list[InlineKeyboardButton]:
    return [button(texts("staff-grants-back"), scb(StaffGrantAction.MENU))]


async def show_menu(target: Message, texts: Texts) -> None:
    rows = [
        [button(texts("staff-grants-add"), scb(StaffGrantAction.ADD))],
        [button(texts("staff-grants-list"), scb(StaffGrantAction.LIST))],
        [button(texts("staff-grants-apps"), scb(StaffGrantAction.APPS))],
    ]
    await target.answer(texts("staff-grants-menu"), reply_markup=inline(texts, *rows))


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.MENU), Shown())
async def menu(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    await show_menu(target, texts)


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.LIST), Shown())
async def contest_list(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    found = await contests.all_contests(db)
    if not found:
        await target.answer(
            texts("staff-grants-none"), reply_markup=inline(texts, _menu_row(texts))
        )
        return
    rows = [
        [
            button(
                f"{c.draft.deadline.astimezone(config.library.zone):%d.%m.%Y} · {c.name}",
                scb(StaffGrantAction.CARD, c.id),
            )
        ]
        for c in found[:SHOWN]
    ]
    await target.answer(
        texts("staff-grants-list-title"), reply_markup=inline(texts, *rows, _menu_row(texts))
    )


async def show_card(
    target: Message, texts: Texts, config: Config, contest: contests.ContestView
) -> None:
    text = card(texts, contest, config.library.timezone, datetime.now(UTC))
    rows = [
        [button(texts("staff-grants-edit"), scb(StaffGrantAction.EDIT_MENU, contest.id))],
    ]
    if not contest.closed:
        rows.append([button(texts("staff-grants-close"), scb(StaffGrantAction.CLOSE, contest.id))])
    rows.append(_menu_row(texts))
    await target.answer(
        texts("staff-grants-card", number=contest.id, card=Markup(text)),
        reply_markup=inline(texts, *rows),
    )


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.CARD), Shown())
async def contest_card(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    contest = await contests.get(db, callback_data.id)
    if contest is None:
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    await show_card(target, texts, config, contest)


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.EDIT_MENU), Shown())
async def edit_menu(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    contest = await contests.get(db, callback_data.id)
    if contest is None:
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    buttons = [
        button(texts(f"staff-grants-field-{name}"), scb(StaffGrantAction.EDIT, contest.id, at))
        for at, name in enumerate(FIELDS)
    ]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    await target.answer(
        texts("staff-grants-edit-which", name=contest.name),
        reply_markup=inline(texts, *rows, _menu_row(texts)),
    )


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.CLOSE), Shown())
async def close_ask(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    contest = await contests.get(db, callback_data.id)
    if contest is None or contest.closed:
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    yes = button(texts("staff-grants-close-yes"), scb(StaffGrantAction.CLOSE_YES, contest.id))
    await target.answer(
        texts("staff-grants-close-ask", name=contest.name),
        reply_markup=inline(texts, [yes], _menu_row(texts)),
    )


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.CLOSE_YES), Shown())
async def close(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    closed = await contests.close(db, callback_data.id)
    await query.answer()
    activity.status = f"grant contest {callback_data.id} closed" if closed else "nothing to close"
    key = "staff-grants-closed" if closed else "grants-stale"
    await target.answer(texts(key), reply_markup=inline(texts, _menu_row(texts)))


# --- applications -------------------------------------------------------------------------


def _status(texts: Texts, status: Status) -> str:
    return texts(f"grants-status-{status.value}")


def application_text(texts: Texts, item: ApplicationView) -> str:
    lines = [
        texts(
            "staff-grants-app",
            number=item.id,
            name=item.contest_name,
            organisation=item.organisation or texts("grants-no-organisation"),
            status=_status(texts, item.status),
        )
    ]
    if item.requested is not None:
        lines.append(texts("staff-grants-app-requested", amount=rubles(item.requested)))
    if item.granted is not None:
        lines.append(texts("staff-grants-app-granted", amount=rubles(item.granted)))
    if item.request_id is not None:
        lines.append(texts("staff-grants-app-request", number=item.request_id))
    return "\n".join(lines)


async def show_application(target: Message, texts: Texts, item: ApplicationView) -> None:
    moves = [
        button(_status(texts, to), scb(StaffGrantAction.MOVE, item.id, STATUSES.index(to)))
        for to in MOVES[item.status]
    ]
    sums = [
        button(texts("staff-grants-set-requested"), scb(StaffGrantAction.SUM, item.id, 1)),
        button(texts("staff-grants-set-granted"), scb(StaffGrantAction.SUM, item.id, 2)),
    ]
    back = [button(texts("staff-grants-apps"), scb(StaffGrantAction.APPS))]
    await target.answer(
        application_text(texts, item), reply_markup=inline(texts, moves, sums, back)
    )


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.APPS), Shown())
async def application_list(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    found = await applications.listed(db, limit=SHOWN + 1, before=callback_data.id)
    more, found = len(found) > SHOWN, found[:SHOWN]
    if not found:
        await target.answer(
            texts("staff-grants-apps-none"), reply_markup=inline(texts, _menu_row(texts))
        )
        return
    rows = [
        [
            button(
                f"№ {a.id} · {a.organisation or '—'} · {a.contest_name} · "
                f"{_status(texts, a.status)}",
                scb(StaffGrantAction.APP, a.id),
            )
        ]
        for a in found
    ]
    if more:
        rows.append(
            [button(texts("staff-grants-apps-more"), scb(StaffGrantAction.APPS, found[-1].id))]
        )
    await target.answer(
        texts("staff-grants-apps-title"), reply_markup=inline(texts, *rows, _menu_row(texts))
    )


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.APP), Shown())
async def application(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    item = await applications.get(db, callback_data.id)
    if item is None:
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    await show_application(target, texts, item)


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.MOVE), Shown())
async def move(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """The second tap: the application's new status, if its status allows the move."""
    staff_at_work(activity, person)
    if callback_data.n >= len(STATUSES):
        await query.answer(texts("grants-stale"))
        return
    to = STATUSES[callback_data.n]
    moved = await applications.move(db, callback_data.id, to)
    activity.status = f"grant application {callback_data.id} → {to.value}: {moved.value}"
    if moved is not Moved.DONE:
        await query.answer(texts("staff-grants-not-moved"))
        return
    await query.answer(texts("staff-grants-moved", status=_status(texts, to)))
    item = await applications.get(db, callback_data.id)
    if item is None:
        return
    if to is Status.SUPPORTED:
        await ask_sum(target, texts, db, person, state, item.id, 2)
        return
    await show_application(target, texts, item)


# --- a sum typed by staff -----------------------------------------------------------------


class SumForm(StatesGroup):
    amount = State()


def _amount(text: str) -> str | Invalid:
    try:
        found = contests.read_amount(text)
    except contests.Invalid as exc:
        return Invalid("staff-grants-bad", {"reason": str(exc)})
    return str(found) if found is not None else Invalid("staff-grants-bad-sum")


SUM_FIELDS = {1: "requested", 2: "granted"}


def _sum_step(n: int) -> Step:
    return Step("amount", f"staff-grants-ask-{SUM_FIELDS[n]}", _amount, rows=())


async def _load_sum(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[int, tuple[Step, ...]] | None:
    n = int(data.get("field", 0))
    application_id = int(data.get("application", 0))
    return (application_id, (_sum_step(n),)) if n in SUM_FIELDS and application_id else None


SUMS: Form[int] = Form(
    state=SumForm.amount,
    load=_load_sum,
    same="staff-grants-back",
    same_data=scb(StaffGrantAction.CANCEL, n=9),  # no step remembers: never shown
    abort="staff-grants-cancel",
    abort_data=scb(StaffGrantAction.CANCEL, n=1),
    aborted="staff-grants-cancelled",
    send_text="staff-grants-send-text",
)


async def ask_sum(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    application_id: int,
    n: int,
) -> None:
    await forms.begin(
        target,
        texts,
        db,
        person,
        state,
        SUMS,
        (_sum_step(n),),
        application=application_id,
        field=n,
    )


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.SUM), Shown())
async def sum_asked(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    item = await applications.get(db, callback_data.id)
    if item is None or callback_data.n not in SUM_FIELDS:
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    await ask_sum(target, texts, db, person, state, item.id, callback_data.n)


@routes.message(F.text, AtStep(SUMS))
async def sum_typed(
    message: Message,
    filling: Filling[int],
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    field = SUM_FIELDS[int(filling.data.get("field", 0))]
    taken = await forms.take(message, texts, db, person, state, filling, message.text or "")
    if not isinstance(taken, dict):
        return
    amount = int(taken["amount"] or 0)
    await applications.set_sum(db, filling.subject, field=field, amount=amount)
    activity.status = f"grant application {filling.subject}: {field} {amount}"
    item = await applications.get(db, filling.subject)
    if item is not None:
        await show_application(message, texts, item)


@routes.callback_query(F.data == scb(StaffGrantAction.CANCEL, n=1), Shown(), AtStep(SUMS))
async def sum_left(
    query: CallbackQuery,
    target: Message,
    filling: Filling[int],
    texts: Texts,
    db: Database,
    state: FSMContext,
) -> None:
    await query.answer()
    await state.clear()
    item = await applications.get(db, filling.subject)
    if item is not None:
        await show_application(target, texts, item)


@routes.message(AtStep(SUMS))
async def sum_not_text(
    message: Message, filling: Filling[int], texts: Texts, db: Database, person: PersonView
) -> None:
    await forms.want_text(message, texts, db, person, filling)
