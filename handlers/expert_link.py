"""After «Назначить эксперта»: which entry of the expert directory the new expert is.

Requests are passed to directory entries («Передать эксперту»); an expert sees those of the
entry her bot account is linked to. An expert added to the directory before she wrote to the
bot has no account linked, so when the admin gives her the role the bot asks which entry
she is — and the requests already waiting for that entry are hers at once. Admins only,
checked on the server for every press; a button for someone who is no longer an expert
(or a message too old to answer in) gets «устарела».
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ExpertLinkCb
from broadcasts.views.keyboards import button, inline
from handlers.common import staff_at_work
from handlers.filters import HasRole
from handlers.routes import Routes
from storage import people
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.consultations import requests as desk
from storage.db import Database
from storage.models import Role
from storage.people import PersonView

LINK_CHOICES = 20  # directory entries offered as buttons

routes = Routes(__name__)
routes.filter("message", HasRole(Role.ADMIN))
routes.filter("callback_query", HasRole(Role.ADMIN))


async def offer_directory(
    message: Message, texts: Texts, db: Database, target: PersonView, role: Role, name: str
) -> None:
    """A new expert in the bot who is not yet an entry of the expert directory would see
    nothing passed to her entry: ask which entry she is (requests go to entries)."""
    if role is not Role.EXPERT or await directory.expert_of(db, target.id) is not None:
        return
    free = await directory.not_in_the_bot(db)
    if not free:
        return
    rows = [
        [button(entry.name, ExpertLinkCb(person_id=target.id, expert_id=entry.id).pack())]
        for entry in free[:LINK_CHOICES]
    ]
    rows.append(
        [button(texts("roles-expert-not-listed"), ExpertLinkCb(person_id=target.id).pack())]
    )
    keyboard = InlineKeyboardMarkup(inline_keyboard=rows)
    await message.answer(texts("roles-expert-which", name=name), reply_markup=keyboard)


class NewExpert(Filter):
    """The person the button names, as `expert`, if they are still an expert — and the
    message under the button, as `message`, to answer in."""

    async def __call__(
        self, query: CallbackQuery, callback_data: ExpertLinkCb, db: Database
    ) -> bool | dict[str, Any]:
        if not isinstance(query.message, Message):
            return False
        target = await people.get(db, callback_data.person_id)
        if target is None or not target.has(Role.EXPERT):
            return False
        return {"expert": target, "message": query.message}


@routes.callback_query(ExpertLinkCb.filter(F.expert_id != 0), NewExpert())
async def link_expert(
    query: CallbackQuery,
    callback_data: ExpertLinkCb,
    message: Message,
    expert: PersonView,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """The admin says which directory entry the new expert is: the requests already
    passed to that entry become hers at once."""
    staff_at_work(activity, person)
    await query.answer()
    entry = await directory.link_person(db, callback_data.expert_id, expert.id)
    if entry is None:  # taken by someone else meanwhile, or gone
        activity.status = "expert link: refused"
        await message.answer(texts("roles-expert-link-stale"))
        return
    activity.status = "expert link"
    activity.about_person_id = expert.id
    # The entry's number, not the name: the log must not name whom it is about.
    activity.content = f"expert entry {entry.id}"
    waiting = await desk.open_requests(db, expert_person_id=expert.id)
    await message.answer(
        texts("roles-expert-linked", name=entry.name, count=len(waiting)),
        reply_markup=inline(texts),
    )


@routes.callback_query(ExpertLinkCb.filter(F.expert_id == 0), NewExpert())
async def not_listed(
    query: CallbackQuery, message: Message, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """«Её нет в справочнике»: nothing to link; staff may add her there later."""
    staff_at_work(activity, person)
    await query.answer()
    activity.status = "expert link: not listed"
    await message.answer(texts("roles-expert-not-listed-done"))


@routes.callback_query(ExpertLinkCb.filter())
async def stale(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    staff_at_work(activity, person)
    await query.answer()
    activity.status = "expert link: stale"
    if isinstance(query.message, Message):
        await query.message.answer(texts("roles-expert-link-stale"))
