"""Messages about consultation requests that go through the outbox: the new request to the
staff chat, the copy for the expert, answers and closing to the requester (in their own
messenger), the requester's additions to whoever works on it, reminders about requests
nobody took and about agreed meetings.

Every message to the staff chat names the request's thread ("request:12"): a staff
member's reply to any of them there is an answer to that request, and the messages after
the card are shown under it. A question to a librarian (the built-in topic of `[librarian]`)
lives in the staff chat: the reader's additions go there, the answer they get invites them
to write on, and one reminder comes when nobody answered within the working minutes set.

Each has a dedupe key, so a retried step or a sweep running in two processes sends it once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from aiogram.types import InlineKeyboardButton

from bot.kernel.config import LIBRARIAN_TOPIC, Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.opening_hours import add_working_days, working_day_minutes
from broadcasts.views.callbacks import (
    DeskAction,
    DeskCb,
    FrontAction,
    FrontCb,
    Nav,
    RequestAction,
    RequestCb,
    Screen,
)
from broadcasts.views.keyboards import button
from broadcasts.views.request_view import desk_card, desk_rows, moment, rating_row, topic_name
from storage import outbox, people
from storage.consultations import appointments
from storage.consultations import requests as desk
from storage.consultations.requests import RequestView
from storage.db import Database
from storage.outbox import Notice, request_thread
from storage.types import utcnow

STAFF_LANGUAGE = "ru"
KEEP = timedelta(days=7)  # a notice not delivered within a week has lost its point


def _buttons(rows: list[list[InlineKeyboardButton]]) -> list[dict[str, str]]:
    return [{"text": b.text, "callback_data": b.callback_data or ""} for row in rows for b in row]


def is_librarian(request: RequestView) -> bool:
    """A question a reader typed for a librarian (not a consultation of a listed topic)."""
    return request.topic == LIBRARIAN_TOPIC.id


def to_faq_row(texts: Texts, request: RequestView) -> list[InlineKeyboardButton]:
    """«➕ В частые вопросы»: a librarian's answer becomes a library FAQ entry."""
    data = DeskCb(action=DeskAction.TO_FAQ, id=request.id).pack()
    return [button(texts("lib-to-faq"), data)]


def card_lead(request: RequestView) -> str:
    """The line above a new request's card in the staff chat (a question to a librarian:
    how to answer it, and how to leave a note for colleagues instead)."""
    return "lib-desk-card" if is_librarian(request) else "desk-new"


def card_text(
    texts: Texts,
    config: Config,
    request: RequestView,
    lead: str,
    args: dict[str, str | int] | None = None,
) -> str:
    """A request's card with the line above it: as posted, and as edited later (the line
    saying how to answer stays)."""
    return (
        texts(lead, number=request.id, **(args or {})) + "\n\n" + desk_card(texts, config, request)
    )


def staff_chat_notice(
    locales: Locales,
    config: Config,
    request: RequestView,
    *,
    purpose: str,
    lead: str,
    key: str = "",
    args: dict[str, str | int] | None = None,
    answered: bool = False,
) -> Notice | None:
    """The request's card, with every staff button, in the staff chat (a librarian's
    question answered already: with «➕ В частые вопросы» too)."""
    if config.staff.chat_id is None:
        return None
    texts = locales.texts(STAFF_LANGUAGE)
    rows = desk_rows(texts, request)
    if answered and is_librarian(request):
        rows.append(to_faq_row(texts, request))
    return Notice(
        platform=config.staff.chat_messenger,
        chat_id=str(config.staff.chat_id),
        person_id=None,
        text=card_text(texts, config, request, lead, args),
        purpose=purpose,
        dedupe_key=f"{purpose}:{request.id}" + (f":chat:{key}" if key else ""),
        expires_at=utcnow() + KEEP,
        buttons=_buttons(rows),
        about_person_id=request.person_id,
        thread=request_thread(request.id),
    )


