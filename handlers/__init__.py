"""The conversation: aiogram routers, composed in one place.

Order matters: commands and menu buttons first (they also leave any half-filled
form), then role-filtered staff and admin routers, then the polite refusals for
those, then free text as a catalogue question, and the fallback last so nothing
ends in silence.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from bot.i18n import Locales
from handlers import (
    about,
    catalogue,
    compose,
    consent,
    consultation,
    denied,
    desk_admin,
    errors,
    events,
    fallback,
    forget,
    language,
    link_accounts,
    my_books,
    my_requests,
    reader_cards,
    request_desk,
    roles,
    staff,
    staff_event_forms,
    staff_events,
    staff_reports,
    start,
    subscriptions,
)
from handlers.filters import PrivateChat
from handlers.routing import flatten

LEAVES_FORMS = "leaves_forms"  # handler flag: answering this message abandons any form


class LeaveForms(BaseMiddleware):
    """A menu button or command abandons whatever form the person was filling in."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        state: FSMContext | None = data.get("state")
        if (
            get_flag(data, LEAVES_FORMS)
            and state is not None
            and await state.get_state() is not None
        ):
            await state.clear()
        return await handler(event, data)


def build_router(locales: Locales) -> Router:
    root = Router(name="libbot")
    # Readers talk to the bot in private; group chats (the staff chat too) are not a
    # conversation with it, so their messages are not answered.
    root.message.filter(PrivateChat())
    navigation = [
        events.build_router(locales),  # before start: /start event_<id> opens an event
        start.build_router(locales),
        about.build_router(locales),
        catalogue.build_router(locales),
        subscriptions.build_router(locales),
        my_books.build_router(locales),
        consultation.build_router(locales),
        staff.build_router(locales),
        staff_reports.build_router(),
    ]
    for router in navigation:
        for handler in router.message.handlers:
            handler.flags[LEAVES_FORMS] = True
    root.message.middleware(LeaveForms())
    root.include_routers(
        errors.build_router(),
        *navigation,
        consent.build_router(),
        forget.build_router(),
        language.build_router(),
        link_accounts.build_router(),
        roles.build_router(),
        compose.build_router(),
        reader_cards.build_router(),
        staff_events.build_router(),
        staff_event_forms.build_router(),
        my_books.build_form_router(),
        events.build_form_router(),
        request_desk.build_router(),
        desk_admin.build_router(locales),
        consultation.build_form_router(),
        my_requests.build_router(),
        denied.build_router(locales),
        catalogue.build_search_router(),
        fallback.build_router(),
    )
    flat = flatten(root)
    _checks_in_the_loop(flat)
    return flat


def _checks_in_the_loop(router: Router) -> None:
    """Run plain-function filters (every `F.…` magic filter) in the event loop.

    aiogram hands a filter or handler that is not a coroutine function to a worker thread
    (`asyncio.to_thread`): a thread hop for each such filter of each update, about a tenth
    of the bot's time under load. Ours are quick, pure checks of the update, so they are
    wrapped as coroutines instead.
    """
    for observer in router.observers.values():
        for handler in observer.handlers:
            for check in (handler, *(handler.filters or ())):
                if not check.awaitable:
                    check.callback = _as_coroutine(check.callback)
                    check.awaitable = True
    for child in router.sub_routers:
        _checks_in_the_loop(child)


def _as_coroutine(function: Callable[..., Any]) -> Callable[..., Awaitable[Any]]:
    async def run(*args: Any, **kwargs: Any) -> Any:
        return function(*args, **kwargs)

    return run
