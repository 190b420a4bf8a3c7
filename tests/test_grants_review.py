"""Review fixes of the grants calendar (#27): a deadline read in the library's zone is checked
in that zone; result questions lapse and skip cancelled contests; deadline reminders follow a
postponed or cancelled deadline; topic buttons name their topic, not its place in a list; sums
typed without a unit.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from handlers.staff_grants import FIELDS, StaffGrantAction, scb
from storage.grants import contests
from tests.conftest import RunningBot
from tests.harness import Person


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
