"""«Забронировать» on a catalogue card, and staff's answer to it.

The reader: a book already on their card is not reserved again; a second press on the
same record is «уже забронировано» (nothing sent twice); they choose where to pick it up
among the branches that hold a copy (all branches when no copy is at a known one), and
the hold is placed in the library system when it can take holds (Koha, SIP2) and the
ticket is linked — those rules are `storage.circulation.hold_rules`. Either way the staff
chat gets a card naming the reader, the branch, how to reach them and what the system
said, with «Отложено» / «Нет в наличии» buttons whose answer reaches the reader through
the outbox.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Branch, Config
from bot.kernel.i18n import Locales, Texts
from broadcasts import hold_notices
from broadcasts.hold_notices import SHELF_DAYS, SystemNote
from broadcasts.views.callbacks import CatalogueCb, HoldAnswer, HoldCb, HoldDeskCb
from broadcasts.views.keyboards import button, inline
from handlers.catalogue_presses import NamedRecord, note_record
from handlers.common import ask_consent, phone_or_none, show_menu
from handlers.filters import HasRole
from handlers.routes import Routes
from storage import people
from storage.activity import ActivityNote
from storage.catalogue.availability import RecordCard
from storage.circulation import hold_requests, hold_rules, library_today
from storage.circulation.base import HoldOutcome, LibrarySystem
from storage.circulation.hold_requests import HoldView, State
from storage.circulation.hold_rules import AlreadyAsked, pickup_branches
from storage.circulation.links import LinkView, get_link
from storage.db import Database
from storage.models import ActivityKind, Consent, Role
from storage.people import PersonView

routes = Routes(__name__)


@dataclass(frozen=True, slots=True)
class HoldAsk:
    """A press on a record's hold buttons: the record, who pressed, where to answer, and
    what answering needs."""

    card: RecordCard
    message: Message
    person: PersonView
    texts: Texts
    locales: Locales
    config: Config
    db: Database
    system: LibrarySystem | None

    async def menu(self, key: str, **args: str | int) -> None:
        await show_menu(self.message, self.texts, self.person, key=key, **args)


class HoldOnRecord(NamedRecord):
    """The record a hold button names, and all answering needs, as `ask`."""

    async def __call__(
        self,
        query: CallbackQuery,
        callback_data: CatalogueCb | HoldCb,
        texts: Texts,
        locales: Locales,
        person: PersonView,
        db: Database,
        config: Config,
        library_system: LibrarySystem | None,
    ) -> bool | dict[str, HoldAsk]:
        found = await super().__call__(query, callback_data, db, config)
        if not isinstance(found, dict):
            return False
        ask = HoldAsk(
            found["card"], found["message"], person, texts, locales, config, db, library_system
        )
        return {"ask": ask}


async def _needs_consent(
    message: Message, texts: Texts, config: Config, person: PersonView, activity: ActivityNote
) -> bool:
    """Staff need to know who asked: that is personal data, so a hold waits for consent."""
    if person.consent is Consent.GIVEN:
        return False
    activity.status = "consent needed"
    await message.answer(texts("consent-needed"))
    await ask_consent(message, texts, config)
    return True


async def start_hold(ask: HoldAsk, activity: ActivityNote) -> None:
    """The first press: refuse what makes no sense, then ask for the branch (or place it)."""
    card, texts, config, db, person = ask.card, ask.texts, ask.config, ask.db, ask.person
    if await _needs_consent(ask.message, texts, config, person, activity):
        return
    held = await hold_requests.open_hold(db, person.id, card.record_id, library_today(config)())
    if held is not None:
        activity.status = "hold already requested"
        await _already(ask, held)
        return
    link = await get_link(db, person.id)
    branches = config.library.branches
    patron = link.patron() if link else None
    if await hold_rules.on_their_card(db, ask.system, patron, card, branches):
        activity.status = "hold refused: on loan"
        await ask.menu("hold-on-loan", title=card.title)
        return
    choices = pickup_branches(branches, card)
    if len(choices) > 1:
        activity.status = "hold: choosing branch"
        rows = [
            [button(b.name, HoldCb(record_id=card.record_id, branch=b.id).pack())] for b in choices
        ]
        await ask.message.answer(
            texts("hold-pick-branch", title=card.title), reply_markup=inline(texts, *rows)
        )
        return
    await _place(ask, choices[0] if choices else None, link, activity)


@routes.callback_query(HoldCb.filter(), HoldOnRecord())
async def pick_branch(
    query: CallbackQuery, callback_data: HoldCb, ask: HoldAsk, activity: ActivityNote
) -> None:
    """The branch button: the hold is placed for pickup there."""
    note_record(activity, callback_data.record_id)
    await query.answer()
    if await _needs_consent(ask.message, ask.texts, ask.config, ask.person, activity):
        return
    activity.content = ask.card.title
    choices = pickup_branches(ask.config.library.branches, ask.card)
    branch = next((b for b in choices if b.id == callback_data.branch), None)
    if branch is None and choices:  # a branch no longer in the config, or a forged one
        activity.status = "hold: branch gone"
        await ask.menu("hold-pick-gone")
        return
    await _place(ask, branch, await get_link(ask.db, ask.person.id), activity)


@routes.callback_query(HoldCb.filter())
async def pick_branch_record_gone(
    query: CallbackQuery,
    callback_data: HoldCb,
    texts: Texts,
    person: PersonView,
    config: Config,
    activity: ActivityNote,
) -> None:
    """A branch button after its record left the catalogue: still consent first."""
    note_record(activity, callback_data.record_id)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None or await _needs_consent(message, texts, config, person, activity):
        return
    await show_menu(message, texts, person, key="catalogue-record-gone")


async def _place(
    ask: HoldAsk, branch: Branch | None, link: LinkView | None, activity: ActivityNote
) -> None:
    """Claim the hold (once), place it in the system if it can, tell staff and the reader."""
    card, config, db = ask.card, ask.config, ask.db
    done = await hold_rules.request(
        db,
        ask.system,
        link.patron() if link else None,
        person_id=ask.person.id,
        card=card,
        branch=branch,
        branches=config.library.branches,
        today=library_today(config)(),
    )
    if isinstance(done, AlreadyAsked):
        activity.status = "hold already requested"
        if done.held is None:
            await ask.menu("hold-already-requested", title=card.title)
        else:
            await _already(ask, done.held)
        return
    placement = done.placement
    note = SystemNote(placement, linked=not done.unlinked)
    told = await hold_notices.announce(
        db, ask.locales, config, done.hold, person=ask.person, link=link, branch=branch, note=note
    )
    activity.status = "hold request" + (", placed" if done.placed else "")
    where = branch.name if branch else "none"
    if done.placed and placement is not None:
        ahead = max((placement.queue_position or 1) - 1, 0)
        await ask.menu("hold-placed", title=card.title, branch=where, ahead=ahead)
        return
    if not told:
        activity.status = "hold request, staff chat unreachable"
        await hold_requests.forget_claim(db, done.hold.id)
        await ask.menu("catalogue-call-us", phone=phone_or_none(config))
        return
    if placement is not None and placement.outcome is HoldOutcome.REFUSED:
        activity.status = "hold request, refused by the system"
        reason = ask.texts(f"hold-reason-{(placement.refusal or 'rules')}")
        await ask.menu("hold-refused", title=card.title, reason=reason)
        return
    await ask.menu("hold-requested", title=card.title, branch=where)


async def _already(ask: HoldAsk, held: HoldView) -> None:
    if held.state is State.READY and held.pickup_until is not None:
        branch = next((b for b in ask.config.library.branches if b.id == held.branch_id), None)
        await ask.menu(
            "hold-already-ready",
            title=held.title,
            until=f"{held.pickup_until:%d.%m.%Y}",
            branch=branch.name if branch else "none",
        )
        return
    await ask.menu("hold-already-requested", title=held.title)


# --- staff ---------------------------------------------------------------------------------


class DeskHold(Filter):
    """The hold the staff card's button names, as `hold`, and its reader, as `reader`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: HoldDeskCb, db: Database
    ) -> bool | dict[str, Any]:
        hold = await hold_requests.get_hold(db, callback_data.id)
        reader = await people.get(db, hold.person_id) if hold is not None else None
        return reader is not None and {"hold": hold, "reader": reader}


