"""«Гранты»: the grants calendar for readers and NKO members — contests open now, closing
soon, by topic; a contest's card with its link; following topics for deadline reminders;
«Готовлю заявку», which records the organisation's application and offers an expertise
consultation tied to the contest; the member's own result when asked after the results date.

Reached by /grants, by a typed «гранты» or «конкурсы» (`typed_routes`, tried just before the
front door so a form's answer is never taken for it), and from the reminders' buttons.
What a contest or an application may be is storage's (`storage.grants`); here it is drawn.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import F
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts, as_plain
from broadcasts.consultation_notices import announce_new
from broadcasts.views.grant_view import (
    RESULT_ANSWERS,
    GrantAction,
    GrantCb,
    GrantTopicCb,
    card,
    cb,
    deadline,
    line,
    link_button,
    topic_cb,
    topic_of,
)
from broadcasts.views.keyboards import button, inline
from handlers import forms
from handlers.common import ask_consent
from handlers.forms import AtStep, Filling, Form, Offer, Pressed, Shown, Step, Words
from handlers.routes import Routes
from storage import people
from storage.activity import ActivityNote
from storage.consultations import requests as desk
from storage.db import Database
from storage.grants import applications, contests, subscriptions
from storage.grants.applications import ApplicationView, Moved
from storage.grants.contests import CLOSING_SOON, ContestView
from storage.grants.subscriptions import EVERY
from storage.models import ActivityKind, Consent
from storage.people import PersonView

routes = Routes(__name__)  # /grants and the calendar's buttons
form_routes = Routes(f"{__name__}.form")  # the organisation's name after «Готовлю заявку»
typed_routes = Routes(f"{__name__}.typed")  # a typed «гранты», just before the front door

SHOWN = 20  # contests in one list
# How long before the deadline the expert is asked to have looked at the application.
EXPERTISE_LEAD = timedelta(days=7)
# The organisation step's buttons: the remembered name, «Пропустить» (MINE with n: no list).
SAME = cb(GrantAction.MINE, n=1)
ABORT = cb(GrantAction.MINE, n=2)


class GrantForm(StatesGroup):
    organisation = State()


ORGANISATION_STEP = Step(
    "organisation",
    "grants-ask-organisation",
    Words("grants-bad-organisation", 2, applications.ORGANISATION_LIMIT),
    remembered="organisation",
    rows=(Offer.SAME,),  # the way out under it is «Пропустить»
)


async def _load(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[int, tuple[Step, ...]] | None:
    application = int(data.get("application", 0))
    return (application, (ORGANISATION_STEP,)) if application else None


ORGANISATION: Form[int] = Form(
    state=GrantForm.organisation,
    load=_load,
    same="grants-same",
    same_data=SAME,
    abort="grants-skip",
    abort_data=ABORT,
    aborted="grants-org-skipped",
    send_text="grants-send-text",
)


def _now() -> datetime:
    return datetime.now(UTC)


def _back(texts: Texts) -> list[InlineKeyboardButton]:
    return [button(texts("grants-back"), cb(GrantAction.OPEN))]


# --- the calendar -------------------------------------------------------------------------


async def show_calendar(target: Message, texts: Texts, db: Database) -> None:
    now = _now()
    open_now = await contests.open_now(db, now)
    soon = await contests.listed(db, now, within=CLOSING_SOON)
    rows = [
        [button(texts("grants-now", count=len(open_now)), cb(GrantAction.NOW))],
        [button(texts("grants-soon", count=len(soon)), cb(GrantAction.SOON))],
        [button(texts("grants-topics"), cb(GrantAction.TOPICS))],
        [button(texts("grants-mine"), cb(GrantAction.MINE))],
    ]
    await target.answer(texts("grants-intro"), reply_markup=inline(texts, *rows))


@routes.message(Command("grants"))
async def calendar_command(
    message: Message, texts: Texts, db: Database, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    activity.status = "grants calendar"
    await show_calendar(message, texts, db)


@typed_routes.message(F.text.regexp(contests.CALENDAR_CUE))
async def calendar_typed(
    message: Message, texts: Texts, db: Database, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    activity.status = "grants calendar (typed)"
    await show_calendar(message, texts, db)


@routes.callback_query(GrantCb.filter(F.action == GrantAction.OPEN), Shown())
async def calendar(
    query: CallbackQuery, target: Message, texts: Texts, db: Database, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await show_calendar(target, texts, db)


async def _list(
    target: Message, texts: Texts, config: Config, found: list[ContestView], title: str
) -> None:
    if not found:
        await target.answer(texts("grants-none"), reply_markup=inline(texts, _back(texts)))
        return
    zone = config.library.timezone
    rows = [[button(line(c, zone), cb(GrantAction.CARD, c.id))] for c in found[:SHOWN]]
    await target.answer(title, reply_markup=inline(texts, *rows, _back(texts)))


@routes.callback_query(GrantCb.filter(F.action == GrantAction.NOW), Shown())
async def now_open(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await _list(
        target, texts, config, await contests.open_now(db, _now()), texts("grants-now-title")
    )


@routes.callback_query(GrantCb.filter(F.action == GrantAction.SOON), Shown())
async def closing_soon(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    found = await contests.listed(db, _now(), within=CLOSING_SOON)
    await _list(target, texts, config, found, texts("grants-soon-title"))


async def _topics_screen(target: Message, texts: Texts, db: Database, person: PersonView) -> None:
    tags = await contests.tags(db, _now())
    followed = await subscriptions.of(db, person.id)

    def bell(tag: str) -> str:
        return "🔔" if tag in followed else "🔕"

    rows = [
        [
            button(tag, topic_cb(GrantAction.TOPIC, tag)),
            button(f"{bell(tag)}", topic_cb(GrantAction.FOLLOW, tag)),
        ]
        for tag in tags[:40]
    ]
    rows.append(
        [
            button(
                f"{bell(EVERY)} {texts('grants-follow-every')}", topic_cb(GrantAction.FOLLOW, None)
            )
        ]
    )
    await target.answer(
        texts("grants-topics-title"), reply_markup=inline(texts, *rows, _back(texts))
    )


@routes.callback_query(GrantCb.filter(F.action == GrantAction.TOPICS), Shown())
async def topics(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    await _topics_screen(target, texts, db, person)


@routes.callback_query(GrantCb.filter(F.action.in_({GrantAction.TOPIC, GrantAction.FOLLOW})))
async def topic_by_place(query: CallbackQuery, texts: Texts) -> None:
    """A topic button drawn before topics were named by key: its place may name another."""
    await query.answer(texts("grants-stale"))


@routes.callback_query(GrantTopicCb.filter(F.action == GrantAction.TOPIC), Shown())
async def by_topic(
    query: CallbackQuery,
    callback_data: GrantTopicCb,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    tag = topic_of(callback_data.topic, await contests.tags(db, _now()))
    if tag is None:  # no contest on the calendar has it any more
        await target.answer(texts("grants-none"), reply_markup=inline(texts, _back(texts)))
        return
    found = await contests.listed(db, _now(), tag=tag)
    await _list(target, texts, config, found, texts("grants-topic-title", topic=tag))


@routes.callback_query(GrantTopicCb.filter(F.action == GrantAction.FOLLOW), Shown())
async def follow(
    query: CallbackQuery,
    callback_data: GrantTopicCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.SUBSCRIPTION
    if callback_data.topic:
        tag = topic_of(callback_data.topic, await contests.tags(db, _now()))
        if tag is None:  # gone from the calendar since the screen was drawn
            await query.answer(texts("grants-stale"))
            return
    else:
        tag = EVERY
    now_following = await subscriptions.toggle(db, person.id, tag)
    activity.status = "subscribed" if now_following else "unsubscribed"
    activity.content = f"grants: {tag}"
    shown = texts("grants-follow-every") if tag == EVERY else tag
    key = "grants-followed" if now_following else "grants-unfollowed"
    await query.answer(texts(key, topic=shown))
    await _topics_screen(target, texts, db, person)


# --- a contest ----------------------------------------------------------------------------


async def show_card(
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    contest: ContestView,
    person: PersonView,
) -> None:
    now = _now()
    rows = []
    link = link_button(texts, contest)
    if link is not None:
        rows.append([link])
    if contest.is_open(now) or (not contest.closed and contest.draft.deadline > now):
        rows.append([button(texts("grants-prepare"), cb(GrantAction.PREPARE, contest.id))])
    if not contest.closed and contest.draft.deadline > now:
        watched = subscriptions.one(contest.id) in await subscriptions.of(db, person.id)
        key = "grants-unwatch" if watched else "grants-watch"
        rows.append([button(texts(key), cb(GrantAction.WATCH, contest.id))])
    rows.append(_back(texts))
    text = card(texts, contest, config.library.timezone, now)
    await target.answer(text, reply_markup=inline(texts, *rows))


@routes.callback_query(GrantCb.filter(F.action == GrantAction.CARD), Shown())
async def contest_card(
    query: CallbackQuery,
    callback_data: GrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    contest = await contests.get(db, callback_data.id)
    if contest is None:
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    activity.content = f"№ {contest.id} {contest.name}"
    await show_card(target, texts, db, config, contest, person)


@routes.callback_query(GrantCb.filter(F.action == GrantAction.WATCH), Shown())
async def watch(
    query: CallbackQuery,
    callback_data: GrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«🔔 Напомнить о сроке»: this contest's deadline, whatever its topics (again: stop)."""
    contest = await contests.get(db, callback_data.id)
    if contest is None or contest.closed:
        await query.answer(texts("grants-stale"))
        return
    now_following = await subscriptions.toggle(db, person.id, subscriptions.one(contest.id))
    activity.kind = ActivityKind.SUBSCRIPTION
    activity.status = "subscribed" if now_following else "unsubscribed"
    activity.content = f"grants: {subscriptions.one(contest.id)}"
    await query.answer(texts("grants-watched" if now_following else "grants-unwatched"))
    await show_card(target, texts, db, config, contest, person)


