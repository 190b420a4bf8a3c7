"""«Для сотрудников» → «📝 Записать работу»: the resource centre's offline work in three taps —
the kind, what was done (typed), «✅ Готово» — with «➕ Дополнить» for the date, customer,
executor, responsible, number of people and notes; «📋 Мои записи» to correct or delete.

Every press is checked on the server: the staff role by the router's filter, and for a
record's correction or deletion its author or an admin, within the current quarter
(`storage.work.records.may_change`) — a forged button with someone else's record changes
nothing and is answered with the reason. The typed answers are `staff_work_typed`.
"""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import Shown
from handlers.routes import Routes
from handlers.staff_work_cards import (
    DAYS_BACK,
    FIELDS,
    REFUSALS,
    Draft,
    WorkAction,
    WorkCb,
    WorkForm,
    actor_name,
    cb,
    keep,
    kinds_keyboard,
    load,
    show_draft,
    show_record,
)
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import Role
from storage.people import PersonView
from storage.reports.offline import open_quarter
from storage.work import records
from storage.work.records import Actor, Refusal, WorkItem, WorkRefused
from storage.work.when import days_back

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


def _actor(person: PersonView, query: CallbackQuery) -> Actor:
    name = actor_name(person, query.from_user.full_name)
    return Actor(person.id, name, admin=person.has(Role.ADMIN))


async def _stale(query: CallbackQuery, target: Message, texts: Texts, config: Config) -> None:
    await query.answer(texts("work-stale"))
    await target.answer(texts("work-kinds"), reply_markup=kinds_keyboard(texts, config))


async def _refused(query: CallbackQuery, texts: Texts, reason: Refusal) -> None:
    await query.answer(texts(REFUSALS[reason]), show_alert=True)


async def _changeable(
    query: CallbackQuery,
    callback_data: WorkCb,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
) -> WorkItem | None:
    """The record the button names, if this person may still change it (its author or an
    admin, within the open quarter — checked here, whatever the button says); else the
    reason is told in an alert and None returned."""
    item = await records.get(db, callback_data.id)
    period = open_quarter(datetime.now(UTC), config.library.zone)
    refused = (
        Refusal.GONE if item is None else records.may_change(item, _actor(person, query), period)
    )
    if item is None or refused is not None:
        await _refused(query, texts, refused or Refusal.GONE)
        return None
    return item


