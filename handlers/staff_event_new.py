"""«Новое мероприятие»: the staff wizard — title, kind, start, end, branch, room, seats,
description — then the card as readers will see it, with «Опубликовать» / «Изменить» /
«Отмена». Nothing reaches the listing before «Опубликовать», so a misread date is caught on
the preview, not by readers. «Изменить» redoes one step and comes back to the preview.

Dates are read by `bot.kernel.dates`: as staff type them («19.12 18.30», «19 декабря 18:30», «в
пятницу в 18»), in library time, never in the past; a refusal says what is missing with an
example computed from today. What a title, a room or a seat count may be is
`storage.events.fields`; the draft and publishing it, `storage.events.drafts`; the questions
and the way from step to step, `handlers.staff_event_steps`. Behind HasRole(STAFF) on the
server, as the other event forms.
"""

from __future__ import annotations

from aiogram import Bot, F
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.dates import Unreadable, WhenError, read_end, read_moment
from bot.kernel.i18n import Texts
from bot.kernel.messengers import start_link
from broadcasts.views.callbacks import StaffEventAction
from broadcasts.views.event_view import author, end_example, too_long, when, when_problem
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole, TextWithinLimit
from handlers.routes import Routes
from handlers.staff_event_buttons import Picked, cb, open_event, pressed
from handlers.staff_event_steps import (
    BUTTON_STEPS,
    CHANGEABLE,
    KINDS,
    AtItsStep,
    InWizard,
    NewEvent,
    Wizard,
    at_its_step,
    branch_ids,
    skip_row,
    unlimited_row,
)
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import drafts
from storage.events.descriptions import over_limit
from storage.events.fields import room_of, seat_count, title_of
from storage.events.models import EventKind
from storage.models import Role
from storage.people import PersonView
from storage.types import utcnow

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))

Action = StaffEventAction


@routes.callback_query(pressed(Action.NEW))
async def new(query: CallbackQuery, texts: Texts, config: Config, state: FSMContext) -> None:
    await state.set_data({})
    await query.answer()
    if isinstance(query.message, Message):
        await Wizard(query.message, texts, config, state).ask("title")


@routes.message(NewEvent.title, F.text, InWizard())
async def title(message: Message, wizard: Wizard) -> None:
    await wizard.take("title", title_of(message.text or ""), "staff-new-bad-title")


@routes.callback_query(*at_its_step(Action.KIND), Picked("kind", lambda _: KINDS), InWizard())
async def kind(query: CallbackQuery, kind: EventKind, wizard: Wizard) -> None:
    await query.answer()
    await wizard.done("kind", kind=kind.value)


@routes.message(NewEvent.starts, F.text, InWizard())
async def starts(message: Message, wizard: Wizard) -> None:
    typed, now = message.text or "", utcnow()
    try:
        moment = read_moment(typed, wizard.config.library.zone, now)
    except WhenError as error:
        await wizard.say(when_problem(wizard.texts, wizard.config, error.reason, typed, now))
        return
    await wizard.done("starts", **drafts.new_start(await wizard.state.get_data(), moment))


@routes.message(NewEvent.ends, F.text, InWizard())
async def ends(message: Message, wizard: Wizard) -> None:
    texts, config = wizard.texts, wizard.config
    starts = drafts.moment(await wizard.state.get_data(), "starts") or utcnow()
    try:
        moment = read_end(message.text or "", starts, config.library.zone, utcnow())
    except WhenError as error:
        example = end_example(config, starts)
        if error.reason is Unreadable.NOT_AFTER_START:
            start = when(config, starts)
            text = texts("staff-when-not-after-start", start=start, example=example)
        else:
            text = texts("staff-new-bad-end", example=example)
        await wizard.say(text, skip_row(texts))
        return
    await wizard.done("ends", ends=moment.isoformat())


@routes.callback_query(*at_its_step(Action.BRANCH), Picked("branch", branch_ids), InWizard())
async def branch(query: CallbackQuery, branch: str | None, wizard: Wizard) -> None:
    await query.answer()
    await wizard.done("branch", branch=branch)


