"""Handing a typed question to a librarian: it becomes a request of the built-in topic
«Вопрос библиотекарю» (so the staff chat card, the desk's buttons, the thread, closing,
the rating, «Мои обращения» and the register all hold for it), the staff chat gets the
card, and the reader learns its number — and, outside `[consultations] hours`, when an
answer can be expected.

A question is stored only with the reader's consent. Without it the question waits in
this process's memory (`storage.volatile`), never written anywhere, while the consent
question is asked; the answer to that is taken by `handlers.librarian` first, and the
question goes as soon as it is «Согласен». The one-question form «Напишите ваш вопрос»
(for /ask, a typed «Спросить библиотекаря» and a button whose question is forgotten) runs
on the form engine (`handlers.forms`).

While the reader's question is being talked over, the button under a message the bot
could not answer (a short line it searched the catalogue for, say) adds that message to
the question instead of opening a second card: what they type then belongs to the same
conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import LIBRARIAN_TOPIC, WEEKDAYS, Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.opening_hours import is_open, next_opening
from broadcasts.consultation_notices import announce_new
from broadcasts.views.callbacks import FrontCb, Nav, Screen
from broadcasts.views.keyboards import inline
from handlers import forms
from handlers.catalogue_presses import recent
from handlers.common import ask_consent, phone_or_none
from handlers.consultation_activity import log_step, request_kind
from handlers.forms import Form, Passage, Step
from handlers.librarian_thread import join
from storage import activity as activity_log
from storage.activity import ActivityNote
from storage.consultations import entries
from storage.consultations import requests as desk
from storage.consultations.models import EntryKind
from storage.consultations.requests import QUESTION_LIMIT, RequestView
from storage.db import Database
from storage.models import Consent
from storage.people import PersonView
from storage.types import utcnow
from storage.volatile import RecentQueries

MIN_QUESTION = 2
QUESTION = Passage("lib-bad-question", "lib-question-too-long", MIN_QUESTION, QUESTION_LIMIT)
# The question waiting for consent, beside the conversation's recent questions.
PENDING = "|librarian"
TO_MENU = Nav(to=Screen.MENU).pack()


class AskForm(StatesGroup):
    question = State()


async def _load(
    data: Mapping[str, Any], db: Database, config: Config, texts: Texts
) -> tuple[str, tuple[Step, ...]]:
    prompt = str(data.get("prompt") or "lib-ask-prompt")
    return LIBRARIAN_TOPIC.id, (Step("question", prompt, QUESTION, rows=()),)


# «✖️ Не спрашивать» goes back to the menu, which leaves the form.
ASK: Form[str] = Form(
    state=AskForm.question,
    load=_load,
    same="lib-abort",
    same_data=TO_MENU,
    abort="lib-abort",
    abort_data=TO_MENU,
    aborted="lib-aborted",
    send_text="lib-send-text",
    repeat_buttons=False,
)


async def ask_for_question(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    prompt: str = "lib-ask-prompt",
) -> None:
    """«Напишите ваш вопрос»: the next message is the question."""
    steps = (Step("question", prompt, QUESTION, rows=()),)
    await forms.begin(target, texts, db, person, state, ASK, steps, prompt=prompt)


class Remembered(Filter):
    """The typed question a front door button's `query_id` names, as `asked`; the message
    the button is under, as `target`."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: FrontCb,
        state: FSMContext,
        recent_queries: RecentQueries,
        person: PersonView | None = None,
    ) -> bool | dict[str, Any]:
        if not isinstance(query.message, Message):
            return False
        asked = (await recent(state, person, recent_queries)).get(str(callback_data.query_id))
        return bool(asked) and {"asked": asked, "target": query.message}


def _pending_key(state: FSMContext) -> str:
    return repr(state.key) + PENDING


def pending(state: FSMContext, memory: RecentQueries) -> str | None:
    """The question waiting for the reader's consent, if one is."""
    return memory.get(_pending_key(state)).get("text")


