"""«Сообщить, когда вернут»: tell waiting readers that a copy is back on the shelf.

Runs as a periodic job. Outside quiet hours only; a reader who blocked the bot is
not asked again; a failed send stays pending and is retried on the next run.
"""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.sender import Outcome, classify
from storage import activity
from storage.activity import ActivityNote
from storage.catalogue import watches
from storage.catalogue.availability import record_card
from storage.db import Database
from storage.models import ActivityKind

log = logging.getLogger(__name__)


async def notify_returned(
    db: Database, bot: Bot, locales: Locales, config: Config, *, platform: str, now: datetime
) -> int:
    """Send due notices; return how many were delivered."""
    if config.notifications.is_quiet(now.astimezone(config.library.zone).time()):
        return 0
    delivered = 0
    for notice in await watches.due(db, platform=platform):
        card = await record_card(db, notice.record_id, config.library.branches)
        if card is None:
            continue
        if not await watches.claim(db, notice.watch_id):
            continue  # another process took it
        where = ", ".join(b.name for b in card.branches if b.available)
        texts = locales.texts(notice.language)
        try:
            await bot.send_message(
                int(notice.platform_user_id),
                texts("catalogue-returned", title=notice.title, where=where),
            )
        except TelegramAPIError as exc:  # what it means is the sender's to say
            failure = classify(exc)
            if failure is not None and failure.outcome is Outcome.BLOCKED:
                log.info("watch %s: the reader blocked the bot; dropping it", notice.watch_id)
            else:
                log.warning("watch %s not delivered, will retry: %s", notice.watch_id, exc)
                await watches.unclaim(db, notice.watch_id)
            continue
        await activity.record(
            db,
            ActivityNote(
                platform=platform,
                kind=ActivityKind.CATALOGUE_QUERY,
                content=notice.title,
                status="returned notice",
                executor=activity.BOT_EXECUTOR,
            ),
        )
        delivered += 1
    return delivered