@routes.message(NewEvent.room, F.text, InWizard())
async def room(message: Message, wizard: Wizard) -> None:
    room = room_of(message.text or "")
    await wizard.take("room", room, "staff-new-bad-room", skip_row(wizard.texts))


@routes.message(StateFilter(NewEvent.kind, NewEvent.branch, NewEvent.preview), InWizard())
async def buttons_only(message: Message, wizard: Wizard, raw_state: str | None = None) -> None:
    """A step answered with buttons got typed text: say so and ask it again — the
    form stays where it was, the text is not taken for a catalogue question."""
    await message.answer(wizard.texts("staff-new-use-buttons"))
    await wizard.ask((raw_state or "").rsplit(":", 1)[-1])


@routes.message(NewEvent.seats, F.text, InWizard())
async def seats(message: Message, wizard: Wizard) -> None:
    count = seat_count(message.text or "")
    await wizard.take("seats", count, "staff-new-bad-seats", unlimited_row(wizard.texts))


@routes.callback_query(*at_its_step(Action.UNLIMITED), InWizard())
async def unlimited(query: CallbackQuery, wizard: Wizard) -> None:
    await query.answer()
    await wizard.done("seats", seats=None)


@routes.message(NewEvent.description, F.text, TextWithinLimit(), InWizard())
async def description(message: Message, wizard: Wizard) -> None:
    text = message.html_text
    if over_limit(text):
        await wizard.say(too_long(wizard.texts, text), skip_row(wizard.texts))
        return  # still at this step: a shorter text or «Пропустить»
    await wizard.done("description", description=text)


@routes.callback_query(*at_its_step(Action.SKIP), InWizard())
async def skip(query: CallbackQuery, wizard: Wizard, raw_state: str | None = None) -> None:
    """«Пропустить» at an optional step: no end, no room, no description."""
    await query.answer()
    step = (raw_state or "").rpartition(":")[2]
    await wizard.done(step, **{step: None})


@routes.callback_query(*at_its_step(Action.CHANGE), InWizard())
async def change(query: CallbackQuery, wizard: Wizard) -> None:
    await query.answer()
    texts = wizard.texts
    steps = enumerate(CHANGEABLE)
    rows = [[button(texts(f"staff-draft-{step}"), cb(Action.DRAFT, page=i))] for i, step in steps]
    await wizard.tell("staff-new-change-what", *rows)


@routes.callback_query(*at_its_step(Action.DRAFT), Picked("step", lambda _: CHANGEABLE), InWizard())
async def change_step(query: CallbackQuery, step: str, wizard: Wizard) -> None:
    await query.answer()
    await wizard.redo(step)


@routes.callback_query(*at_its_step(Action.DROP))
async def drop(query: CallbackQuery, texts: Texts, state: FSMContext) -> None:
    await state.clear()
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("staff-new-dropped"), reply_markup=inline(texts))


@routes.callback_query(*at_its_step(Action.PUBLISH), InWizard())
async def publish(
    query: CallbackQuery,
    wizard: Wizard,
    bot: Bot,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    await query.answer()
    event = drafts.draft_view(await wizard.state.get_data())
    if drafts.start_passed(event):
        await wizard.redo("starts")  # the preview waited past the start: ask it again
        return
    await wizard.state.clear()  # before the insert: a second press finds no draft
    event_id = await drafts.publish(db, event, created_by=author(person))
    staff_at_work(activity, person)
    activity.content = event.title
    activity.status = "event created"
    link = await start_link(bot, f"event_{event_id}")
    config, texts = wizard.config, wizard.texts
    done = texts("staff-new-done", title=event.title, when=when(config, event.starts_at), link=link)
    await wizard.say(done, open_event(texts, event_id))


@routes.callback_query(pressed(*BUTTON_STEPS), AtItsStep())
async def quietly(query: CallbackQuery) -> None:
    """A wizard button at its step whose message Telegram no longer shows, or with an
    option index no button carries: answered, nothing done."""
    await query.answer()
