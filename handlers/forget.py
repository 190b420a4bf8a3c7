"""/forget («Удалить мои данные»): erase the person, keep anonymous statistics."""

from __future__ import annotations

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Markup, Texts
from broadcasts.event_notices import offer_window, tell_promoted
from broadcasts.views.callbacks import ForgetCb, Nav, Screen
from broadcasts.views.keyboards import button
from handlers.common import show_menu
from handlers.routes import Routes
from storage import erasure
from storage.activity import ActivityNote
from storage.circulation import link_guard as guards
from storage.circulation.link_guard import GuardPolicy
from storage.db import Database
from storage.events import registrations
from storage.fsm import forget_users
from storage.models import ActivityKind
from storage.people import PersonView
from storage.types import utcnow

routes = Routes(__name__)


def _what_goes(texts: Texts, goes: erasure.WhatGoes) -> str:
    """The things of theirs that /forget takes, one line each, beyond name and contacts."""
    counted = (
        ("forget-what-places", goes.places),
        ("forget-what-requests", goes.open_requests),
        ("forget-what-subscriptions", goes.subscriptions),
        ("forget-what-watches", goes.watches),
        ("forget-what-holds", goes.holds),
    )
    lines = [texts(key, count=count) for key, count in counted if count]
    if goes.ticket:
        lines.append(texts("forget-what-ticket", ticket=goes.ticket))
    return "".join(f"\n• {line}" for line in lines)


async def _ask(message: Message, texts: Texts, db: Database, person: PersonView) -> None:
    keyboard = InlineKeyboardMarkup(
        inline_keyboard=[
            [
                button(texts("forget-yes"), ForgetCb(confirm=True).pack()),
                button(texts("forget-no"), ForgetCb(confirm=False).pack()),
            ]
        ]
    )
    details = _what_goes(texts, await erasure.what_goes(db, person.id))
    await message.answer(texts("forget-confirm", details=Markup(details)), reply_markup=keyboard)


@routes.message(Command("forget"))
async def forget_command(
    message: Message, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.DATA_ERASURE
    activity.status = "asked"
    await _ask(message, texts, db, person)


@routes.callback_query(Nav.filter(F.to == Screen.FORGET))
async def forget_button(
    query: CallbackQuery, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.DATA_ERASURE
    activity.status = "asked"
    await query.answer()
    if isinstance(query.message, Message):
        await _ask(query.message, texts, db, person)


async def _answered(query: CallbackQuery, activity: ActivityNote) -> Message | None:
    """The question is answered either way: its buttons go."""
    activity.kind = ActivityKind.DATA_ERASURE
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        await message.edit_reply_markup(reply_markup=None)
    return message


@routes.callback_query(ForgetCb.filter(~F.confirm))
async def forget_cancelled(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    message = await _answered(query, activity)
    activity.status = "cancelled"
    if message is not None:
        await show_menu(message, texts, person, key="forget-cancelled")


@routes.callback_query(ForgetCb.filter(F.confirm))
async def forget_confirmed(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    db: Database,
    locales: Locales,
    config: Config,
    state: FSMContext,
    activity: ActivityNote,
    link_guard: GuardPolicy,
) -> None:
    message = await _answered(query, activity)
    await state.clear()
    # Their seats go to the people waiting before the person's data goes.
    for event_id, promotion in await registrations.release_all(
        db, person.id, window=offer_window(config, utcnow())
    ):
        await tell_promoted(db, locales, config, event_id, promotion)
    erased = await erasure.erase(db, person.id)
    # Half-filled forms in any chat, on every linked messenger account.
    await forget_users(state.storage, [user_id for _platform, user_id in erased.accounts])
    accounts = [f"{platform}:{user_id}" for platform, user_id in erased.accounts]
    await guards.forget(db, link_guard, erased.tickets, accounts)
    # The log keeps that an erasure happened, but not who asked for it.
    activity.person_id = None
    activity.customer = None
    activity.content = None
    activity.notes = None
    if message is not None:
        await show_menu(message, texts, None, key="forget-done")
