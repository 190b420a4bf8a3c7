"""Adding a contest to the grants calendar and changing one of its fields, on the form engine
(handlers/forms.py): adding asks the name, the operator (four offered as buttons, any other
typed), the deadline, then the link, the opening, the results date, the sums, who may apply
and the topics — each of those may be skipped. A change is one step. The checks are
storage's (`storage.grants.contests`), the same the file import uses; the contest is saved
only at the end.

A deadline is typed as the contest announces it: «31.03.2027 18:00», in the library's time
zone unless a zone follows («31.03.2027 18:00 Asia/Yekaterinburg»).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from aiogram import F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from handlers import forms
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.forms import AtStep, Choice, Filling, Form, Invalid, Offer, Pressed, Shown, Step
from handlers.routes import Routes
from handlers.staff_grants import FIELDS, StaffGrantAction, StaffGrantCb, scb, show_card
from storage.activity import ActivityNote
from storage.db import Database
from storage.grants import contests
from storage.grants.contests import ContestDraft, ContestView
from storage.models import Role
from storage.people import PersonView

routes = Routes(__name__)
routes.filter("message", HasRole(Role.STAFF))
routes.filter("callback_query", HasRole(Role.STAFF))

CANCEL = scb(StaffGrantAction.CANCEL)
SKIP = scb(StaffGrantAction.SKIP)


class ContestForm(StatesGroup):
    adding = State()
    editing = State()


def split_zone(text: str) -> tuple[str, str | None]:
    """«31.03.2027 18:00 Asia/Yekaterinburg» → the moment and the zone named after it."""
    words = text.split()
    if len(words) > 1 and "/" in words[-1]:
        return " ".join(words[:-1]), words[-1]
    return text, None


def _bad(exc: contests.Invalid) -> Invalid:
    return Invalid("staff-grants-bad", {"reason": str(exc)})


def _check(read: Callable[[str], object]) -> Callable[[str], str | Invalid]:
    """A typed answer checked by storage's reader, kept as typed (squeezed)."""

    def check(text: str) -> str | Invalid:
        try:
            read(text)
        except contests.Invalid as exc:
            return _bad(exc)
        return " ".join(text.split())

    return check


def _moment(text: str, *, end_of_day: bool = True) -> object:
    moment, zone = split_zone(text)
    return contests.read_moment(moment, contests.read_zone(zone, "UTC"), end_of_day=end_of_day)


def _deadline_in(zone: str) -> Callable[[str], object]:
    """The deadline step's reader for a contest in `zone` (the library's when adding, the
    contest's own when changing): the same reading `fields_of` stores, so a moment still
    ahead in UTC but past where the contest is can never pass the step."""
    return lambda text: fields_of("deadline", text, zone)


OPERATOR_CHOICES = tuple(
    Choice(f"staff-grants-op-{n}", scb(StaffGrantAction.PICK, n=n), f"staff-grants-op-{n}")
    for n in range(1, len(contests.OPERATORS) + 1)
)
SKIPPABLE = (Offer.SKIP,)
STEPS: dict[str, Step] = {
    "name": Step("name", "staff-grants-ask-name", _check(contests.read_name), rows=()),
    "operator": Step(
        "operator",
        "staff-grants-ask-operator",
        _check(contests.read_operator),
        optional=True,
        rows=(OPERATOR_CHOICES[:2], OPERATOR_CHOICES[2:], Offer.SKIP),
    ),
    "deadline": Step("deadline", "staff-grants-ask-deadline", _check(_deadline_in("UTC")), rows=()),
    "link": Step(
        "link", "staff-grants-ask-link", _check(contests.read_link), optional=True, rows=SKIPPABLE
    ),
    "opens": Step(
        "opens",
        "staff-grants-ask-opens",
        _check(lambda t: _moment(t, end_of_day=False)),
        optional=True,
        rows=SKIPPABLE,
    ),
    "results": Step(
        "results", "staff-grants-ask-results", _check(_moment), optional=True, rows=SKIPPABLE
    ),
    "amount": Step(
        "amount",
        "staff-grants-ask-amount",
        _check(contests.read_amounts),
        optional=True,
        rows=SKIPPABLE,
    ),
    "eligible": Step(
        "eligible",
        "staff-grants-ask-eligible",
        _check(contests.read_eligible),
        optional=True,
        rows=SKIPPABLE,
    ),
    "tags": Step(
        "tags",
        "staff-grants-ask-tags",
        _check(contests.read_tags),
        args={"suggested": ", ".join(contests.SUGGESTED_TAGS)},
        optional=True,
        rows=SKIPPABLE,
    ),
}
ADD_STEPS = tuple(STEPS.values())  # in the order they are asked


def in_zone(step: Step, zone: str) -> Step:
    """`step` checking a deadline in `zone` (other steps are as they are)."""
    if step.key != "deadline":
        return step
    return replace(step, check=_check(_deadline_in(zone)))


def fields_of(key: str, value: str | None, zone: str) -> dict[str, object]:
    """One answer as the contest's fields (`contests.change`); `zone` is the contest's."""
    if key == "name":
        return {"name": contests.read_name(value or "")}
    if key == "operator":
        return {"operator": contests.read_operator(value)}
    if key == "link":
        return {"link": contests.read_link(value)}
    if key == "deadline":
        moment, named = split_zone(value or "")
        tz = contests.read_zone(named, zone)
        return {"deadline": contests.read_deadline(moment, tz, datetime.now(UTC)), "zone": tz}
    if key in ("opens", "results"):
        moment, named = split_zone(value or "")
        tz = contests.read_zone(named, zone)
        found = contests.read_moment(moment, tz, end_of_day=key == "results")
        return {"opens_at" if key == "opens" else "results_at": found}
    if key == "amount":
        low, high = contests.read_amounts(value)
        return {"amount_min": low, "amount_max": high}
    if key == "eligible":
        return {"eligible": contests.read_eligible(value)}
    return {"tags": contests.read_tags(value)}


