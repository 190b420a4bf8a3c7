"""The reader's side of a question to a librarian once it is sent: what they type next joins
it, and «Вопрос решён» ends it.

While the reader has an open question whose last message (theirs or the librarian's) is
younger than `[librarian] follow_up_hours`, a typed message that nothing before the front
door took (not a command, a menu button or a form's answer) is an addition to it — unless
the front door would answer it itself: «когда вы работаете в субботу?», «Мастер и
Маргарита» or «отписаться» get their answer, not a line in the staff chat. What the bot
has no answer for, a word for the librarian, thanks and greetings join the thread: kept
in it, shown in the staff chat under its card, and the reader told so. «Вопрос решён»
(under the answer and the «Добавлено» note) closes it and asks for the 1–5 rating that
«Мои обращения» takes.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import LIBRARIAN_TOPIC, Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import tell_workers
from broadcasts.views.callbacks import FrontAction, FrontCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import rating_row
from handlers.consultation_activity import log_step, request_kind
from handlers.filters import TextWithinLimit
from handlers.forms import Shown
from handlers.librarian_routes import form_routes, thread_routes
from storage.activity import ActivityNote
from storage.consultations import requests as desk
from storage.consultations import transitions
from storage.consultations.requests import RequestView, as_requester
from storage.consultations.transitions import Changed
from storage.db import Database
from storage.front_door.decide import Route
from storage.front_door.doors import door_for
from storage.models import ActivityKind
from storage.people import PersonView
from storage.types import utcnow

MAX_ADDITION = 4000
# What the front door takes a message for that joins an open question: what it could not
# answer, someone asking for the librarian, thanks and greetings (meant for the librarian
# now). Whatever it answers itself — hours, a book, unsubscribing, an FAQ entry — it does.
JOINS = frozenset({Route.UNKNOWN, Route.LIBRARIAN, Route.THANKS, Route.FAQ_MAYBE, Route.GREETING})


def solved_row(texts: Texts, request: RequestView) -> list[Any]:
    """«Вопрос решён» for the reader's own question."""
    data = FrontCb(action=FrontAction.CLOSE, query_id=request.id).pack()
    return [button(texts("lib-solved"), data)]


class OpenQuestion(Filter):
    """The writer's open question to a librarian, still being talked over, when the message
    is for it (`JOINS`): injects it as `request`, and the front door's route as `route`.
    Outside a form only (a form's answers are the form's)."""

    async def __call__(
        self,
        message: Message,
        db: Database,
        config: Config,
        person: PersonView | None = None,
        raw_state: str | None = None,
    ) -> bool | dict[str, Any]:
        if person is None or raw_state is not None:
            return False
        # The decision first: most typed messages (titles, hours) never join a question,
        # and it costs no database read (the front door reuses it).
        door = await door_for(db, config.library.branches, config.consultations.topics)
        route = door.decide(message.text or "").route
        if route not in JOINS:
            return False
        since = utcnow() - timedelta(hours=config.librarian.follow_up_hours)
        request = await desk.latest_open(db, person.id, LIBRARIAN_TOPIC.id, active_since=since)
        return {"request": request, "route": route} if request is not None else False


@thread_routes.message(F.text, ~F.text.startswith("/"), TextWithinLimit(), OpenQuestion())
async def follow_up(
    message: Message,
    request: RequestView,
    route: Route,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The reader writes on: the message joins their question, under its card in the staff
    chat."""
    said = "lib-thanks-added" if route is Route.THANKS else "lib-added"
    text = (message.text or "").strip()[:MAX_ADDITION]
    await join(message, text, request, texts, locales, config, db, person, activity, said=said)


async def join(
    target: Message,
    text: str,
    request: RequestView,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
    *,
    said: str = "lib-added",
) -> None:
    """`text` added to the reader's open question (typed, or a message the bot could not
    answer handed over with «Спросить библиотекаря»): shown in the staff chat under its card,
    and the reader told so, with «Вопрос решён» at hand. `target`: the message it came
    with, which names the line in the staff chat (one line per message, however often)."""
    me = as_requester(request, person.id, person.display_name)
    outcome = await transitions.add_details(db, request.id, me, text=text)
    activity.kind = request_kind(config, request.topic)
    if not isinstance(outcome, Changed):  # closed by staff a moment ago
        activity.status = "details refused"
        await target.answer(texts("lib-already-closed"), reply_markup=inline(texts))
        return
    await tell_workers(
        db,
        locales,
        config,
        outcome.request,
        lead="lib-desk-added",
        stamp=f"details:{target.message_id}",
        args={"text": text},
    )
    log_step(activity, config, outcome.request, None, text)
    activity.status = "details added"
    await target.answer(
        texts(said, number=request.id),
        reply_markup=inline(texts, solved_row(texts, outcome.request)),
    )


class OwnQuestion(Filter):
    """The presser's own request the button names (`query_id`), as `request`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: FrontCb, db: Database, person: PersonView
    ) -> bool | dict[str, Any]:
        request = await desk.own(db, callback_data.query_id, person.id)
        return {"request": request} if request is not None else False


@form_routes.callback_query(FrontCb.filter(F.action == FrontAction.CLOSE), Shown(), OwnQuestion())
async def solved(
    query: CallbackQuery,
    target: Message,
    request: RequestView,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Вопрос решён»: closed, the staff chat told under its card, the rating asked."""
    await query.answer()
    me = as_requester(request, person.id, person.display_name)
    outcome = await transitions.confirm_resolved(db, request.id, me)
    log_step(activity, config, request, None, "solved")
    if not isinstance(outcome, Changed):
        activity.status = "solved refused"
        await target.answer(texts("lib-already-closed"), reply_markup=inline(texts))
        return
    activity.status = "resolved by requester"
    await tell_workers(db, locales, config, outcome.request, lead="desk-solved", stamp="solved")
    asked = outcome.request.rating is None and config.ratings.asks_about(request.topic)
    rows = [rating_row(request.id)] if asked else []
    await target.answer(
        texts("rq-solved-thanks", number=request.id, rate="yes" if asked else "no"),
        reply_markup=inline(texts, *rows),
    )


@form_routes.callback_query(FrontCb.filter(F.action == FrontAction.CLOSE))
async def not_theirs(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """Someone else's question, one gone (erased), or a forged number: nothing told."""
    activity.kind = ActivityKind.LIBRARIAN_QUESTION
    activity.status = "not found"
    await query.answer(texts("rq-not-found"), show_alert=True)
