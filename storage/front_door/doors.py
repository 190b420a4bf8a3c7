"""One front door per database, kept between messages: its FAQ index is rebuilt only when
the FAQ changed. Each message reads the FAQ's stamp (`storage.faq.entries.stamp`: one
small aggregate query, a fraction of a millisecond) so an edit made by staff in any
process is used from the next message on; building the index for a thousand entries takes
tens of milliseconds and happens once per edit."""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.kernel.config import Branch, ConsultationTopic
from storage.db import Database
from storage.faq import entries
from storage.front_door.decide import FrontDoor
from storage.front_door.faq_index import FaqIndex, phrased


@dataclass
class _Kept:
    door: FrontDoor
    stamp: tuple[int, datetime | None]
    rules: tuple[int, int]  # which branches and topics the rules were built for


_kept: weakref.WeakKeyDictionary[Database, _Kept] = weakref.WeakKeyDictionary()
_locks: weakref.WeakKeyDictionary[Database, asyncio.Lock] = weakref.WeakKeyDictionary()


async def door_for(
    db: Database, branches: Sequence[Branch], topics: Sequence[ConsultationTopic]
) -> FrontDoor:
    rules = (id(branches), id(topics))
    stamp = await entries.stamp(db)
    kept = _kept.get(db)
    if kept is not None and kept.rules == rules and kept.stamp == stamp:
        return kept.door
    async with _locks.setdefault(db, asyncio.Lock()):  # one rebuild, however many wait
        kept = _kept.get(db)
        if kept is not None and kept.rules == rules and kept.stamp == stamp:
            return kept.door
        items = await entries.entries(db)
        index = FaqIndex(phrased(i.id, i.question, i.phrasings) for i in items)
        same_rules = kept is not None and kept.rules == rules
        door = (
            kept.door.with_faq(index) if kept and same_rules else FrontDoor(branches, topics, index)
        )
        _kept[db] = _Kept(door, stamp, rules)
        return door
