"""Admins grant and revoke the staff and expert roles from the bot.

Every handler here is behind HasRole(ADMIN); the person id inside a «Снять» button is
only a choice among people the admin was shown, and the admin check is made again on
the server for every press. Which roles may be given, and what a grant or a revoke
changed, are `storage.people`'s (`GRANTABLE`, `grant_to_account`, `revoke_from`).
"""

from __future__ import annotations

import re

from aiogram import Bot, F
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from bot.kernel.messengers import Messengers
from broadcasts.staff_chat import notify_person, notify_staff
from broadcasts.views.callbacks import RoleAction, RoleCb, StaffAction, StaffCb
from broadcasts.views.keyboards import button, inline
from handlers.common import back_to_menu
from handlers.expert_link import offer_directory
from handlers.filters import HasRole
from handlers.routes import Routes
from storage import people
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import GRANTABLE, PersonView, RoleChange

_ID = re.compile(r"^(?:(telegram|tg|vk|max|console)\s*:\s*)?(-?\d{1,20})$", re.IGNORECASE)


routes = Routes(__name__)
routes.filter("message", HasRole(Role.ADMIN))
routes.filter("callback_query", HasRole(Role.ADMIN))


class RolesForm(StatesGroup):
    waiting_id = State()


def parse_messenger_id(text: str, default_platform: str) -> tuple[str, str] | None:
    match = _ID.match(text.strip())
    if not match:
        return None
    platform = (match.group(1) or default_platform).lower()
    return ("telegram" if platform == "tg" else platform), match.group(2)


def name_of(person: PersonView, directory_names: dict[int, str] | None = None) -> str:
    """A person as staff know them: the name they gave, else their name in the expert
    directory, and the messenger id only when there is neither."""
    known = (directory_names or {}).get(person.id)
    return person.display_name or known or person.messenger_id


async def known_name(db: Database, person: PersonView) -> str:
    """`name_of` with the expert directory looked up."""
    if person.display_name:
        return person.display_name
    return name_of(person, await directory.names_of_people(db, [person.id]))


async def roles_screen(db: Database, texts: Texts) -> tuple[str, InlineKeyboardMarkup]:
    lines = [texts("roles-title")]
    rows = []
    holders = {role: await people.with_role(db, role) for role in GRANTABLE}
    names = await directory.names_of_people(
        db, [holder.id for found in holders.values() for holder in found]
    )
    for role, found in holders.items():
        for holder in found:
            role_name = texts(f"role-{role}")
            name = name_of(holder, names)
            lines.append(texts("roles-line", name=name, role=role_name))
            revoke = RoleCb(action=RoleAction.REVOKE, role=role, person_id=holder.id)
            rows.append([button(texts("roles-revoke", name=name, role=role_name), revoke.pack())])
    if len(lines) == 1:
        lines.append(texts("roles-empty"))
    rows.append(
        [button(texts("roles-add-staff"), RoleCb(action=RoleAction.ADD, role=Role.STAFF).pack())]
    )
    rows.append(
        [button(texts("roles-add-expert"), RoleCb(action=RoleAction.ADD, role=Role.EXPERT).pack())]
    )
    return "\n".join(lines), inline(texts, *rows)


def _log(activity: ActivityNote, admin: PersonView, role: Role, change: RoleChange) -> None:
    status = change.value
    activity.kind = ActivityKind.ROLE_CHANGE
    # Not who got the role: the text would outlive that person's /forget.
    activity.content = f"{status}: {role}"
    activity.responsible = name_of(admin)
    activity.executor = name_of(admin)
    activity.customer = None
    activity.status = status


async def _tell(
    bot: Bot, locales: Locales, admin: PersonView, target: PersonView, key: str, role: Role
) -> None:
    """Tell the person about their new role, in their language, if they are reachable here."""
    if target.platform != admin.platform:
        return
    texts = locales.texts(target.language)
    await notify_person(bot, int(target.platform_user_id), texts(key, role=texts(f"role-{role}")))


