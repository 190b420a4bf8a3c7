"""«📝 Записать работу»: the buttons, the draft kept while it is filled in, and the cards —
shared by the presses (`staff_work`) and the typed answers (`staff_work_typed`).

A draft lives in the conversation state (`WorkForm`) until «✅ Готово»: the kind, the
content and, only if staff add them, the date, customer, executor, responsible, number of
people and notes. Nothing typed is stored in the database before «Готово».
"""

from __future__ import annotations

import enum
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Annotated, Any

from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import InlineKeyboardMarkup, Message
from pydantic import Field

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import button, inline
from storage.people import PersonView
from storage.work.records import Refusal, WorkDraft, WorkItem

Id = Annotated[int, Field(ge=0, le=2**31 - 1)]
# The optional fields of «➕ Дополнить», in the order of their buttons; `n` of a button.
FIELDS = ("date", "customer", "executor", "responsible", "people", "notes", "content", "kind")
DAYS_BACK = ("today", "yesterday", "before")  # the date step's buttons


class WorkAction(enum.StrEnum):
    OPEN = "open"  # the kinds: what to record
    KIND = "k"  # n = the kind's place in [work] kinds
    DONE = "done"  # «✅ Готово» / «✅ Сохранить»
    MORE = "more"  # «➕ Дополнить»: the optional fields
    FIELD = "f"  # n = a FIELDS index
    DAY = "day"  # n = a DAYS_BACK index
    PICK = "pick"  # n = a suggested customer
    KEEP = "keep"  # the customer as typed
    CANCEL = "cancel"
    MINE = "mine"  # «📋 Мои записи»
    SHOW = "show"  # id
    EDIT = "edit"  # id
    DROP = "del"  # id, asks to confirm
    DROP_YES = "delyes"  # id
    HISTORY = "hist"  # id


class WorkCb(CallbackData, prefix="work"):
    action: WorkAction
    id: Id = 0
    n: Annotated[int, Field(ge=0, le=99)] = 0


class WorkForm(StatesGroup):
    content = State()  # typing what was done
    card = State()  # the draft shown with its buttons
    field = State()  # typing one of the optional fields


def cb(action: WorkAction, id_: int = 0, n: int = 0) -> str:
    return WorkCb(action=action, id=id_, n=n).pack()


def actor_name(person: PersonView, name: str = "") -> str:
    """Who did it: the name the bot knows, the messenger's, or the messenger id."""
    return person.display_name or name or person.messenger_id


@dataclass
class Draft:
    """A record being written (`record` 0) or corrected (`record` its id); None and "" are
    «not given»: now, the staff member, nobody."""

    kind: str
    content: str = ""
    date: str | None = None  # ISO, aware
    all_day: bool = False
    customer: str = ""
    executor: str = ""
    responsible: str | None = None
    people: int | None = None
    notes: str = ""
    record: int = 0

    def as_record(self, me: str, now: datetime) -> WorkDraft:
        when = datetime.fromisoformat(self.date) if self.date else now
        return WorkDraft(
            kind=self.kind,
            content=self.content,
            done_at=when,
            all_day=self.all_day if self.date else False,
            responsible=self.responsible if self.responsible is not None else me,
            customer=self.customer,
            executor=self.executor,
            people=self.people,
            notes=self.notes,
        )

    @classmethod
    def of(cls, item: WorkItem) -> Draft:
        d = item.draft
        return cls(
            kind=d.kind,
            content=d.content,
            date=d.done_at.isoformat(),
            all_day=d.all_day,
            customer=d.customer,
            executor=d.executor,
            responsible=d.responsible,
            people=d.people,
            notes=d.notes,
            record=item.id,
        )


async def load(state: FSMContext) -> Draft | None:
    data = await state.get_data()
    found = data.get("work")
    return Draft(**found) if isinstance(found, dict) else None


async def keep(state: FSMContext, draft: Draft, **more: Any) -> None:
    await state.update_data(work=asdict(draft), **more)