def staff_chat_line(
    locales: Locales,
    config: Config,
    request: RequestView,
    *,
    purpose: str,
    lead: str,
    key: str,
    args: dict[str, str | int] | None = None,
    rows: list[list[InlineKeyboardButton]] | None = None,
) -> Notice | None:
    """A line about the request in the staff chat, in its thread (under its card): what
    the reader added, a reminder. Replying to it answers the request like the card does."""
    if config.staff.chat_id is None:
        return None
    texts = locales.texts(STAFF_LANGUAGE)
    return Notice(
        platform=config.staff.chat_messenger,
        chat_id=str(config.staff.chat_id),
        person_id=None,
        text=texts(lead, number=request.id, **(args or {})),
        purpose=purpose,
        dedupe_key=f"{purpose}:{request.id}:chat:{key}",
        expires_at=utcnow() + KEEP,
        buttons=_buttons(rows or []),
        about_person_id=request.person_id,
        thread=request_thread(request.id),
    )


async def announce_new(
    db: Database, locales: Locales, config: Config, request: RequestView
) -> bool:
    lead = card_lead(request)
    notice = staff_chat_notice(locales, config, request, purpose="request_new", lead=lead)
    return bool(notice and await outbox.enqueue(db, [notice]))


async def tell_expert(db: Database, locales: Locales, config: Config, request: RequestView) -> bool:
    """An expert who uses the bot gets the request with their buttons."""
    if request.expert_person_id is None:
        return False
    expert = await people.get(db, request.expert_person_id)
    if expert is None:
        return False
    texts = locales.texts(expert.language)
    stamp = (request.forwarded_at or utcnow()).isoformat()
    notice = Notice(
        platform=expert.platform,
        chat_id=expert.platform_user_id,
        person_id=expert.id,
        text=texts("desk-for-expert") + "\n\n" + desk_card(texts, config, request),
        purpose="request_expert",
        dedupe_key=f"request_expert:{request.id}:{request.expert_id}:{stamp}",
        expires_at=utcnow() + KEEP,
        buttons=_buttons(desk_rows(texts, request, expert=True)),
        about_person_id=request.person_id,
    )
    return bool(await outbox.enqueue(db, [notice]))


def _requester_notice(
    locales: Locales,
    request: RequestView,
    text: str,
    *,
    purpose: str,
    key: str,
    buttons: list[dict[str, str]],
) -> Notice | None:
    if request.chat_id is None:
        return None  # the requester used /forget
    return Notice(
        platform=request.platform,
        chat_id=request.chat_id,
        person_id=request.person_id,
        text=text,
        purpose=purpose,
        dedupe_key=f"{purpose}:{request.id}:{key}",
        expires_at=utcnow() + KEEP,
        buttons=buttons,
    )


def _mine(texts: Texts, request: RequestView) -> dict[str, str]:
    return {
        "text": texts("rq-open-request", number=request.id),
        "callback_data": RequestCb(action=RequestAction.SHOW, id=request.id).pack(),
    }


def _menu(texts: Texts) -> dict[str, str]:
    return {"text": texts("menu-back"), "callback_data": Nav(to=Screen.MENU).pack()}


def _librarian_answer(
    locales: Locales, request: RequestView, answer: str, stamp: str
) -> Notice | None:
    """A librarian's answer: the conversation goes on by simply writing; «Вопрос решён»
    ends it."""
    texts = locales.texts(request.language)
    solved = FrontCb(action=FrontAction.CLOSE, query_id=request.id).pack()
    buttons = [{"text": texts("lib-solved"), "callback_data": solved}, _menu(texts)]
    text = texts("lib-answer", number=request.id, text=answer)
    return _requester_notice(
        locales, request, text, purpose="request_answer", key=stamp, buttons=buttons
    )


async def send_answer(
    db: Database, locales: Locales, config: Config, request: RequestView, answer: str, stamp: str
) -> bool:
    if is_librarian(request):
        told = _librarian_answer(locales, request, answer, stamp)
        return bool(told and await outbox.enqueue(db, [told]))
    texts = locales.texts(request.language)
    text = texts(
        "rq-answer",
        number=request.id,
        topic=topic_name(texts, config, request.topic),
        text=answer,
    )
    buttons = [
        {
            "text": texts("rq-add"),
            "callback_data": RequestCb(action=RequestAction.ADD, id=request.id).pack(),
        },
        {
            "text": texts("rq-solved"),
            "callback_data": RequestCb(action=RequestAction.SOLVED, id=request.id).pack(),
        },
        _mine(texts, request),
    ]
    notice = _requester_notice(
        locales, request, text, purpose="request_answer", key=stamp, buttons=buttons
    )
    return bool(notice and await outbox.enqueue(db, [notice]))


