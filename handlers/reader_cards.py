"""Staff tools for reader tickets: a one-time desk code to link a ticket, and unlinking
a ticket on the reader's request. Behind HasRole(STAFF), checked on every update."""

from __future__ import annotations

from datetime import timedelta

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.staff_chat import notify_person
from broadcasts.views.callbacks import StaffAction, StaffCb
from broadcasts.views.keyboards import inline
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.circulation import links
from storage.circulation.base import LibrarySystem, SystemUnavailable
from storage.circulation.links import typed_ticket
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))


class TicketForm(StatesGroup):
    for_code = State()
    for_unlink = State()


async def _ticket(message: Message, texts: Texts, state: FSMContext) -> str | None:
    """The ticket typed («№ 1001» as well), ending the form; None (and a hint, form kept)
    if it is not one."""
    ticket = typed_ticket(message.text or "")
    if ticket is None:
        await message.answer(texts("loans-bad-ticket"), reply_markup=inline(texts))
        return None
    await state.clear()
    return ticket


async def _ask_ticket(
    query: CallbackQuery,
    texts: Texts,
    state: FSMContext,
    activity: ActivityNote,
    form: State,
    question: str,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await state.set_state(form)
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts(question), reply_markup=inline(texts))


@routes.callback_query(StaffCb.filter(F.action == StaffAction.DESK_CODE))
async def ask_ticket_for_code(
    query: CallbackQuery, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    await _ask_ticket(query, texts, state, activity, TicketForm.for_code, "staff-ask-ticket-code")


@routes.callback_query(StaffCb.filter(F.action == StaffAction.UNLINK))
async def ask_ticket_to_unlink(
    query: CallbackQuery, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    await _ask_ticket(
        query, texts, state, activity, TicketForm.for_unlink, "staff-ask-ticket-unlink"
    )


@routes.message(TicketForm.for_code, F.text)
async def give_code(
    message: Message,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    library_system: LibrarySystem | None,
    activity: ActivityNote,
) -> None:
    """A one-time code the reader types in the bot to link this ticket: for a ticket the
    library system knows."""
    staff_at_work(activity, person)
    activity.content = "desk code issued"
    ticket = await _ticket(message, texts, state)
    if ticket is None:
        return
    try:
        patron = await library_system.find_patron(ticket) if library_system else None
    except SystemUnavailable:
        activity.status = "unavailable"
        await message.answer(texts("loans-system-down", phone="none"), reply_markup=inline(texts))
        return
    if patron is None:
        activity.status = "unknown ticket"
        await message.answer(
            texts("staff-desk-code-unknown", ticket=ticket), reply_markup=inline(texts)
        )
        return
    hours = config.library_system.desk_code_hours
    code = await links.issue_desk_code(
        db, ticket, valid_for=timedelta(hours=hours), issued_by=activity.responsible
    )
    await message.answer(
        texts("staff-desk-code-done", ticket=ticket, code=code, hours=hours),
        reply_markup=inline(texts),
    )


@routes.message(TicketForm.for_unlink, F.text)
async def unlink_ticket(
    message: Message,
    bot: Bot,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """The reader asked at the desk: the ticket is no longer theirs in the bot, and they
    are told so where this bot can reach them."""
    staff_at_work(activity, person, ActivityKind.READER_LINK)
    activity.content = "unlinked by staff"
    ticket = await _ticket(message, texts, state)
    if ticket is None:
        return
    accounts = await links.unlink_ticket(db, ticket)
    activity.status = f"unlinked {len(accounts)}"
    if not accounts:
        await message.answer(texts("staff-unlink-none", ticket=ticket), reply_markup=inline(texts))
        return
    for platform, chat_id, language in accounts:
        if platform == person.platform:
            await notify_person(bot, chat_id, locales.texts(language)("loans-unlinked-by-staff"))
    await message.answer(
        texts("staff-unlink-done", ticket=ticket, count=len(accounts)),
        reply_markup=inline(texts),
    )
