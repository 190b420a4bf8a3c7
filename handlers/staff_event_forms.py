"""Staff forms for an event in the listing: move it (everyone registered is told), add a
participant by hand, edit a field. Creating one is the wizard in `handlers.staff_event_new`.
The rules — what a field may hold, whether the event can still be moved — are
`storage.events.changes`; here the question, the answer and what it is told. Behind
HasRole(STAFF) on the server."""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.dates import WhenError, read_moment
from bot.kernel.i18n import Locales, Texts
from broadcasts.event_notices import tell_promoted, tell_registrants
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.event_view import author, date_examples, too_long, when, when_problem
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole, TextWithinLimit
from handlers.routes import Routes
from handlers.staff_event_buttons import Picked, cb, open_event, pressed
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import changes
from storage.events.changes import EDITABLE, EditProblem, EditRefused
from storage.events.registrations import Refused
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.types import utcnow

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))

Action = StaffEventAction
# What an edit refused is told (too long a description and too few seats say more).
REFUSALS = {
    EditProblem.BAD_TITLE: "staff-new-bad-title",
    EditProblem.BAD_QUESTIONS: "staff-edit-bad-questions",
    EditProblem.BAD_SEATS: "staff-new-bad-seats",
    EditProblem.PHOTO_EXPECTED: "staff-edit-send-photo",
    EditProblem.TEXT_EXPECTED: "staff-edit-send-text",
}


class EventChange(StatesGroup):
    move = State()
    add = State()
    edit = State()


async def _open_form(
    query: CallbackQuery, texts: Texts, state: FSMContext, form: State, question: str, **data: Any
) -> None:
    """Put the staff member in `form` about the button's event and ask its question."""
    await state.set_state(form)
    await state.set_data(data)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(question, reply_markup=inline(texts))


async def _form_done(state: FSMContext) -> dict[str, Any]:
    """The form's data; the form is left (a second message is not taken for it)."""
    data = await state.get_data()
    await state.clear()
    return data


def _note(activity: ActivityNote, person: PersonView, kind: ActivityKind, status: str) -> None:
    staff_at_work(activity, person, kind)
    activity.status = status


@routes.callback_query(pressed(Action.MOVE))
async def ask_move(
    query: CallbackQuery,
    callback_data: StaffEventCb,
    texts: Texts,
    config: Config,
    state: FSMContext,
) -> None:
    question = texts("staff-move-ask", **date_examples(texts, config, utcnow()))
    await _open_form(query, texts, state, EventChange.move, question, event_id=callback_data.id)


@routes.callback_query(pressed(Action.ADD))
async def ask_add(
    query: CallbackQuery, callback_data: StaffEventCb, texts: Texts, state: FSMContext
) -> None:
    question = texts("staff-add-ask")
    await _open_form(query, texts, state, EventChange.add, question, event_id=callback_data.id)


@routes.message(EventChange.move, F.text)
async def moved(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    typed, now = message.text or "", utcnow()
    try:
        moment = read_moment(typed, config.library.zone, now)
    except WhenError as error:
        problem = when_problem(texts, config, error.reason, typed, now)
        await message.answer(problem, reply_markup=inline(texts))
        return  # still moving: another try, or «В меню»
    event_id = int((await _form_done(state)).get("event_id", 0))
    before = await changes.move(db, event_id, moment)
    if before is None:
        await message.answer(texts("events-gone"), reply_markup=inline(texts))
        return
    added = await tell_registrants(
        db,
        locales,
        event_id,
        purpose="event_moved",
        key=moment.isoformat(),
        expires_at=moment,
        text=lambda t: t(
            "events-moved",
            title=before.title,
            was=when(config, before.starts_at),
            now=when(config, moment),
        ),
    )
    _note(activity, person, ActivityKind.STAFF_ACTION, "event moved")
    activity.content = before.title
    await message.answer(
        texts("staff-moved", title=before.title, when=when(config, moment), count=added),
        reply_markup=inline(texts, open_event(texts, event_id)),
    )


@routes.message(EventChange.add, F.text)
async def added(
    message: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    who = changes.by_hand(message.text or "")
    if who is None:
        await message.answer(texts("staff-add-bad"), reply_markup=inline(texts))
        return
    event_id = int((await _form_done(state)).get("event_id", 0))
    result = await changes.add_by_hand(db, event_id, who, added_by=author(person))
    activity.customer = who.name
    if isinstance(result, Refused):
        _note(activity, person, ActivityKind.EVENT_REGISTRATION, f"refused: {result.value}")
        await message.answer(texts(f"events-refused-{result.value}"), reply_markup=inline(texts))
        return
    place = result.place
    _note(
        activity, person, ActivityKind.EVENT_REGISTRATION, f"added by staff: {place.status.value}"
    )
    key = "staff-added" if place.status == "confirmed" else "staff-added-waiting"
    await message.answer(
        texts(key, name=who.name, position=place.position or 0),
        reply_markup=inline(texts, open_event(texts, event_id)),
    )


@routes.callback_query(pressed(Action.EDIT))
async def edit_menu(query: CallbackQuery, callback_data: StaffEventCb, texts: Texts) -> None:
    await query.answer()
    rows = [
        [button(texts(f"staff-edit-{field}"), cb(Action.EDIT_FIELD, callback_data.id, i))]
        for i, field in enumerate(EDITABLE)
    ]
    if isinstance(query.message, Message):
        await query.message.answer(texts("staff-edit-what"), reply_markup=inline(texts, *rows))


@routes.callback_query(pressed(Action.EDIT_FIELD), Picked("field", lambda _: EDITABLE))
async def edit_field(
    query: CallbackQuery, callback_data: StaffEventCb, field: str, texts: Texts, state: FSMContext
) -> None:
    question = texts(f"staff-edit-ask-{field}")
    await _open_form(
        query, texts, state, EventChange.edit, question, event_id=callback_data.id, field=field
    )


@routes.callback_query(pressed(Action.EDIT_FIELD))
async def no_such_field(query: CallbackQuery) -> None:
    """A field index no button carries: answered, nothing asked."""
    await query.answer()


@routes.message(EventChange.edit, F.photo | F.text, TextWithinLimit())
async def edited(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """The new value of the field being edited: a photo, or text (at most
    `[limits] max_input_chars`)."""
    data = await state.get_data()
    event_id, field = int(data.get("event_id", 0)), str(data.get("field"))
    result = await changes.edit(
        db,
        event_id,
        field,
        text=message.text or "",
        html=message.html_text,
        photo=message.photo[-1].file_id if message.photo else None,
        unlimited=locales.variants("staff-new-unlimited"),
    )
    if isinstance(result, EditRefused):
        await _refuse(message, texts, result)
        return
    for promotion in result.promotions:
        await tell_promoted(db, locales, config, event_id, promotion)
    await state.clear()
    _note(activity, person, ActivityKind.STAFF_ACTION, f"event edited: {result.field}")
    done = texts("staff-edit-done")
    await message.answer(done, reply_markup=inline(texts, open_event(texts, event_id)))


async def _refuse(message: Message, texts: Texts, refused: EditRefused) -> None:
    """What was wrong; the form stays at the field, for another try or «В меню»."""
    if refused.problem is EditProblem.TOO_FEW_SEATS:
        await message.answer(texts("staff-edit-seats-too-few", taken=refused.taken))
    elif refused.problem is EditProblem.TOO_LONG:
        await message.answer(too_long(texts, message.html_text), reply_markup=inline(texts))
    else:
        await message.answer(texts(REFUSALS[refused.problem]), reply_markup=inline(texts))
