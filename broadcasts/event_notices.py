"""Messages about an event that reach people through the outbox: a seat offered from the
waiting list, and a change staff made (cancelled, moved, a message) told to everyone
registered. One place builds them, so each has a dedupe key and an expiry.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import EventAction, EventCb
from broadcasts.views.event_view import when
from storage import activity as activity_log
from storage import outbox
from storage.activity import ActivityNote
from storage.db import Database
from storage.events import registrations
from storage.events.listing import EventView, get
from storage.events.registrations import Promotion, Recipient
from storage.models import ActivityKind
from storage.outbox import Notice
from storage.types import utcnow

# How long a person offered a seat from the waiting list has to confirm it.
OFFER_WINDOW = timedelta(hours=12)


def offer_window(config: Config, now: datetime) -> timedelta:
    """The time to confirm counts from when the offer is delivered: an offer made at
    night waits for the morning, and so does the start of its 12 hours."""
    return outbox.morning_after(config, now) - now + OFFER_WINDOW


def promotion_notice(
    locales: Locales, config: Config, event: EventView, promotion: Promotion, *, now: datetime
) -> Notice | None:
    if promotion.platform is None or promotion.chat_id is None:
        return None
    texts = locales.texts(promotion.language)
    text = texts(
        "events-offer",
        title=event.title,
        when=when(config, event.starts_at),
        until=when(config, promotion.expires_at),
    )
    buttons = [
        {
            "text": texts("events-offer-yes"),
            "callback_data": EventCb(action=EventAction.CONFIRM, id=promotion.place.id).pack(),
        },
        {
            "text": texts("events-offer-no"),
            "callback_data": EventCb(action=EventAction.DECLINE, id=promotion.place.id).pack(),
        },
    ]
    return Notice(
        platform=promotion.platform,
        chat_id=promotion.chat_id,
        person_id=promotion.place.person_id,
        text=text,
        purpose="event_offer",
        dedupe_key=f"event_offer:{promotion.place.id}:{promotion.expires_at.isoformat()}",
        expires_at=promotion.expires_at,
        buttons=buttons,
        not_before=outbox.morning_after(config, now),
    )


async def tell_promoted(
    db: Database,
    locales: Locales,
    config: Config,
    event_id: int,
    promotion: Promotion | None,
    *,
    now: datetime | None = None,
) -> None:
    """The promoted person hears through the outbox (delivered within the limits, and
    never during the quiet hours: the offer waits for the morning)."""
    if promotion is None:
        return
    event = await get(db, event_id)
    if event is None:
        return
    notice = promotion_notice(locales, config, event, promotion, now=now or utcnow())
    if notice is not None:
        await outbox.enqueue(db, [notice])
    await activity_log.record(
        db,
        ActivityNote(
            platform=promotion.platform or "telegram",
            kind=ActivityKind.EVENT_REGISTRATION,
            person_id=promotion.place.person_id,
            content=event.title,
            customer=promotion.place.name,
            executor=activity_log.BOT_EXECUTOR,
            status="promoted from the waiting list",
        ),
    )


async def tell_registrants(
    db: Database,
    locales: Locales,
    event_id: int,
    *,
    purpose: str,
    key: str,
    expires_at: datetime,
    text: Callable[[Texts], str],
) -> int:
    """One notice to everyone registered or waiting, each in their own language;
    `key` makes the dedupe key unique per change. Returns how many were enqueued."""
    people: list[Recipient] = await registrations.recipients(db, event_id)
    notices = [
        Notice(
            platform=r.platform,
            chat_id=r.chat_id,
            person_id=r.person_id,
            text=text(locales.texts(r.language)),
            purpose=purpose,
            dedupe_key=f"{purpose}:{r.registration_id}:{key}",
            expires_at=expires_at,
        )
        for r in people
    ]
    return await outbox.enqueue(db, notices)
