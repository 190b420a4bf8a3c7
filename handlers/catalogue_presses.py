"""What a press on a catalogue answer's button refers to: the question, or the record.

Callback data has room for ids, not for a question, so the conversation's recent
questions are kept by a small id — in its FSM data with consent to keep texts, else in
memory only — and «Ещё» or «Оставить заявку» names one by its id. The filters here load
what a button names and hand it to the handler; when it is gone (a question long
forgotten, a record no longer in the catalogue) they do not match, and the module's
catch-all answers the press politely instead.
"""

from __future__ import annotations

from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from broadcasts.views.callbacks import CatalogueCb, HoldCb
from storage.activity import ActivityNote
from storage.catalogue.availability import record_card
from storage.db import Database
from storage.fsm import unhurried
from storage.models import ActivityKind
from storage.people import PersonView
from storage.volatile import RecentQueries

QUERIES_KEY = "catalogue_queries"  # recent questions by id, for «Ещё» and «Оставить заявку»
QUERIES_KEPT = 10


async def recent(
    state: FSMContext, person: PersonView | None, memory: RecentQueries
) -> dict[str, str]:
    """The conversation's recent questions: in its state with consent, else in memory only."""
    if person is not None and person.may_keep_texts:
        return dict((await state.get_data()).get(QUERIES_KEY, {}))
    return memory.get(repr(state.key))


async def remember(
    state: FSMContext, person: PersonView | None, memory: RecentQueries, query: str
) -> int:
    """Keep the question under a small id, so a button on an older answer still means it.

    The answer does not wait for the conversation's state to be written (`unhurried`):
    under a crowd of readers that write was each catalogue answer's one wait for the
    database's writer, and a crash in those milliseconds costs only the buttons under this
    one answer (they then say the question is gone)."""
    kept = await recent(state, person, memory)
    query_id = max((int(k) for k in kept), default=0) + 1
    kept[str(query_id)] = query
    kept = dict(sorted(kept.items(), key=lambda item: int(item[0]))[-QUERIES_KEPT:])
    if person is not None and person.may_keep_texts:
        with unhurried():
            await state.update_data({QUERIES_KEY: kept})
    else:
        memory.put(repr(state.key), kept)
    return query_id


class AskedQuestion(Filter):
    """The question the button's `query_id` names, as `asked`; the message, as `message`."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: CatalogueCb,
        state: FSMContext,
        recent_queries: RecentQueries,
        person: PersonView | None = None,
    ) -> bool | dict[str, Any]:
        if not isinstance(query.message, Message):
            return False
        asked = (await recent(state, person, recent_queries)).get(str(callback_data.query_id))
        return bool(asked) and {"asked": asked, "message": query.message}


class NamedRecord(Filter):
    """The record the button's `record_id` names, as `card` (its copies per branch); the
    message, as `message`."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: CatalogueCb | HoldCb,
        db: Database,
        config: Config,
    ) -> bool | dict[str, Any]:
        if not isinstance(query.message, Message):
            return False
        card = await record_card(db, callback_data.record_id, config.library.branches)
        return card is not None and {"card": card, "message": query.message}


def note_record(activity: ActivityNote, record_id: int) -> None:
    """A press on a record's button is a catalogue enquiry about that record, found or not."""
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.notes = f"record={record_id}"
