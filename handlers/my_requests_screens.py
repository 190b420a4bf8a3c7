"""The requester's screens of «Мои обращения» (`my_requests`): the list of their requests,
and one request with its thread, offered times and buttons."""

from __future__ import annotations

from aiogram.types import Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import inline
from broadcasts.views.request_view import requester_card, requester_list_rows, requester_rows
from storage.consultations import appointments, entries, requests
from storage.consultations.requests import RequestView
from storage.db import Database
from storage.people import PersonView


async def show_mine(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView
) -> None:
    mine = await requests.of_person(db, person.id)
    key = "rq-mine-title" if mine else "rq-mine-empty"
    await target.answer(
        texts(key), reply_markup=inline(texts, *requester_list_rows(texts, config, mine))
    )


async def show_request(
    target: Message, texts: Texts, config: Config, db: Database, request: RequestView
) -> None:
    thread = await entries.entries(db, request.id, for_requester=True)
    slots = await appointments.slots(db, request.id)
    await target.answer(
        requester_card(texts, config, request, thread, slots),
        reply_markup=inline(texts, *requester_rows(texts, request, slots, config)),
    )
