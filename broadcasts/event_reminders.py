"""Reminders to registered people a day and two hours before an event.

A sweep turns what is due into personal notices in the outbox (a dedupe key per
registration and kind, so a second sweep or process adds nothing). Nothing is
enqueued during quiet hours: a reminder due at night waits for the morning, and is
dropped if the event has started by then. Each reminder offers «Не смогу прийти»,
which cancels the registration and offers the seat to the next person waiting.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import branch_name, when
from storage import outbox
from storage.db import Database
from storage.events.models import Event, EventStatus, Registration, RegistrationStatus
from storage.models import Person
from storage.outbox import Notice

log = logging.getLogger(__name__)

# (purpose, how long before the start it becomes due)
REMINDERS = (("event_24h", timedelta(hours=24)), ("event_2h", timedelta(hours=2)))


async def sweep_event_reminders(
    db: Database, locales: Locales, config: Config, *, now: datetime
) -> int:
    """Enqueue the event reminders due now; return how many new notices were added."""
    if config.notifications.is_quiet(now.astimezone(config.library.zone).time()):
        return 0
    async with db.transaction() as session:
        rows = (
            await session.execute(
                select(Event, Registration.id, Person)
                .join(Registration, Registration.event_id == Event.id)
                .join(Person, Person.id == Registration.person_id)
                .where(
                    Event.status == EventStatus.SCHEDULED,
                    Event.starts_at > now,
                    Event.starts_at <= now + REMINDERS[0][1],
                    Registration.status == RegistrationStatus.CONFIRMED,
                )
            )
        ).all()
    notices = []
    for event, registration_id, person in rows:
        left = event.starts_at - now
        purpose = "event_2h" if left <= REMINDERS[1][1] else "event_24h"
        texts = locales.texts(person.language)
        local_day = event.starts_at.astimezone(config.library.zone).date()
        today = now.astimezone(config.library.zone).date()
        text = texts(
            f"events-reminder-{purpose.removeprefix('event_')}",
            day="today" if local_day == today else "tomorrow",
            title=event.title,
            when=when(config, event.starts_at),
            branch=branch_name(config, event.branch_id),
            room=event.room or "none",
        )
        cant = EventCb(action=EventAction.CANCEL_YES, id=registration_id)
        notices.append(
            Notice(
                platform=person.platform,
                chat_id=person.platform_user_id,
                person_id=person.id,
                text=text,
                purpose=purpose,
                dedupe_key=f"{purpose}:{registration_id}:{event.starts_at.isoformat()}",
                expires_at=event.starts_at,
                buttons=[{"text": texts("events-cant-come"), "callback_data": cant.pack()}],
            )
        )
    added = await outbox.enqueue(db, notices)
    if added:
        log.info("events: %s reminders enqueued", added)
    return added
