"""Seat offers that were not confirmed in time lapse; the next person is offered the seat."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.event_notices import offer_window, tell_promoted
from storage.db import Database
from storage.events import registrations

log = logging.getLogger(__name__)


async def lapse_and_offer(db: Database, locales: Locales, config: Config, *, now: datetime) -> int:
    """Return how many offers lapsed."""
    lapsed = await registrations.lapse_offers(db, now=now, window=offer_window(config, now))
    for place, promotion in lapsed:
        await tell_promoted(db, locales, config, place.event_id, promotion, now=now)
    if lapsed:
        log.info("events: %s seat offers lapsed", len(lapsed))
    return len(lapsed)
