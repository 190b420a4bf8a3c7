"""Review fixes of the grants calendar (#27): a deadline read in the library's zone is checked
in that zone; result questions lapse and skip cancelled contests; deadline reminders follow a
postponed or cancelled deadline; topic buttons name their topic, not its place in a list; sums
typed without a unit.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.grant_reminders import sweep_grant_reminders
from handlers.staff_grants import FIELDS, StaffGrantAction, scb
from storage import people
from storage.db import Database
from storage.grants import applications, contests, subscriptions
from storage.outbox import Delivery, OutboxMessage
from tests.conftest import RunningBot
from tests.harness import Person
from tests.test_grants import consented


async def staff_at_the_deadline_step(bot: RunningBot) -> Person:
    admin = bot.admin()
    await admin.send("/start")
    await admin.send("🛠 Для сотрудников")
    await admin.click("Гранты")
    await admin.click("Добавить конкурс")
    await admin.send("Конкурс «Поздно»")
    reply = await admin.click("Фонд президентских грантов")
    assert "Срок подачи" in reply.text
    return admin


async def test_a_deadline_past_in_the_librarys_zone_is_refused(bot: RunningBot) -> None:
    """In Moscow an hour ago is past, though read as UTC it is two hours ahead."""
    zone = bot.config.library.zone
    an_hour_ago = datetime.now(zone) - timedelta(hours=1)
    admin = await staff_at_the_deadline_step(bot)
    reply = await admin.send(f"{an_hour_ago:%d.%m.%Y %H:%M}")
    assert "срок подачи уже прошёл" in reply.text
    reply = await admin.send(f"{an_hour_ago + timedelta(days=3):%d.%m.%Y %H:%M}")
    assert "Ссылка" in reply.text


async def test_a_changed_deadline_past_in_the_contests_zone_is_refused(bot: RunningBot) -> None:
    now = datetime.now(UTC)
    draft = contests.ContestDraft(
        name="Конкурс в Екатеринбурге", deadline=now + timedelta(days=5), zone="Asia/Yekaterinburg"
    )
    contest = await contests.add(bot.db, draft, by="test")
    two_hours_ago = now.astimezone(ZoneInfo("Asia/Yekaterinburg")) - timedelta(hours=2)
    admin = bot.admin()
    await admin.send("/start")
    await admin.press(scb(StaffGrantAction.EDIT, contest.id, FIELDS.index("deadline")))
    reply = await admin.send(f"{two_hours_ago:%d.%m.%Y %H:%M}")
    assert "срок подачи уже прошёл" in reply.text
    unchanged = await contests.get(bot.db, contest.id)
    assert unchanged is not None
    assert unchanged.draft.deadline == draft.deadline


async def queued(db: Database, purpose_prefix: str) -> list[OutboxMessage]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.purpose.startswith(purpose_prefix))
            .order_by(OutboxMessage.id)
        )
        return list(rows.all())


async def a_member_preparing(db: Database, contest: contests.ContestView, user: str) -> int:
    member = await people.resolve(db, "telegram", user, language_hint="ru")
    await applications.prepare(db, contest.id, member.id, "АНО «Вектор»")
    return member.id


async def test_results_are_asked_for_a_month_and_never_for_a_cancelled_contest(
    database: Database, config: Config
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)

    async def contest(name: str, results_ago: timedelta) -> contests.ContestView:
        results = now - results_ago
        draft = contests.ContestDraft(
            name=name,
            deadline=results - timedelta(days=20),
            zone="Europe/Moscow",
            results_at=results,
        )
        return await contests.add(database, draft, by="test")

    fresh = await contest("Итоги пять дней назад", timedelta(days=5))
    stale = await contest("Итоги полтора месяца назад", timedelta(days=45))
    cancelled = await contest("Отменённый конкурс", timedelta(days=2))
    assert await contests.close(database, cancelled.id)
    for number, each in enumerate((fresh, stale, cancelled)):
        await a_member_preparing(database, each, f"820{number}")

    noon = datetime.combine(
        now.astimezone(config.library.zone).date(), time(12), config.library.zone
    )
    assert await sweep_grant_reminders(database, Locales(), config, now=noon.astimezone(UTC)) == 1
    [question] = await queued(database, "grant_result")
    assert "Итоги пять дней назад" in (question.text or "")
    assert fresh.draft.results_at is not None
    assert question.expires_at == fresh.draft.results_at + timedelta(days=30)


async def test_deadline_reminders_follow_a_postponed_and_a_cancelled_deadline(
    database: Database, config: Config
) -> None:
    """A queued reminder with the old date is dropped when the deadline moves; the new date
    gets its own reminder; a cancelled contest's queued reminder is dropped too."""
    zone = config.library.zone
    noon = datetime.combine(datetime.now(zone).date(), time(12), zone).astimezone(UTC)
    first = noon + timedelta(days=10)
    contest = await contests.add(
        database,
        contests.ContestDraft(name="Конкурс «Перенос»", deadline=first, zone="Europe/Moscow"),
        by="test",
    )
    member = await people.resolve(database, "telegram", "8301", language_hint="ru")
    assert await subscriptions.toggle(database, member.id, subscriptions.one(contest.id))
    locales = Locales()

    assert await sweep_grant_reminders(database, locales, config, now=noon) == 1
    [old] = await queued(database, "grant_14d")
    assert f"{first.astimezone(zone):%d.%m.%Y}" in (old.text or "")

    later = noon + timedelta(days=20)
    assert await contests.change(database, contest.id, deadline=later)
    [dropped] = await queued(database, "grant_14d")
    assert dropped.status == Delivery.EXPIRED  # never sent with the old date
    assert await sweep_grant_reminders(database, locales, config, now=noon) == 0  # 20 days left
    week_on = noon + timedelta(days=7)
    assert await sweep_grant_reminders(database, locales, config, now=week_on) == 1
    [_, new] = await queued(database, "grant_14d")
    assert new.status == Delivery.PENDING
    assert f"{later.astimezone(zone):%d.%m.%Y}" in (new.text or "")

    assert await contests.close(database, contest.id)
    assert all(row.status == Delivery.EXPIRED for row in await queued(database, "grant_14d"))
    assert await sweep_grant_reminders(database, locales, config, now=week_on) == 0


