"""«Новое мероприятие»: the staff wizard — title, kind, start, end, branch, room, seats,
description — then the card as readers will see it, with «Опубликовать» / «Изменить» /
«Отмена». Nothing reaches the listing before «Опубликовать», so a misread date is caught on
the preview, not by readers. «Изменить» redoes one step and comes back to the preview.

Dates are read by `bot.kernel.dates`: as staff type them («19.12 18.30», «19 декабря 18:30», «в
пятницу в 18»), in library time, never in the past; a refusal says what is missing with an
example computed from today. Behind HasRole(STAFF) on the server, as the other event forms.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.dates import Unreadable, WhenError, read_end, read_moment
from bot.kernel.i18n import Texts
from bot.kernel.messengers import start_link
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.event_view import (
    author,
    date_examples,
    end_example,
    event_card,
    long_when,
    too_long,
    when,
    when_problem,
)
from broadcasts.views.keyboards import button, inline
from handlers.filters import HasRole, TextWithinLimit
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.descriptions import over_limit
from storage.events.listing import EventView
from storage.events.models import NKO_KINDS, EventKind, EventStatus
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.types import utcnow

KINDS = list(EventKind)
STEPS = ("title", "kind", "starts", "ends", "branch", "room", "seats", "description")
# What «Изменить» offers on the preview; a new branch also asks its room again.
CHANGEABLE = ("title", "kind", "starts", "ends", "branch", "seats", "description")
AFTER_CHANGE = {"branch": "room"}
ROOM_LIMIT = 200  # the column's size


class NewEvent(StatesGroup):
    title = State()
    kind = State()
    starts = State()
    ends = State()
    branch = State()
    room = State()
    seats = State()
    description = State()
    preview = State()


def _cb(action: StaffEventAction, id_: int = 0, page: int = 0) -> str:
    return StaffEventCb(action=action, id=id_, page=page).pack()


def _moment(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    return datetime.fromisoformat(value) if value else None


def draft_view(data: dict[str, Any]) -> EventView:
    """The draft as an event, so the preview is the very card readers will get."""
    kind = EventKind(data["kind"])
    starts = _moment(data, "starts")
    assert starts is not None  # the preview comes after the start
    return EventView(
        id=0,
        title=data["title"],
        kind=kind,
        starts_at=starts,
        ends_at=_moment(data, "ends"),
        branch_id=data.get("branch"),
        room=data.get("room"),
        description=data.get("description"),
        photo=None,
        seats=data.get("seats"),
        taken=0,
        waitlist=True,
        registration_opens_at=None,
        registration_closes_at=None,
        questions=(),
        ask_organisation=kind in NKO_KINDS,
        ask_contact=True,  # required or «Пропустить» by kind: EventView.contact_required
        status=EventStatus.SCHEDULED,
    )


async def ask(step: str, target: Message, texts: Texts, config: Config, state: FSMContext) -> None:
    """Put the form at `step` and ask its question (the preview is the last «step»)."""
    await state.set_state(getattr(NewEvent, step))
    data = await state.get_data()
    skip = [button(texts("events-skip-button"), _cb(StaffEventAction.SKIP))]
    rows: list[list[InlineKeyboardButton]] = []
    if step == "title":
        text = texts("staff-new-title")
    elif step == "kind":
        text = texts("staff-new-kind")
        rows = [
            [button(texts(f"event-kind-{k.value}"), _cb(StaffEventAction.KIND, page=i))]
            for i, k in enumerate(KINDS)
        ]
    elif step == "starts":
        text = texts("staff-new-when", **date_examples(texts, config, utcnow()))
    elif step == "ends":
        starts = _moment(data, "starts") or utcnow()
        text, rows = texts("staff-new-ends", example=end_example(config, starts)), [skip]
    elif step == "branch":
        text = texts("staff-new-branch")
        rows = [
            [button(b.name[:60], _cb(StaffEventAction.BRANCH, page=i + 1))]
            for i, b in enumerate(config.library.branches)
        ]
        rows.append([button(texts("staff-new-no-branch"), _cb(StaffEventAction.BRANCH))])
    elif step == "room":
        text, rows = texts("staff-new-room"), [skip]
    elif step == "seats":
        text = texts("staff-new-seats")
        rows = [[button(texts("staff-new-unlimited"), _cb(StaffEventAction.UNLIMITED))]]
    elif step == "description":
        text, rows = texts("staff-new-description"), [skip]
    else:
        await preview(target, texts, config, data)
        return
    await target.answer(text, reply_markup=inline(texts, *rows))


async def preview(target: Message, texts: Texts, config: Config, data: dict[str, Any]) -> None:
    event = draft_view(data)
    end = "none"
    if event.ends_at is not None:
        zone = config.library.zone
        same_day = event.ends_at.astimezone(zone).date() == event.starts_at.astimezone(zone).date()
        end = (
            f"{event.ends_at.astimezone(zone):%H:%M}"
            if same_day
            else long_when(texts, config, event.ends_at)
        )
    head = texts("staff-new-preview", start=long_when(texts, config, event.starts_at), end=end)
    rows = [
        [button(texts("staff-new-publish"), _cb(StaffEventAction.PUBLISH))],
        [
            button(texts("staff-new-change"), _cb(StaffEventAction.CHANGE)),
            button(texts("staff-new-drop"), _cb(StaffEventAction.DROP)),
        ],
    ]
    card = event_card(texts, config, event)
    await target.answer(f"{head}\n\n{card}", reply_markup=inline(texts, *rows))


async def done(
    step: str, target: Message, texts: Texts, config: Config, state: FSMContext, **values: Any
) -> None:
    """Keep this step's answer and go on: to the next step, or back to the preview when
    staff are changing one step from it."""
    await state.update_data(**values)
    data = await state.get_data()
    if data.get("review"):
        following = AFTER_CHANGE.get(step, "preview")
    else:
        index = STEPS.index(step) + 1
        following = STEPS[index] if index < len(STEPS) else "preview"
    await ask(following, target, texts, config, state)


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.STAFF))
    router.callback_query.filter(HasRole(Role.STAFF))

    @router.callback_query(StaffEventCb.filter(F.action == StaffEventAction.NEW))
    async def new(query: CallbackQuery, texts: Texts, config: Config, state: FSMContext) -> None:
        await state.set_data({})
        await query.answer()
        if isinstance(query.message, Message):
            await ask("title", query.message, texts, config, state)

    @router.message(NewEvent.title, F.text)
    async def title(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
        text = " ".join((message.text or "").split())
        if not 3 <= len(text) <= 200:
            await message.answer(texts("staff-new-bad-title"), reply_markup=inline(texts))
            return
        await done("title", message, texts, config, state, title=text)

    @router.callback_query(StaffEventCb.filter(F.action == StaffEventAction.KIND), NewEvent.kind)
    async def kind(
        query: CallbackQuery,
        callback_data: StaffEventCb,
        texts: Texts,
        config: Config,
        state: FSMContext,
    ) -> None:
        await query.answer()
        if callback_data.page >= len(KINDS) or not isinstance(query.message, Message):
            return
        chosen = KINDS[callback_data.page].value
        await done("kind", query.message, texts, config, state, kind=chosen)

    @router.message(NewEvent.starts, F.text)
    async def starts(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
        typed, now = message.text or "", utcnow()
        try:
            moment = read_moment(typed, config.library.zone, now)
        except WhenError as error:
            problem = when_problem(texts, config, error.reason, typed, now)
            await message.answer(problem, reply_markup=inline(texts))
            return
        data = await state.get_data()
        values: dict[str, Any] = {"starts": moment.isoformat()}
        before, ends = _moment(data, "starts"), _moment(data, "ends")
        if before is not None and ends is not None:
            values["ends"] = (moment + (ends - before)).isoformat()  # the end moves with it
        await done("starts", message, texts, config, state, **values)

    @router.message(NewEvent.ends, F.text)
    async def ends(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
        starts = _moment(await state.get_data(), "starts") or utcnow()
        try:
            moment = read_end(message.text or "", starts, config.library.zone, utcnow())
        except WhenError as error:
            example = end_example(config, starts)
            if error.reason is Unreadable.NOT_AFTER_START:
                text = texts(
                    "staff-when-not-after-start", start=when(config, starts), example=example
                )
            else:
                text = texts("staff-new-bad-end", example=example)
            skip = button(texts("events-skip-button"), _cb(StaffEventAction.SKIP))
            await message.answer(text, reply_markup=inline(texts, [skip]))
            return
        await done("ends", message, texts, config, state, ends=moment.isoformat())

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.BRANCH), NewEvent.branch
    )
    async def branch(
        query: CallbackQuery,
        callback_data: StaffEventCb,
        texts: Texts,
        config: Config,
        state: FSMContext,
    ) -> None:
        await query.answer()
        branches = config.library.branches
        if callback_data.page > len(branches) or not isinstance(query.message, Message):
            return
        chosen = branches[callback_data.page - 1].id if callback_data.page else None
        await done("branch", query.message, texts, config, state, branch=chosen)

    @router.message(NewEvent.room, F.text)
    async def room(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
        text = " ".join((message.text or "").split())
        if not 1 <= len(text) <= ROOM_LIMIT:
            skip = button(texts("events-skip-button"), _cb(StaffEventAction.SKIP))
            await message.answer(texts("staff-new-bad-room"), reply_markup=inline(texts, [skip]))
            return
        await done("room", message, texts, config, state, room=text)

    @router.message(StateFilter(NewEvent.kind, NewEvent.branch, NewEvent.preview))
    async def buttons_only(
        message: Message,
        texts: Texts,
        config: Config,
        state: FSMContext,
        raw_state: str | None = None,
    ) -> None:
        """A step answered with buttons got typed text: say so and ask it again — the
        form stays where it was, the text is not taken for a catalogue question."""
        await message.answer(texts("staff-new-use-buttons"))
        await ask((raw_state or "").rsplit(":", 1)[-1], message, texts, config, state)

    @router.message(NewEvent.seats, F.text)
    async def seats(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
        text = (message.text or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 100_000:
            unlimited = button(texts("staff-new-unlimited"), _cb(StaffEventAction.UNLIMITED))
            await message.answer(
                texts("staff-new-bad-seats"), reply_markup=inline(texts, [unlimited])
            )
            return
        await done("seats", message, texts, config, state, seats=int(text))

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.UNLIMITED), NewEvent.seats
    )
    async def unlimited(
        query: CallbackQuery, texts: Texts, config: Config, state: FSMContext
    ) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await done("seats", query.message, texts, config, state, seats=None)

    @router.message(NewEvent.description, F.text, TextWithinLimit())
    async def description(
        message: Message, texts: Texts, config: Config, state: FSMContext
    ) -> None:
        text = message.html_text
        if over_limit(text):
            skip = button(texts("events-skip-button"), _cb(StaffEventAction.SKIP))
            await message.answer(too_long(texts, text), reply_markup=inline(texts, [skip]))
            return  # still at this step: a shorter text or «Пропустить»
        await done("description", message, texts, config, state, description=text)

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.SKIP),
        StateFilter(NewEvent.ends, NewEvent.room, NewEvent.description),
    )
    async def skip(query: CallbackQuery, texts: Texts, config: Config, state: FSMContext) -> None:
        """«Пропустить» at an optional step: no end, no room, no description."""
        await query.answer()
        step = (await state.get_state() or "").rpartition(":")[2]
        if isinstance(query.message, Message) and step in STEPS:
            await done(step, query.message, texts, config, state, **{step: None})

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.CHANGE), NewEvent.preview
    )
    async def change(query: CallbackQuery, texts: Texts) -> None:
        await query.answer()
        rows = [
            [button(texts(f"staff-draft-{field}"), _cb(StaffEventAction.DRAFT, page=i))]
            for i, field in enumerate(CHANGEABLE)
        ]
        if isinstance(query.message, Message):
            await query.message.answer(
                texts("staff-new-change-what"), reply_markup=inline(texts, *rows)
            )

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.DRAFT), NewEvent.preview
    )
    async def change_step(
        query: CallbackQuery,
        callback_data: StaffEventCb,
        texts: Texts,
        config: Config,
        state: FSMContext,
    ) -> None:
        await query.answer()
        if callback_data.page >= len(CHANGEABLE) or not isinstance(query.message, Message):
            return
        await state.update_data(review=True)
        await ask(CHANGEABLE[callback_data.page], query.message, texts, config, state)

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.DROP), StateFilter(NewEvent)
    )
    async def drop(query: CallbackQuery, texts: Texts, state: FSMContext) -> None:
        await state.clear()
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(texts("staff-new-dropped"), reply_markup=inline(texts))

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.PUBLISH), NewEvent.preview
    )
    async def publish(
        query: CallbackQuery,
        bot: Bot,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        await query.answer()
        target = query.message
        if not isinstance(target, Message):
            return
        data = await state.get_data()
        event = draft_view(data)
        if event.starts_at <= utcnow():
            # The preview waited past the start: ask the start again, then come back.
            await state.update_data(review=True)
            await ask("starts", target, texts, config, state)
            return
        await state.clear()  # before the insert: a second press finds no draft
        event_id = await registrations.create_event(
            db,
            title=event.title,
            kind=event.kind.value,
            starts_at=event.starts_at,
            ends_at=event.ends_at,
            branch_id=event.branch_id,
            room=event.room,
            seats=event.seats,
            waitlist=True,
            description=event.description,
            ask_organisation=event.ask_organisation,
            ask_contact=event.ask_contact,
            created_by=author(person),
        )
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = author(person)
        activity.content = event.title
        activity.status = "event created"
        link = await start_link(bot, f"event_{event_id}")
        show = button(texts("staff-new-open"), _cb(StaffEventAction.SHOW, event_id))
        await target.answer(
            texts(
                "staff-new-done", title=event.title, when=when(config, event.starts_at), link=link
            ),
            reply_markup=inline(texts, [show]),
        )

    return router
