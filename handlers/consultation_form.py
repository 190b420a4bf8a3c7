"""The request form of «Консультация»: the question (with documents or photos), the name,
the organisation, how and when to answer — then the request goes to the staff chat through
the outbox, and the requester gets its number and when to expect an answer (outside
working hours: when work starts again).

The steps are declared in `request_steps` and run by the form engine (handlers/forms.py);
files sent on the way are kept beside the answers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.opening_hours import is_open, next_opening
from broadcasts.consultation_notices import announce_new, answer_expected
from broadcasts.views.callbacks import RequestAction, RequestCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import CONTACT_TIMES, moment, topic_name
from handlers import forms
from handlers.common import ask_consent
from handlers.consultation_activity import request_kind
from handlers.consultation_routes import form_routes
from handlers.forms import (
    AtStep,
    Choice,
    Contact,
    Filling,
    Form,
    Invalid,
    Offer,
    Passage,
    Pressed,
    Shown,
    Step,
    Words,
)
from storage.activity import ActivityNote
from storage.consultations import requests as desk
from storage.consultations.requests import QUESTION_LIMIT, Attachment
from storage.db import Database
from storage.models import ActivityKind, Consent
from storage.people import PersonView

MIN_QUESTION = 5
QUESTION = Passage(
    "rq-bad-question", "rq-question-too-long", least=MIN_QUESTION, most=QUESTION_LIMIT
)
NAME = Words("rq-bad-name", least=2, most=200)
ORGANISATION = Words("rq-bad-org", least=1, most=300)
CONTACT = Contact("rq-bad-contact")
WHEN = Words("rq-bad-when", least=1, most=200)


def _cb(action: RequestAction, value: int = 0) -> str:
    return RequestCb(action=action, value=value).pack()


# «Частное лицо» is an answer for this request, not an organisation to offer next time.
PRIVATE = Choice("rq-private", _cb(RequestAction.PRIVATE), value="rq-private-value", kept=False)
IN_CHAT = Choice("rq-in-chat", _cb(RequestAction.IN_CHAT))  # no contact: the answer comes here
TIMES = tuple(
    Choice(f"rq-when-{name}", _cb(RequestAction.WHEN, i), value=f"rq-when-{name}")
    for i, name in enumerate(CONTACT_TIMES)
)
ORG_ROWS = (Offer.SAME, (PRIVATE,))
CONTACT_ROWS = ((IN_CHAT,), Offer.SAME)  # answering here first, a remembered contact next
# The buttons that answer a step.
ANSWERING = {RequestAction.SAVED, RequestAction.PRIVATE, RequestAction.IN_CHAT, RequestAction.WHEN}


# After the question: who asks, and how and when to answer.
DETAILS = (
    Step("name", "rq-ask-name", NAME, remembered="name"),
    Step("org", "rq-ask-org", ORGANISATION, remembered="organisation", rows=ORG_ROWS),
    Step("contact", "rq-ask-contact", CONTACT, remembered="contact", rows=CONTACT_ROWS),
    Step("when", "rq-ask-when", WHEN, rows=(TIMES[:2], TIMES[2:])),
)


class ConsultForm(StatesGroup):
    answering = State()


def request_steps(texts: Texts, config: Config, topic_id: str) -> tuple[Step, ...]:
    """The question, told the topic and how many files of what size may come with it;
    then the details."""
    settings = config.consultations
    about = {
        "topic": topic_name(texts, config, topic_id),
        "files": settings.max_attachments,
        "mb": int(settings.max_attachment_mb),
    }
    return (Step("question", "rq-ask-question", QUESTION, args=about), *DETAILS)


async def _load(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[str, tuple[Step, ...]]:
    topic = str(data.get("topic"))
    return topic, request_steps(texts, config, topic)


REQUEST: Form[str] = Form(
    state=ConsultForm.answering,
    load=_load,
    same="rq-same",
    same_data=_cb(RequestAction.SAVED),
    abort="rq-abort",
    abort_data=_cb(RequestAction.ABORT),
    aborted="rq-aborted",
    send_text="rq-send-text",
    repeat_buttons=False,
)


def attachment_of(message: Message, platform: str) -> Attachment | None:
    if message.document is not None:
        doc = message.document
        return Attachment(platform, doc.file_id, "document", doc.file_name, doc.file_size)
    if message.photo:
        photo = message.photo[-1]
        return Attachment(platform, photo.file_id, "photo", None, photo.file_size)
    return None


def refuse_attachment(
    texts: Texts, config: Config, attachment: Attachment, count: int
) -> str | None:
    """Why a file cannot be attached (too many, too big), or None if it may be."""
    settings = config.consultations
    if count >= settings.max_attachments:
        key = "rq-too-many-files"
    elif (attachment.size or 0) > settings.max_attachment_mb * 1024 * 1024:
        key = "rq-file-too-big"
    else:
        return None
    return texts(key, files=settings.max_attachments, mb=int(settings.max_attachment_mb))


class Attached(Filter):
    """A document or a photo: injects it as `attachment`."""

    async def __call__(self, message: Message, person: PersonView) -> bool | dict[str, Any]:
        attachment = attachment_of(message, person.platform)
        return {"attachment": attachment} if attachment is not None else False


async def start_form(
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    index: int,
    activity: ActivityNote,
) -> None:
    """«Задать вопрос специалисту» on the topic `index`: the form, once consent is given."""
    topic = config.consultations.topics[index]
    activity.kind = request_kind(config, topic.id)
    activity.content = topic.name
    if person.consent != Consent.GIVEN:
        activity.status = "needs consent"
        await target.answer(texts("rq-need-consent"))
        await ask_consent(target, texts, config)
        return
    activity.status = "form started"
    steps = request_steps(texts, config, topic.id)
    await forms.begin(target, texts, db, person, state, REQUEST, steps, topic=topic.id, files=[])


@form_routes.message(F.text, AtStep(REQUEST))
async def answered(
    message: Message,
    filling: Filling[str],
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    step = filling.step
    activity.kind = request_kind(config, filling.subject)
    activity.status = f"form: {step.key}"
    if step.key == "question":
        activity.content = None  # the question is logged once, with the request
    taken = await forms.take(message, texts, db, person, state, filling, message.text or "")
    if isinstance(taken, Invalid):
        activity.status = f"form: bad {step.key}"
    elif taken is not None:
        await submit(message, texts, locales, config, db, person, filling, taken, activity)


@form_routes.message(Attached(), AtStep(REQUEST))
async def attached(
    message: Message,
    attachment: Attachment,
    filling: Filling[str],
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """A file joins the request (up to the limits); at the question step its caption can be
    the question itself."""
    activity.kind = request_kind(config, filling.subject)
    files = list(filling.data.get("files", []))
    refusal = refuse_attachment(texts, config, attachment, len(files))
    if refusal:
        activity.status = "file refused"
        await message.answer(refusal)
        return
    files.append(
        {
            "platform": attachment.platform,
            "file_id": attachment.file_id,
            "kind": attachment.kind,
            "name": attachment.name,
            "size": attachment.size,
        }
    )
    await state.update_data(files=files)
    activity.status = "file attached"
    activity.content = f"[{attachment.kind}] {attachment.name or ''}".strip()
    await message.answer(texts("rq-file-added", count=len(files)))
    if filling.step.key != "question":
        await forms.ask(message, texts, db, person, REQUEST, filling.step)
        return
    question = filling.step.check(message.caption or "")
    if isinstance(question, Invalid):
        await message.answer(texts("rq-now-question"))
        return
    filling = replace(filling, data={**filling.data, "files": files})
    await _advance(message, texts, locales, config, db, person, state, filling, question, activity)


@form_routes.message(ConsultForm.answering)
async def unsupported(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.status = "form: unsupported message"
    await message.answer(texts(REQUEST.send_text))


@form_routes.callback_query(
    RequestCb.filter(F.action.in_(ANSWERING)), Shown(), AtStep(REQUEST), Pressed()
)
async def button_answer(
    query: CallbackQuery,
    target: Message,
    filling: Filling[str],
    value: str | None,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«✔️ как в прошлый раз», «Частное лицо», «Ответить здесь, в чате», a contact time —
    for the step the form is at."""
    await query.answer()
    activity.kind = request_kind(config, filling.subject)
    await _advance(target, texts, locales, config, db, person, state, filling, value, activity)