@routes.callback_query(StaffCb.filter(F.action == StaffAction.ROLES))
async def show_roles(
    query: CallbackQuery, texts: Texts, db: Database, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await query.answer()
    if isinstance(query.message, Message):
        text, keyboard = await roles_screen(db, texts)
        await query.message.answer(text, reply_markup=keyboard)


@routes.callback_query(
    RoleCb.filter(F.action == RoleAction.ADD), RoleCb.filter(F.role.in_(GRANTABLE))
)
async def ask_for_id(
    query: CallbackQuery,
    callback_data: RoleCb,
    texts: Texts,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await state.set_state(RolesForm.waiting_id)
    await state.update_data(role=callback_data.role.value)
    await query.answer()
    if isinstance(query.message, Message):
        cancel = button(texts("roles-cancel"), RoleCb(action=RoleAction.CANCEL).pack())
        await query.message.answer(
            texts("roles-ask-id"), reply_markup=InlineKeyboardMarkup(inline_keyboard=[[cancel]])
        )


@routes.callback_query(RoleCb.filter(F.action == RoleAction.CANCEL))
async def cancel(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.STAFF_ACTION
    await back_to_menu(query, texts, person, state, key="roles-cancelled")


@routes.message(RolesForm.waiting_id, F.text)
async def grant_by_id(
    message: Message,
    texts: Texts,
    locales: Locales,
    person: PersonView,
    db: Database,
    bot: Bot,
    messengers: Messengers,
    config: Config,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """The admin typed the messenger id of the person to get the role asked for."""
    activity.kind = ActivityKind.STAFF_ACTION
    parsed = parse_messenger_id(message.text or "", person.platform)
    if parsed is None:
        activity.status = "bad input"
        await message.answer(texts("roles-bad-id"))
        return
    role = Role((await state.get_data()).get("role", Role.STAFF))
    result = await people.grant_to_account(db, *parsed, role, granted_by=person.id)
    if result.person is None:  # the form stays: the admin may type another id
        activity.status = "unknown person"
        await message.answer(texts("roles-unknown-person"))
        return
    target = result.person
    await state.clear()
    _log(activity, person, role, result.change)
    role_name = texts(f"role-{role}")
    name = await known_name(db, target)
    granted = result.change is RoleChange.GRANTED
    await message.answer(
        texts("roles-granted" if granted else "roles-already", name=name, role=role_name)
    )
    await offer_directory(message, texts, db, target, role, name)
    if not granted:
        return
    await _tell(bot, locales, person, target, "roles-you-got", role)
    await notify_staff(
        messengers,
        config,
        texts("notify-role-granted", admin=name_of(person), name=name, role=role_name),
    )


@routes.callback_query(
    RoleCb.filter(F.action == RoleAction.REVOKE), RoleCb.filter(F.role.in_(GRANTABLE))
)
async def revoke(
    query: CallbackQuery,
    callback_data: RoleCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    bot: Bot,
    messengers: Messengers,
    config: Config,
    locales: Locales,
    activity: ActivityNote,
) -> None:
    await query.answer()
    role = callback_data.role
    result = await people.revoke_from(db, callback_data.person_id, role)
    message = query.message if isinstance(query.message, Message) else None
    role_name = texts(f"role-{role}")
    target = result.person
    name = await known_name(db, target) if target else "—"
    if target is None or result.change is not RoleChange.REVOKED:
        activity.kind = ActivityKind.STAFF_ACTION
        activity.status = "unchanged"
        if message is not None:
            await message.answer(texts("roles-not-held", name=name, role=role_name))
        return
    _log(activity, person, role, result.change)
    if message is not None:
        text, keyboard = await roles_screen(db, texts)
        await message.answer(texts("roles-revoked", name=name, role=role_name))
        await message.answer(text, reply_markup=keyboard)
    await _tell(bot, locales, person, target, "roles-you-lost", role)
    await notify_staff(
        messengers,
        config,
        texts("notify-role-revoked", admin=name_of(person), name=name, role=role_name),
    )
