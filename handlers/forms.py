"""Step-by-step forms: one engine for every questionnaire the bot asks in a chat.

A form is a list of `Step`s declared as data: the question (a text key and its
arguments), the check of a typed answer, whether «Пропустить» may skip it, which detail
remembered from an earlier form (name, organisation, contact) to offer as «✔️ …», and
buttons that answer for the person («Частное лицо», «Вечером»). `Form` holds what the steps
of one kind of form share: its FSM state, its own buttons (labels and callback data), and
`load`, which reads back from the FSM data what the form is about (an event, a topic) and
its steps.

The engine keeps the place and the answers in the FSM data (`step`, `answers`, next to the
form's own keys), asks each step with its buttons and a way out, takes a typed answer or a
pressed button only for the step the form is at, and gives the answers back when the last
step is answered. What is done with them — a registration, a request to staff — is the
form's own module; so are its handlers, kept thin by the filters here: `AtStep` injects the
form being filled in, `Pressed` the answer a button gives.

The forms: the event sign-up (handlers/event_signup.py) and the consultation request
(handlers/consultation_form.py). A room booking or a survey is one more list of steps.
The engine is one piece (its checks, steps, filters and moves), hence one module.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message, TelegramObject

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import button, inline
from storage import people
from storage.contacts import clean_contact
from storage.db import Database
from storage.people import PersonView

S = TypeVar("S")
Answers = dict[str, str | None]
# The details a form may remember for next time (`storage.people.Details`).
Detail = Literal["name", "organisation", "contact"]
SAME_LABEL = 40  # how much of a remembered answer its button shows


# --- checking a typed answer ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Invalid:
    """A typed answer refused: the text key saying what is wrong, and its arguments."""

    problem: str
    args: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[str], str | Invalid]


@dataclass(frozen=True, slots=True)
class Words:
    """A line of words — a name, an organisation, a short answer — kept with its spaces
    squeezed, from `least` to `most` characters."""

    problem: str
    least: int = 1
    most: int = 200

    def __call__(self, text: str) -> str | Invalid:
        text = " ".join(text.split())
        return text if self.least <= len(text) <= self.most else Invalid(self.problem)


@dataclass(frozen=True, slots=True)
class Passage:
    """A longer text kept as written, lines and all: shorter than `least` is `problem`,
    longer than `most` is `too_long`, told the limit."""

    problem: str
    too_long: str
    least: int
    most: int

    def __call__(self, text: str) -> str | Invalid:
        text = text.strip()
        if len(text) < self.least:
            return Invalid(self.problem)
        if len(text) > self.most:
            return Invalid(self.too_long, {"limit": self.most})
        return text


@dataclass(frozen=True, slots=True)
class Contact:
    """A phone number or an e-mail, kept in one shape (`storage.contacts.clean_contact`)."""

    problem: str

    def __call__(self, text: str) -> str | Invalid:
        return clean_contact(" ".join(text.split())) or Invalid(self.problem)


# --- steps and forms --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Choice:
    """A button that answers a step for the person: «Частное лицо», «Вечером»."""

    label: str  # text key of the button
    data: str  # its callback data
    value: str | None = None  # text key of the answer it gives; None leaves it empty
    kept: bool = True  # remembered for next time like a typed answer (`Step.remembered`)


class Offer(enum.Enum):
    """Rows the engine draws in a step's keyboard when they apply."""

    SAME = "same"  # the remembered answer, «✔️ Анна Петрова» — when there is one
    SKIP = "skip"  # «Пропустить» — when the step is optional


Row = Offer | tuple[Choice, ...]


@dataclass(frozen=True, slots=True)
class Step:
    """One question of a form."""

    key: str  # the answer's name in the answers
    prompt: str  # text key of the question
    check: Check  # a typed answer: the value to keep, or why not
    args: Mapping[str, Any] = field(default_factory=dict)  # the question's arguments
    optional: bool = False  # «Пропустить» leaves the answer empty
    remembered: Detail | None = None  # offered from the last form, kept for the next
    rows: tuple[Row, ...] = (Offer.SAME, Offer.SKIP)  # the buttons, top to bottom

    @property
    def choices(self) -> tuple[Choice, ...]:
        return tuple(choice for row in self.rows if isinstance(row, tuple) for choice in row)