async def send_closed(db: Database, locales: Locales, config: Config, request: RequestView) -> bool:
    """Closing news, with the 1–5 rating when the help is over."""
    texts = locales.texts(request.language)
    asked = request.rating is None and config.ratings.asks_about(request.topic)
    text = texts(
        "rq-closed",
        number=request.id,
        status=request.status.value,
        result=request.result or "none",
        rate="yes" if asked else "no",
    )
    buttons = []
    if asked:
        buttons = [
            {"text": b.text, "callback_data": b.callback_data or ""} for b in rating_row(request.id)
        ]
    buttons.append(_mine(texts, request))
    notice = _requester_notice(
        locales, request, text, purpose="request_closed", key="closed", buttons=buttons
    )
    return bool(notice and await outbox.enqueue(db, [notice]))


async def send_slots(
    db: Database, locales: Locales, config: Config, request: RequestView, stamp: str
) -> bool:
    texts = locales.texts(request.language)
    offered = [s for s in await appointments.slots(db, request.id) if s.status == "offered"]
    if not offered:
        return False
    buttons = [
        {
            "text": texts("rq-slot-button", at=moment(config, s.starts_at)),
            "callback_data": RequestCb(action=RequestAction.SLOT, id=s.id).pack(),
        }
        for s in offered
    ]
    buttons.append(
        {
            "text": texts("rq-no-slot"),
            "callback_data": RequestCb(action=RequestAction.NO_SLOT, id=request.id).pack(),
        }
    )
    places = {s.place for s in offered if s.place}
    text = texts(
        "rq-slots-offered",
        number=request.id,
        place=", ".join(sorted(places)) or "none",
    )
    notice = _requester_notice(
        locales, request, text, purpose="request_slots", key=stamp, buttons=buttons
    )
    return bool(notice and await outbox.enqueue(db, [notice]))


async def tell_workers(
    db: Database,
    locales: Locales,
    config: Config,
    request: RequestView,
    *,
    lead: str,
    stamp: str,
    args: dict[str, str | int] | None = None,
) -> int:
    """News from the requester (more details, a chosen time, a withdrawal) for whoever
    works on the request: the expert and the responsible staff member, or the staff chat
    when nobody has it yet. A question to a librarian is talked over in the staff chat:
    the news goes there, under its card (and to the expert it was passed to)."""
    if is_librarian(request):
        return await _tell_librarians(db, locales, config, request, lead, stamp, args)
    targets = {i for i in (request.expert_person_id, request.responsible_id) if i is not None}
    notices = []
    for person_id in sorted(targets):
        person = await people.get(db, person_id)
        if person is None:
            continue
        texts = locales.texts(person.language)
        expert = person_id == request.expert_person_id and person_id != request.responsible_id
        notices.append(
            Notice(
                platform=person.platform,
                chat_id=person.platform_user_id,
                person_id=person.id,
                text=texts(lead, number=request.id, **(args or {}))
                + "\n\n"
                + desk_card(texts, config, request),
                purpose="request_news",
                dedupe_key=f"request_news:{request.id}:{person_id}:{stamp}",
                expires_at=utcnow() + KEEP,
                buttons=_buttons(desk_rows(texts, request, expert=expert)),
                about_person_id=request.person_id,
            )
        )
    if not notices:
        notice = staff_chat_notice(
            locales, config, request, purpose="request_news", lead=lead, key=stamp, args=args
        )
        if notice is not None:
            notices.append(notice)
    return await outbox.enqueue(db, notices)


async def _tell_librarians(
    db: Database,
    locales: Locales,
    config: Config,
    request: RequestView,
    lead: str,
    stamp: str,
    args: dict[str, str | int] | None,
) -> int:
    notices = []
    line = staff_chat_line(
        locales, config, request, purpose="request_news", lead=lead, key=stamp, args=args
    )
    if line is not None:
        notices.append(line)
    expert = await people.get(db, request.expert_person_id) if request.expert_person_id else None
    if expert is not None:
        texts = locales.texts(expert.language)
        notices.append(
            Notice(
                platform=expert.platform,
                chat_id=expert.platform_user_id,
                person_id=expert.id,
                text=texts(lead, number=request.id, **(args or {}))
                + "\n\n"
                + desk_card(texts, config, request),
                purpose="request_news",
                dedupe_key=f"request_news:{request.id}:{expert.id}:{stamp}",
                expires_at=utcnow() + KEEP,
                buttons=_buttons(desk_rows(texts, request, expert=True)),
                about_person_id=request.person_id,
            )
        )
    return await outbox.enqueue(db, notices)