async def _offer_expertise(
    target: Message, texts: Texts, application: ApplicationView, contest: ContestView
) -> None:
    rows = []
    if application.request_id is None:
        rows.append(
            [button(texts("grants-want-expertise"), cb(GrantAction.EXPERT, application.id))]
        )
    rows.append([button(texts("grants-mine"), cb(GrantAction.MINE))])
    organisation = application.organisation or texts("grants-no-organisation")
    await target.answer(
        texts("grants-prepared", name=contest.name, organisation=organisation),
        reply_markup=inline(texts, *rows, _back(texts)),
    )


@routes.callback_query(GrantCb.filter(F.action == GrantAction.PREPARE), Shown())
async def prepare(
    query: CallbackQuery,
    callback_data: GrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Готовлю заявку»: the application is recorded at once, under the organisation the
    person gave before; without one, its name is asked (and may be skipped)."""
    contest = await contests.get(db, callback_data.id)
    if contest is None or contest.closed or contest.draft.deadline <= _now():
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    organisation = (await people.details(db, person.id)).organisation
    application, new = await applications.prepare(db, contest.id, person.id, organisation)
    activity.kind = ActivityKind.GRANT_APPLICATION
    activity.status = "grant application prepared" if new else "grant application again"
    activity.content = f"№ {contest.id} {contest.name}"
    activity.customer = application.organisation or None
    if new and not application.organisation:
        await forms.begin(
            target,
            texts,
            db,
            person,
            state,
            ORGANISATION,
            (ORGANISATION_STEP,),
            application=application.id,
            contest=contest.id,
        )
        return
    await _offer_expertise(target, texts, application, contest)


async def _named(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    filling: Filling[int],
    answers: forms.Answers,
) -> None:
    name = answers.get("organisation") or ""
    if name:
        await applications.name_organisation(db, filling.subject, person.id, name)
        await forms.remember(db, person, texts, filling.steps, answers)
    application = await applications.get(db, filling.subject)
    contest = await contests.get(db, int(filling.data.get("contest", 0)))
    if application is not None and contest is not None:
        await _offer_expertise(target, texts, application, contest)


@form_routes.message(F.text, AtStep(ORGANISATION))
async def organisation_typed(
    message: Message,
    filling: Filling[int],
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.GRANT_APPLICATION
    activity.status = "grant application organisation"
    taken = await forms.take(message, texts, db, person, state, filling, message.text or "")
    if isinstance(taken, dict):
        await _named(message, texts, db, person, filling, taken)


@form_routes.callback_query(Shown(), AtStep(ORGANISATION), Pressed())
async def organisation_pressed(
    query: CallbackQuery,
    target: Message,
    filling: Filling[int],
    value: str | None,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
) -> None:
    await query.answer()
    answers = await forms.advance(target, texts, db, person, state, filling, value)
    if answers is not None:
        await _named(target, texts, db, person, filling, answers)


@form_routes.callback_query(F.data == ABORT, Shown(), AtStep(ORGANISATION))
async def organisation_skipped(
    query: CallbackQuery,
    target: Message,
    filling: Filling[int],
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
) -> None:
    await query.answer()
    await state.clear()
    await _named(target, texts, db, person, filling, {})


@form_routes.message(AtStep(ORGANISATION))
async def organisation_not_text(
    message: Message, filling: Filling[int], texts: Texts, db: Database, person: PersonView
) -> None:
    await forms.want_text(message, texts, db, person, filling)


def wish_date(deadline_at: datetime, now: datetime) -> datetime:
    """When the expert should have looked: a week before the deadline, or as soon as may be
    (a day from now, never after the deadline's eve) when the deadline is near."""
    wish = deadline_at - EXPERTISE_LEAD
    soonest = now + timedelta(days=1)
    if wish < soonest:
        wish = min(soonest, deadline_at - timedelta(hours=12))
    return max(wish, now)


@routes.callback_query(GrantCb.filter(F.action == GrantAction.EXPERT), Shown())
async def expertise(
    query: CallbackQuery,
    callback_data: GrantCb,
    target: Message,
    texts: Texts,
    locales: Locales,
    db: Database,
    config: Config,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The expertise consultation: a request of the expertise topic, naming the contest and
    the date the expert is asked to answer by, linked to the application."""
    application = await applications.get(db, callback_data.id)
    if application is None or application.person_id != person.id:
        await query.answer(texts("grants-stale"))  # not theirs, or gone: nothing changes
        return
    await query.answer()
    if application.request_id is not None:
        await target.answer(texts("grants-expertise-already", number=application.request_id))
        return
    if person.consent is not Consent.GIVEN:
        await target.answer(texts("grants-consent-first"))
        await ask_consent(target, texts, config)
        return
    contest = await contests.get(db, application.contest_id)
    topic = next((t for t in config.consultations.topics if t.expertise), None)
    if contest is None or topic is None:
        await target.answer(texts("grants-expertise-unavailable"), reply_markup=inline(texts))
        return
    zone = config.library.timezone
    by = wish_date(contest.draft.deadline, _now()).astimezone(config.library.zone)
    details = await people.details(db, person.id)
    request = await desk.create(
        db,
        person_id=person.id,
        platform=person.platform,
        chat_id=person.platform_user_id,
        language=person.language,
        topic=topic.id,
        expertise=True,
        question=as_plain(  # stored as data, not markup: the card escapes it when shown
            texts(
                "grants-expertise-question",
                name=contest.name,
                operator=contest.draft.operator or "—",
                deadline=deadline(contest, zone),
                link=contest.draft.link or "—",
                by=f"{by:%d.%m.%Y}",
            )
        ),
        name=details.name or person.display_name,
        organisation=application.organisation or None,
        contact=details.contact,
        contact_time=as_plain(texts("grants-expertise-when", by=f"{by:%d.%m.%Y}")),
    )
    await applications.link_request(db, application.id, request.id)
    await announce_new(db, locales, config, request)
    activity.kind = ActivityKind.PROJECT_EXPERTISE
    activity.content = f"№{request.id} {topic.name}: {contest.name}"
    activity.customer = request.customer
    activity.status = "received"
    await target.answer(
        texts("grants-expertise-made", number=request.id, by=f"{by:%d.%m.%Y}", name=contest.name),
        reply_markup=inline(texts, [button(texts("grants-mine"), cb(GrantAction.MINE))]),
    )


# --- the member's applications and results -----------------------------------------------


@routes.callback_query(
    GrantCb.filter(F.action == GrantAction.MINE), F.data == cb(GrantAction.MINE), Shown()
)
async def mine(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    found = await applications.of_person(db, person.id)
    if not found:
        await target.answer(texts("grants-mine-none"), reply_markup=inline(texts, _back(texts)))
        return
    lines = [texts("grants-mine-title")]
    for item in found[:SHOWN]:
        lines.append(
            texts(
                "grants-mine-line",
                name=item.contest_name,
                status=texts(f"grants-status-{item.status.value}"),
            )
        )
    await target.answer("\n".join(lines), reply_markup=inline(texts, _back(texts)))


@routes.callback_query(GrantCb.filter(F.action == GrantAction.RESULT), Shown())
async def result(
    query: CallbackQuery,
    callback_data: GrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The member's answer to «Поддержана ли заявка?»: only on their own application, and
    only from готовится/подана (a decision staff recorded stays)."""
    application = await applications.get(db, callback_data.id)
    if (
        application is None
        or application.person_id != person.id
        or callback_data.n not in (1, 2, 3)
    ):
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    activity.kind = ActivityKind.GRANT_APPLICATION
    if callback_data.n == 3:
        activity.status = "grant result not yet known"
        await target.answer(texts("grants-result-later"), reply_markup=inline(texts))
        return
    moved = await applications.move(
        db, application.id, RESULT_ANSWERS[callback_data.n], by_member=True
    )
    activity.status = f"grant result: {RESULT_ANSWERS[callback_data.n].value} ({moved.value})"
    key = "grants-result-thanks" if moved in (Moved.DONE, Moved.SAME) else "grants-result-kept"
    await target.answer(texts(key), reply_markup=inline(texts))
