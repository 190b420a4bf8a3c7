"""What the security review found about personal data in logs, before consent and over
time (#18, findings 2-4), each as the story that showed it."""

from __future__ import annotations

import io
import logging
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from sqlalchemy import insert, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.app import fsm_backend
from bot.kernel.log_format import PrivateFormatter
from storage import retention
from storage.db import Database
from storage.fsm import DatabaseStorage
from storage.models import Activity, FsmRecord, Person
from storage.outbox import Delivery, OutboxMessage
from storage.types import utcnow
from tests.conftest import REDIS, RunningBot, make_config, redis_or_skip

NAME_AND_PHONE = "Анна Петрова +7 900 111-22-33"


async def everything_stored(db: Database) -> str:
    async with db.transaction() as session:
        activities = list(await session.execute(select(Activity)))
        states = list(await session.scalars(select(FsmRecord.data)))
    rows = [" | ".join(str(v) for v in (a.content, a.customer, a.notes)) for (a,) in activities]
    return "\n".join(rows + states)


async def test_before_consent_only_the_bare_fact_is_stored(bot: RunningBot) -> None:
    anna = bot.person(8101, "Анна")
    reply = await anna.send("/start")
    assert "consent:yes" in str(reply.calls[-1].params)  # the consent question is asked
    # She does not answer the question and types her name and phone instead.
    reply = await anna.send(NAME_AND_PHONE)
    assert reply.text  # she is answered all the same
    stored = await everything_stored(bot.db)
    assert "Петрова" not in stored
    assert "111-22-33" not in stored
    assert "message before consent" in stored


async def test_a_search_before_consent_pages_on_without_being_stored(bot: RunningBot) -> None:
    from tests.test_catalogue_bot import seed_catalogue

    await seed_catalogue(bot.db)
    vera = bot.person(8102, "Вера")
    reply = await vera.send("Булгаков")
    assert "Нашл" in reply.text
    stored = await everything_stored(bot.db)
    assert "Булгаков" not in stored


async def test_form_answers_are_logged_as_steps_not_as_answers(bot: RunningBot) -> None:
    anna = bot.person(8103, "Анна")
    await anna.send("/start")
    await anna.click("Согласен")
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    await anna.send("Нужно ли сдавать баланс?")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    async with bot.db.transaction() as session:
        contents = [c or "" for c in await session.scalars(select(Activity.content))]
    assert not any("Петрова" in c for c in contents), contents
    assert not any("Зелёный двор" in c for c in contents), contents
    assert any(c.startswith("[") and "Form" in c for c in contents), contents


async def test_a_failed_statement_does_not_carry_its_values(database: Database) -> None:
    async with database.transaction() as session:
        session.add(Person(platform="telegram", platform_user_id="1", display_name="x"))
    with pytest.raises(IntegrityError) as failure:
        async with database.connection() as conn:
            await conn.execute(
                insert(Person.__table__).values(
                    platform="telegram", platform_user_id="1", display_name="Анна Петрова"
                )
            )
    assert "Анна Петрова" not in str(failure.value)
    assert "hidden" in str(failure.value).lower()


def test_a_logged_traceback_names_the_failure_but_not_its_message() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(PrivateFormatter("%(levelname)s %(message)s"))
    log = logging.getLogger("test.private")
    log.addHandler(handler)
    try:
        try:
            try:
                raise ValueError(f"не разобрать: {NAME_AND_PHONE}")
            except ValueError as inner:
                raise RuntimeError(f"форма упала на {NAME_AND_PHONE}") from inner
        except RuntimeError:
            log.exception("update %s failed", 42)
    finally:
        log.removeHandler(handler)
    written = stream.getvalue()
    assert "update 42 failed" in written
    assert "RuntimeError" in written
    assert "ValueError" in written
    assert "test_privacy_review.py" in written  # where it happened is kept
    assert "Петрова" not in written


async def test_the_nightly_purge_blanks_old_texts_and_drops_abandoned_forms(
    database: Database,
) -> None:
    now = utcnow()
    old, recent = now - timedelta(days=400), now - timedelta(days=3)
    async with database.transaction() as session:
        for at, who in ((old, "Давний"), (recent, "Недавний")):
            session.add(
                Activity(
                    occurred_at=at, platform="telegram", kind="message", content=f"{who} вопрос"
                )
            )
            session.add(
                OutboxMessage(
                    platform="telegram",
                    chat_id=f"{who}-chat",
                    status=Delivery.SENT,
                    updated_at=at,
                    text=f"{who} ответ",
                    dedupe_key=f"{who}-key",
                )
            )
    storage = DatabaseStorage(database, ttl=timedelta(hours=72))
    left = StorageKey(bot_id=1, chat_id=5, user_id=5)
    kept = StorageKey(bot_id=1, chat_id=6, user_id=6)
    await storage.set_data(left, {"name": "Анна Петрова"})
    await storage.set_data(kept, {"name": "Борис"})
    async with database.connection() as conn:
        await conn.execute(
            update(FsmRecord.__table__)
            .where(FsmRecord.key.endswith(":5:default"))
            .values(updated_at=now - timedelta(hours=73))
        )
    purged = await retention.purge(
        database, now=now, retention=timedelta(days=365), abandoned_after=timedelta(hours=72)
    )
    assert (purged.outbox_texts, purged.activity_texts, purged.conversations) == (1, 1, 1)
    async with database.transaction() as session:
        contents = set(await session.scalars(select(Activity.content)))
        texts = set(await session.scalars(select(OutboxMessage.text)))
    assert contents == {None, "Недавний вопрос"}
    assert texts == {None, "Недавний ответ"}
    fresh = DatabaseStorage(database, ttl=timedelta(hours=72))
    assert await fresh.get_data(left) == {}
    assert await fresh.get_data(kept) == {"name": "Борис"}
    # A rerun finds nothing more to do.
    again = await retention.purge(
        database, now=now, retention=timedelta(days=365), abandoned_after=timedelta(hours=72)
    )
    assert (again.outbox_texts, again.activity_texts, again.conversations) == (0, 0, 0)


async def test_an_abandoned_form_reads_as_empty_before_the_purge(database: Database) -> None:
    storage = DatabaseStorage(database, ttl=timedelta(hours=72))
    key = StorageKey(bot_id=1, chat_id=7, user_id=7)
    await storage.set_state(key, "EventForm:phone")
    await storage.set_data(key, {"name": "Анна Петрова"})
    async with database.connection() as conn:
        await conn.execute(
            text("UPDATE fsm_states SET updated_at = :at"),
            {"at": utcnow() - timedelta(hours=80)},
        )
    later = DatabaseStorage(database, ttl=timedelta(hours=72))
    assert await later.get_state(key) is None
    assert await later.get_data(key) == {}


async def test_redis_conversations_expire_after_the_abandoned_form_hours(
    tmp_path: Path, sqlite_db: Database
) -> None:
    await redis_or_skip()
    config = make_config(tmp_path, redis=REDIS, privacy={"abandoned_form_hours": 5})
    storage, _isolation = fsm_backend(config, sqlite_db)
    key = StorageKey(bot_id=1, chat_id=999_001, user_id=999_001)
    try:
        await storage.set_data(key, {"name": "Анна Петрова"})
        redis = storage.redis  # type: ignore[attr-defined]
        ttl = await redis.ttl(storage.key_builder.build(key, "data"))  # type: ignore[attr-defined]
        assert 4 * 3600 < ttl <= 5 * 3600
    finally:
        await storage.set_data(key, {})
        await storage.close()
