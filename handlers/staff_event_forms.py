"""Staff forms for events: create one in a few steps, move it (everyone registered is
told), add a participant by hand. Behind HasRole(STAFF) on the server."""

from __future__ import annotations

import json
from datetime import datetime

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.config import Config
from bot.i18n import Locales, Texts, normalise_label
from bot.transports.messengers import start_link
from broadcasts.event_notices import tell_promoted, tell_registrants
from handlers.callbacks import StaffEventAction, StaffEventCb
from handlers.event_view import when
from handlers.filters import HasRole, TextWithinLimit
from handlers.keyboards import button, inline
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.descriptions import DESCRIPTION_LIMIT, over_limit
from storage.events.importing import parse_questions, parse_when
from storage.events.listing import get
from storage.events.models import EventKind
from storage.events.registrations import Refused
from storage.models import ActivityKind, Role
from storage.people import PersonView
from storage.types import utcnow

KINDS = list(EventKind)
EDITABLE = ("title", "description", "seats", "questions", "photo")
SEATS_UNLIMITED = {"0", "∞"}


class NewEvent(StatesGroup):
    title = State()
    starts = State()
    seats = State()
    description = State()


class EventChange(StatesGroup):
    move = State()
    add = State()
    edit = State()


def _cb(action: StaffEventAction, id_: int = 0, page: int = 0) -> str:
    return StaffEventCb(action=action, id=id_, page=page).pack()


