"""«Записаться»: the sign-up form of «Мероприятия» — the name, the organisation and the
contact where the event asks them, then its own questions — and then a seat, or a place on
the waiting list.

The steps are declared per event (`signup_steps`) and run by the form engine
(handlers/forms.py). Whether the form may start, and which place it ends in, are storage's
(`registrations.standing`, `registrations.register`).
"""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message, Update

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import place_line
from broadcasts.views.keyboards import inline
from handlers import forms
from handlers.common import ask_consent
from handlers.event_routes import form_routes
from handlers.event_tickets import confirm_text, send_ticket
from handlers.forms import (
    AtStep,
    Choice,
    Contact,
    Filling,
    Form,
    Invalid,
    Offer,
    Pressed,
    Shown,
    Step,
    Words,
)
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.listing import EventView, get
from storage.events.registrations import NoForm, Refused
from storage.events.seats import desk_for
from storage.models import ActivityKind
from storage.people import PersonView

MAX_ANSWER = 1000
NAME = Words("events-bad-name", least=2, most=200)
ORGANISATION = Words("events-bad-org", least=1, most=300)
CONTACT = Contact("events-bad-contact")
ANSWER = Words("events-bad-answer", least=1, most=MAX_ANSWER)
PRIVATE = Choice(
    "events-private-button",
    EventCb(action=EventAction.PRIVATE).pack(),
    value="events-private-value",
)
# The buttons that answer a step.
ANSWERING = {EventAction.SKIP, EventAction.PRIVATE, EventAction.SAVED}
LAST_STEP = "last_step"  # kept with the form: an answer to it asks for the seat


class EventForm(StatesGroup):
    answering = State()


def signup_steps(event: EventView) -> tuple[Step, ...]:
    """The organisation and the contact only where the event asks them (`ask_organisation`,
    `ask_contact`); the contact may be skipped unless `EventView.contact_required`; then
    the event's questions, each skippable unless required."""
    steps = [Step("name", "events-ask-name", NAME, args={"title": event.title}, remembered="name")]
    if event.ask_organisation:
        rows = (Offer.SAME, (PRIVATE,))
        org = Step("org", "events-ask-org", ORGANISATION, remembered="organisation", rows=rows)
        steps.append(org)
    if event.ask_contact:
        required = event.contact_required
        prompt = "events-ask-contact" if required else "events-ask-contact-optional"
        steps.append(Step("contact", prompt, CONTACT, optional=not required, remembered="contact"))
    for i, question in enumerate(event.questions):
        args = {"question": question.text, "required": "yes" if question.required else "no"}
        steps.append(
            Step(f"q{i}", "events-ask-question", ANSWER, args=args, optional=not question.required)
        )
    return tuple(steps)


async def _load(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[EventView, tuple[Step, ...]] | None:
    event = await get(db, int(data.get("event_id", 0)))
    return None if event is None else (event, signup_steps(event))


SIGNUP: Form[EventView] = Form(
    state=EventForm.answering,
    load=_load,
    same="events-same-button",
    same_data=EventCb(action=EventAction.SAVED).pack(),
    skip="events-skip-button",
    skip_data=EventCb(action=EventAction.SKIP).pack(),
    abort="events-abort-button",
    abort_data=EventCb(action=EventAction.ABORT).pack(),
    aborted="events-aborted",
    send_text="events-send-text",
)


class Coming(Filter):
    """An answer to the sign-up form's last step has come: a seat will be asked for. Said
    to the seat desk at once, before anything is read for it, so a reader who pressed
    later cannot take the seat first while this one is on its way (see
    storage.events.seats). Always passes; the handlers below say when no seat was asked
    after all (a name the form refused)."""

    async def __call__(
        self,
        _event: object,
        event_update: Update,
        db: Database,
        state: FSMContext,
        raw_state: str | None = None,
    ) -> bool:
        if raw_state == EventForm.answering.state:
            data = await state.get_data()  # the conversation's cache: no database read
            if data.get("step") == data.get(LAST_STEP):
                desk_for(db).expect(event_update.update_id)
        return True


def _no_seat_asked(db: Database, update: Update) -> None:
    desk_for(db).withdraw(update.update_id)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.REGISTER), Shown())
