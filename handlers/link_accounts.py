"""/link: one person in Telegram, VK and MAX.

The reader asks for a code in one messenger and sends it to the bot in another (the code
names the others the library serves); from then on the accounts are one person (books,
registrations, requests, subscriptions), and broadcasts reach them once, in the messenger
they choose («Присылать сюда»). The code never reaches the activity log; which messenger
is preferred is decided from the account the press came from, never from button data.
"""

from __future__ import annotations

import re
from typing import Any

from aiogram import F
from aiogram.filters import Command, CommandObject, Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import MESSENGERS, Config
from bot.kernel.i18n import Texts
from bot.kernel.messengers import Messengers
from broadcasts.views.callbacks import AccountAction, AccountCb, Nav, Screen
from broadcasts.views.keyboards import button, inline
from handlers.routes import Routes
from storage import identity
from storage.activity import HIDDEN, ActivityNote
from storage.circulation.link_guard import GuardPolicy
from storage.db import Database
from storage.identity import LinkResult, Outcome
from storage.models import ActivityKind
from storage.people import PersonView

CODE = re.compile(r"^\s*(\d{4})[\s-]?(\d{4})\s*$")

routes = Routes(__name__)


class LinkForm(StatesGroup):
    code = State()


def typed_code(text: str | None) -> str | None:
    """The eight digits of a link code as people type them (spaces or a dash allowed)."""
    match = CODE.match(text or "")
    return "".join(match.groups()) if match else None


def messenger(texts: Texts, platform: str) -> str:
    return texts(f"messenger-{platform}") if platform in MESSENGERS else platform


def messenger_list(texts: Texts, platforms: tuple[str, ...], *, last: str) -> str:
    """«Telegram, ВКонтакте и MAX» (`last`: the word before the last name, «и» or «или»)."""
    names = [messenger(texts, platform) for platform in dict.fromkeys(platforms)]
    if len(names) < 2:
        return "".join(names)
    return f"{', '.join(names[:-1])} {texts(last)} {names[-1]}"


def served(messengers: Messengers | None) -> tuple[str, ...]:
    """The messengers a reader may link here: those this process serves."""
    found = messengers.platforms if messengers is not None else ()
    return tuple(platform for platform in MESSENGERS if platform in found)


def _keyboard(texts: Texts, *, offer_prefer: bool) -> InlineKeyboardMarkup:
    rows = [[button(texts("link-get-code"), AccountCb(action=AccountAction.CODE).pack())]]
    if offer_prefer:
        rows.append(
            [button(texts("link-prefer-here"), AccountCb(action=AccountAction.PREFER).pack())]
        )
    return inline(texts, *rows)


async def _screen(
    target: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    messengers: Messengers | None,
) -> None:
    found = await identity.status(db, person.id, person.platform)
    serving = served(messengers)
    if len(serving) > 2:  # not only Telegram and VK, as the first text says
        intro = texts("link-intro-many", messengers=messenger_list(texts, serving, last="list-or"))
    else:
        intro = texts("link-intro")
    lines = [intro]
    if found.linked:
        names = ", ".join(messenger(texts, platform) for platform in found.platforms)
        lines.append(
            texts("link-status", messengers=names, preferred=messenger(texts, found.preferred))
        )
    await state.set_state(LinkForm.code)
    await target.answer(
        "\n\n".join(lines), reply_markup=_keyboard(texts, offer_prefer=found.may_prefer)
    )


class CodeGiven(Filter):
    """A link code, as `code`: /link's argument, or the text typed when the screen asked."""

    async def __call__(
        self, message: Message, command: CommandObject | None = None
    ) -> bool | dict[str, Any]:
        code = typed_code(command.args if command is not None else message.text)
        return False if code is None else {"code": code}