@form_routes.callback_query(RequestCb.filter(F.action.in_(ANSWERING)), Shown(), AtStep(REQUEST))
async def stale_button(
    query: CallbackQuery,
    target: Message,
    filling: Filling[str],
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """A button of another step: the step the form is at is asked again."""
    await query.answer()
    activity.kind = request_kind(config, filling.subject)
    activity.status = "stale form button"
    if filling.step.key == "question":
        await target.answer(texts("rq-now-question"))
    else:
        await forms.ask(target, texts, db, person, REQUEST, filling.step)


@form_routes.callback_query(RequestCb.filter(F.action.in_(ANSWERING)), Shown())
async def form_expired(
    query: CallbackQuery, target: Message, texts: Texts, activity: ActivityNote
) -> None:
    """A button of a form no longer open."""
    await query.answer()
    activity.kind = ActivityKind.MENU
    activity.status = "stale form button"
    await target.answer(texts("rq-form-expired"), reply_markup=inline(texts))


@form_routes.callback_query(RequestCb.filter(F.action == RequestAction.ABORT), Shown())
async def abort(
    query: CallbackQuery, target: Message, texts: Texts, state: FSMContext, activity: ActivityNote
) -> None:
    await query.answer()
    activity.kind = ActivityKind.MENU
    activity.status = "form abandoned"
    await forms.leave(target, texts, state, REQUEST)


async def _advance(
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    filling: Filling[str],
    value: str | None,
    activity: ActivityNote,
) -> None:
    answers = await forms.advance(target, texts, db, person, state, filling, value)
    if answers is not None:
        await submit(target, texts, locales, config, db, person, filling, answers, activity)


async def submit(
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    filling: Filling[str],
    answers: forms.Answers,
    activity: ActivityNote,
) -> None:
    """The last answer given: the request is made and announced in the staff chat, the
    details remembered for next time; the requester learns its number and when to expect
    an answer."""
    topic = config.consultations.topic(filling.subject)
    if topic is None:  # the topic left the config while the form was open
        await target.answer(texts("rq-topic-gone"), reply_markup=inline(texts))
        return
    files = [Attachment(**f) for f in filling.data.get("files", [])]
    request = await desk.create(
        db,
        person_id=person.id,
        platform=person.platform,
        chat_id=person.platform_user_id,
        language=person.language,
        topic=topic.id,
        expertise=topic.expertise,
        question=answers.get("question") or "",
        name=answers.get("name"),
        organisation=answers.get("org"),
        contact=answers.get("contact"),
        contact_time=answers.get("when"),
        files=files,
    )
    await forms.remember(db, person, texts, filling.steps, answers)
    await announce_new(db, locales, config, request)
    activity.kind = request_kind(config, topic.id)
    activity.content = f"№{request.id} {topic.name}: {request.question}"
    activity.customer = request.customer
    activity.status = "received"
    now = datetime.now(UTC)
    local_now = now.astimezone(config.library.zone)
    hours = config.consultations.hours
    opening = next_opening(hours, local_now)
    lines = [
        texts(
            "rq-received",
            number=request.id,
            topic=topic_name(texts, config, topic.id),
            until=moment(config, answer_expected(config, now)),
        )
    ]
    if opening is not None and not is_open(hours, local_now):
        lines.append(texts("rq-closed-now", opens=moment(config, opening)))
    mine = button(texts("rq-mine"), _cb(RequestAction.MINE))
    await target.answer("\n".join(lines), reply_markup=inline(texts, [mine]))