async def register_pressed(
    query: CallbackQuery,
    callback_data: EventCb,
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Записаться»: the form starts, unless registration is closed, they have a place
    already, or their consent is still to be asked."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    await query.answer()
    event = await get(db, callback_data.id)
    standing = await registrations.standing(db, callback_data.id, person.id)
    refusal = standing.no_form
    if event is None or refusal is NoForm.CLOSED:
        activity.status = NoForm.CLOSED.value
        await target.answer(texts("events-registration-closed"), reply_markup=inline(texts))
        return
    if refusal is NoForm.DUPLICATE and standing.place is not None:
        activity.status = refusal.value
        already = texts("events-already", title=event.title)
        line = place_line(texts, standing.place)
        await target.answer(already + "\n" + line, reply_markup=inline(texts))
        return
    if refusal is NoForm.NEEDS_CONSENT:
        activity.status = refusal.value
        await target.answer(texts("events-need-consent"))
        await ask_consent(target, texts, config)
        return
    activity.content = event.title
    activity.status = "form started"
    steps = signup_steps(event)
    await forms.begin(
        target,
        texts,
        db,
        person,
        state,
        SIGNUP,
        steps,
        event_id=event.id,
        **{LAST_STEP: len(steps) - 1},
    )


@form_routes.message(F.text, Coming(), AtStep(SIGNUP))
async def answered(
    message: Message,
    filling: Filling[EventView],
    bot: Bot,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    event_update: Update,
) -> None:
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.status = "form answer"
    activity.content = None  # answers may be personal; the registration keeps them
    try:
        taken = await forms.take(message, texts, db, person, state, filling, message.text or "")
        if isinstance(taken, Invalid):
            activity.status = "bad answer"
        elif taken is not None:
            await finish(
                message, bot, texts, config, db, person, filling, taken, activity, event_update
            )
    finally:
        _no_seat_asked(db, event_update)  # nothing, once the seat was asked for


@form_routes.message(EventForm.answering, F.text)
async def answered_gone(
    message: Message,
    texts: Texts,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
    event_update: Update,
) -> None:
    """The event left the listing while the form was open."""
    _no_seat_asked(db, event_update)
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.status = "form answer"
    activity.content = None
    await state.clear()
    await message.answer(texts("events-gone"), reply_markup=inline(texts))


@form_routes.message(AtStep(SIGNUP))
async def not_text(
    message: Message,
    filling: Filling[EventView],
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """A sticker or a photo: ask for text, with the step's buttons still at hand."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.status = "not text"
    await forms.want_text(message, texts, db, person, filling)


@form_routes.message(EventForm.answering)
async def not_text_gone(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.status = "not text"
    await message.answer(texts("events-send-text"), reply_markup=inline(texts))


@form_routes.callback_query(
    EventCb.filter(F.action.in_(ANSWERING)), Shown(), Coming(), AtStep(SIGNUP), Pressed()
)
async def button_answer(
    query: CallbackQuery,
    target: Message,
    filling: Filling[EventView],
    value: str | None,
    bot: Bot,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    event_update: Update,
) -> None:
    """«Пропустить», «Частное лицо», «✔️ как в прошлый раз» — for the step the form is at."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    try:
        await query.answer()
        answers = await forms.advance(target, texts, db, person, state, filling, value)
        if answers is not None:
            await finish(
                target, bot, texts, config, db, person, filling, answers, activity, event_update
            )
    finally:
        _no_seat_asked(db, event_update)


@form_routes.callback_query(EventCb.filter(F.action.in_(ANSWERING)), Shown())
async def stale_answer(
    query: CallbackQuery, texts: Texts, db: Database, activity: ActivityNote, event_update: Update
) -> None:
    """A button of another step or of a form no longer open: it does nothing."""
    _no_seat_asked(db, event_update)
    activity.kind = ActivityKind.EVENT_REGISTRATION
    await query.answer(texts("events-form-gone"), show_alert=True)


@form_routes.callback_query(EventCb.filter(F.action == EventAction.ABORT), Shown())
async def abort(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await forms.leave(target, texts, state, SIGNUP)


async def finish(
    target: Message,
    bot: Bot,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    filling: Filling[EventView],
    answers: forms.Answers,
    activity: ActivityNote,
    pressed: Update,
) -> None:
    """The last answer given: a seat or the waiting list (storage decides, the requests
    of everyone pressing at once together), the confirmation at once, the details
    remembered for next time, then the ticket."""
    event = filling.subject
    activity.kind = ActivityKind.EVENT_REGISTRATION
    activity.content = event.title
    custom = [
        {"question": q.text, "answer": answers.get(f"q{i}")} for i, q in enumerate(event.questions)
    ]
    result = await registrations.register(
        db,
        event.id,
        person.id,
        name=answers.get("name"),
        organisation=answers.get("org"),
        contact=answers.get("contact"),
        answers=custom,
        arrival=pressed.update_id,  # among presses that come together, the first go first
    )
    if isinstance(result, Refused):
        activity.status = f"refused: {result.value}"
        await target.answer(texts(f"events-refused-{result.value}"), reply_markup=inline(texts))
        return
    activity.customer = answers.get("name")
    activity.notes = answers.get("org")
    try:
        await confirm_text(target, texts, config, event, result, activity)
    finally:  # the place is theirs whether or not the message went out
        await forms.remember(db, person, texts, filling.steps, answers)
    if result.ticket_due:
        await send_ticket(target, bot, texts, config, event, result.place)