def _author(person: PersonView) -> str:
    return person.display_name or person.messenger_id


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.STAFF))
    router.callback_query.filter(HasRole(Role.STAFF))

    @router.callback_query(StaffEventCb.filter(F.action == StaffEventAction.NEW))
    async def new(query: CallbackQuery, texts: Texts, state: FSMContext) -> None:
        await state.set_state(NewEvent.title)
        await state.set_data({})
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(texts("staff-new-title"), reply_markup=inline(texts))

    @router.message(NewEvent.title, F.text)
    async def title(message: Message, texts: Texts, state: FSMContext) -> None:
        text = " ".join((message.text or "").split())
        if not 3 <= len(text) <= 200:
            await message.answer(texts("staff-new-bad-title"))
            return
        await state.update_data(title=text)
        rows = [
            [button(texts(f"event-kind-{k.value}"), _cb(StaffEventAction.KIND, page=i))]
            for i, k in enumerate(KINDS)
        ]
        await message.answer(texts("staff-new-kind"), reply_markup=inline(texts, *rows))

    @router.callback_query(StaffEventCb.filter(F.action == StaffEventAction.KIND), NewEvent.title)
    async def kind(
        query: CallbackQuery, callback_data: StaffEventCb, texts: Texts, state: FSMContext
    ) -> None:
        if callback_data.page >= len(KINDS):
            await query.answer()
            return
        await state.update_data(kind=KINDS[callback_data.page].value)
        await state.set_state(NewEvent.starts)
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(texts("staff-new-when"), reply_markup=inline(texts))

    @router.message(NewEvent.starts, F.text)
    async def starts(message: Message, texts: Texts, config: Config, state: FSMContext) -> None:
        moment = parse_when(message.text or "", config.library.zone, utcnow())
        if moment is None or moment <= utcnow():
            await message.answer(texts("staff-new-bad-when"))
            return
        await state.update_data(starts=moment.isoformat())
        rows = [
            [button(b.name[:60], _cb(StaffEventAction.BRANCH, page=i + 1))]
            for i, b in enumerate(config.library.branches)
        ]
        rows.append([button(texts("staff-new-no-branch"), _cb(StaffEventAction.BRANCH, page=0))])
        await message.answer(texts("staff-new-branch"), reply_markup=inline(texts, *rows))

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.BRANCH), NewEvent.starts
    )
    async def branch(
        query: CallbackQuery,
        callback_data: StaffEventCb,
        texts: Texts,
        config: Config,
        state: FSMContext,
    ) -> None:
        branches = config.library.branches
        if callback_data.page > len(branches):
            await query.answer()
            return
        chosen = branches[callback_data.page - 1].id if callback_data.page else None
        await state.update_data(branch=chosen)
        await state.set_state(NewEvent.seats)
        await query.answer()
        if isinstance(query.message, Message):
            unlimited = button(texts("staff-new-unlimited"), _cb(StaffEventAction.UNLIMITED))
            await query.message.answer(
                texts("staff-new-seats"), reply_markup=inline(texts, [unlimited])
            )

    async def ask_description(
        target: Message, texts: Texts, state: FSMContext, seats: int | None
    ) -> None:
        await state.update_data(seats=seats)
        await state.set_state(NewEvent.description)
        skip = button(texts("events-skip-button"), _cb(StaffEventAction.SKIP))
        await target.answer(texts("staff-new-description"), reply_markup=inline(texts, [skip]))

    @router.message(NewEvent.seats, F.text)
    async def seats(message: Message, texts: Texts, state: FSMContext) -> None:
        text = (message.text or "").strip()
        if not text.isdigit() or not 1 <= int(text) <= 100_000:
            await message.answer(texts("staff-new-bad-seats"))
            return
        await ask_description(message, texts, state, int(text))

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.UNLIMITED), NewEvent.seats
    )
    async def unlimited(query: CallbackQuery, texts: Texts, state: FSMContext) -> None:
        await query.answer()
        if isinstance(query.message, Message):
            await ask_description(query.message, texts, state, None)

    async def create(
        target: Message,
        bot: Bot,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
        description: str | None,
    ) -> None:
        data = await state.get_data()
        await state.clear()
        event_id = await registrations.create_event(
            db,
            title=data["title"],
            kind=data["kind"],
            starts_at=datetime.fromisoformat(data["starts"]),
            branch_id=data.get("branch"),
            seats=data.get("seats"),
            waitlist=True,
            description=description,
            ask_organisation=data["kind"]
            in (EventKind.MEETUP, EventKind.TRAINING, EventKind.CONSULTATION_DAY),
            created_by=_author(person),
        )
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = _author(person)
        activity.content = data["title"]
        activity.status = "event created"
        link = await start_link(bot, f"event_{event_id}")
        show = button(texts("staff-new-open"), _cb(StaffEventAction.SHOW, event_id))
        await target.answer(
            texts(
                "staff-new-done",
                title=data["title"],
                when=when(config, datetime.fromisoformat(data["starts"])),
                link=link,
            ),
            reply_markup=inline(texts, [show]),
        )

    @router.message(NewEvent.description, F.text, TextWithinLimit())
    async def description(
        message: Message,
        bot: Bot,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        text = message.html_text
        if over_limit(text):
            skip = button(texts("events-skip-button"), _cb(StaffEventAction.SKIP))
            await message.answer(too_long(texts, text), reply_markup=inline(texts, [skip]))
            return  # still at this step: a shorter text or «Пропустить»
        await create(message, bot, texts, config, db, person, state, activity, text)

    @router.callback_query(
        StaffEventCb.filter(F.action == StaffEventAction.SKIP), NewEvent.description
    )
    async def no_description(
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
        if isinstance(query.message, Message):
            await create(query.message, bot, texts, config, db, person, state, activity, None)

    # --- moving an event, adding a participant -----------------------------------------

    @router.callback_query(
        StaffEventCb.filter(F.action.in_({StaffEventAction.MOVE, StaffEventAction.ADD}))
    )
    async def ask_change(
        query: CallbackQuery, callback_data: StaffEventCb, texts: Texts, state: FSMContext
    ) -> None:
        move = callback_data.action is StaffEventAction.MOVE
        await state.set_state(EventChange.move if move else EventChange.add)
        await state.set_data({"event_id": callback_data.id})
        await query.answer()
        if isinstance(query.message, Message):
            key = "staff-move-ask" if move else "staff-add-ask"
            await query.message.answer(texts(key), reply_markup=inline(texts))

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
        moment = parse_when(message.text or "", config.library.zone, utcnow())
        if moment is None or moment <= utcnow():
            await message.answer(texts("staff-new-bad-when"))
            return
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
        activity.responsible = _author(person)
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
            await message.answer(texts("staff-add-bad"))
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
            added_by=_author(person),
            ignore_window=True,
        )
        activity.kind = ActivityKind.EVENT_REGISTRATION
        activity.responsible = _author(person)
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
            await message.answer(texts("staff-edit-send-text"))
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
                await message.answer(texts("staff-new-bad-title"))
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
                await message.answer(texts("staff-edit-bad-questions"))
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
                await message.answer(texts("staff-new-bad-seats"))
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
            await message.answer(texts("staff-edit-send-photo"))
            return
        await state.clear()
        await _edited(message, texts, person, activity, event_id, field)

    return router


def too_long(texts: Texts, description: str) -> str:
    """Refusing a description over the limit, with both lengths: it is never cut, since a
    cut can fall inside the formatting and leave a card Telegram refuses to show."""
    return texts("staff-description-too-long", length=len(description), limit=DESCRIPTION_LIMIT)


async def _edited(
    message: Message,
    texts: Texts,
    person: PersonView,
    activity: ActivityNote,
    event_id: int,
    field: str,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    activity.responsible = _author(person)
    activity.status = f"event edited: {field}"
    await message.answer(
        texts("staff-edit-done"),
        reply_markup=inline(
            texts, [button(texts("staff-new-open"), _cb(StaffEventAction.SHOW, event_id))]
        ),
    )
