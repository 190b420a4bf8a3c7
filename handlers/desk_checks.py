"""The checks in front of the request desk's handlers (`request_desk`): what each button of
a request's card is as storage decides who may do it, `MayWork` for a press and `WorkingOn`
for what is typed after one. Both inject the request and who acts (`actor`); what they do
not let through falls to the desk's polite refusals.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from broadcasts.views.callbacks import DeskAction, DeskCb
from handlers.consultation import log_step
from storage.activity import ActivityNote
from storage.consultations import access
from storage.consultations.access import Permitted, Work
from storage.db import Database
from storage.people import PersonView

WORK = {
    DeskAction.SHOW: Work.SHOW,
    DeskAction.TAKE: Work.TAKE,
    DeskAction.FORWARD: Work.PASS_ON,
    DeskAction.TO_EXPERT: Work.PASS_ON,
    DeskAction.REPLY: Work.ANSWER,
    DeskAction.NOTE: Work.NOTE,
    DeskAction.MEET: Work.MEET,
    DeskAction.CLOSE: Work.CLOSE,
    DeskAction.RESOLVED: Work.CLOSE,
    DeskAction.REJECTED: Work.CLOSE,
    DeskAction.THREAD: Work.THREAD,
    DeskAction.FILES: Work.FILES,
    DeskAction.GIVE_BACK: Work.GIVE_BACK,
}


async def verdict_on(
    query: CallbackQuery, callback_data: DeskCb, db: Database, person: PersonView
) -> Permitted | access.Denied | access.Closed:
    """Whether the presser may press this card button now."""
    work = WORK[callback_data.action]
    return await access.may_work(db, person, callback_data.id, work, query.from_user.full_name)


class MayWork(Filter):
    """A card button the presser may press now; the press is a step of the request in the
    work sheet, whatever comes of it."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: DeskCb,
        db: Database,
        person: PersonView,
        config: Config,
        activity: ActivityNote,
    ) -> bool | dict[str, Any]:
        verdict = await verdict_on(query, callback_data, db, person)
        if not isinstance(verdict, Permitted):
            return False
        log_step(activity, config, verdict.request, verdict.actor, callback_data.action.value)
        return {"request": verdict.request, "actor": verdict.actor}


class WorkingOn(Filter):
    """The request a desk form is about, if the writer still works on it; whether the step
    is still possible is the step's to say."""

    async def __call__(
        self, message: Message, state: FSMContext, db: Database, person: PersonView
    ) -> bool | dict[str, Any]:
        request_id = int((await state.get_data()).get("request_id", 0))
        fallback = message.from_user.full_name if message.from_user else None
        verdict = await access.standing(db, person, request_id, fallback)
        if not isinstance(verdict, Permitted):
            return False
        return {"request": verdict.request, "actor": verdict.actor}
