"""Whom an announcement goes to, as staff choose it: a topic's followers (of one branch, for
a per-branch topic), people from NKOs, those registered for an upcoming event, or everyone.

A choice travels in a button as a short value — "events", "events@central", "+nko", "#12",
"*" — checked against the config and the events table before it reaches a draft.
"""

from __future__ import annotations

import html
import re

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ComposeAction, ComposeCb
from broadcasts.views.keyboards import button
from handlers.subscriptions import topic_name
from storage.db import Database
from storage.events.listing import upcoming
from storage.events.models import Event, EventStatus
from storage.outbox import Audience
from storage.types import utcnow

EVERYONE = "*"
NKO = "+nko"  # people who gave an organisation (with consent)
EVENT_LIST = "#"  # show upcoming events to choose from
EVENT_PREFIX = "#"  # "#12": those registered for event 12 (topic ids cannot start so)
EVENT_CHOICES = 8
BRANCH_MARK = "@"  # "events@central": a per-branch topic's followers of one branch


def preview(announcement: str, limit: int = 60) -> str:
    """The start of an announcement's text as plain text (its HTML tags and escapes
    undone), to be escaped again where it is shown: never cut inside `&amp;`."""
    plain = html.unescape(re.sub(r"<[^>]+>", "", announcement))
    return plain if len(plain) <= limit else plain[: limit - 1] + "…"


def cancel_row(texts: Texts) -> list[InlineKeyboardButton]:
    return [button(texts("compose-cancel"), ComposeCb(action=ComposeAction.CANCEL).pack())]


def audience_label(texts: Texts, config: Config, value: str, event_title: str = "") -> str:
    if value == EVERYONE:
        return texts("compose-everyone")
    if value == NKO:
        return texts("compose-nko")
    if value.startswith(EVENT_PREFIX):
        return texts("compose-event-audience", title=event_title or value)
    topic_id, _, branch_id = value.partition(BRANCH_MARK)
    topic = config.subscriptions.topic(topic_id)
    label = topic_name(texts, topic) if topic else topic_id
    branch = next((b for b in config.library.branches if b.id == branch_id), None)
    return texts("compose-topic-branch", topic=label, branch=branch.name) if branch else label


def audience_of(value: str) -> Audience:
    """The stored audience for a draft's choice (validated before it reached the draft)."""
    if value == EVERYONE:
        return Audience(everyone=True)
    if value == NKO:
        return Audience(nko=True)
    if value.startswith(EVENT_PREFIX):
        return Audience(event_id=int(value.removeprefix(EVENT_PREFIX)))
    topic, _, branch = value.partition(BRANCH_MARK)
    return Audience(topic=topic, branch=branch)


def value_of(audience: Audience) -> str:
    if audience.everyone:
        return EVERYONE
    if audience.nko:
        return NKO
    if audience.event_id is not None:
        return f"{EVENT_PREFIX}{audience.event_id}"
    if audience.branch:
        return f"{audience.topic or ''}{BRANCH_MARK}{audience.branch}"
    return audience.topic or ""


def topic_choice(config: Config, value: str) -> tuple[bool, bool]:
    """(a known topic, and its branch is still to be chosen)."""
    topic_id, marked, branch_id = value.partition(BRANCH_MARK)
    topic = config.subscriptions.topic(topic_id)
    if topic is None:
        return False, False
    if not marked:
        return True, topic.per_branch and len(config.library.branches) > 1
    known = branch_id == "" or any(b.id == branch_id for b in config.library.branches)
    return known and topic.per_branch, False


async def choose_branch(message: Message, texts: Texts, config: Config, topic: str) -> None:
    def choice(label: str, branch: str) -> list[InlineKeyboardButton]:
        value = f"{topic}{BRANCH_MARK}{branch}"
        return [button(label, ComposeCb(action=ComposeAction.AUDIENCE, value=value).pack())]

    rows = [choice(texts("compose-all-branches"), "")]
    rows += [choice(b.name, b.id) for b in config.library.branches]
    rows.append(cancel_row(texts))
    await message.answer(
        texts("compose-ask-branch"), reply_markup=InlineKeyboardMarkup(inline_keyboard=rows)
    )


async def event_title(db: Database, value: str) -> str | None:
    """The title of a scheduled event named by "#<id>", or None."""
    number = value.removeprefix(EVENT_PREFIX)
    if not number.isdigit() or len(number) > 9:
        return None
    async with db.transaction() as session:
        event = await session.get(Event, int(number))
    if event is None or event.status != EventStatus.SCHEDULED:
        return None
    return event.title


async def choose_event(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    *,
    action: ComposeAction,
    question: str,
) -> None:
    """Upcoming events as buttons carrying "#<id>" for `action` (an audience, a «Записаться»
    button), with «Отменить»; a word instead when there are none."""
    events, _ = await upcoming(db, now=utcnow(), limit=EVENT_CHOICES)
    rows = [
        [
            button(
                f"{e.starts_at.astimezone(config.library.zone):%d.%m} {e.title}"[:60],
                ComposeCb(action=action, value=f"{EVENT_PREFIX}{e.id}").pack(),
            )
        ]
        for e in events
    ]
    rows.append(cancel_row(texts))
    await message.answer(
        texts(question if events else "compose-no-events"),
        reply_markup=InlineKeyboardMarkup(inline_keyboard=rows),
    )
