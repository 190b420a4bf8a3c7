"""«Забронировать» on a catalogue card, and staff's answer to it.

The reader: a book already on their card is not reserved again; a second press on the
same record is «уже забронировано» (nothing sent twice); they choose where to pick it up
among the branches that hold a copy (all branches when no copy is at a known one), and
the hold is placed in the library system when it can take holds (Koha, SIP2) and the
ticket is linked. Either way the staff chat gets a card naming the reader, the branch,
how to reach them and what the system said, with «Отложено» / «Нет в наличии» buttons
whose answer reaches the reader through the outbox.
"""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta
from typing import Any

from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Branch, Config
from bot.kernel.i18n import Locales, Texts
from broadcasts import hold_notices
from broadcasts.hold_notices import SHELF_DAYS, SystemNote
from broadcasts.views.callbacks import HoldAnswer, HoldCb, HoldDeskCb
from broadcasts.views.keyboards import button, inline
from handlers.catalogue_presses import NamedRecord
from handlers.common import ask_consent, phone_or_none, show_menu
from handlers.filters import HasRole
from handlers.routes import Routes
from storage import people
from storage.activity import ActivityNote
from storage.catalogue.availability import RecordCard
from storage.circulation import hold_requests, library_today
from storage.circulation.base import HoldOutcome, HoldPlacement, LibrarySystem, hold_placer
from storage.circulation.hold_requests import HoldView, State, on_their_card, pickup_branches
from storage.circulation.links import LinkView, get_link
from storage.db import Database
from storage.models import ActivityKind, Consent, Role
from storage.people import PersonView

log = logging.getLogger(__name__)

routes = Routes(__name__)


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


async def start_hold(
    message: Message,
    card: RecordCard,
    *,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    config: Config,
    system: LibrarySystem | None,
    activity: ActivityNote,
) -> None:
    """The first press: refuse what makes no sense, then ask for the branch (or place it)."""
    if await _needs_consent(message, texts, config, person, activity):
        return
    held = await hold_requests.open_hold(db, person.id, card.record_id, library_today(config)())
    if held is not None:
        activity.status = "hold already requested"
        await _already(message, texts, config, person, held)
        return
    link = await get_link(db, person.id)
    branches = config.library.branches
    if await on_their_card(db, system, link.patron() if link else None, card, branches):
        activity.status = "hold refused: on loan"
        await show_menu(message, texts, person, key="hold-on-loan", title=card.title)
        return
    choices = pickup_branches(branches, card)
    if len(choices) > 1:
        activity.status = "hold: choosing branch"
        rows = [
            [button(b.name, HoldCb(record_id=card.record_id, branch=b.id).pack())] for b in choices
        ]
        await message.answer(
            texts("hold-pick-branch", title=card.title), reply_markup=inline(texts, *rows)
        )
        return
    await _place(
        message,
        card,
        choices[0] if choices else None,
        texts=texts,
        locales=locales,
        person=person,
        db=db,
        config=config,
        system=system,
        link=link,
        activity=activity,
    )


@routes.callback_query(HoldCb.filter(), NamedRecord())
async def pick_branch(
    query: CallbackQuery,
    callback_data: HoldCb,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    config: Config,
    library_system: LibrarySystem | None,
    card: RecordCard,
    message: Message,
    activity: ActivityNote,
) -> None:
    """The branch button: the hold is placed for pickup there."""
    _on_branch_button(activity, callback_data)
    await query.answer()
    if await _needs_consent(message, texts, config, person, activity):
        return
    activity.content = card.title
    choices = pickup_branches(config.library.branches, card)
    branch = next((b for b in choices if b.id == callback_data.branch), None)
    if branch is None and choices:  # a branch no longer in the config, or a forged one
        activity.status = "hold: branch gone"
        await show_menu(message, texts, person, key="hold-pick-gone")
        return
    await _place(
        message,
        card,
        branch,
        texts=texts,
        locales=locales,
        person=person,
        db=db,
        config=config,
        system=library_system,
        link=await get_link(db, person.id),
        activity=activity,
    )


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
    _on_branch_button(activity, callback_data)
    await query.answer()
    message = query.message if isinstance(query.message, Message) else None
    if message is None or await _needs_consent(message, texts, config, person, activity):
        return
    await show_menu(message, texts, person, key="catalogue-record-gone")


def _on_branch_button(activity: ActivityNote, data: HoldCb) -> None:
    activity.kind = ActivityKind.CATALOGUE_QUERY
    activity.notes = f"record={data.record_id}"


async def _place(
    message: Message,
    card: RecordCard,
    branch: Branch | None,
    *,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    config: Config,
    system: LibrarySystem | None,
    link: LinkView | None,
    activity: ActivityNote,
) -> None:
    """Claim the hold (once), place it in the system if it can, tell staff and the reader."""
    today = library_today(config)()
    hold = await hold_requests.claim(
        db,
        person_id=person.id,
        record_id=card.record_id,
        title=card.title,
        branch_id=branch.id if branch else None,
        today=today,
    )
    if hold is None:  # a second press on the branch buttons, or a double tap
        activity.status = "hold already requested"
        held = await hold_requests.open_hold(db, person.id, card.record_id, today)
        if held is None:  # answered between the two reads: still not a second hold
            await show_menu(message, texts, person, key="hold-already-requested", title=card.title)
            return
        await _already(message, texts, config, person, held)
        return
    placer = hold_placer(system)
    placement: HoldPlacement | None = None
    if placer is not None and link is not None:
        wish = await hold_requests.wish_for(
            db, card.record_id, card.title, branch, config.library.branches
        )
        placement = await placer.place_hold(link.patron(), wish)
        log.info("Hold %s in the library system: %s", hold.id, placement.outcome.value)
        if placement.outcome is HoldOutcome.PLACED:
            await hold_requests.mark_placed(db, hold.id, placement.ref)
    note = SystemNote(placement, linked=placer is None or link is not None)
    told = await hold_notices.announce(
        db, locales, config, hold, person=person, link=link, branch=branch, note=note
    )
    placed = placement is not None and placement.outcome is HoldOutcome.PLACED
    activity.status = "hold request" + (", placed" if placed else "")
    where = branch.name if branch else "none"
    if placed and placement is not None:
        ahead = max((placement.queue_position or 1) - 1, 0)
        await show_menu(
            message, texts, person, key="hold-placed", title=card.title, branch=where, ahead=ahead
        )
        return
    if not told:
        activity.status = "hold request, staff chat unreachable"
        await hold_requests.forget_claim(db, hold.id)
        await show_menu(
            message, texts, person, key="catalogue-call-us", phone=phone_or_none(config)
        )
        return
    if placement is not None and placement.outcome is HoldOutcome.REFUSED:
        activity.status = "hold request, refused by the system"
        reason = texts(f"hold-reason-{(placement.refusal or 'rules')}")
        await show_menu(message, texts, person, key="hold-refused", title=card.title, reason=reason)
        return
    await show_menu(message, texts, person, key="hold-requested", title=card.title, branch=where)


async def _already(
    message: Message, texts: Texts, config: Config, person: PersonView, held: HoldView
) -> None:
    if held.state is State.READY and held.pickup_until is not None:
        branch = next((b for b in config.library.branches if b.id == held.branch_id), None)
        await show_menu(
            message,
            texts,
            person,
            key="hold-already-ready",
            title=held.title,
            until=f"{held.pickup_until:%d.%m.%Y}",
            branch=branch.name if branch else "none",
        )
        return
    await show_menu(message, texts, person, key="hold-already-requested", title=held.title)


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
