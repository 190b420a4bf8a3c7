"""A seat freed at night is offered in the morning, and the 12 hours to confirm start
then (#19: an offer at 02:00 ran its window overnight)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.event_notices import OFFER_WINDOW, offer_window, tell_promoted
from broadcasts.seat_offers import lapse_and_offer
from storage import people
from storage.db import Database
from storage.events import registrations
from storage.models import Consent
from storage.outbox import OutboxMessage
from tests.test_events_bot import add_event

# 02:00 in Moscow, and the end of the default quiet hours (21:00-09:00) that morning.
NIGHT = datetime(2026, 12, 10, 23, 0, tzinfo=UTC)
MORNING = datetime(2026, 12, 11, 6, 0, tzinfo=UTC)


async def full_event_with_a_waiting_reader(db: Database) -> tuple[int, int, int]:
    """One seat, Анна has it, Борис waits: (event, Анна's place, Анна's person id)."""
    event_id = await add_event(db, seats=1, starts_at=NIGHT + timedelta(days=3))
    ids = []
    for user_id, name in (("501", "Анна"), ("502", "Борис")):
        person = await people.resolve(db, "telegram", user_id)
        await people.set_consent(db, person.id, Consent.GIVEN, display_name=name)
        result = await registrations.register(db, event_id, person.id, name=name)
        ids.append((result.place.id, person.id))  # type: ignore[union-attr]
    return event_id, ids[0][0], ids[0][1]


async def offers(db: Database) -> list[OutboxMessage]:
    async with db.transaction() as session:
        return list(
            await session.scalars(
                select(OutboxMessage).where(OutboxMessage.purpose == "event_offer")
            )
        )


async def test_a_seat_given_back_at_night_is_offered_in_the_morning(
    database: Database, config: Config
) -> None:
    event_id, annas_place, anna = await full_event_with_a_waiting_reader(database)
    done = await registrations.cancel(
        database, annas_place, person_id=anna, now=NIGHT, window=offer_window(config, NIGHT)
    )
    assert done is not None
    _place, promotion = done
    assert promotion is not None
    assert promotion.expires_at == MORNING + OFFER_WINDOW  # 12 hours from the morning
    await tell_promoted(database, Locales(), config, event_id, promotion, now=NIGHT)
    [offer] = await offers(database)
    assert offer.not_before == MORNING


async def test_an_offer_that_lapses_at_night_passes_on_in_the_morning(
    database: Database, config: Config
) -> None:
    _event_id, annas_place, anna = await full_event_with_a_waiting_reader(database)
    afternoon = NIGHT - timedelta(hours=12)  # 14:00 Moscow: the offer is sent at once
    done = await registrations.cancel(
        database, annas_place, person_id=anna, now=afternoon, window=offer_window(config, afternoon)
    )
    assert done is not None
    assert done[1] is not None
    assert done[1].expires_at == afternoon + OFFER_WINDOW  # daytime: no wait
    # Борис never answers; at night his offer lapses, and nobody else is waiting.
    assert await lapse_and_offer(database, Locales(), config, now=NIGHT) == 1
