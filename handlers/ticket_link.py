"""Linking a reader ticket in «Мои книги»: the number, then the proof.

The number is read the way people type it («№ 1001», «билет 10-01»), and something that
cannot be a ticket is answered without costing an attempt. The proof is what
`[library_system] verification` names — or, in every mode, a desk code: staff vouching
for the reader in person is the strongest proof there is. The message carrying a
password is deleted, and its text never reaches the activity log or the FSM storage.
"""

from __future__ import annotations

import contextlib
import math

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.messengers import Messengers
from broadcasts.staff_chat import notify_staff
from broadcasts.views.keyboards import inline
from handlers.common import phone_or_none
from handlers.my_books_screen import LoansScreen, system_down
from handlers.routes import Routes
from storage.activity import HIDDEN, ActivityNote
from storage.circulation import links
from storage.circulation.base import (
    Credentials,
    LibrarySystem,
    Password,
    parse_surname_and_year,
)
from storage.circulation.link_guard import (
    LONGEST_WAIT,
    GuardPolicy,
    TicketAlarm,
    account_locked_until,
    mask_ticket,
)
from storage.circulation.links import DESK_CODE, LinkOutcome, typed_ticket
from storage.db import Database
from storage.front_door.decide import Route
from storage.front_door.doors import door_for
from storage.models import ActivityKind
from storage.people import PersonView

# What the front door answers with confidence: typed at the ticket step, the reader moved on.
MOVED_ON = {
    Route.HOURS,
    Route.ADDRESS,
    Route.CONTACTS,
    Route.EVENTS,
    Route.CONSULTATION,
    Route.SUBSCRIPTIONS,
    Route.UNSUBSCRIBE,
    Route.FAQ,
    Route.LIBRARIAN,
}
SECRET_KIND = {"password": "password", "surname_birth_year": "identity", "desk_code": "code"}
ASK_SECRET = {
    "password": "loans-ask-password",
    "surname_birth_year": "loans-ask-identity",
    "desk_code": "loans-ask-code",
}


# The form's steps: after the navigation parts (a menu button leaves the form), before free text.
routes = Routes(__name__)


class LinkForm(StatesGroup):
    ticket = State()
    secret = State()


async def _ask_secret(message: Message, texts: Texts, config: Config) -> None:
    key = ASK_SECRET[config.library_system.verification]
    await message.answer(texts(key), reply_markup=inline(texts))


def proofs(text: str, verification: str) -> tuple[Credentials | None, str | None]:
    """What the typed secret may be: credentials for the system and/or a desk code.

    In the `desk_code` mode only a code counts. In the others a six-digit answer may be
    either (a PIN of six digits, or the code staff gave), so it is tried as both."""
    compact = "".join(text.split())
    if verification == "desk_code":
        return None, compact if compact.isdigit() else None
    code = compact if DESK_CODE.match(compact) else None
    if verification == "surname_birth_year":
        return parse_surname_and_year(text), code
    return (Password(text.strip()) if text.strip() else None), code


