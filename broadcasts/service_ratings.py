"""The morning after an event, «Как вам …? Оцените от 1 до 5» to each person staff marked as
having come (#26, `[ratings] events`).

A sweep, like the event reminders: nothing is enqueued during quiet hours, so a question
due at night waits for the end of them — the morning. Each question is first made a row of
`service_ratings` (once per event and person: a second sweep or process finds it there),
then a personal notice in the outbox with a dedupe key of its own, so it is sent once. The
two steps are each safe to repeat, and a row left without its notice (a crash in between)
is due again (`storage.ratings.due`), so no question is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.views.event_view import when
from broadcasts.views.rating_view import question_buttons
from storage import outbox
from storage.db import Database
from storage.outbox import Notice
from storage.ratings import answers, due
from storage.ratings.models import ServiceKind

log = logging.getLogger(__name__)

ANSWERABLE_FOR = timedelta(days=2)  # a question not sent by then is dropped


async def sweep_event_ratings(
    db: Database, locales: Locales, config: Config, *, now: datetime
) -> int:
    """Enqueue the rating questions due now; return how many new notices were added."""
    if not config.ratings.events:
        return 0
    if config.notifications.is_quiet(now.astimezone(config.library.zone).time()):
        return 0
    notices = []
    for guest in await due.event_guests(db, config.library.zone, now=now):
        rating_id = guest.rating_id or await answers.ask(
            db, ServiceKind.EVENT, guest.event_id, guest.title, guest.person_id, now
        )
        if rating_id is None:
            continue  # another sweep asked a moment ago
        texts = locales.texts(guest.language)
        notices.append(
            Notice(
                platform=guest.platform,
                chat_id=guest.chat_id,
                person_id=guest.person_id,
                text=texts(
                    "rating-event-question",
                    title=guest.title,
                    when=when(config, guest.starts_at),
                ),
                purpose="rating_event",
                dedupe_key=due.event_question_key(guest.event_id, guest.person_id),
                expires_at=now + ANSWERABLE_FOR,
                buttons=question_buttons(texts, rating_id),
            )
        )
    added = await outbox.enqueue(db, notices)
    if added:
        log.info("ratings: %s event questions enqueued", added)
    return added