def draft_of(answers: forms.Answers, library_zone: str) -> ContestDraft:
    """The answers of the whole form as a contest (deadline first: its zone is the others')."""
    found = fields_of("deadline", answers.get("deadline"), library_zone)
    zone = str(found["zone"])
    for key in ADD_STEPS:
        if key.key != "deadline":
            found.update(fields_of(key.key, answers.get(key.key), zone))
    return contests.checked(ContestDraft(**found))  # type: ignore[arg-type]


def adding_steps(library_zone: str) -> tuple[Step, ...]:
    return tuple(in_zone(step, library_zone) for step in ADD_STEPS)


async def _new(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[int, tuple[Step, ...]]:
    return 0, adding_steps(config.library.timezone)


async def _existing(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[int, tuple[Step, ...]] | None:
    contest = await contests.get(db, int(data.get("contest", 0)))
    field = int(data.get("field", -1))
    if contest is None or not 0 <= field < len(FIELDS):
        return None
    return contest.id, (in_zone(STEPS[FIELDS[field]], contest.draft.zone),)


def _form(state: State, load: Any) -> Form[int]:
    return Form(
        state=state,
        load=load,
        same="staff-grants-back",
        same_data=scb(StaffGrantAction.CANCEL, n=9),  # no step remembers: never shown
        abort="staff-grants-cancel",
        abort_data=CANCEL,
        aborted="staff-grants-cancelled",
        send_text="staff-grants-send-text",
        skip="staff-grants-skip",
        skip_data=SKIP,
    )


ADDING: Form[int] = _form(ContestForm.adding, _new)
EDITING: Form[int] = _form(ContestForm.editing, _existing)


def _author(person: PersonView) -> str:
    return person.display_name or person.messenger_id


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.ADD), Shown())
async def add(
    query: CallbackQuery,
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    activity.status = "grant contest add started"
    await query.answer()
    steps = adding_steps(config.library.timezone)
    await forms.begin(target, texts, db, person, state, ADDING, steps)


@routes.callback_query(StaffGrantCb.filter(F.action == StaffGrantAction.EDIT), Shown())
async def edit(
    query: CallbackQuery,
    callback_data: StaffGrantCb,
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    contest = await contests.get(db, callback_data.id)
    if contest is None or callback_data.n >= len(FIELDS):
        await query.answer(texts("grants-stale"))
        return
    await query.answer()
    field = FIELDS[callback_data.n]
    await forms.begin(
        target,
        texts,
        db,
        person,
        state,
        EDITING,
        (in_zone(STEPS[field], contest.draft.zone),),
        contest=contest.id,
        field=callback_data.n,
    )


async def _finish(
    target: Message,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    filling: Filling[int],
    answers: forms.Answers,
    activity: ActivityNote,
) -> None:
    try:
        if filling.form is ADDING:
            draft = draft_of(answers, config.library.timezone)
            contest: ContestView | None = await contests.add(db, draft, by=_author(person))
            activity.status = "grant contest added"
        else:
            current = await contests.get(db, filling.subject)
            if current is None:
                await target.answer(texts("grants-stale"))
                return
            key = filling.step.key
            fields = fields_of(key, answers.get(key), current.draft.zone)
            contest = await contests.change(db, current.id, **fields)
            activity.status = f"grant contest changed: {key}"
    except contests.Invalid as exc:
        await target.answer(texts("staff-grants-bad", reason=str(exc)))
        return
    if contest is not None:
        activity.content = f"№ {contest.id}: {contest.name}"
        await target.answer(texts("staff-grants-saved", number=contest.id))
        await show_card(target, texts, config, contest)


@routes.message(F.text, AtStep(ADDING))
@routes.message(F.text, AtStep(EDITING))
async def typed(
    message: Message,
    filling: Filling[int],
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    taken = await forms.take(message, texts, db, person, state, filling, message.text or "")
    if isinstance(taken, dict):
        await _finish(message, texts, db, config, person, filling, taken, activity)


@routes.callback_query(Shown(), AtStep(ADDING), Pressed())
@routes.callback_query(Shown(), AtStep(EDITING), Pressed())
async def pressed(
    query: CallbackQuery,
    target: Message,
    filling: Filling[int],
    value: str | None,
    texts: Texts,
    db: Database,
    config: Config,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    answers = await forms.advance(target, texts, db, person, state, filling, value)
    if answers is not None:
        await _finish(target, texts, db, config, person, filling, answers, activity)


@routes.callback_query(F.data == CANCEL, Shown())
async def cancel(query: CallbackQuery, target: Message, texts: Texts, state: FSMContext) -> None:
    await query.answer()
    await forms.leave(target, texts, state, ADDING)


@routes.message(AtStep(ADDING))
@routes.message(AtStep(EDITING))
async def not_text(
    message: Message, filling: Filling[int], texts: Texts, db: Database, person: PersonView
) -> None:
    await forms.want_text(message, texts, db, person, filling)