def answer_expected(config: Config, received_at: datetime) -> datetime:
    """When the library promises to have looked at a request: N working days later."""
    local = received_at.astimezone(config.library.zone)
    days = config.consultations.remind_unclaimed_after_days or 1
    return add_working_days(config.consultations.hours, local, days)


def librarian_due(config: Config, received_at: datetime) -> datetime | None:
    """When an unanswered question to a librarian reminds the staff chat: `[librarian]
    remind_after_minutes` of working time (`[consultations] hours`) after it came; None:
    never."""
    minutes = config.librarian.remind_after_minutes
    if not minutes:
        return None
    hours = config.consultations.hours
    local = received_at.astimezone(config.library.zone)
    day = working_day_minutes(hours)
    if not day:  # no working hours set: plain minutes
        return local + timedelta(minutes=minutes)
    return add_working_days(hours, local, minutes / day)


async def sweep_librarian(db: Database, locales: Locales, config: Config, *, now: datetime) -> int:
    """Remind the staff chat, once, of each question to a librarian nobody answered in
    time: a line under its card."""
    if config.staff.chat_id is None or not config.librarian.remind_after_minutes:
        return 0
    texts = locales.texts(STAFF_LANGUAGE)
    reminded = 0
    for request in await desk.unanswered(db, LIBRARIAN_TOPIC.id):
        due = librarian_due(config, request.received_at)
        if due is None or due > now:
            continue
        if not await desk.mark_reminded(db, request.id):
            continue  # another process did it
        reply = DeskCb(action=DeskAction.REPLY, id=request.id).pack()
        notice = staff_chat_line(
            locales,
            config,
            request,
            purpose="librarian_reminder",
            lead="lib-desk-reminder",
            key="once",
            args={"minutes": config.librarian.remind_after_minutes},
            rows=[[button(texts("desk-reply"), reply)]],
        )
        if notice is not None:
            reminded += await outbox.enqueue(db, [notice])
    return reminded


async def sweep_unclaimed(db: Database, locales: Locales, config: Config, *, now: datetime) -> int:
    """Remind the staff chat, once, of each request nobody took within the promised time
    (questions to a librarian: of each nobody answered, `sweep_librarian`)."""
    reminded = await sweep_librarian(db, locales, config, now=now)
    days = config.consultations.remind_unclaimed_after_days
    if not days or config.staff.chat_id is None:
        return reminded
    for request in await desk.unclaimed(db, besides=(LIBRARIAN_TOPIC.id,)):
        deadline = add_working_days(
            config.consultations.hours, request.received_at.astimezone(config.library.zone), days
        )
        if deadline > now:
            continue
        if not await desk.mark_reminded(db, request.id):
            continue  # another process did it
        notice = staff_chat_notice(
            locales, config, request, purpose="request_unclaimed", lead="desk-unclaimed"
        )
        if notice is not None:
            reminded += await outbox.enqueue(db, [notice])
    return reminded


async def sweep_appointments(
    db: Database, locales: Locales, config: Config, *, now: datetime
) -> int:
    """Reminders before an agreed meeting, to the requester and to the specialist: the
    nearest of the configured lead times that has come (one per lead time), never at night."""
    leads = sorted(config.consultations.appointment_reminders_hours)
    if not leads or config.notifications.is_quiet(now.astimezone(config.library.zone).time()):
        return 0
    notices = []
    for item in await appointments.upcoming(db, now, now + timedelta(hours=leads[-1])):
        left = item.slot.starts_at - now
        lead = next(h for h in leads if left <= timedelta(hours=h))
        for who, side in (("requester", item.requester), ("specialist", item.specialist)):
            if side is None:
                continue
            texts = locales.texts(side.language)
            notices.append(
                Notice(
                    platform=side.platform,
                    chat_id=side.chat_id,
                    person_id=side.person_id,
                    text=texts(
                        f"rq-meeting-reminder-{who}",
                        number=item.request_id,
                        topic=topic_name(texts, config, item.topic),
                        at=moment(config, item.slot.starts_at),
                        place=item.slot.place or "none",
                    ),
                    purpose="request_meeting",
                    dedupe_key=f"request_meeting:{item.slot.id}:{lead}:{who}",
                    expires_at=item.slot.starts_at,
                )
            )
    return await outbox.enqueue(db, notices)
