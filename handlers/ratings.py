"""The answer to «Оцените, пожалуйста» after a service (#26): a score, an optional comment,
or «Не спрашивать больше».

A button names a question by its id on the server; `storage.ratings.answers.rate` takes the
score only from the person the question was asked of and only once, so a replayed press
keeps the first score and a forged id or someone else's question is refused politely. The
comment is asked only of those whose words may be kept (consent), and it is their words:
it does not go into the activity log. The comment step waits `COMMENT_FOR` after the
score: a message typed later (a question about a book, hours after) is not a comment and
goes on to be answered by the rest of the bot (`front_door`), which leaves the step.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from aiogram import F
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import button, inline
from broadcasts.views.rating_view import RatingAction, RatingCb
from handlers.routes import Routes
from storage.activity import HIDDEN, ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView
from storage.ratings import answers
from storage.ratings.answers import Rated

routes = Routes(__name__)

COMMENT_FOR = timedelta(minutes=30)  # a message later than this after the score is not one


class RatingForm(StatesGroup):
    comment = State()  # a few words to the score just given


class CommentWanted(Filter):
    """The comment step is open and its score was given less than `COMMENT_FOR` ago."""

    async def __call__(self, message: Message, state: FSMContext) -> bool:
        if await state.get_state() != RatingForm.comment.state:
            return False
        scored = (await state.get_data()).get("scored_at")
        if not isinstance(scored, (int, float)):
            return False  # made before the step had a time: taken as expired
        return datetime.now(UTC).timestamp() - scored < COMMENT_FOR.total_seconds()


async def _answered(query: CallbackQuery) -> Message | None:
    """Stop the button's spinner; the message to answer under, if there is one."""
    await query.answer()
    return query.message if isinstance(query.message, Message) else None


@routes.callback_query(RatingCb.filter(F.action == RatingAction.SCORE))
async def score(
    query: CallbackQuery,
    callback_data: RatingCb,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.SERVICE_RATING
    rated = await answers.rate(db, callback_data.id, person.id, callback_data.value)
    if rated is not Rated.SAVED:
        activity.status = "rating refused"
        key = "rating-already" if rated is Rated.ALREADY else "rating-not-yours"
        await query.answer(texts(key), show_alert=True)
        return
    activity.status = f"rated {callback_data.value}"
    target = await _answered(query)
    if target is None:
        return
    if not person.may_keep_texts:
        await target.answer(texts("rating-thanks"), reply_markup=inline(texts))
        return
    await state.set_state(RatingForm.comment)
    await state.update_data(rating_id=callback_data.id, scored_at=datetime.now(UTC).timestamp())
    skip = RatingCb(action=RatingAction.NO_COMMENT, id=callback_data.id).pack()
    await target.answer(
        texts("rating-comment", rating=callback_data.value),
        reply_markup=inline(texts, [button(texts("rating-no-comment"), skip)]),
    )


@routes.callback_query(RatingCb.filter(F.action == RatingAction.NO_COMMENT))
async def no_comment(
    query: CallbackQuery, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.SERVICE_RATING
    activity.status = "no comment"
    if await state.get_state() == RatingForm.comment.state:
        await state.clear()
    target = await _answered(query)
    if target is not None:
        await target.answer(texts("rating-thanks"), reply_markup=inline(texts))


@routes.callback_query(RatingCb.filter(F.action == RatingAction.STOP))
async def stop(
    query: CallbackQuery,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Не спрашивать больше»: it concerns only the presser, whatever question it was under."""
    activity.kind = ActivityKind.SERVICE_RATING
    activity.status = "ratings refused for good"
    await answers.refuse(db, person.id)
    target = await _answered(query)
    if target is not None:
        await target.answer(texts("rating-stopped"), reply_markup=inline(texts))


@routes.message(RatingForm.comment, F.text, CommentWanted())
async def comment(
    message: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    rating_id = int((await state.get_data()).get("rating_id", 0))
    await state.clear()
    activity.kind = ActivityKind.SERVICE_RATING
    activity.content = HIDDEN  # the log keeps no copy of their words
    activity.status = "rating comment"
    saved = person.may_keep_texts and await answers.comment(
        db, rating_id, person.id, message.text or ""
    )
    await message.answer(
        texts("rating-comment-saved" if saved else "rating-thanks"), reply_markup=inline(texts)
    )


@routes.message(RatingForm.comment, CommentWanted())
async def not_text(message: Message, texts: Texts) -> None:
    await message.answer(texts("rating-send-text"))
