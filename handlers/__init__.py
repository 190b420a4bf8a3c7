"""The conversation: every handler module's `Routes`, composed in one place (`PARTS`).

Order matters: commands and menu buttons first (they also leave any half-filled
form), then forms and role-checked staff parts, then the polite refusals for those,
then typed messages through the front door (understood first, the catalogue for what
reads like a book), and the fallback last so nothing ends in
silence. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from aiogram import BaseMiddleware, Router
from aiogram.dispatcher.flags import get_flag
from aiogram.fsm.context import FSMContext
from aiogram.types import TelegramObject

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
    front_door,
    grants,
    language,
    librarian,
    link_accounts,
    my_books,
    my_requests,
    ratings,
    reader_cards,
    request_desk,
    roles,
    staff,
    staff_event_forms,
    staff_event_new,
    staff_events,
    staff_faq,
    staff_faq_forms,
    staff_grants,
    staff_grants_form,
    staff_reports,
    staff_work,
    staff_work_typed,
    start,
    subscriptions,
    ticket_link,
)
from handlers.filters import PrivateChat
from handlers.routes import LEAVES_FORMS, Routes
from handlers.routes import compose as compose_routes


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
    """One module's place in the conversation: its `Routes` (module-level handlers)."""

    module: ModuleType
    routes: str = "routes"  # the attribute holding them (a module may have two places)
    navigation: bool = False  # its messages (menu buttons, commands) leave any form
    # Readers talk to the bot in private: a part answers messages from private chats only,
    # unless it is one of the few that work in the staff chat (replies to its cards).
    private: bool = True

    @property
    def declared(self) -> Routes:
        routes: Routes = getattr(self.module, self.routes)
        return routes


# The order in which an update is tried: commands and menu buttons first (they also leave
# any half-filled form), then forms and role-checked staff parts, the polite refusals for
# those, free text as a catalogue question, and the fallback last, so nothing ends in silence.
PARTS = (
    Part(errors),
    Part(events, navigation=True),  # before start: /start event_<id> opens an event
    Part(start, navigation=True),
    Part(about, navigation=True),
    Part(catalogue, navigation=True),
    Part(catalogue_holds),
    Part(subscriptions, navigation=True),
    Part(grants, navigation=True),  # /grants and the calendar's buttons (#27)
    Part(my_books, navigation=True),
    Part(consultation, navigation=True),
    Part(librarian, navigation=True),  # /ask, a typed «Спросить библиотекаря»
    Part(staff, navigation=True),
    Part(staff_reports, navigation=True),
    Part(librarian, routes="consent_routes"),  # a question waiting for «Согласен»
    Part(consent),
    Part(forget),
    Part(language),
    Part(link_accounts),
    Part(roles),
    Part(expert_link),
    Part(compose),
    Part(compose_buttons),
    Part(compose_scheduled),
    Part(reader_cards),
    Part(staff_events),
    Part(staff_event_forms),
    Part(staff_event_new),
    Part(staff_faq),
    Part(staff_faq_forms),
    Part(staff_work),  # «📝 Записать работу» (#25)
    Part(staff_work_typed),
    Part(staff_grants),  # «🏆 Гранты» for staff (#27)
    Part(staff_grants_form),
    Part(my_books, routes="form_routes"),
    Part(ticket_link),
    Part(events, routes="form_routes"),
    Part(request_desk),
    Part(desk_admin),
    Part(consultation, routes="form_routes"),
    Part(grants, routes="form_routes"),  # the organisation after «Готовлю заявку»
    Part(librarian, routes="form_routes"),  # «Спросить библиотекаря», «Вопрос решён»
    Part(my_requests),
    Part(ratings),  # «Оцените» after a service: a score, a comment, «Не спрашивать больше»
    # Replies to a request's card in the staff chat, «➕ В частые вопросы».
    Part(librarian, routes="staff_chat_routes", private=False),
    Part(denied),
    Part(librarian, routes="thread_routes"),  # typed while a question to a librarian is open
    Part(grants, routes="typed_routes"),  # a typed «гранты» / «конкурсы»
    Part(front_door),  # typed messages: understood, answered, or searched in the catalogue
    Part(fallback),
)


def build_router() -> Router:
    """The whole conversation as one router, composed afresh for each bot."""
    private_only = {"message": (PrivateChat(),)}
    router = compose_routes(
        "libbot",
        *(part.declared for part in PARTS),
        flags={part.declared.name: {LEAVES_FORMS: True} for part in PARTS if part.navigation},
        filters={part.declared.name: private_only for part in PARTS if part.private},
    )
    router.message.middleware(LeaveForms())
    return router
