"""One front door per database, kept between messages: its FAQ index is rebuilt only when
the FAQ changed — at once after a change made in this process (`entries.generation`),
and within a few seconds after one made in another process (`entries.stamp`, one small
aggregate query, read no more often than that). Building the index for a thousand
entries takes tens of milliseconds and happens once per change."""

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

RECHECK_SECONDS = 5.0  # another process's change shows within this


@dataclass
class _Kept:
    door: FrontDoor
    rules: tuple[int, int]  # which branches and topics the rules were built for
    generation: int  # this process's changes it includes
    stamp: tuple[int, datetime | None]  # the database's, when last read
    checked: float


_kept: weakref.WeakKeyDictionary[Database, _Kept] = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


def _fresh(kept: _Kept | None, rules: tuple[int, int]) -> bool:
    return (
        kept is not None
        and kept.rules == rules
        and kept.generation == entries.generation()
        and time.monotonic() - kept.checked < RECHECK_SECONDS
    )


async def door_for(
    db: Database, branches: Sequence[Branch], topics: Sequence[ConsultationTopic]
) -> FrontDoor:
    rules = (id(branches), id(topics))
    kept = _kept.get(db)
    if _fresh(kept, rules):
        assert kept is not None
        return kept.door
    async with _locks.setdefault(db, asyncio.Lock()):  # one rebuild, however many wait
        kept = _kept.get(db)
        if _fresh(kept, rules):
            assert kept is not None
            return kept.door
        generation = entries.generation()  # before reading: a later change rebuilds again
        stamp = await entries.stamp(db)
        same = kept is not None and kept.rules == rules
        if kept is not None and same and kept.stamp == stamp and kept.generation == generation:
            kept.checked = time.monotonic()
            return kept.door
        items = await entries.entries(db)
        index = FaqIndex(phrased(i.id, i.question, i.phrasings) for i in items)
        door = kept.door.with_faq(index) if kept and same else FrontDoor(branches, topics, index)
        _kept[db] = _Kept(door, rules, generation, stamp, time.monotonic())
        return door
