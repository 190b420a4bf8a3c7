"""The checks in front of «Мои обращения» (`my_requests`): a button or a form names one of
the presser's requests, or a time offered on one. What does not pass — someone else's, gone,
forged, replayed — falls through to the polite answers for a missing request."""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from broadcasts.views.callbacks import RequestCb
from handlers.consultation import log_step
from storage.activity import ActivityNote
from storage.consultations import appointments, requests
from storage.db import Database
from storage.people import PersonView


class OwnRequest(Filter):
    """The presser's own request — named by the button, or by the form they are filling
    in — injected as `request`; the press (or `what` was typed) is a step of the request
    in the work sheet."""

    def __init__(self, what: str | None = None) -> None:
        self.what = what  # None: the button's action

    async def __call__(
        self,
        event: CallbackQuery | Message,
        db: Database,
        person: PersonView,
        state: FSMContext,
        config: Config,
        activity: ActivityNote,
        callback_data: RequestCb | None = None,
    ) -> bool | dict[str, Any]:
        if callback_data is not None:
            request_id = callback_data.id
        else:
            request_id = int((await state.get_data()).get("request_id", 0))
        request = await requests.own(db, request_id, person.id)
        if request is None:
            return False
        what = self.what or (callback_data.action.value if callback_data else "")
        log_step(activity, config, request, None, what)
        return {"request": request}


class OwnSlot(Filter):
    """A time offered on the presser's own request, injected as `slot`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: RequestCb, db: Database, person: PersonView
    ) -> bool | dict[str, Any]:
        slot = await appointments.own_slot(db, callback_data.id, person.id)
        return False if slot is None else {"slot": slot}
