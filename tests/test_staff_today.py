"""«📊 Сегодня» counts cases, not the log's rows: one expertise request filled in over many
messages showed «9» (issue #19)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.kernel.config import Config
from storage.db import Database
from storage.models import Activity, ActivityKind, Consent, Person
from storage.reports import today
from tests.conftest import RunningBot
from tests.harness import Person as Chat
from tests.test_my_books import consented


async def file_expertise_request(anna: Chat) -> None:
    """Анна asks for a review of her grant application: seven steps, one request."""
    await anna.send("Консультация")
    await anna.click("Экспертиза проектной заявки")
    await anna.send("Посмотрите, пожалуйста, заявку на президентский грант перед подачей.")
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    await anna.click("Ответить здесь, в чате")
    reply = await anna.click("Вечером")
    assert "Обращение <b>№" in reply.text


async def test_one_expertise_request_is_one_case_on_the_staff_screen(bot: RunningBot) -> None:
    anna = await consented(bot, 1901, "Анна")
    await file_expertise_request(anna)
    await anna.send("Мастер и Маргарита")
    await anna.send("Булгаков")
    boris = bot.person(1902, "Борис")
    await boris.send("/start")
    await boris.send("О библиотеке")

    maria = bot.admin()
    await maria.send("/staff")
    reply = await maria.click("Сегодня")

    lines = reply.text.splitlines()
    assert "Заявок на экспертизу получено: 1" in lines
    assert "Поисков в каталоге: 2" in lines
    assert "Справок о библиотеке: 1" in lines
    assert "Читателей написали боту: 2" in lines  # Анна and Борис; not Мария, who works here
    assert "Считаются дела, а не сообщения" in reply.text
    # Nothing counts the steps of the form or the menu presses any more.
    assert not any(line.endswith(": 9") or line.endswith(": 8") for line in lines)
    assert "Меню и справка" not in reply.text
    assert "Экспертизы проектных заявок" not in reply.text


async def test_a_quiet_day_says_so(bot: RunningBot) -> None:
    maria = bot.admin()
    await maria.send("/staff")
    reply = await maria.click("Сегодня")
    assert "Сегодня обращений ещё не было." in reply.text


async def test_each_kind_is_counted_in_its_own_unit(database: Database, config: Config) -> None:
    """A place is one registration however many answers its form had; a renewal is a book
    renewed, a refusal is none; yesterday is not today."""
    now = datetime.now(UTC)
    async with database.transaction() as session:
        reader = Person(platform="telegram", platform_user_id="1903", consent=Consent.GIVEN)
        session.add(reader)
        await session.flush()

        def log(kind: str, status: str, at: datetime = now) -> None:
            session.add(
                Activity(
                    occurred_at=at,
                    platform="telegram",
                    person_id=reader.id,
                    kind=kind,
                    status=status,
                )
            )

        for step in ("form started", "form answer", "form answer", "form answer"):
            log(ActivityKind.EVENT_REGISTRATION, step)
        log(ActivityKind.EVENT_REGISTRATION, "confirmed")
        log(ActivityKind.EVENT_REGISTRATION, "added by staff: waitlisted")
        log(ActivityKind.EVENT_REGISTRATION, "cancelled")
        log(ActivityKind.RENEWAL, "renewed")
        log(ActivityKind.RENEWAL, "renewed")
        log(ActivityKind.RENEWAL, "refused: too many renewals")
        log(ActivityKind.READER_LINK, "asked secret")
        log(ActivityKind.READER_LINK, "linked")
        log(ActivityKind.CATALOGUE_QUERY, "prompted")
        log(ActivityKind.CATALOGUE_QUERY, "hold request sent")
        log(ActivityKind.PROJECT_EXPERTISE, "form: question")  # steps, not requests
        log(ActivityKind.CATALOGUE_QUERY, "found", now - timedelta(days=2))
    found = await today.count(database, config, now)
    assert {key: n for key, n in found.cases.items() if n} == {
        "registrations": 2,
        "cancellations": 1,
        "renewals": 2,
        "links": 1,
        "holds": 1,
    }
    assert found.people == 1
