"""After «Назначить эксперта»: which entry of the expert directory the new expert is.

Requests are passed to directory entries («Передать эксперту»); an expert sees those of the
entry her bot account is linked to. An expert added to the directory before she wrote to the
bot has no account linked, so when the admin gives her the role the bot asks which entry
she is — and the requests already waiting for that entry are hers at once. Admins only,
checked on the server for every press.
"""

from __future__ import annotations

from aiogram import Router
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ExpertLinkCb
from broadcasts.views.keyboards import button, inline
from handlers.filters import HasRole
from storage import people
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.consultations import requests as desk
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView

LINK_CHOICES = 20  # directory entries offered as buttons


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


def build_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(HasRole(Role.ADMIN))
    router.callback_query.filter(HasRole(Role.ADMIN))

    @router.callback_query(ExpertLinkCb.filter())
    async def link_expert(
        query: CallbackQuery,
        callback_data: ExpertLinkCb,
        texts: Texts,
        db: Database,
        person: PersonView,
        activity: ActivityNote,
    ) -> None:
        """The admin says which directory entry the new expert is: the requests already
        passed to that entry become hers at once."""
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = person.display_name or person.messenger_id
        await query.answer()
        message = query.message if isinstance(query.message, Message) else None
        target = await people.get(db, callback_data.person_id)
        if message is None or target is None or not target.has(Role.EXPERT):
            activity.status = "expert link: stale"
            if message is not None:
                await message.answer(texts("roles-expert-link-stale"))
            return
        if not callback_data.expert_id:
            activity.status = "expert link: not listed"
            await message.answer(texts("roles-expert-not-listed-done"))
            return
        entry = await directory.link_person(db, callback_data.expert_id, target.id)
        if entry is None:
            activity.status = "expert link: refused"
            await message.answer(texts("roles-expert-link-stale"))
            return
        activity.status = "expert link"
        activity.about_person_id = target.id
        # The entry's number, not the name: the log must not name whom it is about.
        activity.content = f"expert entry {entry.id}"
        waiting = await desk.open_requests(db, expert_person_id=target.id)
        await message.answer(
            texts("roles-expert-linked", name=entry.name, count=len(waiting)),
            reply_markup=inline(texts),
        )

    return router
