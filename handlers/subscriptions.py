"""«Подписки»: topics from the config, one tap to subscribe or leave, /stop for all.

Topic and branch ids in button data are checked against the config on every press
(`Offered`, `WithBranches`); a forged or outdated one gets «Кнопка устарела».
"""

from __future__ import annotations

from typing import Any

from aiogram import F
from aiogram.filters import Command, Filter
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.kernel.config import Config, Topic
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import StopReason, SubsAction, SubsCb
from broadcasts.views.keyboards import button, inline
from handlers.common import show_menu
from handlers.filters import MenuButton
from handlers.routes import Routes
from storage import subscriptions
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView
from storage.subscriptions import ANY_BRANCH

# «все филиалы» pressed on a topic's branch screen (the topic list's own toggle has no
# branch): the screen to show again after the press.
ALL_ON_BRANCH_SCREEN = "*"

routes = Routes(__name__)


def topic_name(texts: Texts, topic: Topic) -> str:
    return topic.name_en if texts.language == "en" and topic.name_en else topic.name


def topics_keyboard(
    texts: Texts, config: Config, held: set[tuple[str, str]]
) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    for topic in config.subscriptions.topics:
        name = topic_name(texts, topic)
        on = any(held_topic == topic.id for held_topic, _ in held)
        toggle = SubsCb(action=SubsAction.TOGGLE, topic=topic.id)
        rows.append([button(texts("subs-on" if on else "subs-off", topic=name), toggle.pack())])
        if topic.per_branch and config.library.branches:
            branches = SubsCb(action=SubsAction.BRANCHES, topic=topic.id)
            rows.append([button(texts("subs-branch-button", topic=name), branches.pack())])
    rows.append([button(texts("subs-stop-button"), SubsCb(action=SubsAction.STOP).pack())])
    return inline(texts, *rows)


def branches_keyboard(
    texts: Texts, config: Config, topic: Topic, held: set[tuple[str, str]]
) -> InlineKeyboardMarkup:
    choices = [(ANY_BRANCH, texts("subs-any-branch"))]
    choices += [(branch.id, branch.name) for branch in config.library.branches]
    rows = []
    for branch_id, label in choices:
        key = "subs-on" if (topic.id, branch_id) in held else "subs-off"
        pressed = branch_id or ALL_ON_BRANCH_SCREEN
        toggle = SubsCb(action=SubsAction.TOGGLE, topic=topic.id, branch=pressed)
        rows.append([button(texts(key, topic=label), toggle.pack())])
    rows.append([button(texts("subs-back"), SubsCb(action=SubsAction.SHOW).pack())])
    return inline(texts, *rows)


async def _topics(
    texts: Texts, config: Config, db: Database, person: PersonView
) -> InlineKeyboardMarkup:
    """The topic list as this person follows it now."""
    return topics_keyboard(texts, config, await subscriptions.of(db, person.id))


async def offer(
    message: Message, texts: Texts, config: Config, db: Database, person: PersonView
) -> None:
    """Ask a new person once whether they want news."""
    if config.subscriptions.topics and await subscriptions.should_offer(db, person.id):
        await message.answer(
            texts("subs-offer"), reply_markup=await _topics(texts, config, db, person)
        )


class Offered(Filter):
    """A toggle's topic and branch, if the library still offers them: `topic` (the
    config's) and `branch` for the handler."""

    async def __call__(
        self, query: CallbackQuery, callback_data: SubsCb, config: Config
    ) -> bool | dict[str, Any]:
        pressed = callback_data.branch
        branch = ANY_BRANCH if pressed == ALL_ON_BRANCH_SCREEN else pressed
        topic = subscriptions.offered(config, callback_data.topic, branch)
        return False if topic is None else {"topic": topic, "branch": branch}


class WithBranches(Filter):
    """A topic followed branch by branch, as `topic`."""

    async def __call__(
        self, query: CallbackQuery, callback_data: SubsCb, config: Config
    ) -> bool | dict[str, Any]:
        topic = config.subscriptions.topic(callback_data.topic)
        return False if topic is None or not topic.per_branch else {"topic": topic}