@routes.callback_query(WorkCb.filter(F.action == WorkAction.OPEN), Shown())
async def opened(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """The kinds of work, one a button."""
    staff_at_work(activity, person)
    activity.status = "work kinds"
    await state.clear()
    await query.answer()
    await target.answer(texts("work-kinds"), reply_markup=kinds_keyboard(texts, config))


@routes.callback_query(WorkCb.filter(F.action == WorkAction.KIND), Shown())
async def kind_chosen(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """A kind pressed: a new draft, or — while correcting or adding — its new kind."""
    staff_at_work(activity, person)
    kinds = config.work.kinds
    if callback_data.n >= len(kinds):
        await _stale(query, target, texts, config)
        return
    await query.answer()
    kind = kinds[callback_data.n].name
    draft = await load(state)
    asked = (await state.get_data()).get("field")
    if draft is not None and draft.content and asked == "kind":
        draft.kind = kind
        await keep(state, draft, field=None)
        await state.set_state(WorkForm.card)
        await show_draft(target, texts, config, person, draft, fields=True)
        return
    await keep(state, Draft(kind=kind))
    await state.set_state(WorkForm.content)
    await target.answer(
        texts("work-ask-content", kind=kind),
        reply_markup=inline(texts, [button(texts("work-cancel"), cb(WorkAction.CANCEL))]),
    )


@routes.callback_query(WorkCb.filter(F.action == WorkAction.DONE), Shown())
async def done(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«✅ Готово»: the record saved (or, while correcting, the changes)."""
    staff_at_work(activity, person)
    draft = await load(state)
    if draft is None or not draft.content:
        await _stale(query, target, texts, config)
        return
    actor = _actor(person, query)
    now = datetime.now(UTC)
    values = draft.as_record(actor.name, now)
    period = open_quarter(now, config.library.zone)
    try:
        if draft.record:
            changed = {name: getattr(values, name) for name in records.EDITABLE}
            item = await records.change(db, draft.record, actor, period, **changed)
            head = "work-saved"
        else:
            item = await records.add(
                db, values, author_id=person.id, author=actor.name, open_period=period
            )
            head = "work-recorded"
    except WorkRefused as refused:
        if not (refused.reason is Refusal.CLOSED and not period.contains(values.done_at)):
            await state.clear()  # else the draft stays: its date can still be changed
        await _refused(query, texts, refused.reason)
        return
    await state.clear()
    activity.status = "work changed" if draft.record else "work recorded"
    activity.content = f"work record {item.id}"
    await query.answer()
    await show_record(target, texts, config, item, head)


@routes.callback_query(WorkCb.filter(F.action == WorkAction.MORE), Shown())
async def more(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«➕ Дополнить»: the optional fields, one a button."""
    staff_at_work(activity, person)
    draft = await load(state)
    if draft is None or not draft.content:
        await _stale(query, target, texts, config)
        return
    await query.answer()
    await state.set_state(WorkForm.card)
    await show_draft(target, texts, config, person, draft, fields=True)


@routes.callback_query(WorkCb.filter(F.action == WorkAction.FIELD), Shown())
async def field_asked(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """One optional field: its question, with buttons where a tap answers it."""
    staff_at_work(activity, person)
    draft = await load(state)
    if draft is None or not draft.content or callback_data.n >= len(FIELDS):
        await _stale(query, target, texts, config)
        return
    await query.answer()
    name = FIELDS[callback_data.n]
    await state.set_state(WorkForm.field)
    await state.update_data(field=name)
    back = [button(texts("work-back"), cb(WorkAction.MORE))]
    if name == "kind":
        markup = kinds_keyboard(texts, config, mine=False)
    elif name == "date":
        days = [
            button(texts(f"work-day-{d}"), cb(WorkAction.DAY, n=i)) for i, d in enumerate(DAYS_BACK)
        ]
        markup = inline(texts, days, back)
    elif name == "responsible":
        me = [button(texts("work-me"), cb(WorkAction.DAY, n=len(DAYS_BACK)))]
        markup = inline(texts, me, back)
    else:
        markup = inline(texts, back)
    await target.answer(texts(f"work-ask-{name}"), reply_markup=markup)


@routes.callback_query(WorkCb.filter(F.action == WorkAction.DAY), Shown())
async def day_pressed(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Сегодня» / «Вчера» / «Позавчера» at the date step, «Я» at the responsible one."""
    staff_at_work(activity, person)
    draft = await load(state)
    if draft is None or not draft.content:
        await _stale(query, target, texts, config)
        return
    if callback_data.n >= len(DAYS_BACK):
        draft.responsible = None
    else:
        now = datetime.now(UTC)
        when = days_back(callback_data.n, config.library.zone, now)
        if not open_quarter(now, config.library.zone).contains(when[0]):
            # «Позавчера» on 1 April: a handed-in quarter; the date step stays open
            await _refused(query, texts, Refusal.CLOSED)
            return
        draft.date, draft.all_day = when[0].isoformat(), when[1]
    await query.answer()
    await keep(state, draft)
    await state.set_state(WorkForm.card)
    await show_draft(target, texts, config, person, draft, fields=True)


@routes.callback_query(WorkCb.filter(F.action.in_({WorkAction.PICK, WorkAction.KEEP})), Shown())
async def customer_picked(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """A suggested customer, or the name as it was typed."""
    staff_at_work(activity, person)
    draft = await load(state)
    data = await state.get_data()
    offered = data.get("suggest") or []
    typed = data.get("typed") or ""
    if draft is None or not draft.content:
        await _stale(query, target, texts, config)
        return
    if callback_data.action is WorkAction.PICK and callback_data.n < len(offered):
        draft.customer = offered[callback_data.n]
    elif typed:
        draft.customer = typed
    await query.answer()
    await keep(state, draft, suggest=[], typed="")
    await state.set_state(WorkForm.card)
    await show_draft(target, texts, config, person, draft, fields=True)


@routes.callback_query(WorkCb.filter(F.action == WorkAction.CANCEL), Shown())
async def cancelled(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await state.clear()
    await query.answer()
    await target.answer(texts("work-cancelled"), reply_markup=kinds_keyboard(texts, config))


@routes.callback_query(WorkCb.filter(F.action == WorkAction.MINE), Shown())
async def mine(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The staff member's own records of this quarter, newest first, one a button."""
    staff_at_work(activity, person)
    await query.answer()
    period = open_quarter(datetime.now(UTC), config.library.zone)
    found = await records.by_author(db, person.id, period)
    if not found:
        await target.answer(
            texts("work-mine-empty", period=period.label),
            reply_markup=kinds_keyboard(texts, config),
        )
        return
    zone = config.library.zone
    rows = [
        [
            button(
                f"{item.draft.done_at.astimezone(zone):%d.%m} · {item.draft.content}",
                cb(WorkAction.SHOW, item.id),
            )
        ]
        for item in found
    ]
    await target.answer(
        texts("work-mine-list", period=period.label), reply_markup=inline(texts, *rows)
    )


@routes.callback_query(WorkCb.filter(F.action == WorkAction.SHOW), Shown())
async def shown(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    item = await records.get(db, callback_data.id)
    if item is None or item.deleted:
        await _refused(query, texts, Refusal.GONE)
        return
    await query.answer()
    await show_record(target, texts, config, item)


@routes.callback_query(WorkCb.filter(F.action == WorkAction.EDIT), Shown())
async def edit(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«✏️ Исправить»: the record becomes a draft, if this person may change it."""
    staff_at_work(activity, person)
    item = await _changeable(query, callback_data, texts, config, db, person)
    if item is None:
        activity.status = "work change refused"
        return
    await query.answer()
    draft = Draft.of(item)
    await keep(state, draft)
    await state.set_state(WorkForm.card)
    await show_draft(target, texts, config, person, draft, fields=True)


@routes.callback_query(WorkCb.filter(F.action == WorkAction.DROP), Shown())
async def drop_asked(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«🗑 Удалить»: asked once more, if this person may delete it."""
    staff_at_work(activity, person)
    item = await _changeable(query, callback_data, texts, config, db, person)
    if item is None:
        activity.status = "work delete refused"
        return
    await query.answer()
    await target.answer(
        texts("work-drop-confirm", id=item.id, content=item.draft.content),
        reply_markup=inline(
            texts,
            [
                button(texts("work-drop-yes"), cb(WorkAction.DROP_YES, item.id)),
                button(texts("work-drop-no"), cb(WorkAction.SHOW, item.id)),
            ],
        ),
    )


@routes.callback_query(WorkCb.filter(F.action == WorkAction.DROP_YES), Shown())
async def dropped(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    period = open_quarter(datetime.now(UTC), config.library.zone)
    try:
        await records.delete(db, callback_data.id, _actor(person, query), period)
    except WorkRefused as refused:
        activity.status = "work delete refused"
        await _refused(query, texts, refused.reason)
        return
    activity.status = "work deleted"
    activity.content = f"work record {callback_data.id}"
    await query.answer()
    await target.answer(
        texts("work-dropped", id=callback_data.id),
        reply_markup=kinds_keyboard(texts, config),
    )


@routes.callback_query(WorkCb.filter(F.action == WorkAction.HISTORY), Shown())
async def history(
    query: CallbackQuery,
    callback_data: WorkCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """Who made and changed the record, and when."""
    staff_at_work(activity, person)
    await query.answer()
    zone = config.library.zone
    lines = [texts("work-history-title", id=callback_data.id)]
    for change in await records.history(db, callback_data.id):
        lines.append(
            texts(
                f"work-history-{change.action}",
                at=f"{change.at.astimezone(zone):%d.%m.%Y %H:%M}",
                by=change.by or "—",
                field=texts(f"work-field-{change.field or 'content'}"),
            )
        )
    back = [button(texts("work-to-record"), cb(WorkAction.SHOW, callback_data.id))]
    await target.answer("\n".join(lines), reply_markup=inline(texts, back))
