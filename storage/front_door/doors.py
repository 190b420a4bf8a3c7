"""One front door per database, kept between messages: its FAQ index is rebuilt only when
the FAQ changed (`storage.faq.entries.stamp`), looked at no more than every few seconds,
and at once after an edit in this process. Building the index for a thousand entries takes
tens of milliseconds; reading the stamp, one small query."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.kernel.config import Branch, ConsultationTopic
from storage.db import Database
from storage.faq import entries
from storage.front_door.decide import FrontDoor
from storage.front_door.faq_index import FaqIndex, phrased

RECHECK_SECONDS = 10.0  # another process's FAQ edit shows within this


@dataclass
class _Kept:
    door: FrontDoor
    stamp: tuple[int, datetime | None]
    checked: float
    rules: tuple[int, int]  # which branches and topics the rules were built for


_kept: weakref.WeakKeyDictionary[Database, _Kept] = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


async def door_for(
    db: Database, branches: Sequence[Branch], topics: Sequence[ConsultationTopic]
) -> FrontDoor:
    rules = (id(branches), id(topics))
    kept = _kept.get(db)
    now = time.monotonic()
    if kept is not None and kept.rules == rules and now - kept.checked < RECHECK_SECONDS:
        return kept.door
    lock = _locks.setdefault(db, asyncio.Lock())
    async with lock:
        kept = _kept.get(db)
        if (
            kept is not None
            and kept.rules == rules
            and time.monotonic() - kept.checked < RECHECK_SECONDS
        ):
            return kept.door
        stamp = await entries.stamp(db)
        if kept is not None and kept.rules == rules and kept.stamp == stamp:
            kept.checked = time.monotonic()
            return kept.door
        items = await entries.entries(db)
        index = FaqIndex(phrased(i.id, i.question, i.phrasings) for i in items)
        door = (
            kept.door.with_faq(index)
            if kept is not None and kept.rules == rules
            else FrontDoor(branches, topics, index)
        )
        _kept[db] = _Kept(door, stamp, time.monotonic(), rules)
        return door


def faq_changed(db: Database) -> None:
    """An edit in this process: the next message reads the FAQ afresh."""
    kept = _kept.get(db)
    if kept is not None:
        kept.checked = float("-inf")
