"""How a grant contest looks, in the chat and in its reminders: the button data, the card,
the sums and dates as people read them.

Button data carries ids and small numbers only; a topic is pressed by a short hash of its
name (`topic_key`), looked up among the calendar's topics when pressed — its place in the
list would name another topic once new contests reorder the list.
"""

from __future__ import annotations

import enum
import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from aiogram.filters.callback_data import CallbackData
from aiogram.types import InlineKeyboardButton
from pydantic import Field

from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import label
from storage.grants.contests import ContestView
from storage.grants.models import Status

Id = Annotated[int, Field(ge=0, le=2**31 - 1)]


class GrantAction(enum.StrEnum):
    OPEN = "open"  # «Гранты»: the calendar's first screen
    NOW = "now"  # open now
    SOON = "soon"  # closing within two weeks
    TOPICS = "topics"  # the topics, to list by or follow
    TOPIC = "t"  # `GrantTopicCb`: topic = the topic's key (`topic_key`)
    CARD = "card"  # id = contest
    PREPARE = "prep"  # «Готовлю заявку», id = contest
    EXPERT = "exp"  # the expertise consultation, id = application
    FOLLOW = "fol"  # `GrantTopicCb`: topic = the topic's key; none = every contest
    RESULT = "res"  # id = application, n = 1 supported, 2 not supported, 3 not yet known
    MINE = "mine"  # the person's applications
    WATCH = "watch"  # id = contest: remind me of its deadline (again: stop)


class GrantCb(CallbackData, prefix="grant"):
    action: GrantAction
    id: Id = 0
    n: Annotated[int, Field(ge=0, le=99)] = 0


class GrantTopicCb(CallbackData, prefix="gtopic"):
    """A topic's buttons (TOPIC, FOLLOW): their own data, so the buttons of `GrantCb`
    already in chats keep their shape."""

    action: GrantAction
    topic: Annotated[str, Field(pattern=r"^[0-9a-f]{0,8}$")] = ""  # none: every contest


def cb(action: GrantAction, id_: int = 0, n: int = 0) -> str:
    return GrantCb(action=action, id=id_, n=n).pack()


def topic_cb(action: GrantAction, tag: str | None) -> str:
    """TOPIC or FOLLOW of one topic; FOLLOW without one is every contest."""
    return GrantTopicCb(action=action, topic=topic_key(tag) if tag else "").pack()


def topic_key(tag: str) -> str:
    """A topic in a button: a short hash of its name, not its place in the list (which new
    contests reorder while the screen is shown) nor the name itself (64 bytes of callback
    data hold few Cyrillic letters)."""
    return hashlib.sha1(tag.casefold().encode(), usedforsecurity=False).hexdigest()[:8]


def topic_of(key: str, tags: Sequence[str]) -> str | None:
    """The topic among `tags` a button's key names; None when it is gone from the calendar."""
    return next((tag for tag in tags if key and topic_key(tag) == key), None)


RESULT_ANSWERS = {1: Status.SUPPORTED, 2: Status.REJECTED}


def rubles(amount: int) -> str:
    """3 000 000: thin groups as a Russian reader writes sums."""
    return f"{amount:,}".replace(",", "\u00a0")


def amounts(texts: Texts, low: int | None, high: int | None) -> str:
    if low is not None and high is not None:
        return texts("grants-amount-range", low=rubles(low), high=rubles(high))
    if high is not None:
        return texts("grants-amount-up-to", high=rubles(high))
    if low is not None:
        return texts("grants-amount-from", low=rubles(low))
    return ""


def local(moment: datetime, zone: str) -> str:
    return f"{moment.astimezone(ZoneInfo(zone)):%d.%m.%Y %H:%M}"


def deadline(contest: ContestView, library_zone: str) -> str:
    """The deadline as the contest announced it; its time zone said when not the library's."""
    shown = local(contest.draft.deadline, contest.draft.zone)
    return shown if contest.draft.zone == library_zone else f"{shown} ({contest.draft.zone})"


def card(texts: Texts, contest: ContestView, library_zone: str, now: datetime) -> str:
    """The contest's card: name, operator, window, sums, who may apply, topics."""
    draft = contest.draft
    lines = [texts("grants-card-title", name=draft.name)]
    if draft.operator:
        lines.append(texts("grants-card-operator", operator=draft.operator))
    if draft.opens_at is not None and draft.opens_at > now:
        lines.append(texts("grants-card-opens", when=local(draft.opens_at, draft.zone)))
    lines.append(texts("grants-card-deadline", when=deadline(contest, library_zone)))
    if draft.results_at is not None:
        lines.append(texts("grants-card-results", when=local(draft.results_at, draft.zone)[:10]))
    sums = amounts(texts, draft.amount_min, draft.amount_max)
    if sums:
        lines.append(texts("grants-card-amount", amount=sums))
    if draft.eligible:
        lines.append(texts("grants-card-eligible", who=draft.eligible))
    if draft.tags:
        lines.append(texts("grants-card-tags", tags=", ".join(draft.tags)))
    if contest.closed:
        lines.append(texts("grants-card-closed"))
    elif draft.deadline <= now:
        lines.append(texts("grants-card-over"))
    return "\n".join(lines)


def link_button(texts: Texts, contest: ContestView) -> InlineKeyboardButton | None:
    if not contest.draft.link:
        return None
    return InlineKeyboardButton(text=label(texts("grants-link")), url=contest.draft.link)


def line(contest: ContestView, library_zone: str) -> str:
    """A contest in a list's button: its name and deadline day."""
    day = local(contest.draft.deadline, contest.draft.zone)[:5]
    return f"{day} · {contest.draft.name}"