# What the form is about (an event, a topic) and its steps, read back from the FSM data;
# None when it is gone.
Loader = Callable[
    [Mapping[str, Any], Database, Config, Texts], Awaitable[tuple[S, tuple[Step, ...]] | None]
]


@dataclass(frozen=True, slots=True)
class Form(Generic[S]):
    """What the steps of one kind of form share."""

    state: State  # the FSM state while it is filled in
    load: Loader[S]
    same: str  # label of the remembered answer's button, with { $value }
    same_data: str
    abort: str  # the way out, under every step
    abort_data: str
    aborted: str  # said on the way out
    send_text: str  # said to a sticker or a photo
    skip: str = ""  # «Пропустить», for forms with optional steps
    skip_data: str = ""
    repeat_buttons: bool = True  # a refused answer is told with the step's buttons again


@dataclass(frozen=True, slots=True)
class Filling(Generic[S]):
    """A form being filled in: what it is about, its steps, the one it is at, the answers
    so far and the FSM data (the form's own keys: the event, the topic, the files)."""

    form: Form[S]
    subject: S
    steps: tuple[Step, ...]
    index: int
    answers: Answers
    data: Mapping[str, Any]

    @property
    def step(self) -> Step:
        return self.steps[self.index]


# --- filters ----------------------------------------------------------------------------


class AtStep(Filter):
    """The person is filling in `form`, at a step it still has: injects `filling`."""

    def __init__(self, form: Form[Any]) -> None:
        self.form = form

    async def __call__(
        self,
        event: TelegramObject,
        state: FSMContext,
        db: Database,
        config: Config,
        texts: Texts,
        raw_state: str | None = None,
    ) -> bool | dict[str, Any]:
        # The state the FSM middleware has read already: every message passes this check
        # on its way to the catalogue search, so it must cost nothing when it fails.
        if raw_state != self.form.state.state:
            return False
        data = await state.get_data()
        loaded = await self.form.load(data, db, config, texts)
        index = int(data.get("step", 0))
        if loaded is None or index >= len(loaded[1]):
            return False
        subject, steps = loaded
        answers = dict(data.get("answers", {}))
        return {"filling": Filling(self.form, subject, steps, index, answers, data)}

    def __str__(self) -> str:
        return f"AtStep({self.form.state.state})"


class Pressed(Filter):
    """A button of the step the form is at (after `AtStep`): injects `value`, the answer it
    gives. A button the step does not offer — one left from an earlier step, «✔️ …» with
    nothing remembered — does not pass."""

    async def __call__(
        self,
        query: CallbackQuery,
        filling: Filling[Any],
        texts: Texts,
        db: Database,
        person: PersonView,
    ) -> bool | dict[str, Any]:
        form, step = filling.form, filling.step
        if form.skip_data and query.data == form.skip_data:
            return {"value": None} if step.optional else False
        if query.data == form.same_data:
            saved = await remembered(db, person, step)
            return {"value": saved} if saved else False
        for choice in step.choices:
            if query.data == choice.data:
                return {"value": texts(choice.value) if choice.value else None}
        return False


class Shown(Filter):
    """A pressed button whose message is still there to answer under: injects it as
    `target`. (A message too old to reach is not; a later handler only acknowledges it.)"""

    async def __call__(self, query: CallbackQuery) -> bool | dict[str, Any]:
        return {"target": query.message} if isinstance(query.message, Message) else False


# --- asking, taking, finishing ----------------------------------------------------------


async def remembered(db: Database, person: PersonView, step: Step) -> str | None:
    """The step's answer from the person's last form (kept only with their consent)."""
    if step.remembered is None:
        return None
    value: str | None = getattr(await people.details(db, person.id), step.remembered)
    return value