def _when(texts: Texts, value: datetime, all_day: bool, config: Config) -> str:
    local = value.astimezone(config.library.zone)
    return f"{local:%d.%m.%Y}" if all_day else f"{local:%d.%m.%Y %H:%M}"


def lines(texts: Texts, draft: WorkDraft, config: Config, *, now_: bool = False) -> str:
    """The record as a card: the kind and content, then each field that is given."""
    shown = [texts("work-card-head", kind=draft.kind, content=draft.content)]
    date = texts("work-now") if now_ else _when(texts, draft.done_at, draft.all_day, config)
    shown.append(texts("work-card-date", date=date))
    shown.append(texts("work-card-responsible", name=draft.responsible or "—"))
    if draft.customer:
        shown.append(texts("work-card-customer", name=draft.customer))
    if draft.executor:
        shown.append(texts("work-card-executor", name=draft.executor))
    if draft.people is not None:
        shown.append(texts("work-card-people", count=draft.people))
    if draft.notes:
        shown.append(texts("work-card-notes", notes=draft.notes))
    return "\n".join(shown)


def draft_keyboard(texts: Texts, draft: Draft) -> InlineKeyboardMarkup:
    done = "work-save" if draft.record else "work-done"
    return inline(
        texts,
        [button(texts(done), cb(WorkAction.DONE))],
        [button(texts("work-more"), cb(WorkAction.MORE))],
        [button(texts("work-cancel"), cb(WorkAction.CANCEL))],
    )


def fields_keyboard(texts: Texts, draft: Draft) -> InlineKeyboardMarkup:
    names = [f"work-field-{name}" for name in FIELDS]
    rows = [
        [button(texts(names[i]), cb(WorkAction.FIELD, n=i)) for i in (a, a + 1)]
        for a in range(0, len(FIELDS), 2)
    ]
    done = "work-save" if draft.record else "work-done"
    rows.append([button(texts(done), cb(WorkAction.DONE))])
    rows.append([button(texts("work-cancel"), cb(WorkAction.CANCEL))])
    return inline(texts, *rows)


async def show_draft(
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    draft: Draft,
    *,
    fields: bool = False,
    name: str = "",
) -> None:
    me = actor_name(person, name)
    record = draft.as_record(me, datetime.now(config.library.zone))
    head = texts("work-draft-edit", id=draft.record) if draft.record else texts("work-draft")
    markup = fields_keyboard(texts, draft) if fields else draft_keyboard(texts, draft)
    text = head + "\n" + lines(texts, record, config, now_=draft.date is None)
    await target.answer(text, reply_markup=markup)


def kinds_keyboard(texts: Texts, config: Config, *, mine: bool = True) -> InlineKeyboardMarkup:
    """The configured kinds, one a button; «📋 Мои записи» under them when starting."""
    rows = [[button(k.name, cb(WorkAction.KIND, n=i))] for i, k in enumerate(config.work.kinds)]
    if mine:
        rows.append([button(texts("work-mine"), cb(WorkAction.MINE))])
    return inline(texts, *rows)


def record_keyboard(texts: Texts, item: WorkItem) -> InlineKeyboardMarkup:
    return inline(
        texts,
        [
            button(texts("work-edit"), cb(WorkAction.EDIT, item.id)),
            button(texts("work-drop"), cb(WorkAction.DROP, item.id)),
        ],
        [button(texts("work-history"), cb(WorkAction.HISTORY, item.id))],
        [button(texts("work-again"), cb(WorkAction.OPEN))],
    )


async def show_record(
    target: Message, texts: Texts, config: Config, item: WorkItem, head: str = "work-record"
) -> None:
    text = texts(head, id=item.id) + "\n" + lines(texts, item.draft, config)
    await target.answer(text, reply_markup=record_keyboard(texts, item))


REFUSALS = {
    Refusal.GONE: "work-gone",
    Refusal.NOT_YOURS: "work-not-yours",
    Refusal.CLOSED: "work-closed",
    Refusal.EMPTY: "work-empty",
}