def drop_pending(state: FSMContext, memory: RecentQueries) -> None:
    memory.drop(_pending_key(state))


async def hand_over(
    target: Message,
    question: str,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    memory: RecentQueries,
    activity: ActivityNote,
    *,
    joins: bool = False,
) -> None:
    """The question to a librarian: sent now, or once the reader consents. `joins`: a
    message the bot could not answer, handed over with the button under it — while the
    reader's question is being talked over, it is added to that one (what they type then
    would have joined it anyway); a question asked with /ask is a question of its own."""
    activity.kind = request_kind(config, LIBRARIAN_TOPIC.id)
    if not config.librarian.enabled:
        activity.status = "librarian off"
        await target.answer(
            texts("lib-off", phone=phone_or_none(config)), reply_markup=inline(texts)
        )
        return
    if person.consent is not Consent.GIVEN:
        activity.status = "needs consent"
        memory.put(_pending_key(state), {"text": question})
        await target.answer(texts("lib-need-consent"))
        await ask_consent(target, texts, config)
        return
    since = utcnow() - timedelta(hours=config.librarian.follow_up_hours)
    sent = await desk.latest_open(db, person.id, LIBRARIAN_TOPIC.id, active_since=since)
    if sent is not None and await _asked_already(db, sent, question):  # pressed twice
        activity.status = "sent already"
        await target.answer(texts("lib-sent-already", number=sent.id), reply_markup=inline(texts))
    elif sent is not None and joins:  # being talked over: it joins that, not a second card
        await join(target, question.strip(), sent, texts, locales, config, db, person, activity)
    else:
        await send(target, question, texts, locales, config, db, person, activity)


async def _asked_already(db: Database, request: RequestView, question: str) -> bool:
    """The question, or an addition to it, says exactly this already."""
    text = question.strip()
    if request.question == text:
        return True
    said = await entries.entries(db, request.id, for_requester=True)
    return any(e.kind is EntryKind.DETAILS and e.text == text for e in said)


async def send(
    target: Message,
    question: str,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> RequestView:
    """The request made and its card sent to the staff chat; the reader told its number
    and, outside working hours, when to expect an answer."""
    request = await desk.create(
        db,
        person_id=person.id,
        platform=person.platform,
        chat_id=person.platform_user_id,
        language=person.language,
        topic=LIBRARIAN_TOPIC.id,
        expertise=False,
        question=question,
        name=person.display_name,
        organisation=None,
        contact=None,  # the answer comes in the messenger
        contact_time=None,
    )
    await announce_new(db, locales, config, request)
    log_step(activity, config, request, None, request.question)
    activity.status = "received"
    lines = [texts("lib-sent", number=request.id)]
    closed = closed_line(texts, config, datetime.now(UTC))
    if closed:
        lines.append(closed)
    await target.answer("\n".join(lines), reply_markup=inline(texts))
    return request


def closed_line(texts: Texts, config: Config, now: datetime) -> str | None:
    """«Сейчас мы не работаем; ответим после 09:00 понедельника», outside working hours."""
    hours = config.consultations.hours
    local = now.astimezone(config.library.zone)
    opening = next_opening(hours, local)
    if opening is None or is_open(hours, local):
        return None
    days = (opening.date() - local.date()).days
    day = "today" if days == 0 else "tomorrow" if days == 1 else WEEKDAYS[opening.weekday()]
    return texts("lib-closed-now", time=f"{opening:%H:%M}", day=day)


async def send_after_consent(
    target: Message,
    question: str,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
) -> None:
    """The question that waited for consent, now given: sent, and logged as a row of its
    own (the update's row is the consent)."""
    note = ActivityNote(
        platform=person.platform,
        kind=request_kind(config, LIBRARIAN_TOPIC.id),
        person_id=person.id,
        executor=activity_log.BOT_EXECUTOR,
    )
    await send(target, question, texts, locales, config, db, person, note)
    await activity_log.record(db, note)
