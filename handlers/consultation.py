"""«Консультация»: a topic, its FAQ, then «Задать вопрос специалисту» and a short form —
the question (with documents or photos), name, organisation, how and when to answer.

The request goes to the staff chat through the outbox; the requester gets its number
and when to expect an answer (outside working hours: when work starts again).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.opening_hours import is_open, next_opening
from broadcasts.consultation_notices import announce_new, answer_expected
from broadcasts.views.callbacks import RequestAction, RequestCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import CONTACT_TIMES, moment, topic_name
from handlers.common import ask_consent
from handlers.filters import MenuButton
from storage import people
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.consultations import requests as desk
from storage.consultations.requests import QUESTION_LIMIT, Actor, Attachment, RequestView
from storage.contacts import clean_contact
from storage.db import Database
from storage.models import ActivityKind, Consent
from storage.people import PersonView

STEPS = ("question", "name", "org", "contact", "when")
MIN_QUESTION = 5


class ConsultForm(StatesGroup):
    answering = State()


def _cb(action: RequestAction, id_: int = 0, value: int = 0) -> str:
    return RequestCb(action=action, id=id_, value=value).pack()


def request_kind(config: Config, topic_id: str) -> ActivityKind:
    topic = config.consultations.topic(topic_id)
    return (
        ActivityKind.PROJECT_EXPERTISE if topic and topic.expertise else ActivityKind.CONSULTATION
    )


def log_step(
    activity: ActivityNote,
    config: Config,
    request: RequestView,
    actor: Actor | None,
    what: str,
    *,
    notes: str | None = None,
) -> None:
    """One request step in the work sheet: the request's kind, «№ 12 Тема: what»,
    заказчик, ответственный, исполнитель (None: the requester acting themselves)."""
    activity.kind = request_kind(config, request.topic)
    topic = config.consultations.topic(request.topic)
    activity.content = f"№{request.id} {topic.name if topic else request.topic}: {what}"
    activity.customer = request.customer
    activity.about_person_id = request.person_id
    activity.responsible = request.responsible_name or (actor.name if actor else None)
    if actor is not None:
        activity.executor = actor.name
    activity.status = request.status.value
    activity.notes = notes


async def show_topics(target: Message, texts: Texts, config: Config) -> None:
    topics = config.consultations.topics
    rows = [
        [button(topic_name(texts, config, t.id), _cb(RequestAction.TOPIC, value=i))]
        for i, t in enumerate(topics)
    ]
    rows.append([button(texts("rq-mine"), _cb(RequestAction.MINE))])
    await target.answer(texts("rq-topics"), reply_markup=inline(texts, *rows))


async def show_faq(
    target: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    index: int,
    activity: ActivityNote,
) -> None:
    topic = config.consultations.topics[index]
    entries = await directory.faq(db, topic.id)
    if not entries:  # nothing prepared: straight to the question
        await start_form(target, texts, config, person, state, index, activity)
        return
    rows = [[button(e.question[:60], _cb(RequestAction.FAQ, e.id))] for e in entries]
    rows.append([button(texts("rq-ask"), _cb(RequestAction.ASK, value=index))])
    rows.append([button(texts("rq-other-topics"), _cb(RequestAction.TOPICS))])
    await target.answer(
        texts("rq-faq-title", topic=topic_name(texts, config, topic.id)),
        reply_markup=inline(texts, *rows),
    )


async def start_form(
    target: Message,
    texts: Texts,
    config: Config,
    person: PersonView,
    state: FSMContext,
    index: int,
    activity: ActivityNote,
) -> None:
    topic = config.consultations.topics[index]
    activity.kind = request_kind(config, topic.id)
    activity.content = topic.name
    if person.consent != Consent.GIVEN:
        activity.status = "needs consent"
        await target.answer(texts("rq-need-consent"))
        await ask_consent(target, texts, config)
        return
    activity.status = "form started"
    await state.set_state(ConsultForm.answering)
    await state.set_data({"topic": topic.id, "step": 0, "answers": {}, "files": []})
    await target.answer(
        texts(
            "rq-ask-question",
            topic=topic_name(texts, config, topic.id),
            files=config.consultations.max_attachments,
            mb=int(config.consultations.max_attachment_mb),
        ),
        reply_markup=_abort_only(texts),
    )


def _abort_only(texts: Texts, *rows: list[InlineKeyboardButton]) -> Any:
    return inline(texts, *rows, [button(texts("rq-abort"), _cb(RequestAction.ABORT))])


async def ask_step(
    target: Message, texts: Texts, db: Database, person: PersonView, step: str
) -> None:
    saved = await people.details(db, person.id)
    rows: list[list[InlineKeyboardButton]] = []
    if step == "name":
        prompt = texts("rq-ask-name")
        if saved.name:
            rows.append([button(texts("rq-same", value=saved.name[:40]), _cb(RequestAction.SAVED))])
    elif step == "org":
        prompt = texts("rq-ask-org")
        if saved.organisation:
            rows.append(
                [button(texts("rq-same", value=saved.organisation[:40]), _cb(RequestAction.SAVED))]
            )
        rows.append([button(texts("rq-private"), _cb(RequestAction.PRIVATE))])
    elif step == "contact":
        prompt = texts("rq-ask-contact")
        rows.append([button(texts("rq-in-chat"), _cb(RequestAction.IN_CHAT))])
        if saved.contact:
            rows.append(
                [button(texts("rq-same", value=saved.contact[:40]), _cb(RequestAction.SAVED))]
            )
    else:
        prompt = texts("rq-ask-when")
        presets = [
            button(texts(f"rq-when-{name}"), _cb(RequestAction.WHEN, value=i))
            for i, name in enumerate(CONTACT_TIMES)
        ]
        rows += [presets[:2], presets[2:]]
    await target.answer(prompt, reply_markup=_abort_only(texts, *rows))


def check_answer(step: str, text: str) -> tuple[str | None, str | None]:
    """(the value to keep, or None) and the text key explaining what is wrong."""
    if step == "question":
        text = text.strip()
        if len(text) < MIN_QUESTION:
            return None, "rq-bad-question"
        if len(text) > QUESTION_LIMIT:
            return None, "rq-question-too-long"
        return text, None
    text = " ".join(text.split())
    if step == "name":
        return (text, None) if 2 <= len(text) <= 200 else (None, "rq-bad-name")
    if step == "org":
        return (text, None) if 1 <= len(text) <= 300 else (None, "rq-bad-org")
    if step == "contact":
        contact = clean_contact(text)
        return (contact, None) if contact else (None, "rq-bad-contact")
    return (text, None) if 1 <= len(text) <= 200 else (None, "rq-bad-when")


async def advance(
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    value: str | None,
) -> None:
    data = await state.get_data()
    index = int(data.get("step", 0))
    if index >= len(STEPS):
        await state.clear()
        return
    answers: dict[str, str | None] = dict(data.get("answers", {}))
    answers[STEPS[index]] = value
    index += 1
    if index < len(STEPS):
        await state.update_data(step=index, answers=answers)
        await ask_step(target, texts, db, person, STEPS[index])
        return
    await state.clear()
    await submit(target, texts, locales, config, db, person, data, answers, activity)


async def submit(
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    data: dict[str, Any],
    answers: dict[str, str | None],
    activity: ActivityNote,
) -> None:
    topic = config.consultations.topic(str(data.get("topic")))
    if topic is None:  # the topic left the config while the form was open
        await target.answer(texts("rq-topic-gone"), reply_markup=inline(texts))
        return
    files = [Attachment(**f) for f in data.get("files", [])]
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
    await people.remember_details(
        db,
        person.id,
        name=answers.get("name"),
        organisation=answers.get("org")
        if answers.get("org") != texts("rq-private-value")
        else None,
        contact=answers.get("contact"),
    )
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
    await target.answer(
        "\n".join(lines),
        reply_markup=inline(texts, [button(texts("rq-mine"), _cb(RequestAction.MINE))]),
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


def build_router(locales: Locales) -> Router:
    """The menu entry (navigation: it abandons a half-filled form)."""
    router = Router(name=__name__)

    @router.message(Command("consult"))
    @router.message(MenuButton(locales, "menu-consultation"))
    async def consultation_menu(
        message: Message, texts: Texts, config: Config, activity: ActivityNote
    ) -> None:
        activity.kind = ActivityKind.MENU
        activity.status = "consultation"
        await show_topics(message, texts, config)

    return router


def build_form_router() -> Router:
    router = Router(name=f"{__name__}.form")
    form_actions = {
        RequestAction.TOPICS,
        RequestAction.TOPIC,
        RequestAction.FAQ,
        RequestAction.ASK,
        RequestAction.SAVED,
        RequestAction.PRIVATE,
        RequestAction.IN_CHAT,
        RequestAction.WHEN,
        RequestAction.ABORT,
    }

    @router.message(ConsultForm.answering, F.text)
    async def answered(
        message: Message,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        data = await state.get_data()
        step = STEPS[min(int(data.get("step", 0)), len(STEPS) - 1)]
        activity.kind = request_kind(config, str(data.get("topic")))
        activity.status = f"form: {step}"
        if step == "question":
            activity.content = None  # the question is logged once, with the request
        value, problem = check_answer(step, message.text or "")
        if problem:
            activity.status = f"form: bad {step}"
            await message.answer(texts(problem, limit=QUESTION_LIMIT))
            return
        await advance(message, texts, locales, config, db, person, state, activity, value)

    @router.message(ConsultForm.answering, F.document | F.photo)
    async def attached(
        message: Message,
        texts: Texts,
        locales: Locales,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        data = await state.get_data()
        activity.kind = request_kind(config, str(data.get("topic")))
        attachment = attachment_of(message, person.platform)
        assert attachment is not None
        files = list(data.get("files", []))
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
        step = STEPS[min(int(data.get("step", 0)), len(STEPS) - 1)]
        await message.answer(texts("rq-file-added", count=len(files)))
        if step == "question":
            # A caption can be the question itself.
            question, _ = check_answer("question", message.caption or "")
            if question is not None:
                await advance(
                    message, texts, locales, config, db, person, state, activity, question
                )
            else:
                await message.answer(texts("rq-now-question"))
        else:
            await ask_step(message, texts, db, person, step)

    @router.message(ConsultForm.answering)
    async def unsupported(message: Message, texts: Texts, activity: ActivityNote) -> None:
        activity.status = "form: unsupported message"
        await message.answer(texts("rq-send-text"))

    @router.callback_query(RequestCb.filter(F.action.in_(form_actions)))
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
        await query.answer()
        if target is None:
            return
        action, topics = callback_data.action, config.consultations.topics
        activity.kind = ActivityKind.MENU
        if action is RequestAction.TOPICS:
            await state.clear()
            await show_topics(target, texts, config)
        elif action in (RequestAction.TOPIC, RequestAction.ASK):
            if callback_data.value >= len(topics):
                activity.status = "stale topic"
                await show_topics(target, texts, config)
                return
            activity.kind = request_kind(config, topics[callback_data.value].id)
            activity.content = topics[callback_data.value].name
            if action is RequestAction.TOPIC:
                activity.status = "faq"
                await show_faq(
                    target, texts, config, db, person, state, callback_data.value, activity
                )
            else:
                await start_form(
                    target, texts, config, person, state, callback_data.value, activity
                )
        elif action is RequestAction.FAQ:
            entry = await directory.faq_entry(db, callback_data.id)
            if entry is None or config.consultations.topic(entry.topic) is None:
                activity.status = "stale faq"
                await show_topics(target, texts, config)
                return
            index = [t.id for t in topics].index(entry.topic)
            activity.kind = request_kind(config, entry.topic)
            activity.content = entry.question
            activity.status = "faq answer"
            await target.answer(
                texts("rq-faq-answer", question=entry.question, answer=entry.answer),
                reply_markup=inline(
                    texts,
                    [button(texts("rq-ask"), _cb(RequestAction.ASK, value=index))],
                    [button(texts("rq-faq-back"), _cb(RequestAction.TOPIC, value=index))],
                ),
            )
        elif action is RequestAction.ABORT:
            await state.clear()
            activity.status = "form abandoned"
            await target.answer(texts("rq-aborted"), reply_markup=inline(texts))
        else:
            await _form_button(
                target, texts, locales, config, db, person, state, activity, callback_data
            )

    return router


async def _form_button(
    target: Message,
    texts: Texts,
    locales: Locales,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    data: RequestCb,
) -> None:
    """«как в прошлый раз», «Частное лицо», «Ответить в чате», a contact time preset —
    only for the step the form is at; an old button from an earlier form does nothing."""
    if await state.get_state() != ConsultForm.answering.state:
        activity.status = "stale form button"
        await target.answer(texts("rq-form-expired"), reply_markup=inline(texts))
        return
    form = await state.get_data()
    step = STEPS[min(int(form.get("step", 0)), len(STEPS) - 1)]
    activity.kind = request_kind(config, str(form.get("topic")))
    saved = await people.details(db, person.id)
    value: str | None = None
    if data.action is RequestAction.SAVED and step in ("name", "org", "contact"):
        value = {"name": saved.name, "org": saved.organisation, "contact": saved.contact}[step]
    elif data.action is RequestAction.PRIVATE and step == "org":
        value = texts("rq-private-value")
    elif data.action is RequestAction.IN_CHAT and step == "contact":
        await advance(target, texts, locales, config, db, person, state, activity, None)
        return
    elif data.action is RequestAction.WHEN and step == "when" and data.value < len(CONTACT_TIMES):
        value = texts(f"rq-when-{CONTACT_TIMES[data.value]}")
    if value is None:
        activity.status = "stale form button"
        if step == "question":
            await target.answer(texts("rq-now-question"))
        else:
            await ask_step(target, texts, db, person, step)
        return
    await advance(target, texts, locales, config, db, person, state, activity, value)
