"""«Мероприятия»: upcoming events, a card per event, registration with a short form,
the waiting list, «Мои записи», cancelling, and confirming a seat offered later.

Registration ids in buttons are only a choice: every action loads the registration
and acts only if it belongs to the person pressing. Seats are taken in storage, in
one transaction per change (see storage.events.registrations).
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import CommandObject, CommandStart
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import (
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.event_notices import offer_window, tell_promoted
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import event_card, location, seats_text, span, when
from broadcasts.views.keyboards import button, inline
from handlers.common import ask_consent
from handlers.event_tickets import send_ticket, ticket_again
from handlers.filters import MenuButton
from storage import people
from storage.activity import ActivityNote
from storage.contacts import clean_contact
from storage.db import Database
from storage.events import registrations
from storage.events.listing import EventView, get, my_places, upcoming
from storage.events.models import EventKind, RegistrationStatus
from storage.events.registrations import Place, Refused, Registered
from storage.models import ActivityKind, Consent, Role
from storage.people import PersonView
from storage.types import utcnow

PAGE = 5
KIND_CODES = {
    EventKind.MEETUP: "m",
    EventKind.TRAINING: "t",
    EventKind.PUBLIC: "p",
    EventKind.CONSULTATION_DAY: "c",
    EventKind.OTHER: "o",
}
KINDS_BY_CODE = {code: kind for kind, code in KIND_CODES.items()}
MAX_ANSWER = 1000


class EventForm(StatesGroup):
    answering = State()


async def show_event(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView, event_id: int
) -> bool:
    event = await get(db, event_id)
    if event is None:
        await target.answer(texts("events-gone"), reply_markup=inline(texts))
        return False
    place = await registrations.place_of(db, event.id, person.id)
    rows: list[list[InlineKeyboardButton]] = []
    text = event_card(texts, config, event)
    if event.photo:
        await target.answer_photo(event.photo)
    if place is not None:
        text += "\n\n" + place_line(texts, place)
        if place.status is RegistrationStatus.CONFIRMED:
            ticket = EventCb(action=EventAction.TICKET, id=place.id).pack()
            rows.append([button(texts("events-ticket-card-button"), ticket)])
        rows.append(
            [
                button(
                    texts("events-cancel-button"),
                    EventCb(action=EventAction.CANCEL, id=place.id).pack(),
                )
            ]
        )
    elif event.open_for_registration(utcnow()) and (event.seats_left != 0 or event.waitlist):
        label = "events-register-button" if event.seats_left != 0 else "events-waitlist-button"
        rows.append(
            [button(texts(label), EventCb(action=EventAction.REGISTER, id=event.id).pack())]
        )
    elif not event.open_for_registration(utcnow()):
        text += "\n\n" + texts("events-registration-closed")
    rows.append([button(texts("events-list-button"), EventCb(action=EventAction.LIST).pack())])
    await target.answer(text, reply_markup=inline(texts, *rows))
    return True


def place_line(texts: Texts, place: Place) -> str:
    if place.status is RegistrationStatus.WAITLISTED:
        return texts("events-you-wait", position=place.position or 0)
    if place.status is RegistrationStatus.OFFERED:
        return texts("events-you-offered")
    return texts("events-you-registered")


async def show_list(
    target: Message, texts: Texts, config: Config, db: Database, data: EventCb
) -> None:
    kind = KINDS_BY_CODE.get(data.kind)
    events, total = await upcoming(
        db, kind=kind.value if kind else "", branch=data.branch, offset=data.offset, limit=PAGE
    )
    rows: list[list[InlineKeyboardButton]] = []
    lines = [texts("events-none")] if not total else [texts("events-title", total=total)]
    for number, event in enumerate(events, start=data.offset + 1):
        lines.append(
            texts(
                "events-line",
                number=str(number),
                when=when(config, event.starts_at),
                title=event.title,
                seats=seats_text(texts, event),
            )
        )
        rows.append(
            [
                button(
                    f"{number}. {event.title[:40]}",
                    EventCb(action=EventAction.SHOW, id=event.id).pack(),
                )
            ]
        )
    if data.offset + PAGE < total:
        more = EventCb(
            action=EventAction.LIST, kind=data.kind, branch=data.branch, offset=data.offset + PAGE
        )
        rows.append([button(texts("events-more"), more.pack())])
    rows.append(
        [
            button(texts("events-filter-button"), EventCb(action=EventAction.FILTER).pack()),
            button(texts("events-mine-button"), EventCb(action=EventAction.MINE).pack()),
        ]
    )
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))


async def show_filters(target: Message, texts: Texts, config: Config) -> None:
    rows = [
        [
            button(
                texts(f"event-kind-{kind.value}"),
                EventCb(action=EventAction.LIST, kind=code).pack(),
            )
        ]
        for kind, code in KIND_CODES.items()
    ]
    rows += [
        [button(branch.name[:60], EventCb(action=EventAction.LIST, branch=branch.id).pack())]
        for branch in config.library.branches
    ]
    rows.append([button(texts("events-all-button"), EventCb(action=EventAction.LIST).pack())])
    await target.answer(texts("events-filter-title"), reply_markup=inline(texts, *rows))


async def show_mine(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView
) -> None:
    places = await my_places(db, person.id)
    if not places:
        await target.answer(texts("events-mine-none"), reply_markup=inline(texts))
        return
    lines = [texts("events-mine-title")]
    rows = []
    for event, place in places:
        lines.append(
            texts(
                "events-mine-line",
                when=when(config, event.starts_at),
                title=event.title,
                state=place_line(texts, place),
            )
        )
        rows.append(
            [button(f"{event.title[:40]}", EventCb(action=EventAction.SHOW, id=event.id).pack())]
        )
        if place.status is RegistrationStatus.CONFIRMED:
            # The QR and the calendar file again: lost in the chat, or on a new phone.
            ticket = EventCb(action=EventAction.TICKET, id=place.id).pack()
            rows.append([button(texts("events-ticket-button", title=event.title[:30]), ticket)])
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))


# --- the registration form --------------------------------------------------------------


def form_steps(event: EventView) -> list[str]:
    """The organisation and the contact only where the event asks them (`ask_organisation`,
    `ask_contact`); whether the contact may be skipped is `EventView.contact_required`."""
    steps = ["name"]
    if event.ask_organisation:
        steps.append("org")
    if event.ask_contact:
        steps.append("contact")
    steps += [f"q{i}" for i in range(len(event.questions))]
    return steps


async def ask_step(
    target: Message, texts: Texts, db: Database, person: PersonView, event: EventView, step: str
) -> None:
    prompt, keyboard = await step_prompt(texts, db, person, event, step)
    await target.answer(prompt, reply_markup=keyboard)


async def step_prompt(
    texts: Texts, db: Database, person: PersonView, event: EventView, step: str
) -> tuple[str, InlineKeyboardMarkup]:
    """A step's question and its buttons: «как в прошлый раз», «Частное лицо», «Пропустить»
    where the event allows it, and always a way out. A wrong answer gets the same buttons."""
    saved = await people.details(db, person.id)
    rows = []
    same = EventCb(action=EventAction.SAVED).pack()
    skip = [button(texts("events-skip-button"), EventCb(action=EventAction.SKIP).pack())]
    if step == "name":
        prompt = texts("events-ask-name", title=event.title)
        if saved.name:
            rows.append([button(texts("events-same-button", value=saved.name[:40]), same)])
    elif step == "org":
        prompt = texts("events-ask-org")
        if saved.organisation:
            label = texts("events-same-button", value=saved.organisation[:40])
            rows.append([button(label, same)])
        rows.append(
            [button(texts("events-private-button"), EventCb(action=EventAction.PRIVATE).pack())]
        )
    elif step == "contact":
        required = event.contact_required
        prompt = texts("events-ask-contact" if required else "events-ask-contact-optional")
        if saved.contact:
            rows.append([button(texts("events-same-button", value=saved.contact[:40]), same)])
        if not required:
            rows.append(skip)
    else:
        question = event.questions[int(step[1:])]
        prompt = texts(
            "events-ask-question",
            question=question.text,
            required="yes" if question.required else "no",
        )
        if not question.required:
            rows.append(skip)
    rows.append([button(texts("events-abort-button"), EventCb(action=EventAction.ABORT).pack())])
    return prompt, inline(texts, *rows)


def check_answer(step: str, text: str) -> tuple[str | None, str | None]:
    """(the value to keep, or None) and the text key explaining what is wrong."""
    text = " ".join(text.split())
    if step == "name":
        return (text[:200], None) if 2 <= len(text) <= 200 else (None, "events-bad-name")
    if step == "org":
        return (text[:300], None) if 1 <= len(text) <= 300 else (None, "events-bad-org")
    if step == "contact":
        contact = clean_contact(text)
        return (contact, None) if contact else (None, "events-bad-contact")
    return (text, None) if 1 <= len(text) <= MAX_ANSWER else (None, "events-bad-answer")


async def start_form(
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    event_id: int,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.EVENT_REGISTRATION
    event = await get(db, event_id)
    if event is None or not event.open_for_registration(utcnow()):
        activity.status = "closed"
        await target.answer(texts("events-registration-closed"), reply_markup=inline(texts))
        return
    place = await registrations.place_of(db, event.id, person.id)
    if place is not None:
        activity.status = "duplicate"
        await target.answer(
            texts("events-already", title=event.title) + "\n" + place_line(texts, place),
            reply_markup=inline(texts),
        )
        return
    if person.consent != Consent.GIVEN:
        activity.status = "needs consent"
        await target.answer(texts("events-need-consent"))
        await ask_consent(target, texts, config)
        return
    activity.content = event.title
    activity.status = "form started"
    steps = form_steps(event)
    await state.set_state(EventForm.answering)
    await state.set_data({"event_id": event.id, "step": 0, "answers": {}})
    await ask_step(target, texts, db, person, event, steps[0])


async def advance(
    target: Message,
    bot: Bot,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    value: str | None,
) -> None:
    """Store the answer to the current step and ask the next, or register at the end."""
    data = await state.get_data()
    event = await get(db, int(data.get("event_id", 0)))
    if event is None:
        await state.clear()
        await target.answer(texts("events-gone"), reply_markup=inline(texts))
        return
    steps = form_steps(event)
    index = int(data.get("step", 0))
    answers: dict[str, str | None] = dict(data.get("answers", {}))
    if index >= len(steps):
        await state.clear()
        return
    answers[steps[index]] = value
    index += 1
    if index < len(steps):
        await state.update_data(step=index, answers=answers)
        await ask_step(target, texts, db, person, event, steps[index])
        return
    await state.clear()
    await finish(target, bot, texts, locales, config, db, person, event, answers, activity)


async def finish(
    target: Message,
    bot: Bot,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    event: EventView,
    answers: dict[str, str | None],
    activity: ActivityNote,
) -> None:
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
    )
    if isinstance(result, Refused):
        activity.status = f"refused: {result.value}"
        await target.answer(texts(f"events-refused-{result.value}"), reply_markup=inline(texts))
        return
    await people.remember_details(
        db,
        person.id,
        name=answers.get("name"),
        organisation=answers.get("org"),
        contact=answers.get("contact"),
    )
    activity.customer = answers.get("name")
    activity.notes = answers.get("org")
    await confirm_place(target, bot, texts, config, event, result, activity)


async def confirm_place(
    target: Message,
    bot: Bot,
    texts: Texts,
    config: Config,
    event: EventView,
    result: Registered,
    activity: ActivityNote,
) -> None:
    place = result.place
    activity.status = "duplicate" if result.existing else place.status.value
    branch, room = location(config, event.branch_id, event.room)
    details = texts(
        "events-details",
        title=event.title,
        when=span(config, event.starts_at, event.ends_at),
        branch=branch,
        room=room,
    )
    key = (
        "events-registered" if place.status is RegistrationStatus.CONFIRMED else "events-waitlisted"
    )
    text = texts(key, position=place.position or 0) + "\n\n" + details
    cancel = button(
        texts("events-cancel-button"), EventCb(action=EventAction.CANCEL, id=place.id).pack()
    )
    mine = button(texts("events-mine-button"), EventCb(action=EventAction.MINE).pack())
    await target.answer(text, reply_markup=inline(texts, [cancel], [mine]))
    if place.status is RegistrationStatus.CONFIRMED and not result.existing:
        await send_ticket(target, bot, texts, config, event, place)


def build_router(locales: Locales) -> Router:
    """The menu entry and the deep link: navigation (they abandon half-filled forms)."""
    router = Router(name=__name__)

    @router.message(CommandStart(deep_link=True, magic=F.args.regexp(r"^event_\d{1,9}$")))
    async def deep_link(
        message: Message,
        command: CommandObject,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.MENU
        activity.status = "event link"
        event_id = int((command.args or "event_0").removeprefix("event_"))
        await show_event(message, texts, config, db, person, event_id)

    @router.message(CommandStart(deep_link=True, magic=F.args.regexp(r"^ticket_[\w-]{8,32}$")))
    async def ticket_scanned(
        message: Message,
        command: CommandObject,
        texts: Texts,
        person: PersonView,
        db: Database,
        activity: ActivityNote,
    ) -> None:
        """Staff scanned a participant's QR ticket: mark them present. Anyone else who
        opens the link (the participant themselves) is told what the ticket is for."""
        activity.kind = ActivityKind.EVENT_REGISTRATION
        activity.content = None
        if not person.has(Role.STAFF):
            activity.status = "ticket shown"
            await message.answer(texts("events-ticket-not-staff"), reply_markup=inline(texts))
            return
        ticket = (command.args or "").removeprefix("ticket_")
        attendance = await registrations.mark_attended(db, ticket=ticket)
        activity.responsible = person.display_name or person.messenger_id
        if attendance is None:
            activity.status = "unknown ticket"
            await message.answer(texts("events-ticket-unknown"), reply_markup=inline(texts))
            return
        activity.status = "attended (again)" if attendance.already else "attended"
        activity.content = attendance.event_title
        activity.customer = attendance.place.name
        activity.about_person_id = attendance.place.person_id
        key = "events-ticket-again" if attendance.already else "events-ticket-ok"
        await message.answer(
            texts(key, name=attendance.place.name or "none", title=attendance.event_title),
            reply_markup=inline(texts),
        )

    @router.message(MenuButton(locales, "menu-events"))
    async def events_menu(
        message: Message, texts: Texts, config: Config, db: Database, activity: ActivityNote
    ) -> None:
        activity.kind = ActivityKind.MENU
        activity.status = "events"
        await show_list(message, texts, config, db, EventCb(action=EventAction.LIST))

    return router


def build_form_router() -> Router:
    router = Router(name=f"{__name__}.form")

    @router.message(EventForm.answering, F.text)
    async def answered(
        message: Message,
        bot: Bot,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.EVENT_REGISTRATION
        activity.status = "form answer"
        activity.content = None  # answers may be personal; the registration keeps them
        data = await state.get_data()
        event = await get(db, int(data.get("event_id", 0)))
        steps = form_steps(event) if event else []
        index = int(data.get("step", 0))
        if event is None or index >= len(steps):
            await state.clear()
            await message.answer(texts("events-gone"), reply_markup=inline(texts))
            return
        value, problem = check_answer(steps[index], message.text or "")
        if problem is not None:
            activity.status = "bad answer"
            _, keyboard = await step_prompt(texts, db, person, event, steps[index])
            await message.answer(texts(problem), reply_markup=keyboard)
            return
        await advance(message, bot, texts, locales, config, db, person, state, activity, value)

    @router.message(EventForm.answering)
    async def not_text(
        message: Message,
        texts: Texts,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        """A sticker or a photo: ask for text, with the step's buttons still at hand."""
        activity.kind = ActivityKind.EVENT_REGISTRATION
        activity.status = "not text"
        data = await state.get_data()
        event = await get(db, int(data.get("event_id", 0)))
        steps = form_steps(event) if event else []
        index = int(data.get("step", 0))
        keyboard = inline(texts)
        if event is not None and index < len(steps):
            _, keyboard = await step_prompt(texts, db, person, event, steps[index])
        await message.answer(texts("events-send-text"), reply_markup=keyboard)

    @router.callback_query(EventCb.filter())
    async def pressed(
        query: CallbackQuery,
        callback_data: EventCb,
        bot: Bot,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.MENU
        target = query.message if isinstance(query.message, Message) else None
        if target is None:
            await query.answer()
            return
        action = callback_data.action
        if action is EventAction.LIST:
            await query.answer()
            await show_list(target, texts, config, db, callback_data)
        elif action is EventAction.FILTER:
            await query.answer()
            await show_filters(target, texts, config)
        elif action is EventAction.SHOW:
            await query.answer()
            await show_event(target, texts, config, db, person, callback_data.id)
        elif action is EventAction.MINE:
            await query.answer()
            await show_mine(target, texts, config, db, person)
        elif action is EventAction.TICKET:
            await ticket_again(query, target, bot, texts, config, db, person, callback_data.id)
        elif action is EventAction.REGISTER:
            await query.answer()
            await start_form(target, texts, config, db, person, state, callback_data.id, activity)
        elif action in (EventAction.SKIP, EventAction.PRIVATE, EventAction.SAVED):
            await _form_button(
                query,
                target,
                callback_data,
                bot,
                texts,
                locales,
                config,
                db,
                person,
                state,
                activity,
            )
        elif action is EventAction.ABORT:
            await state.clear()
            await query.answer()
            await target.answer(texts("events-aborted"), reply_markup=inline(texts))
        elif action is EventAction.CANCEL:
            await query.answer()
            yes = EventCb(action=EventAction.CANCEL_YES, id=callback_data.id)
            no = EventCb(action=EventAction.MINE)
            await target.answer(
                texts("events-cancel-confirm"),
                reply_markup=inline(
                    texts,
                    [
                        button(texts("events-cancel-yes"), yes.pack()),
                        button(texts("events-cancel-no"), no.pack()),
                    ],
                ),
            )
        elif action in (EventAction.CANCEL_YES, EventAction.DECLINE):
            activity.kind = ActivityKind.EVENT_REGISTRATION
            done = await registrations.cancel(
                db, callback_data.id, person_id=person.id, window=offer_window(config, utcnow())
            )
            if done is None:
                activity.status = "not theirs or gone"
                await query.answer(texts("events-not-yours"), show_alert=True)
                return
            place, promotion = done
            activity.status = "declined offer" if action is EventAction.DECLINE else "cancelled"
            await query.answer()
            await target.answer(texts("events-cancelled"), reply_markup=inline(texts))
            await tell_promoted(db, locales, config, place.event_id, promotion)
        elif action is EventAction.CONFIRM:
            activity.kind = ActivityKind.EVENT_REGISTRATION
            place = await registrations.confirm_offer(db, callback_data.id, person_id=person.id)
            if place is None:
                activity.status = "offer lapsed or not theirs"
                await query.answer(texts("events-offer-gone"), show_alert=True)
                return
            activity.status = "confirmed offer"
            event = await get(db, place.event_id)
            await query.answer()
            if event is not None:
                await confirm_place(target, bot, texts, config, event, Registered(place), activity)

    return router


async def _form_button(
    query: CallbackQuery,
    target: Message,
    data: EventCb,
    bot: Bot,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Пропустить», «Частное лицо», «как в прошлый раз» — only where the current step allows."""
    activity.kind = ActivityKind.EVENT_REGISTRATION
    form = await state.get_data()
    event = await get(db, int(form.get("event_id", 0))) if await state.get_state() else None
    if event is None:
        await query.answer(texts("events-form-gone"), show_alert=True)
        return
    steps = form_steps(event)
    index = int(form.get("step", 0))
    step = steps[index] if index < len(steps) else ""
    saved = await people.details(db, person.id)
    value: str | None
    if data.action is EventAction.PRIVATE and step == "org":
        value = texts("events-private-value")
    elif data.action is EventAction.SAVED and step in ("name", "org", "contact"):
        value = {"name": saved.name, "org": saved.organisation, "contact": saved.contact}[step]
        if value is None:
            await query.answer(texts("events-form-gone"), show_alert=True)
            return
    elif data.action is EventAction.SKIP and _optional(event, step):
        value = None
    else:
        await query.answer(texts("events-form-gone"), show_alert=True)
        return
    await query.answer()
    await advance(target, bot, texts, locales, config, db, person, state, activity, value)


def _optional(event: EventView, step: str) -> bool:
    if step == "contact":
        return not event.contact_required
    return step.startswith("q") and not event.questions[int(step[1:])].required
