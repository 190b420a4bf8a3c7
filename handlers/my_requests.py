"""«Мои обращения»: the requester follows their requests — status and answers — adds
details or files, withdraws, says the question is solved, picks a meeting time, rates
the help.

Every button names a request (or a slot) by id. `OwnRequest` and `OwnSlot` load it and let
the press through only when it is the presser's own; anything else — someone else's, gone,
forged, replayed — falls through to `not_found` / `slot_gone` at the end, which answer as a
missing request always did. The filters also note the press as a step of the request in
the work sheet. What each step may change is decided in storage (`consultations.transitions`,
`consultations.appointments`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import tell_workers
from broadcasts.views.callbacks import RequestAction, RequestCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import moment, open_request_row, rating_row
from handlers import my_requests_screens as screens
from handlers.consultation import attachment_of, log_step, refuse_attachment
from handlers.my_requests_checks import OwnRequest, OwnSlot
from handlers.routes import Routes
from storage.activity import ActivityNote
from storage.consultations import appointments, requests, transitions
from storage.consultations.requests import Actor, RequestView, as_requester
from storage.consultations.transitions import Changed, Outcome, Rating
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

# The buttons that name one of the presser's requests.
OWN_REQUEST_ACTIONS = (
    RequestAction.SHOW,
    RequestAction.ADD,
    RequestAction.WITHDRAW,
    RequestAction.WITHDRAW_YES,
    RequestAction.SOLVED,
    RequestAction.NO_SLOT,
    RequestAction.RATE,
)
MAX_DETAILS = 4000

routes = Routes(__name__)


class FollowUp(StatesGroup):
    details = State()  # adding to a request
    comment = State()  # a comment to the rating


def _cb(action: RequestAction, id_: int = 0) -> str:
    return RequestCb(action=action, id=id_).pack()


def _own(action: RequestAction) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A handler of a button that names one of the presser's requests."""
    return routes.callback_query(RequestCb.filter(F.action == action), OwnRequest())


async def _answered(query: CallbackQuery) -> Message | None:
    """Stop the button's spinner; the message to answer under, if there is one."""
    await query.answer()
    return query.message if isinstance(query.message, Message) else None


