"""/link: one person in Telegram and VK.

The reader asks for a code in one messenger and sends it to the bot in the other; from
then on both accounts are one person (books, registrations, requests, subscriptions),
and broadcasts reach them once, in the messenger they choose («Присылать сюда»). The
code never reaches the activity log; which messenger is preferred is decided from the
account the press came from, never from button data.
"""

from __future__ import annotations

import re

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import AccountAction, AccountCb, Nav, Screen
from broadcasts.views.keyboards import button, inline
from storage import identity
from storage.activity import HIDDEN, ActivityNote
from storage.circulation.link_guard import GuardPolicy
from storage.db import Database
from storage.identity import Outcome
from storage.models import ActivityKind
from storage.people import PersonView

CODE = re.compile(r"^\s*(\d{4})[\s-]?(\d{4})\s*$")


class LinkForm(StatesGroup):
    code = State()


def typed_code(text: str | None) -> str | None:
    """The eight digits of a link code as people type them (spaces or a dash allowed)."""
    match = CODE.match(text or "")
    return "".join(match.groups()) if match else None


def messenger(texts: Texts, platform: str) -> str:
    return texts(f"messenger-{platform}") if platform in ("telegram", "vk") else platform


def _keyboard(texts: Texts, *, offer_prefer: bool) -> InlineKeyboardMarkup:
    rows = [[button(texts("link-get-code"), AccountCb(action=AccountAction.CODE).pack())]]
    if offer_prefer:
        rows.append(
            [button(texts("link-prefer-here"), AccountCb(action=AccountAction.PREFER).pack())]
        )
    return inline(texts, *rows)


async def _screen(
    target: Message, texts: Texts, db: Database, person: PersonView, state: FSMContext
) -> None:
    accounts = await identity.accounts(db, person.id)
    lines = [texts("link-intro")]
    linked = len({platform for platform, _ in accounts}) > 1
    if linked:
        names = ", ".join(messenger(texts, platform) for platform, _ in accounts)
        lines.append(
            texts("link-status", messengers=names, preferred=messenger(texts, accounts[0][0]))
        )
    await state.set_state(LinkForm.code)
    await target.answer(
        "\n\n".join(lines),
        reply_markup=_keyboard(texts, offer_prefer=linked and accounts[0][0] != person.platform),
    )


async def _redeem(
    message: Message,
    code: str,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
    guard: GuardPolicy,
) -> None:
    activity.content = HIDDEN
    if person.roles:  # staff, experts, admins (from the config too): never through the bot
        activity.status = "account link: staff"
        await state.clear()
        await message.answer(texts("link-staff"), reply_markup=inline(texts))
        return
    result = await identity.redeem(
        db,
        code,
        keys=guard.keys,
        person_id=person.id,
        platform=person.platform,
        account=person.platform_user_id,
    )
    activity.status = f"account link: {result.outcome}"
    if result.outcome is Outcome.WRONG:
        await message.answer(
            texts("link-wrong", left=result.failures_left), reply_markup=inline(texts)
        )
        return
    await state.clear()
    if result.outcome is Outcome.LOCKED:
        until = result.locked_until.astimezone(config.library.zone) if result.locked_until else None
        await message.answer(
            texts("link-locked", until=f"{until:%H:%M}" if until else "—"),
            reply_markup=inline(texts),
        )
        return
    if result.outcome is not Outcome.LINKED:
        await message.answer(
            texts(f"link-{result.outcome.replace('_', '-')}"), reply_markup=inline(texts)
        )
        return
    accounts = await identity.accounts(db, result.person_id or person.id)
    text = texts("link-done", preferred=messenger(texts, accounts[0][0]))
    if result.moved_ticket_dropped:
        text += "\n\n" + texts("link-ticket-kept")
    await message.answer(
        text, reply_markup=_keyboard(texts, offer_prefer=accounts[0][0] != person.platform)
    )


def build_router() -> Router:
    router = Router(name=__name__)

    @router.message(Command("link"))
    async def link_command(
        message: Message,
        command: CommandObject,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
        link_guard: GuardPolicy,
    ) -> None:
        activity.kind = ActivityKind.MENU
        code = typed_code(command.args)
        if code:
            await _redeem(message, code, texts, config, db, person, state, activity, link_guard)
            return
        await _screen(message, texts, db, person, state)

    @router.callback_query(Nav.filter(F.to == Screen.LINK))
    async def link_button(
        query: CallbackQuery,
        texts: Texts,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.MENU
        await query.answer()
        if isinstance(query.message, Message):
            await _screen(query.message, texts, db, person, state)

    @router.callback_query(AccountCb.filter(F.action == AccountAction.CODE))
    async def get_code(
        query: CallbackQuery, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
    ) -> None:
        activity.kind = ActivityKind.MENU
        if person.roles:
            activity.status = "account link code: staff"
            await query.answer(texts("link-staff"), show_alert=True)
            return
        activity.status = "account link code"
        code = await identity.issue_code(db, person.id, person.platform)
        other = "vk" if person.platform == "telegram" else "telegram"
        await query.answer()
        if isinstance(query.message, Message):
            await query.message.answer(
                texts("link-code", code=code, other=messenger(texts, other)),
                reply_markup=inline(texts),
            )

    @router.callback_query(AccountCb.filter(F.action == AccountAction.PREFER))
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

    @router.message(LinkForm.code, F.text)
    async def code_typed(
        message: Message,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
        link_guard: GuardPolicy,
    ) -> None:
        activity.kind = ActivityKind.MENU
        code = typed_code(message.text)
        if code is None:
            activity.content = HIDDEN
            await message.answer(texts("link-ask-code"), reply_markup=inline(texts))
            return
        await _redeem(message, code, texts, config, db, person, state, activity, link_guard)

    return router
