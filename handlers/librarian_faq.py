"""«➕ В частые вопросы»: a reader's question to a librarian and the last answer staff gave
it become a library FAQ entry in one tap, so the bot answers it itself next time.

Staff only (experts and readers are refused). The entry keeps whose question it came from,
so that reader's /forget takes it along until staff edit it; the request's thread gets a
note that it was added, which is also how a second press is recognised.
"""

from __future__ import annotations

from aiogram import F
from aiogram.types import CallbackQuery, Message

from bot.kernel.i18n import Texts
from broadcasts.consultation_notices import is_librarian
from broadcasts.views.callbacks import DeskAction, DeskCb
from handlers.common import staff_at_work
from handlers.filters import HasAnyRole, HasRole
from handlers.librarian_routes import staff_chat_routes
from storage.activity import ActivityNote
from storage.consultations import entries, transitions
from storage.consultations import requests as desk
from storage.consultations.models import Author, EntryKind
from storage.consultations.requests import Actor, clip
from storage.db import Database
from storage.faq import entries as faq
from storage.faq.entries import FaqRefused, Problem
from storage.models import Role
from storage.people import PersonView

REFUSED = {Problem.TAKEN: "lib-faq-taken", Problem.FULL: "lib-faq-full"}


@staff_chat_routes.callback_query(DeskCb.filter(F.action == DeskAction.TO_FAQ), HasRole(Role.STAFF))
async def to_faq(
    query: CallbackQuery,
    callback_data: DeskCb,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    staff_at_work(activity, person)
    request = await desk.get(db, callback_data.id)
    if request is None or not is_librarian(request):
        activity.status = "not found"
        await query.answer(texts("desk-not-found"), show_alert=True)
        return
    activity.about_person_id = request.person_id
    activity.content = f"№{request.id}"
    thread = await entries.entries(db, request.id, for_requester=False)
    answers = [e for e in thread if e.kind is EntryKind.ANSWER and e.text]
    if not answers:
        activity.status = "no answer yet"
        await query.answer(texts("lib-faq-no-answer", number=request.id), show_alert=True)
        return
    marker = texts("lib-faq-note")
    if any(e.kind is EntryKind.NOTE and e.text == marker for e in thread):
        activity.status = "in the faq already"
        await query.answer(texts("lib-faq-already", number=request.id), show_alert=True)
        return
    name = person.display_name or query.from_user.full_name
    try:
        item = await faq.add(
            db,
            clip(request.question, faq.QUESTION_LIMIT) or "",
            clip(answers[-1].text, faq.ANSWER_LIMIT) or "",
            (),
            author=name,
            source_person_id=request.person_id,
        )
    except FaqRefused as refused:
        activity.status = f"faq refused: {refused.problem.value}"
        key = REFUSED.get(refused.problem, "lib-faq-refused")
        await query.answer(texts(key, limit=refused.limit), show_alert=True)
        return
    await transitions.note(db, request.id, Actor(person.id, name, Author.STAFF), marker)
    activity.status = "added to the faq"
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(texts("lib-faq-added", question=item.question))


@staff_chat_routes.callback_query(
    DeskCb.filter(F.action == DeskAction.TO_FAQ), HasAnyRole(Role.EXPERT)
)
async def staff_only(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """An expert pressing it (readers are refused by `handlers.denied`)."""
    staff_at_work(activity, person)
    activity.status = "denied"
    await query.answer(texts("staff-only"), show_alert=True)
