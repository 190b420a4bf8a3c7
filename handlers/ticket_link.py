"""Linking a reader ticket in «Мои книги»: the number, then the proof.

The number is read the way people type it («№ 1001», «билет 10-01»), and something that
cannot be a ticket is answered without costing an attempt. The proof is what
`[library_system] verification` names — or, in every mode, a desk code: staff vouching
for the reader in person is the strongest proof there is. The message carrying a
password is deleted, and its text never reaches the activity log or the FSM storage.

With `verification = "phone"` the reader may instead share their own contact with the
messenger's button (`handlers.phone_link` shows it where the messenger has one): the
contact must be the sender's, and exactly one reader with that number links. Several or
none, a messenger without the button (VK), or «Ввести номер билета» lead to the ticket and
the phone mode's fallback proof, a desk code. The number is never stored or logged.
"""

from __future__ import annotations

import contextlib
import math

from aiogram import Bot, F
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.messengers import Messengers
from broadcasts.staff_chat import notify_staff
from broadcasts.views.keyboards import inline, main_menu
from handlers.common import ask_consent, phone_or_none, show_menu
from handlers.filters import MenuButton
from handlers.my_books_screen import LoansScreen, system_down
from handlers.phone_link import offer_phone, offers_phone, phone_linking
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
from storage.circulation.phone_link import PhoneOutcome, link_by_phone
from storage.db import Database
from storage.front_door.decide import Route
from storage.front_door.doors import door_for
from storage.models import ActivityKind, Consent
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
# With `verification = "phone"`, a reader the phone does not name (several readers share
# it, none has it, their messenger cannot share a contact) proves the ticket with a desk
# code: staff vouch for them in person.
PHONE_MISSES = {
    PhoneOutcome.SEVERAL: "loans-phone-several",
    PhoneOutcome.NONE: "loans-phone-none",
    PhoneOutcome.NOT_SEARCHABLE: "loans-phone-not-searchable",
}


# The form's steps: after the navigation parts (a menu button leaves the form), before free text.
routes = Routes(__name__)


class LinkForm(StatesGroup):
    ticket = State()
    secret = State()


def proof_mode(config: Config) -> str:
    """The secret asked for after the ticket: the configured one, or in the phone mode
    its fallback."""
    verification = config.library_system.verification
    return config.library_system.phone_fallback if verification == "phone" else verification


async def ask_ticket(
    message: Message, texts: Texts, config: Config, person: PersonView, state: FSMContext
) -> None:
    """The form's first step, once «Мои книги» has said how linking goes: the ticket is
    awaited, and where the library links by phone and the reader's messenger can share a
    contact, «📱 Поделиться номером» is offered too."""
    await state.set_state(LinkForm.ticket)
    if offers_phone(config, person.platform):
        await offer_phone(message, texts)


async def _ask_secret(message: Message, texts: Texts, config: Config) -> None:
    key = ASK_SECRET[proof_mode(config)]
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


class PhoneLinking(Filter):
    """The library links tickets by phone (`verification = "phone"`)."""

    async def __call__(self, message: Message, config: Config) -> bool:
        return phone_linking(config)


@routes.message(MenuButton("menu-back"), PhoneLinking())
async def phone_to_menu(
    message: Message, texts: Texts, person: PersonView, state: FSMContext, activity: ActivityNote
) -> None:
    """«⬅️ В меню» under «📱 Поделиться номером»: a reply-keyboard button, so it comes typed."""
    activity.kind = ActivityKind.MENU
    await state.clear()
    await show_menu(message, texts, person)


@routes.message(MenuButton("loans-phone-type-ticket"), PhoneLinking())
async def phone_declined(
    message: Message, texts: Texts, person: PersonView, state: FSMContext, activity: ActivityNote
) -> None:
    """«Ввести номер билета» instead of sharing the number: the menu comes back with the ask."""
    activity.kind = ActivityKind.READER_LINK
    activity.status = "chose the ticket"
    await state.set_state(LinkForm.ticket)
    await message.answer(texts("loans-phone-ask-ticket"), reply_markup=main_menu(texts, person))


@routes.message(F.contact, PhoneLinking(), StateFilter(None, LinkForm))
async def contact_shared(
    message: Message,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    library_system: LibrarySystem | None,
    activity: ActivityNote,
    link_guard: GuardPolicy,
) -> None:
    """A contact shared to link a ticket: only the sender's own counts (a contact card of
    someone else, forwarded or picked from the phone book, names another user or none)."""
    activity.kind = ActivityKind.READER_LINK
    activity.content = HIDDEN  # a phone number: never in the log
    contact, sender = message.contact, message.from_user
    if contact is None or sender is None or contact.user_id != sender.id:
        activity.status = "someone else's contact"
        await offer_phone(message, texts, "loans-phone-not-yours")
        return
    menu = main_menu(texts, person)
    if library_system is None or person.consent != Consent.GIVEN:
        activity.status = "not now"
        await state.clear()
        if library_system is None:
            key, args = "loans-none-system", {"phone": phone_or_none(config)}
            await message.answer(texts(key, **args), reply_markup=menu)
        else:
            await message.answer(texts("loans-need-consent"), reply_markup=menu)
            await ask_consent(message, texts, config)
        return
    link = await links.get_link(db, person.id)
    if link is not None:
        activity.status = "already linked"
        await state.clear()
        await message.answer(texts("loans-phone-already", ticket=link.ticket), reply_markup=menu)
        await LoansScreen(message, texts, config, db, library_system, link).show()
        return
    result = await link_by_phone(
        db,
        library_system,
        guard=link_guard,
        person_id=person.id,
        account=person.messenger_id,
        phone=contact.phone_number,
    )
    activity.status = result.outcome.value
    if result.outcome is PhoneOutcome.UNAVAILABLE:
        await system_down(message, texts, config)  # the share button stays for a retry
        return
    if result.outcome is PhoneOutcome.LOCKED:
        assert result.locked_until is not None
        await state.clear()
        local = result.locked_until.astimezone(config.library.zone)
        await message.answer(
            texts("loans-locked", until=f"{local:%H:%M}", phone=phone_or_none(config)),
            reply_markup=menu,
        )
        return
    if result.outcome is PhoneOutcome.LINKED:
        assert result.patron is not None
        await state.clear()
        name = result.patron.name or "none"
        await message.answer(
            texts("loans-linked", ticket=result.patron.ticket, name=name), reply_markup=menu
        )
        link = await links.get_link(db, person.id)
        if link is not None:
            await LoansScreen(message, texts, config, db, library_system, link).show()
        return
    await state.set_state(LinkForm.ticket)
    what = SECRET_KIND[proof_mode(config)]
    text = "\n\n".join(
        [texts(PHONE_MISSES[result.outcome]), texts("loans-phone-fallback", what=what)]
    )
    await message.answer(text, reply_markup=menu)


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
    mode = proof_mode(config)
    credentials, code = proofs(text, mode)
    if credentials is None and code is None:
        activity.status = "bad input"
        if mode == "surname_birth_year":
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
    what = SECRET_KIND[mode]
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