@routes.callback_query(HasRole(Role.STAFF), HoldDeskCb.filter(), DeskHold())
async def answer_hold(
    query: CallbackQuery,
    callback_data: HoldDeskCb,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    config: Config,
    hold: HoldView,
    reader: PersonView,
    activity: ActivityNote,
) -> None:
    """«Отложено» / «Нет в наличии» on a hold's card: the reader is told once."""
    _on_desk_button(activity, callback_data)
    ready = callback_data.answer is HoldAnswer.READY
    until = library_today(config)() + _shelf_days() if ready else None
    answered = await hold_requests.answer(
        db, hold.id, State.READY if ready else State.UNAVAILABLE, pickup_until=until
    )
    if answered is None:
        activity.status = "hold answer: already answered"
        await query.answer(texts.plain("hold-desk-answered"), show_alert=True)
        return
    activity.status = "hold answered: " + ("ready" if ready else "not available")
    await hold_notices.answer_reader(db, locales, config, answered, reader)
    staff = person.display_name or query.from_user.full_name
    if until is not None:
        done = texts("hold-desk-done-ready", number=hold.id, until=f"{until:%d.%m.%Y}", staff=staff)
    else:
        done = texts("hold-desk-done-none", number=hold.id, staff=staff)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is not None:
        with contextlib.suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=None)
        await message.answer(done)


@routes.callback_query(HasRole(Role.STAFF), HoldDeskCb.filter())
async def hold_gone(
    query: CallbackQuery, callback_data: HoldDeskCb, texts: Texts, activity: ActivityNote
) -> None:
    """A staff card's button whose hold (or reader) is gone: /forget, say."""
    _on_desk_button(activity, callback_data)
    activity.status = "hold answer: gone"
    await query.answer(texts.plain("hold-desk-gone"), show_alert=True)


def _on_desk_button(activity: ActivityNote, data: HoldDeskCb) -> None:
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.notes = f"hold={data.id}"


def _shelf_days() -> timedelta:
    return timedelta(days=SHELF_DAYS)
