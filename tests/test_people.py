"""People: one row per messenger account, even when first messages race."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from storage import people
from storage.db import Database
from storage.models import Consent, Person, Role


async def test_simultaneous_first_messages_create_one_person(database: Database) -> None:
    views = await asyncio.gather(*(people.resolve(database, "telegram", "31337") for _ in range(8)))
    assert len({v.id for v in views}) == 1
    async with database.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Person)) == 1


async def test_language_comes_from_the_messenger_russian_otherwise(database: Database) -> None:
    english = await people.resolve(database, "telegram", "1", language_hint="en-GB")
    other = await people.resolve(database, "telegram", "2", language_hint="uk")
    assert (english.language, other.language) == ("en", "ru")


async def test_roles_are_granted_once_and_revoked(database: Database) -> None:
    person = await people.resolve(database, "vk", "77")
    assert await people.grant(database, person.id, Role.EXPERT, granted_by=None)
    assert not await people.grant(database, person.id, Role.EXPERT, granted_by=None)
    view = await people.get(database, person.id)
    assert view is not None
    assert view.has(Role.EXPERT)
    assert not view.has(Role.STAFF)
    assert await people.revoke(database, person.id, Role.EXPERT)
    assert not await people.revoke(database, person.id, Role.EXPERT)


async def test_withdrawn_consent_drops_personal_fields(database: Database) -> None:
    person = await people.resolve(database, "telegram", "5")
    await people.set_consent(database, person.id, Consent.GIVEN, display_name="Анна")
    assert (await people.get(database, person.id)).display_name == "Анна"  # type: ignore[union-attr]
    await people.set_consent(database, person.id, Consent.REFUSED)
    assert (await people.get(database, person.id)).display_name is None  # type: ignore[union-attr]
