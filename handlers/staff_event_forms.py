"""Staff forms for events: move one (everyone registered is told), add a participant by
hand, edit a field; creating one is the wizard in `handlers.staff_event_new`, included
here. Behind HasRole(STAFF) on the server."""

from __future__ import annotations

import json

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.dates import WhenError, read_moment
from bot.kernel.i18n import Locales, Texts, normalise_label
from broadcasts.event_notices import tell_promoted, tell_registrants
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.event_view import author, date_examples, too_long, when, when_problem
from broadcasts.views.keyboards import button, inline
from handlers import staff_event_new
from handlers.filters import HasRole, TextWithinLimit
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.descriptions import over_limit
from storage.events.importing import parse_questions
from storage.events.listing import get
from storage.events.registrations import Refused
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.types import utcnow

EDITABLE = ("title", "description", "seats", "questions", "photo")
SEATS_UNLIMITED = {"0", "∞"}


class EventChange(StatesGroup):
    move = State()
    add = State()
    edit = State()


def _cb(action: StaffEventAction, id_: int = 0, page: int = 0) -> str:
    return StaffEventCb(action=action, id=id_, page=page).pack()


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.STAFF))
    router.callback_query.filter(HasRole(Role.STAFF))
    router.include_router(staff_event_new.build_router())

    # --- moving an event, adding a participant -----------------------------------------

    @router.callback_query(
        StaffEventCb.filter(F.action.in_({StaffEventAction.MOVE, StaffEventAction.ADD}))
    )
    async def ask_change(
        query: CallbackQuery,
        callback_data: StaffEventCb,
        texts: Texts,
        config: Config,
        state: FSMContext,
    ) -> None:
        move = callback_data.action is StaffEventAction.MOVE
        await state.set_state(EventChange.move if move else EventChange.add)
        await state.set_data({"event_id": callback_data.id})
        await query.answer()
        if isinstance(query.message, Message):
            if move:
                examples = date_examples(texts, config, utcnow())
                await query.message.answer(
                    texts("staff-move-ask", **examples), reply_markup=inline(texts)
                )
            else:
                await query.message.answer(texts("staff-add-ask"), reply_markup=inline(texts))

    @router.message(EventChange.move, F.text)
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
        event_id = int((await state.get_data()).get("event_id", 0))
        await state.clear()
        before = await get(db, event_id)
        if before is None or not await registrations.move_event(db, event_id, moment):
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
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = author(person)
        activity.content = before.title
        activity.status = "event moved"
        await message.answer(
            texts("staff-moved", title=before.title, when=when(config, moment), count=added),
            reply_markup=inline(
                texts, [button(texts("staff-new-open"), _cb(StaffEventAction.SHOW, event_id))]
            ),
        )

    @router.message(EventChange.add, F.text)
    async def added(
        message: Message,
        texts: Texts,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        parts = [p.strip() for p in (message.text or "").split(",")]
        name = parts[0] if parts else ""
        if not 2 <= len(name) <= 200:
            await message.answer(texts("staff-add-bad"), reply_markup=inline(texts))
            return
        event_id = int((await state.get_data()).get("event_id", 0))
        await state.clear()
        result = await registrations.register(
            db,
            event_id,
            None,
            name=name,
            organisation=parts[1][:300] if len(parts) > 1 and parts[1] else None,
            contact=", ".join(parts[2:])[:200] or None,
            added_by=author(person),
            ignore_window=True,
        )
        activity.kind = ActivityKind.EVENT_REGISTRATION
        activity.responsible = author(person)
        activity.customer = name
        if isinstance(result, Refused):
            activity.status = f"refused: {result.value}"
            await message.answer(
                texts(f"events-refused-{result.value}"), reply_markup=inline(texts)
            )
            return
        activity.status = f"added by staff: {result.place.status.value}"
        key = "staff-added" if result.place.status == "confirmed" else "staff-added-waiting"
        await message.answer(
            texts(key, name=name, position=result.place.position or 0),
            reply_markup=inline(
                texts, [button(texts("staff-new-open"), _cb(StaffEventAction.SHOW, event_id))]
            ),
        )

    @router.callback_query(StaffEventCb.filter(F.action == StaffEventAction.EDIT))
    async def edit_menu(query: CallbackQuery, callback_data: StaffEventCb, texts: Texts) -> None:
        await query.answer()
        rows = [
            [
                button(
                    texts(f"staff-edit-{field}"),
                    _cb(StaffEventAction.EDIT_FIELD, callback_data.id, i),
                )
            ]
            for i, field in enumerate(EDITABLE)
        ]
        if isinstance(query.message, Message):
            await query.message.answer(texts("staff-edit-what"), reply_markup=inline(texts, *rows))

    @router.callback_query(StaffEventCb.filter(F.action == StaffEventAction.EDIT_FIELD))
    async def edit_field(
        query: CallbackQuery, callback_data: StaffEventCb, texts: Texts, state: FSMContext
    ) -> None:
        await query.answer()
        if callback_data.page >= len(EDITABLE):
            return
        field = EDITABLE[callback_data.page]
        await state.set_state(EventChange.edit)
        await state.set_data({"event_id": callback_data.id, "field": field})
        if isinstance(query.message, Message):
            await query.message.answer(texts(f"staff-edit-ask-{field}"), reply_markup=inline(texts))

    @router.message(EventChange.edit, F.photo)
    async def edit_photo(
        message: Message,
        texts: Texts,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        data = await state.get_data()
        if data.get("field") != "photo" or not message.photo:
            await message.answer(texts("staff-edit-send-text"), reply_markup=inline(texts))
            return
        await state.clear()
        event_id = int(data.get("event_id", 0))
        await registrations.update_event(db, event_id, photo=message.photo[-1].file_id)
        await _edited(message, texts, person, activity, event_id, "photo")

    @router.message(EventChange.edit, F.text, TextWithinLimit())
    async def edit_text(
        message: Message,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        data = await state.get_data()
        field, event_id = str(data.get("field")), int(data.get("event_id", 0))
        text = (message.text or "").strip()
        if field == "title":
            if not 3 <= len(text) <= 200:
                await message.answer(texts("staff-new-bad-title"), reply_markup=inline(texts))
                return
            await registrations.update_event(db, event_id, title=" ".join(text.split()))
        elif field == "description":
            if over_limit(message.html_text):
                await message.answer(too_long(texts, message.html_text), reply_markup=inline(texts))
                return  # still editing: a shorter text, or «В меню»
            await registrations.update_event(db, event_id, description=message.html_text)
        elif field == "questions":
            try:
                questions = parse_questions(text)
            except ValueError:
                await message.answer(texts("staff-edit-bad-questions"), reply_markup=inline(texts))
                return
            await registrations.update_event(
                db, event_id, questions=json.dumps(questions, ensure_ascii=False)
            )
        elif field == "seats":
            if text in SEATS_UNLIMITED or normalise_label(text) in locales.variants(
                "staff-new-unlimited"
            ):
                seats = None
            elif text.isdigit() and 1 <= int(text) <= 100_000:
                seats = int(text)
            else:
                await message.answer(texts("staff-new-bad-seats"), reply_markup=inline(texts))
                return
            promotions = await registrations.set_seats(db, event_id, seats)
            if promotions is None:
                event = await get(db, event_id)
                await message.answer(
                    texts("staff-edit-seats-too-few", taken=event.taken if event else 0)
                )
                return
            for promotion in promotions:
                await tell_promoted(db, locales, config, event_id, promotion)
        else:
            await message.answer(texts("staff-edit-send-photo"), reply_markup=inline(texts))
            return
        await state.clear()
        await _edited(message, texts, person, activity, event_id, field)

    return router


async def _edited(
    message: Message,
    texts: Texts,
    person: PersonView,
    activity: ActivityNote,
    event_id: int,
    field: str,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    activity.responsible = author(person)
    activity.status = f"event edited: {field}"
    await message.answer(
        texts("staff-edit-done"),
        reply_markup=inline(
            texts, [button(texts("staff-new-open"), _cb(StaffEventAction.SHOW, event_id))]
        ),
    )