@routes.message(MenuButton("menu-subscriptions"))
async def show(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.SUBSCRIPTION
    await message.answer(texts("subs-title"), reply_markup=await _topics(texts, config, db, person))


@routes.message(Command("stop"))
async def stop_command(
    message: Message, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
) -> None:
    await _stop(message, texts, db, person, activity)


@routes.callback_query(SubsCb.filter(F.action == SubsAction.SHOW))
async def show_again(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    """«Назад» from a topic's branches: the topic list in the same message."""
    activity.kind = ActivityKind.SUBSCRIPTION
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=await _topics(texts, config, db, person))


@routes.callback_query(SubsCb.filter(F.action == SubsAction.TOGGLE), Offered())
async def toggle(
    query: CallbackQuery,
    callback_data: SubsCb,
    topic: Topic,
    branch: str,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.SUBSCRIPTION
    subscribed = await subscriptions.toggle(db, person.id, topic.id, branch)
    activity.content = f"{topic.id}:{branch or '*'}"
    activity.status = "subscribed" if subscribed else "unsubscribed"
    name = topic_name(texts, topic)
    await query.answer(
        texts.plain("subs-subscribed" if subscribed else "subs-unsubscribed", topic=name)
    )
    if isinstance(query.message, Message):
        held = await subscriptions.of(db, person.id)
        keyboard = (
            branches_keyboard(texts, config, topic, held)
            if callback_data.branch != ANY_BRANCH  # pressed on the topic's branch screen
            else topics_keyboard(texts, config, held)
        )
        await query.message.edit_reply_markup(reply_markup=keyboard)


@routes.callback_query(SubsCb.filter(F.action == SubsAction.TOGGLE))
async def toggle_not_offered(
    query: CallbackQuery, texts: Texts, person: PersonView, activity: ActivityNote
) -> None:
    """A topic or branch the config no longer has (or never had)."""
    activity.kind = ActivityKind.SUBSCRIPTION
    activity.status = "stale button"
    await query.answer(texts("stale-button"))
    if isinstance(query.message, Message):
        await show_menu(query.message, texts, person, key="stale-button")


@routes.callback_query(SubsCb.filter(F.action == SubsAction.BRANCHES), WithBranches())
async def branches(
    query: CallbackQuery,
    topic: Topic,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.SUBSCRIPTION
    await query.answer()
    if isinstance(query.message, Message):
        held = await subscriptions.of(db, person.id)
        await query.message.answer(
            texts("subs-branches", topic=topic_name(texts, topic)),
            reply_markup=branches_keyboard(texts, config, topic, held),
        )


@routes.callback_query(SubsCb.filter(F.action == SubsAction.BRANCHES))
async def branches_not_offered(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """Branches of a topic that is gone, or no longer followed branch by branch."""
    activity.kind = ActivityKind.SUBSCRIPTION
    await query.answer(texts("stale-button"))


async def _stop(
    message: Message, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.SUBSCRIPTION
    removed = await subscriptions.unsubscribe_all(db, person.id)
    activity.status = "stopped"
    activity.notes = f"removed={removed}"
    if not removed:
        await show_menu(message, texts, person, key="subs-not-subscribed")
        return
    reasons = [
        button(
            texts(f"subs-reason-{reason.value}"),
            SubsCb(action=SubsAction.REASON, reason=reason).pack(),
        )
        for reason in StopReason
    ]
    await message.answer(texts("subs-stopped"), reply_markup=inline(texts, reasons))


@routes.callback_query(SubsCb.filter(F.action == SubsAction.STOP))
async def stop_button(
    query: CallbackQuery, texts: Texts, db: Database, person: PersonView, activity: ActivityNote
) -> None:
    await query.answer()
    if isinstance(query.message, Message):
        await _stop(query.message, texts, db, person, activity)


@routes.callback_query(SubsCb.filter(F.action == SubsAction.REASON))
async def stop_reason(
    query: CallbackQuery,
    callback_data: SubsCb,
    texts: Texts,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.SUBSCRIPTION
    activity.status = "stop reason"
    activity.notes = callback_data.reason.value
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await show_menu(query.message, texts, person, key="subs-reason-thanks")
