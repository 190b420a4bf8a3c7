"""«Мои обращения»: the requester follows their requests — status and answers — adds
details or files, withdraws, says the question is solved, picks a meeting time, rates
the help. Every button names a request (or slot) by id; the handler acts only on the
presser's own rows, so forged or replayed buttons change nothing.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.consultation_notices import tell_workers
from broadcasts.views.callbacks import RequestAction, RequestCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import (
    moment,
    rating_row,
    requester_card,
    requester_rows,
    status_name,
    topic_name,
)
from handlers.consultation import attachment_of, log_step, refuse_attachment
from storage.activity import ActivityNote
from storage.consultations import appointments
from storage.consultations import requests as desk
from storage.consultations.models import Author
from storage.consultations.requests import Actor, Changed, RequestView
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

ACTIONS = {
    RequestAction.MINE,
    RequestAction.SHOW,
    RequestAction.ADD,
    RequestAction.WITHDRAW,
    RequestAction.WITHDRAW_YES,
    RequestAction.SOLVED,
    RequestAction.SLOT,
    RequestAction.NO_SLOT,
    RequestAction.RATE,
    RequestAction.NO_COMMENT,
}
MAX_DETAILS = 4000


class FollowUp(StatesGroup):
    details = State()  # adding to a request
    comment = State()  # a comment to the rating


def _cb(action: RequestAction, id_: int = 0) -> str:
    return RequestCb(action=action, id=id_).pack()


def _me(person: PersonView, request: RequestView) -> Actor:
    return Actor(person.id, request.requester_name or person.display_name or "", Author.REQUESTER)


async def own_request(db: Database, person: PersonView, request_id: int) -> RequestView | None:
    """The request if it is the presser's; someone else's looks exactly like a missing one."""
    request = await desk.get(db, request_id)
    return request if request is not None and request.person_id == person.id else None


async def show_mine(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView
) -> None:
    mine = await desk.of_person(db, person.id)
    if not mine:
        await target.answer(
            texts("rq-mine-empty"),
            reply_markup=inline(texts, [button(texts("rq-new"), _cb(RequestAction.TOPICS))]),
        )
        return
    rows = [
        [
            button(
                texts(
                    "rq-mine-line",
                    number=r.id,
                    topic=topic_name(texts, config, r.topic),
                    status=status_name(texts, r.status),
                ),
                _cb(RequestAction.SHOW, r.id),
            )
        ]
        for r in mine
    ]
    rows.append([button(texts("rq-new"), _cb(RequestAction.TOPICS))])
    await target.answer(texts("rq-mine-title"), reply_markup=inline(texts, *rows))


async def show_request(
    target: Message, texts: Texts, config: Config, db: Database, request: RequestView
) -> None:
    entries = await desk.entries(db, request.id, for_requester=True)
    slots = await appointments.slots(db, request.id)
    await target.answer(
        requester_card(texts, config, request, entries, slots),
        reply_markup=inline(texts, *requester_rows(texts, request, slots, config)),
    )


def build_router() -> Router:
    router = Router(name=__name__)

    @router.callback_query(RequestCb.filter(F.action.in_(ACTIONS)))
    async def pressed(
        query: CallbackQuery,
        callback_data: RequestCb,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        target = query.message if isinstance(query.message, Message) else None
        action, item = callback_data.action, callback_data.id
        activity.kind = ActivityKind.CONSULTATION
        if action is RequestAction.MINE:
            await query.answer()
            activity.status = "my requests"
            if target is not None:
                await show_mine(target, texts, config, db, person)
            return
        if action in (RequestAction.SLOT,):
            await _choose_slot(query, target, texts, locales, config, db, person, item, activity)
            return
        if action is RequestAction.NO_COMMENT:
            await state.clear()
            await query.answer()
            if target is not None:
                await target.answer(texts("rq-thanks"), reply_markup=inline(texts))
            return
        request = await own_request(db, person, item)
        if request is None:
            activity.status = "not found"
            await query.answer(texts("rq-not-found"), show_alert=True)
            return
        log_step(activity, config, request, None, action.value)
        if action is RequestAction.RATE:
            await _rate(
                query, target, texts, db, person, state, request, callback_data.value, activity
            )
            return
        await query.answer()
        if target is None:
            return
        if action is RequestAction.SHOW:
            activity.status = "viewed"
            await show_request(target, texts, config, db, request)
        elif action is RequestAction.ADD:
            if not request.is_open:
                await target.answer(texts("rq-already-closed"), reply_markup=inline(texts))
                return
            await state.set_state(FollowUp.details)
            await state.update_data(request_id=request.id)
            await target.answer(
                texts("rq-add-prompt", number=request.id),
                reply_markup=inline(
                    texts, [button(texts("rq-cancel"), _cb(RequestAction.SHOW, request.id))]
                ),
            )
        elif action is RequestAction.WITHDRAW:
            yes = button(texts("rq-withdraw-yes"), _cb(RequestAction.WITHDRAW_YES, request.id))
            no = button(texts("rq-withdraw-no"), _cb(RequestAction.SHOW, request.id))
            await target.answer(
                texts("rq-withdraw-confirm", number=request.id),
                reply_markup=inline(texts, [yes, no]),
            )
        elif action is RequestAction.WITHDRAW_YES:
            outcome = await desk.withdraw(db, request.id, _me(person, request))
            if not isinstance(outcome, Changed):
                activity.status = "withdraw refused"
                await target.answer(texts("rq-already-closed"), reply_markup=inline(texts))
                return
            activity.status = "withdrawn"
            await tell_workers(
                db, locales, config, outcome.request, lead="desk-withdrawn", stamp="withdrawn"
            )
            await target.answer(
                texts("rq-withdrawn", number=request.id), reply_markup=inline(texts)
            )
        elif action is RequestAction.SOLVED:
            outcome = await desk.confirm_resolved(db, request.id, _me(person, request))
            if not isinstance(outcome, Changed):
                activity.status = "solved refused"
                await target.answer(texts("rq-already-closed"), reply_markup=inline(texts))
                return
            activity.status = "resolved by requester"
            await tell_workers(
                db, locales, config, outcome.request, lead="desk-solved", stamp="solved"
            )
            await target.answer(
                texts("rq-solved-thanks", number=request.id),
                reply_markup=inline(texts, rating_row(request.id)),
            )
        elif action is RequestAction.NO_SLOT:
            if not await appointments.decline(db, request.id, person.id):
                await target.answer(texts("rq-slots-gone"), reply_markup=inline(texts))
                return
            activity.status = "no time suits"
            await tell_workers(
                db, locales, config, request, lead="desk-no-slot", stamp=f"noslot:{query.id}"
            )
            await target.answer(texts("rq-no-slot-sent"), reply_markup=inline(texts))

    @router.message(FollowUp.details, F.text | F.document | F.photo)
    async def details(
        message: Message,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        request_id = int((await state.get_data()).get("request_id", 0))
        request = await own_request(db, person, request_id)
        activity.kind = ActivityKind.CONSULTATION
        if request is None:
            await state.clear()
            await message.answer(texts("rq-not-found"), reply_markup=inline(texts))
            return
        log_step(activity, config, request, None, "details added")
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
        outcome = await desk.add_details(
            db, request.id, _me(person, request), text=text, file=attachment
        )
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
            reply_markup=inline(
                texts,
                [
                    button(
                        texts("rq-open-request", number=request.id),
                        _cb(RequestAction.SHOW, request.id),
                    )
                ],
            ),
        )

    @router.message(FollowUp.comment, F.text)
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
        saved = await desk.comment_rating(db, request_id, person.id, message.text or "")
        await message.answer(
            texts("rq-thanks" if saved else "rq-not-found"), reply_markup=inline(texts)
        )

    @router.message(FollowUp.details)
    @router.message(FollowUp.comment)
    async def unsupported(message: Message, texts: Texts) -> None:
        await message.answer(texts("rq-send-text"))

    return router


async def _rate(
    query: CallbackQuery,
    target: Message | None,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    request: RequestView,
    rating: int,
    activity: ActivityNote,
) -> None:
    if not await desk.rate(db, request.id, person.id, rating):
        activity.status = "rating refused"
        key = "rq-rated-already" if request.rating else "rq-rate-not-yet"
        await query.answer(texts(key), show_alert=True)
        return
    activity.status = f"rated {rating}"
    await query.answer()
    if target is None:
        return
    await state.set_state(FollowUp.comment)
    await state.update_data(request_id=request.id)
    await target.answer(
        texts("rq-rate-comment", rating=rating),
        reply_markup=inline(
            texts, [button(texts("rq-no-comment"), _cb(RequestAction.NO_COMMENT, request.id))]
        ),
    )


async def _choose_slot(
    query: CallbackQuery,
    target: Message | None,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    slot_id: int,
    activity: ActivityNote,
) -> None:
    slot = await appointments.choose(db, slot_id, person.id)
    if slot is None:
        activity.status = "slot refused"
        await query.answer(texts("rq-slots-gone"), show_alert=True)
        return
    request = await desk.get(db, slot.request_id)
    await query.answer()
    if request is None:
        return
    log_step(activity, config, request, None, "meeting agreed")
    at = moment(config, slot.starts_at)
    await tell_workers(
        db,
        locales,
        config,
        request,
        lead="desk-slot-chosen",
        stamp=f"slot:{slot.id}",
        args={"at": at},
    )
    if target is not None:
        await target.answer(
            texts("rq-slot-agreed", number=request.id, at=at, place=slot.place or "none"),
            reply_markup=inline(
                texts,
                [
                    button(
                        texts("rq-open-request", number=request.id),
                        _cb(RequestAction.SHOW, request.id),
                    )
                ],
            ),
        )
