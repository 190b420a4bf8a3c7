"""The library FAQ's forms as data (the handlers are `staff_faq_forms`): adding an entry in
three steps — the question, other ways readers put it (may be skipped), the answer —,
changing one part in one step, and adding one suggested by a reader's question to a
librarian.

A suggestion («➕ В частые вопросы» in the staff chat, `handlers.librarian_faq`) is the same
three steps, prefilled: the reader's question and the answer staff gave are shown, each
with a word to take names, ticket numbers and the like out first, and offered as «✔️
Оставить как есть». The request is read again at every step, so a reader's /forget in the
meantime ends the form instead of leaving their words to be saved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State, StatesGroup

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import FaqAction, FaqCb
from handlers.forms import Choice, Form, Invalid, Step
from storage.consultations import entries as thread
from storage.consultations import requests as desk
from storage.consultations.models import EntryKind
from storage.consultations.requests import RequestView
from storage.db import Database
from storage.faq import entries
from storage.faq.entries import LIMITS, FaqItem, Problem

EDITS = {
    FaqAction.EDIT_QUESTION: "question",
    FaqAction.EDIT_PHRASINGS: "phrasings",
    FaqAction.EDIT_ANSWER: "answer",
}
# The phrasings step answered with none: «Пропустить» when adding, «Убрать все формулировки»
# when changing. The phrasings action of no entry (FaqAction has no «skip» of its own).
NO_PHRASINGS = FaqCb(action=FaqAction.SKIP).pack()
# «✔️ Оставить как есть»: the text a suggestion offers for the step it is at. FaqAction has
# no action of its own for it: «skip» with page 1 (no other «skip» button has a page).
KEEP = FaqCb(action=FaqAction.KEEP).pack()
CANCEL = FaqCb(action=FaqAction.CANCEL).pack()


class FaqForm(StatesGroup):
    adding = State()
    editing = State()
    suggested = State()


# --- the checks -------------------------------------------------------------------------


def invalid(problem: Problem) -> Invalid:
    return Invalid(f"faq-bad-{problem.value}", {"limit": LIMITS.get(problem, 0)})


def _question(text: str) -> str | Invalid:
    checked = entries.check_question(text)
    return invalid(checked) if isinstance(checked, Problem) else checked


def _phrasings(text: str) -> str | Invalid:
    checked = entries.check_phrasings(text)
    return invalid(checked) if isinstance(checked, Problem) else "\n".join(checked)


def _answer(text: str) -> str | Invalid:
    checked = entries.check_answer(text)
    return invalid(checked) if isinstance(checked, Problem) else checked


CHECKS = {"question": _question, "phrasings": _phrasings, "answer": _answer}
# No step offers a remembered answer; the phrasings may be skipped.
ADD_STEPS = (
    Step("question", "faq-ask-question", _question),
    Step("phrasings", "faq-ask-phrasings", _phrasings, optional=True),
    Step("answer", "faq-ask-answer", _answer),
)


# --- a change ---------------------------------------------------------------------------


def _phrasings_text(texts: Texts, item: FaqItem) -> str:
    return "\n".join(item.phrasings) if item.phrasings else texts("faq-card-no-phrasings")


def edit_step(texts: Texts, item: FaqItem, part: str) -> Step:
    """The one step of a change: what the part says now, and the new text asked for."""
    current: str = {
        "question": item.question,
        "phrasings": _phrasings_text(texts, item),
        "answer": item.answer,
    }[part]
    prompt = f"faq-edit-{part}-prompt"
    return Step(part, prompt, CHECKS[part], args={"current": current}, optional=part == "phrasings")


# --- a suggestion from a reader's question ----------------------------------------------


async def last_answer(db: Database, request: RequestView) -> str | None:
    """The last answer staff gave the request, if any."""
    said = await thread.entries(db, request.id, for_requester=False)
    answers = [e.text for e in said if e.kind is EntryKind.ANSWER and e.text]
    return answers[-1] if answers else None


def suggested_steps(request: RequestView, answer: str | None) -> tuple[Step, ...]:
    """The three steps of adding, the reader's question and the answer they got offered."""
    keep = ((Choice("faq-keep", KEEP),),)
    question = Step(
        "question",
        "faq-suggested-question",
        _question,
        args={"number": request.id, "question": request.question},
        rows=keep,
    )
    told = (
        Step("answer", "faq-suggested-answer", _answer, args={"answer": answer}, rows=keep)
        if answer
        else ADD_STEPS[2]
    )
    return question, ADD_STEPS[1], told


def offered(request: RequestView, step: Step) -> str | None:
    """What «✔️ Оставить как есть» gives at this step of a suggestion."""
    if step.key == "question":
        return request.question
    answer = step.args.get("answer")
    return str(answer) if step.key == "answer" and answer else None


# --- loading a form back from the FSM ---------------------------------------------------


async def _new(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[FaqItem | None, tuple[Step, ...]]:
    return None, ADD_STEPS


async def _entry(
    data: Any, db: Database, config: Config, texts: Texts
) -> tuple[FaqItem | None, tuple[Step, ...]] | None:
    item = await entries.get(db, int(data.get("entry", 0)))
    part = str(data.get("part"))
    if item is None or part not in CHECKS:
        return None
    return item, (edit_step(texts, item, part),)


async def _suggestion(
    data: Mapping[str, Any], db: Database, config: Config, texts: Texts
) -> tuple[RequestView, tuple[Step, ...]] | None:
    """The request the suggestion comes from, while it still names its reader (None after
    their /forget: nothing of theirs is offered or saved any more)."""
    request = await desk.get(db, int(data.get("request", 0)))
    if request is None or request.person_id is None:
        return None
    return request, suggested_steps(request, await last_answer(db, request))


def _form(state: State, load: Any, skip: str) -> Form[Any]:
    return Form(
        state=state,
        load=load,
        same="faq-skip",  # no step offers a remembered answer: never shown
        same_data="",
        abort="faq-cancel",
        abort_data=CANCEL,
        aborted="faq-cancelled",
        send_text="faq-send-text",
        skip=skip,
        skip_data=NO_PHRASINGS,
    )


ADDING: Form[FaqItem | None] = _form(FaqForm.adding, _new, "faq-skip")
EDITING: Form[FaqItem | None] = _form(FaqForm.editing, _entry, "faq-clear-phrasings")
SUGGESTED: Form[RequestView] = _form(FaqForm.suggested, _suggestion, "faq-skip")