@routes.message(LinkForm.code, F.text, CodeGiven())
@routes.message(Command("link"), CodeGiven())
async def redeem(
    message: Message,
    code: str,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    link_guard: GuardPolicy,
) -> None:
    """The code from the other messenger: the two accounts become one person."""
    activity.kind = ActivityKind.MENU
    activity.content = HIDDEN
    result = await identity.redeem(
        db,
        code,
        keys=link_guard.keys,
        person_id=person.id,
        platform=person.platform,
        account=person.platform_user_id,
        privileged=bool(person.roles),  # staff, experts, admins (from the config too)
    )
    activity.status = f"account link: {result.outcome}"
    if result.outcome is not Outcome.WRONG:  # a mistyped code may be typed again
        await state.clear()
    text, keyboard = await _redeemed(result, texts, config, db, person)
    await message.answer(text, reply_markup=keyboard)


async def _redeemed(
    result: LinkResult, texts: Texts, config: Config, db: Database, person: PersonView
) -> tuple[str, InlineKeyboardMarkup]:
    """The answer to a typed code: its text and buttons."""
    if result.outcome is Outcome.WRONG:
        return texts("link-wrong", left=result.failures_left), inline(texts)
    if result.outcome is Outcome.LOCKED:
        until = result.locked_until.astimezone(config.library.zone) if result.locked_until else None
        text = texts("link-locked", until=f"{until:%H:%M}" if until else "—")
        return text, inline(texts)
    if result.outcome is not Outcome.LINKED:
        key = f"link-{result.outcome.replace('_', '-')}"
        return texts(key), inline(texts)
    found = await identity.status(db, result.person_id or person.id, person.platform)
    preferred = messenger(texts, found.preferred)
    if len(set(found.platforms)) > 2:  # a third messenger joined: not «in both»
        names = messenger_list(texts, found.platforms, last="list-and")
        text = texts("link-done-many", messengers=names, preferred=preferred)
    else:
        text = texts("link-done", preferred=preferred)
    if result.moved_ticket_dropped:
        text += "\n\n" + texts("link-ticket-kept")
    return text, _keyboard(texts, offer_prefer=found.may_prefer)


@routes.message(Command("link"))
async def link_command(
    message: Message,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    messengers: Messengers | None = None,
) -> None:
    activity.kind = ActivityKind.MENU
    await _screen(message, texts, db, person, state, messengers)


@routes.callback_query(Nav.filter(F.to == Screen.LINK))
async def link_button(
    query: CallbackQuery,
    texts: Texts,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    messengers: Messengers | None = None,
) -> None:
    activity.kind = ActivityKind.MENU
    await query.answer()
    if isinstance(query.message, Message):
        await _screen(query.message, texts, db, person, state, messengers)


@routes.callback_query(AccountCb.filter(F.action == AccountAction.CODE))
async def get_code(
    query: CallbackQuery,
    texts: Texts,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
    messengers: Messengers | None = None,
) -> None:
    activity.kind = ActivityKind.MENU
    code = await identity.code_for(db, person.id, person.platform, privileged=bool(person.roles))
    if code is None:
        activity.status = "account link code: staff"
        await query.answer(texts("link-staff"), show_alert=True)
        return
    activity.status = "account link code"
    others = identity.other_messengers(person.platform, served(messengers))
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.answer(
            texts("link-code", code=code, other=messenger_list(texts, others, last="list-or")),
            reply_markup=inline(texts),
        )


@routes.callback_query(AccountCb.filter(F.action == AccountAction.PREFER))
async def prefer_here(
    query: CallbackQuery, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.MENU
    done = await identity.prefer(db, person.id, person.platform)
    activity.status = f"preferred {person.platform}" if done else "prefer refused"
    key = "link-preferred" if done else "link-not-linked"
    await query.answer(
        texts.plain(key, messenger=messenger(texts, person.platform)), show_alert=True
    )


@routes.message(LinkForm.code, F.text)
async def not_a_code(message: Message, texts: Texts, activity: ActivityNote) -> None:
    """Text that is not a code while the screen waits for one: ask again (it may have
    been a code mistyped, so the log keeps none of it)."""
    activity.kind = ActivityKind.MENU
    activity.content = HIDDEN
    await message.answer(texts("link-ask-code"), reply_markup=inline(texts))
