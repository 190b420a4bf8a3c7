"""The conversation: aiogram routers, composed in one place.

Order matters: commands and menu buttons first (they also leave any half-filled
form), then role-filtered staff and admin routers, then the polite refusals for
those, then free text as a catalogue question, and the fallback last so nothing
ends in silence.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

from bot.kernel.i18n import Locales
from handlers import (
    about,
    catalogue,
    catalogue_holds,
    compose,
    compose_buttons,
    compose_scheduled,
    consent,
    consultation,
    denied,
    desk_admin,
    errors,
    events,
    expert_link,
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
    staff_event_new,
    staff_events,
    staff_reports,
    start,
    subscriptions,
    ticket_link,
)
from handlers.filters import PrivateChat
from handlers.routes import LEAVES_FORMS, Routes
from handlers.routes import compose as compose_routes
from handlers.routing import flatten


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


@dataclass(frozen=True)
class Part:
    """One module's place in the conversation.

    `routes` names the module's `Routes` (module-level handlers); `legacy` the function that
    built its router before it had them (None: its parent module included it then).
    """

    module: ModuleType
    routes: str = "routes"
    legacy: str | None = "build_router"
    navigation: bool = False  # its messages (menu buttons, commands) leave any form


# The order in which an update is tried: commands and menu buttons first (they also leave
# any half-filled form), then forms and role-checked staff parts, the polite refusals for
# those, free text as a catalogue question, and the fallback last, so nothing ends in silence.
PARTS = (
    Part(errors),
    Part(events, navigation=True),  # before start: /start event_<id> opens an event
    Part(start, navigation=True),
    Part(about, navigation=True),
    Part(catalogue, navigation=True),
    Part(catalogue_holds, legacy=None),
    Part(subscriptions, navigation=True),
    Part(my_books, navigation=True),
    Part(consultation, navigation=True),
    Part(staff, navigation=True),
    Part(staff_reports, navigation=True),
    Part(consent),
    Part(forget),
    Part(language),
    Part(link_accounts),
    Part(roles),
    Part(expert_link, legacy=None),
    Part(compose, legacy=None),
    Part(compose_buttons, legacy=None),
    Part(compose_scheduled, legacy=None),
    Part(reader_cards),
    Part(staff_events),
    Part(staff_event_forms),
    Part(staff_event_new, legacy=None),
    Part(my_books, routes="form_routes", legacy="build_form_router"),
    Part(ticket_link, legacy=None),
    Part(events, routes="form_routes", legacy="build_form_router"),
    Part(request_desk),
    Part(desk_admin),
    Part(consultation, routes="form_routes", legacy="build_form_router"),
    Part(my_requests),
    Part(denied),
    Part(catalogue, routes="search_routes", legacy="build_search_router"),
    Part(fallback),
)


def _router_of(part: Part, locales: Locales) -> Router | None:
    routes: Routes | None = getattr(part.module, part.routes, None)
    if routes is not None:
        flags = {routes.name: {LEAVES_FORMS: True}} if part.navigation else None
        return compose_routes(routes.name, routes, flags=flags)
    if part.legacy is None:
        return None  # included by its parent module's router
    build = getattr(part.module, part.legacy)
    router: Router = build(locales) if "locales" in inspect.signature(build).parameters else build()
    if part.navigation:
        for handler in router.message.handlers:
            handler.flags[LEAVES_FORMS] = True
    return router


def build_router(locales: Locales) -> Router:
    root = Router(name="libbot")
    # Readers talk to the bot in private; group chats (the staff chat too) are not a
    # conversation with it, so their messages are not answered.
    root.message.filter(PrivateChat())
    root.message.middleware(LeaveForms())
    parts = (_router_of(part, locales) for part in PARTS)
    root.include_routers(*(router for router in parts if router is not None))
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