async def a_contest(db: Database, name: str, *tags: str) -> contests.ContestView:
    deadline = datetime.now(UTC) + timedelta(days=30)
    draft = contests.ContestDraft(name=name, deadline=deadline, zone="Europe/Moscow", tags=tags)
    return await contests.add(db, draft, by="test")


async def test_a_topic_button_keeps_its_topic_when_new_contests_reorder_the_list(
    bot: RunningBot,
) -> None:
    culture = [await a_contest(bot.db, f"Культура {n}", "культура") for n in (1, 2)]
    await a_contest(bot.db, "Экология 1", "экология")
    anna = await consented(bot, 8401, "Анна")
    await anna.send("гранты")
    reply = await anna.click("По темам")
    [screen] = reply.messages
    assert [b["text"] for b in screen.buttons()][:4] == ["культура", "🔕", "экология", "🔕"]

    # Staff add two ecology contests: «экология» now leads the list, the screen is as drawn.
    for n in (2, 3):
        await a_contest(bot.db, f"Экология {n}", "экология")
    reply = await anna.press_on(screen, "культура")
    assert "«культура»" in reply.text
    assert any("Культура 1" in label for label in reply.buttons)
    assert not any("Экология" in label for label in reply.buttons)
    [row] = [
        r for r in screen.params["reply_markup"]["inline_keyboard"] if r[0]["text"] == "культура"
    ]
    reply = await anna.press(row[1]["callback_data"])  # 🔕 beside «культура»
    assert "Напомним о сроках: культура" in reply.alerts
    anna_id = (await people.find(bot.db, "telegram", "8401")).id  # type: ignore[union-attr]
    assert await subscriptions.of(bot.db, anna_id) == {"культура"}

    # The topic is gone from the calendar: the old buttons say so and change nothing.
    for contest in culture:
        await contests.close(bot.db, contest.id)
    reply = await anna.press(row[1]["callback_data"])
    assert "Эта кнопка устарела." in reply.alerts
    assert await subscriptions.of(bot.db, anna_id) == {"культура"}
    reply = await anna.press_on(screen, "культура")
    assert not any("Экология" in label for label in reply.buttons)
    assert any("В меню" in label for label in reply.buttons)
    reply = await anna.press("grant:fol:0:1")  # drawn before: a place in the list
    assert "Эта кнопка устарела." in reply.alerts
    assert await subscriptions.of(bot.db, anna_id) == {"культура"}


def test_sums_without_a_unit_and_millions_with_thousands() -> None:
    for typed in ("1,5", "1.5", "от 100 до 900"):
        with pytest.raises(contests.Invalid, match="укажите сумму в рублях, например 1,5 млн"):
            contests.read_amounts(typed)
    with pytest.raises(contests.Invalid, match="укажите сумму в рублях"):
        contests.read_amount("1,5")
    assert contests.read_amounts("1,5 млн") == (None, 1_500_000)
    assert contests.read_amounts("2 млн 500 тыс") == (None, 2_500_000)
    assert contests.read_amounts("от 1 млн 200 тыс. до 3 млн") == (1_200_000, 3_000_000)
    assert contests.read_amount("2 млн 500 тыс") == 2_500_000
    assert contests.read_amount("1 500,50") == 1_500
    with pytest.raises(contests.Invalid, match="меньшая сумма больше большей"):
        contests.read_amounts("от 2 млн до 500 тыс")
    assert contests.read_amounts("50 тыс – 1,5 млн") == (50_000, 1_500_000)
    assert contests.read_amounts("от 300 тыс") == (300_000, None)


async def test_staff_page_through_all_the_applications(bot: RunningBot) -> None:
    contest = await a_contest(bot.db, "Конкурс для многих", "культура")
    for n in range(23):
        await a_member_preparing(bot.db, contest, f"85{n:02}")
    admin = bot.admin()
    await admin.send("/start")
    await admin.send("🛠 Для сотрудников")
    await admin.click("Гранты")
    reply = await admin.click("Заявки")
    first = [label for label in reply.buttons if label.startswith("№ ")]
    assert len(first) == 20
    assert offered_more(reply.buttons)
    reply = await admin.click("Ещё")
    rest = [label for label in reply.buttons if label.startswith("№ ")]
    assert len(rest) == 3
    assert not set(first) & set(rest)
    assert not offered_more(reply.buttons)
    assert any("В меню" in label for label in reply.buttons)


def offered_more(buttons: list[str]) -> bool:
    return any(label.startswith("Ещё") for label in buttons)