@routes.callback_query(RequestCb.filter(F.action == RequestAction.MINE))
async def mine(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.CONSULTATION
    target = await _answered(query)
    activity.status = "my requests"
    if target is not None:
        await screens.show_mine(target, texts, config, db, person)


@routes.callback_query(RequestCb.filter(F.action == RequestAction.SLOT), OwnSlot())
async def choose_slot(
    query: CallbackQuery,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    slot: appointments.SlotView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.CONSULTATION
    chosen = await appointments.choose(db, slot.id, person.id)
    if chosen is None:
        await slot_gone(query, texts, activity)
        return
    request = await requests.get(db, chosen.request_id)
    target = await _answered(query)
    if request is None:
        return
    log_step(activity, config, request, None, "meeting agreed")
    at = moment(config, chosen.starts_at)
    await tell_workers(
        db,
        locales,
        config,
        request,
        lead="desk-slot-chosen",
        stamp=f"slot:{chosen.id}",
        args={"at": at},
    )
    if target is not None:
        await target.answer(
            texts("rq-slot-agreed", number=request.id, at=at, place=chosen.place or "none"),
            reply_markup=inline(texts, open_request_row(texts, request)),
        )


@routes.callback_query(RequestCb.filter(F.action == RequestAction.NO_COMMENT))
async def no_comment(
    query: CallbackQuery, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.CONSULTATION
    await state.clear()
    target = await _answered(query)
    if target is not None:
        await target.answer(texts("rq-thanks"), reply_markup=inline(texts))


@_own(RequestAction.SHOW)
async def show(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    request: RequestView,
    activity: ActivityNote,
) -> None:
    target = await _answered(query)
    if target is not None:
        activity.status = "viewed"
        await screens.show_request(target, texts, config, db, request)


@_own(RequestAction.ADD)
async def add(query: CallbackQuery, texts: Texts, state: FSMContext, request: RequestView) -> None:
    target = await _answered(query)
    if target is None:
        return
    if not request.is_open:
        await target.answer(texts("rq-already-closed"), reply_markup=inline(texts))
        return
    await state.set_state(FollowUp.details)
    await state.update_data(request_id=request.id)
    cancel = button(texts("rq-cancel"), _cb(RequestAction.SHOW, request.id))
    await target.answer(
        texts("rq-add-prompt", number=request.id), reply_markup=inline(texts, [cancel])
    )


@_own(RequestAction.WITHDRAW)
async def withdraw(query: CallbackQuery, texts: Texts, request: RequestView) -> None:
    target = await _answered(query)
    if target is None:
        return
    yes = button(texts("rq-withdraw-yes"), _cb(RequestAction.WITHDRAW_YES, request.id))
    no = button(texts("rq-withdraw-no"), _cb(RequestAction.SHOW, request.id))
    await target.answer(
        texts("rq-withdraw-confirm", number=request.id), reply_markup=inline(texts, [yes, no])
    )


@dataclass(frozen=True)
class Ending:
    """The requester ending their own request — withdrawn, or solved for them: one step,
    told two ways."""

    step: Callable[[Database, int, Actor], Awaitable[Outcome]]
    refused: str  # activity status when the request was closed already
    done: str  # activity status when it ends now
    lead: str  # what whoever works on it is told
    reply: str  # what the requester is told
    rate: bool = False  # the reply asks for a rating


ENDINGS = {
    RequestAction.WITHDRAW_YES: Ending(
        transitions.withdraw, "withdraw refused", "withdrawn", "desk-withdrawn", "rq-withdrawn"
    ),
    RequestAction.SOLVED: Ending(
        transitions.confirm_resolved,
        "solved refused",
        "resolved by requester",
        "desk-solved",
        "rq-solved-thanks",
        rate=True,
    ),
}


@routes.callback_query(RequestCb.filter(F.action.in_(ENDINGS)), OwnRequest())
async def end(
    query: CallbackQuery,
    callback_data: RequestCb,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    request: RequestView,
    activity: ActivityNote,
) -> None:
    ending = ENDINGS[callback_data.action]
    target = await _answered(query)
    if target is None:
        return
    outcome = await ending.step(
        db, request.id, as_requester(request, person.id, person.display_name)
    )
    if not isinstance(outcome, Changed):
        activity.status = ending.refused
        await target.answer(texts("rq-already-closed"), reply_markup=inline(texts))
        return
    activity.status = ending.done
    stamp = ending.lead.removeprefix("desk-")
    await tell_workers(db, locales, config, outcome.request, lead=ending.lead, stamp=stamp)
    asked = ending.rate and config.ratings.asks_about(request.topic)
    rows = [rating_row(request.id)] if asked else []
    said = texts(ending.reply, number=request.id, rate="yes" if asked else "no")
    await target.answer(said, reply_markup=inline(texts, *rows))


@_own(RequestAction.NO_SLOT)
async def no_slot(
    query: CallbackQuery,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    request: RequestView,
    activity: ActivityNote,
) -> None:
    target = await _answered(query)
    if target is None:
        return
    if not await appointments.decline(db, request.id, person.id):
        await target.answer(texts("rq-slots-gone"), reply_markup=inline(texts))
        return
    activity.status = "no time suits"
    await tell_workers(
        db, locales, config, request, lead="desk-no-slot", stamp=f"noslot:{query.id}"
    )
    await target.answer(texts("rq-no-slot-sent"), reply_markup=inline(texts))


@_own(RequestAction.RATE)
async def rate(
    query: CallbackQuery,
    callback_data: RequestCb,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    request: RequestView,
    activity: ActivityNote,
) -> None:
    rating = callback_data.value
    rated = await transitions.rate(db, request.id, person.id, rating)
    if not rated:
        activity.status = "rating refused"
        key = "rq-rated-already" if rated is Rating.ALREADY else "rq-rate-not-yet"
        await query.answer(texts(key), show_alert=True)
        return
    activity.status = f"rated {rating}"
    target = await _answered(query)
    if target is None:
        return
    await state.set_state(FollowUp.comment)
    await state.update_data(request_id=request.id)
    skip = button(texts("rq-no-comment"), _cb(RequestAction.NO_COMMENT, request.id))
    await target.answer(texts("rq-rate-comment", rating=rating), reply_markup=inline(texts, [skip]))


@routes.callback_query(RequestCb.filter(F.action.in_(OWN_REQUEST_ACTIONS)))
async def not_found(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """Someone else's request, one gone, or a forged id: the same answer for all."""
    activity.kind = ActivityKind.CONSULTATION
    activity.status = "not found"
    await query.answer(texts("rq-not-found"), show_alert=True)


@routes.callback_query(RequestCb.filter(F.action == RequestAction.SLOT))
async def slot_gone(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """A time already taken, dropped, past, or not offered to the presser."""
    activity.kind = ActivityKind.CONSULTATION
    activity.status = "slot refused"
    await query.answer(texts("rq-slots-gone"), show_alert=True)


@routes.message(FollowUp.details, F.text | F.document | F.photo, OwnRequest("details added"))
async def details(
    message: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    request: RequestView,
    activity: ActivityNote,
) -> None:
    attachment = attachment_of(message, person.platform)
    text = (message.text or message.caption or "").strip()[:MAX_DETAILS] or None
    if attachment is not None:
        refusal = refuse_attachment(texts, config, attachment, request.files)
        if refusal:
            activity.status = "file refused"
            await message.answer(refusal)
            return
    elif not text:
        await message.answer(texts("rq-send-text"))
        return
    me = as_requester(request, person.id, person.display_name)
    outcome = await transitions.add_details(db, request.id, me, text=text, file=attachment)
    await state.clear()
    if not isinstance(outcome, Changed):
        activity.status = "details refused"
        await message.answer(texts("rq-already-closed"), reply_markup=inline(texts))
        return
    await tell_workers(
        db,
        locales,
        config,
        outcome.request,
        lead="desk-details-added",
        stamp=f"details:{message.message_id}",
        args={"text": text or "📎"},
    )
    await message.answer(
        texts("rq-added", number=request.id),
        reply_markup=inline(texts, open_request_row(texts, request)),
    )


@routes.message(FollowUp.details, F.text | F.document | F.photo)
async def details_gone(
    message: Message, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    """The request being added to is no longer the writer's to add to (erased, say)."""
    activity.kind = ActivityKind.CONSULTATION
    await state.clear()
    await message.answer(texts("rq-not-found"), reply_markup=inline(texts))


@routes.message(FollowUp.comment, F.text)
async def comment(
    message: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    request_id = int((await state.get_data()).get("request_id", 0))
    await state.clear()
    activity.kind = ActivityKind.CONSULTATION
    activity.content = f"№{request_id}"
    activity.status = "rating comment"
    saved = await transitions.comment_rating(db, request_id, person.id, message.text or "")
    await message.answer(
        texts("rq-thanks" if saved else "rq-not-found"), reply_markup=inline(texts)
    )


@routes.message(FollowUp.details)
@routes.message(FollowUp.comment)
async def unsupported(message: Message, texts: Texts) -> None:
    await message.answer(texts("rq-send-text"))