async def _alarm_staff(
    messengers: Messengers,
    locales: Locales,
    config: Config,
    guard: GuardPolicy,
    ticket: str,
    alarm: TicketAlarm,
) -> None:
    """Once per episode, in the library's language: which ticket (masked) and how many
    accounts — never the accounts themselves or what they typed."""
    await notify_staff(
        messengers,
        config,
        locales.texts(None)(
            "notify-link-guessing",
            ticket=mask_ticket(ticket),
            failures=alarm.failures,
            accounts=alarm.accounts,
            longest=int(LONGEST_WAIT.total_seconds() // 60),
            max=guard.max_failures,
            minutes=int(guard.lock.total_seconds() // 60),
        ),
    )


class MovedOn(Filter):
    """Words the front door answers with confidence («когда вы работаете?», «отписаться»)
    typed where a ticket number was asked: the reader has moved on, and is answered instead
    of «не похоже на номер» (which «не помню номер» or «Сидоров 1990» still get)."""

    async def __call__(self, message: Message, config: Config, db: Database) -> bool:
        text = message.text or ""
        if typed_ticket(text) is not None:
            return False
        door = await door_for(db, config.library.branches, config.consultations.topics)
        return door.decide(text).route in MOVED_ON


@routes.message(LinkForm.ticket, F.text, ~MovedOn())
async def ticket_entered(
    message: Message,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    activity: ActivityNote,
    link_guard: GuardPolicy,
) -> None:
    activity.kind = ActivityKind.READER_LINK
    activity.content = "ticket entered"  # the number itself is not logged
    ticket = typed_ticket(message.text or "")
    if ticket is None:
        activity.status = "bad ticket"
        await message.answer(texts("loans-bad-ticket"), reply_markup=inline(texts))
        return
    until = await account_locked_until(db, link_guard, person.messenger_id)
    if until is not None:
        activity.status = "locked"
        await state.clear()
        local = until.astimezone(config.library.zone)
        await message.answer(
            texts("loans-locked", until=f"{local:%H:%M}", phone=phone_or_none(config)),
            reply_markup=inline(texts),
        )
        return
    await state.update_data(ticket=ticket)
    await state.set_state(LinkForm.secret)
    activity.status = "asked secret"
    await _ask_secret(message, texts, config)


@routes.message(LinkForm.secret, F.text)
async def secret_entered(
    message: Message,
    bot: Bot,
    messengers: Messengers,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    library_system: LibrarySystem | None,
    activity: ActivityNote,
    link_guard: GuardPolicy,
) -> None:
    activity.content = HIDDEN  # first of all: the secret never reaches the log
    activity.kind = ActivityKind.READER_LINK
    text = message.text or ""
    with contextlib.suppress(TelegramAPIError):
        await bot.delete_message(message.chat.id, message.message_id)
    ticket = (await state.get_data()).get("ticket")
    if library_system is None or not ticket:
        await state.clear()
        activity.status = "expired form"
        await message.answer(texts("loans-ask-ticket"), reply_markup=inline(texts))
        await state.set_state(LinkForm.ticket)
        return
    settings = config.library_system
    credentials, code = proofs(text, settings.verification)
    if credentials is None and code is None:
        activity.status = "bad input"
        if settings.verification == "surname_birth_year":
            await message.answer(texts("loans-bad-identity"), reply_markup=inline(texts))
        else:
            await _ask_secret(message, texts, config)
        return
    result = await links.attempt_link(
        db,
        library_system,
        guard=link_guard,
        person_id=person.id,
        account=person.messenger_id,
        ticket=ticket,
        credentials=credentials,
        code=code,
    )
    activity.status = result.outcome.value
    if result.alarm is not None:
        await _alarm_staff(messengers, locales, config, link_guard, ticket, result.alarm)
    what = SECRET_KIND[settings.verification]
    if result.outcome is LinkOutcome.WRONG:
        await state.set_state(LinkForm.ticket)
        await message.answer(
            texts("loans-wrong", what=what, left=result.failures_left or 0),
            reply_markup=inline(texts),
        )
        return
    if result.outcome is LinkOutcome.SLOWED:
        assert result.retry_at is not None  # the form keeps the ticket: send the secret again
        wait = (result.retry_at - link_guard.clock()).total_seconds()
        await message.answer(
            texts("loans-slowed", what=what, minutes=max(1, math.ceil(wait / 60))),
            reply_markup=inline(texts),
        )
        return
    await state.clear()
    if result.outcome is LinkOutcome.UNAVAILABLE:
        await system_down(message, texts, config)
        return
    if result.outcome is LinkOutcome.LOCKED:
        assert result.locked_until is not None
        local = result.locked_until.astimezone(config.library.zone)
        await message.answer(
            texts("loans-locked", until=f"{local:%H:%M}", phone=phone_or_none(config)),
            reply_markup=inline(texts),
        )
        return
    patron = result.patron
    assert patron is not None
    await message.answer(texts("loans-linked", ticket=patron.ticket, name=patron.name or "none"))
    link = await links.get_link(db, person.id)
    if link is not None:
        await LoansScreen(message, texts, config, db, library_system, link).show()


@routes.message(LinkForm.secret)
@routes.message(LinkForm.ticket, ~F.text)
async def not_text(message: Message, texts: Texts, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.READER_LINK
    activity.content = HIDDEN
    activity.status = "not text"
    await message.answer(texts("loans-send-text"), reply_markup=inline(texts))