async def keyboard(
    texts: Texts, db: Database, person: PersonView, form: Form[Any], step: Step
) -> InlineKeyboardMarkup:
    """The step's buttons, then the way out (and «В меню», as under every inline keyboard)."""
    saved = await remembered(db, person, step)
    rows = []
    for row in step.rows:
        if row is Offer.SAME:
            if saved:
                rows.append([button(texts(form.same, value=saved[:SAME_LABEL]), form.same_data)])
        elif row is Offer.SKIP:
            if step.optional:
                rows.append([button(texts(form.skip), form.skip_data)])
        else:
            rows.append([button(texts(choice.label), choice.data) for choice in row])
    rows.append([button(texts(form.abort), form.abort_data)])
    return inline(texts, *rows)


async def ask(
    target: Message, texts: Texts, db: Database, person: PersonView, form: Form[Any], step: Step
) -> None:
    markup = await keyboard(texts, db, person, form, step)
    await target.answer(texts(step.prompt, **step.args), reply_markup=markup)


async def begin(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    form: Form[Any],
    steps: tuple[Step, ...],
    **own: Any,
) -> None:
    """Start `form` and ask its first step; `own` are the form's keys kept beside the
    answers (the event, the topic, the files)."""
    await state.set_state(form.state)
    await state.set_data({**own, "step": 0, "answers": {}})
    try:
        await ask(target, texts, db, person, form, steps[0])
    except Exception:
        # The question never reached them (refused, dropped past its deadline): no form
        # waits, or their next words would be taken for an answer they never gave.
        await state.clear()
        raise


async def advance(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    filling: Filling[Any],
    value: str | None,
) -> Answers | None:
    """Keep `value` as the answer to the step the form is at and ask the next one. After
    the last step the form is over (its state cleared): the answers come back to act on."""
    answers = {**filling.answers, filling.step.key: value}
    index = filling.index + 1
    if index < len(filling.steps):
        await state.update_data(step=index, answers=answers)
        try:
            await ask(target, texts, db, person, filling.form, filling.steps[index])
        except Exception:
            # The next question was not seen: the form stays at the one they answered.
            await state.update_data(step=filling.index, answers=filling.answers)
            raise
        return None
    await state.clear()
    return answers


async def take(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    filling: Filling[Any],
    text: str,
) -> Answers | Invalid | None:
    """A typed answer: refused (told why, `Invalid`), or kept and the next step asked
    (None), or the last one (all the answers)."""
    checked = filling.step.check(text)
    if isinstance(checked, Invalid):
        await refuse(target, texts, db, person, filling, checked)
        return checked
    return await advance(target, texts, db, person, state, filling, checked)


async def refuse(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    filling: Filling[Any],
    invalid: Invalid,
) -> None:
    """What is wrong with a typed answer."""
    await _at_step(target, texts, db, person, filling, texts(invalid.problem, **invalid.args))


async def want_text(
    target: Message, texts: Texts, db: Database, person: PersonView, filling: Filling[Any]
) -> None:
    """A sticker or a photo where an answer is typed: ask for text."""
    await _at_step(target, texts, db, person, filling, texts(filling.form.send_text))


async def _at_step(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    filling: Filling[Any],
    text: str,
) -> None:
    """A word about the step the form stays at, with its buttons again (if the form repeats
    them): the way on stays at hand."""
    markup = None
    if filling.form.repeat_buttons:
        markup = await keyboard(texts, db, person, filling.form, filling.step)
    await target.answer(text, reply_markup=markup)


async def leave(target: Message, texts: Texts, state: FSMContext, form: Form[Any]) -> None:
    """The way out: nothing the form asked is kept."""
    await state.clear()
    await target.answer(texts(form.aborted), reply_markup=inline(texts))


async def remember(
    db: Database,
    person: PersonView,
    texts: Texts,
    steps: tuple[Step, ...],
    answers: Mapping[str, str | None],
) -> None:
    """Keep the name, organisation and contact given for next time (storage keeps them only
    with the person's consent); an answer a button gives that is not `kept` is not."""
    details: dict[str, str | None] = {"name": None, "organisation": None, "contact": None}
    for step in steps:
        if step.remembered is not None:
            value = answers.get(step.key)
            unkept = {texts(c.value) for c in step.choices if c.value and not c.kept}
            details[step.remembered] = None if value in unkept else value
    await people.remember_details(db, person.id, **details)
