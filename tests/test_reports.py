"""The quarterly report from a known history: two quarters of events (one cancelled), requests
forwarded to an expert and rated, an announcement and a digest, readers' enquiries on the
boundary nights — then two people use /forget. Every cell of every sheet is checked, and every
indicator is recomputed from the workbook's own cells by the rule it states."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from statistics import median
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.kernel.config import Config
from storage import erasure
from storage.consultations.models import (
    Author,
    ConsultationRequest,
    EntryKind,
    RequestEntry,
    RequestStatus,
)
from storage.db import Database
from storage.events import registrations
from storage.events.models import Event, EventStatus, Registration
from storage.models import Activity, Consent, Person
from storage.outbox import Audience, Broadcast, BroadcastStatus, Delivery, OutboxMessage
from storage.reports import document, indicators, periods
from storage.reports.build import gather
from storage.reports.work import HEADINGS
from tests.conftest import RunningBot, StartBot, make_config

MSK = ZoneInfo("Europe/Moscow")
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def cell_time(*parts: int) -> datetime:
    """A spreadsheet's datetime: the library's local time, with no zone (XLSX has none)."""
    return datetime(*parts, tzinfo=MSK).replace(tzinfo=None)  # type: ignore[misc]


def msk(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=MSK).astimezone(UTC)  # type: ignore[misc]


class History:
    def __init__(self, session: Any) -> None:
        self.session = session
        self.tickets = 0

    async def person(self, number: int, name: str, organisation: str | None) -> Person:
        person = Person(
            platform="telegram",
            platform_user_id=str(number),
            consent=Consent.GIVEN,
            display_name=name,
            organisation=organisation,
        )
        self.session.add(person)
        await self.session.flush()
        return person

    async def event(
        self, title: str, kind: str, starts: datetime, branch: str, **values: Any
    ) -> Event:
        event = Event(
            title=title,
            kind=kind,
            starts_at=starts,
            branch_id=branch,
            seats=20,
            created_by="Мария Ивановна",
            **values,
        )
        self.session.add(event)
        await self.session.flush()
        return event

    def place(
        self, event: Event, person: Person, status: str = "confirmed", came: bool = False
    ) -> None:
        self.tickets += 1
        self.session.add(
            Registration(
                event_id=event.id,
                person_id=person.id,
                status=status,
                name=person.display_name,
                organisation=person.organisation,
                ticket=f"t{self.tickets}",
                attended_at=event.starts_at if came else None,
            )
        )

    async def request(
        self,
        person: Person,
        topic: str,
        received: datetime,
        *,
        status: RequestStatus,
        closed: datetime | None = None,
        expert: str | None = None,
        rating: int | None = None,
        expertise: bool = False,
    ) -> ConsultationRequest:
        request = ConsultationRequest(
            person_id=person.id,
            platform="telegram",
            chat_id=person.platform_user_id,
            topic=topic,
            expertise=expertise,
            question=f"Вопрос о {topic}",
            requester_name=person.display_name,
            organisation=person.organisation,
            status=status,
            received_at=received,
            responsible_name="Мария Ивановна",
            expert_name=expert,
            closed_at=closed,
            result="дан ответ" if status is RequestStatus.RESOLVED else None,
            rating=rating,
        )
        self.session.add(request)
        await self.session.flush()

        def entry(at: datetime, kind: EntryKind, author: Author, name: str, **v: Any) -> None:
            self.session.add(
                RequestEntry(
                    request_id=request.id, at=at, kind=kind, author=author, author_name=name, **v
                )
            )

        entry(
            received, EntryKind.STATUS, Author.REQUESTER, person.display_name or "", status_to="new"
        )
        taken = received + timedelta(hours=1)
        entry(
            taken,
            EntryKind.STATUS,
            Author.STAFF,
            "Мария Ивановна",
            status_from="new",
            status_to="in_progress",
            to_whom="Мария Ивановна",
        )
        if expert:
            entry(
                taken + timedelta(hours=1),
                EntryKind.STATUS,
                Author.STAFF,
                "Мария Ивановна",
                status_from="in_progress",
                status_to="forwarded",
                to_whom=expert,
            )
        if closed is not None:
            if status is RequestStatus.RESOLVED:
                entry(
                    closed,
                    EntryKind.ANSWER,
                    Author.EXPERT if expert else Author.STAFF,
                    expert or "Мария Ивановна",
                    text="Ответ",
                )
            entry(closed, EntryKind.STATUS, Author.STAFF, "Мария Ивановна", status_to=status.value)
        return request

    def activity(self, at: datetime, kind: str, status: str, person: Person | None) -> None:
        self.session.add(
            Activity(
                occurred_at=at,
                platform="telegram" if person is None or person.id % 2 else "vk",
                person_id=person.id if person else None,
                kind=kind,
                status=status,
            )
        )


@pytest.fixture
def report_config(tmp_path: Any) -> Config:
    return make_config(tmp_path, subscriptions={"digest_topic": "events"})


async def build_history(database: Database) -> dict[str, int]:
    async with database.transaction() as session:
        h = History(session)
        anna = await h.person(1, "Анна Петрова", "АНО «Зелёный двор»")
        boris = await h.person(2, "Борис", 'АНО "Зелёный двор"')
        vera = await h.person(3, "Вера", None)
        grisha = await h.person(4, "Гриша", "Фонд «Память»")

        seminar = await h.event("Семинар по грантам", "training", msk(2026, 7, 10, 15), "central")
        h.place(seminar, anna, came=True)
        h.place(seminar, boris, came=True)
        h.place(seminar, vera)
        h.place(seminar, grisha, status="waitlisted")
        lecture = await h.event(
            "Лекция о краеведении", "public", msk(2026, 8, 5, 18), "children", room="Читальный зал"
        )
        h.place(lecture, anna)
        h.place(lecture, grisha)
        cancelled = await h.event(
            "Отменённая встреча",
            "meetup",
            msk(2026, 8, 20, 18),
            "central",
            status=EventStatus.CANCELLED,
        )
        h.place(cancelled, boris)
        lawyers = await h.event("День юриста", "consultation_day", msk(2026, 9, 15, 12), "central")
        h.place(lawyers, grisha, came=True)
        june = await h.event("Июньский семинар", "training", msk(2026, 6, 20, 15), "central")
        h.place(june, anna, came=True)
        october = await h.event("Октябрьская лекция", "public", msk(2026, 10, 2, 18), "central")
        h.place(october, boris, came=True)

        taxes = await h.request(
            anna,
            "accounting",
            msk(2026, 7, 2, 10),
            status=RequestStatus.RESOLVED,
            closed=msk(2026, 7, 4, 10),
            expert="Ирина Соколова",
            rating=5,
        )
        review = await h.request(
            boris,
            "expertise",
            msk(2026, 8, 10, 10),
            expertise=True,
            status=RequestStatus.RESOLVED,
            closed=msk(2026, 8, 11, 22),
            rating=4,
        )
        await h.request(
            vera,
            "legal",
            msk(2026, 9, 1, 10),
            status=RequestStatus.REJECTED,
            closed=msk(2026, 9, 2, 10),
        )
        await h.request(grisha, "grants", msk(2026, 9, 20, 10), status=RequestStatus.IN_PROGRESS)
        await h.request(
            anna,
            "accounting",
            msk(2026, 5, 5, 10),
            status=RequestStatus.RESOLVED,
            closed=msk(2026, 5, 6, 10),
            rating=3,
        )

        news = Broadcast(
            text="Открыта запись на семинар",
            audience=Audience(everyone=True).dump(),
            status=BroadcastStatus.DONE,
            scheduled_at=msk(2026, 7, 15, 12),
            started_at=msk(2026, 7, 15, 12),
            author_name="Мария Ивановна",
        )
        session.add(news)
        await session.flush()
        for person, status in (
            (anna, Delivery.SENT),
            (boris, Delivery.SENT),
            (vera, Delivery.SENT),
            (grisha, Delivery.BLOCKED),
        ):
            session.add(
                OutboxMessage(
                    broadcast_id=news.id,
                    person_id=person.id,
                    platform="telegram",
                    chat_id=person.platform_user_id,
                    status=status,
                    not_before=news.started_at,
                )
            )
        session.add(
            OutboxMessage(
                person_id=vera.id,
                platform="telegram",
                chat_id="3",
                status=Delivery.FAILED,
                not_before=news.started_at,
            )
        )
        for person, status in (
            (anna, Delivery.SENT),
            (boris, Delivery.SENT),
            (vera, Delivery.FAILED),
        ):
            session.add(
                OutboxMessage(
                    person_id=person.id,
                    platform="telegram",
                    chat_id=person.platform_user_id,
                    status=status,
                    purpose="weekly_digest",
                    dedupe_key=f"weekly_digest:2026-W30:{person.id}",
                    not_before=msk(2026, 7, 20, 10),
                )
            )

        # The first night of the quarter (in Moscow; still June in UTC) and its last minutes.
        first_night = msk(2026, 7, 1, 0, 30)
        assert first_night.month == 6
        h.activity(first_night, "catalogue_query", "found", anna)
        h.activity(first_night + timedelta(hours=1), "catalogue_query", "found", boris)
        h.activity(first_night + timedelta(hours=2), "catalogue_query", "not found", vera)
        h.activity(first_night + timedelta(hours=2), "catalogue_query", "prompted", vera)
        h.activity(first_night + timedelta(hours=3), "catalogue_query", "done", vera)
        h.activity(first_night + timedelta(hours=4), "renewal", "renewed", anna)
        h.activity(first_night + timedelta(hours=4), "renewal", "renewed", anna)
        h.activity(first_night + timedelta(hours=5), "renewal", "refused: too many renewals", boris)
        h.activity(first_night + timedelta(hours=6), "subscription", "subscribed", vera)
        h.activity(first_night + timedelta(hours=7), "subscription", "unsubscribed", boris)
        h.activity(msk(2026, 9, 30, 23, 50), "catalogue_query", "found", grisha)
        h.activity(msk(2026, 10, 1, 0, 10), "catalogue_query", "found", grisha)
        h.activity(msk(2026, 6, 30, 23, 50), "catalogue_query", "found", grisha)
        h.activity(msk(2026, 8, 1, 12), "menu", "done", grisha)
        ids = {"anna": anna.id, "vera": vera.id, "taxes": taxes.id, "review": review.id}
    # Анна and Вера ask to be forgotten: their rows stay counted, unnamed.
    for who in ("anna", "vera"):
        await registrations.release_all(database, ids[who])
        await erasure.erase(database, ids[who])
    return ids


async def make_report(database: Database, config: Config, **kw: Any) -> document.Report:
    period = periods.parse("2026-Q3", config.library.zone)
    return await document.prepare(database, config, period, now=NOW, **kw)


def cells(report: document.Report) -> dict[str, list[list[object]]]:
    return {name: sheet.rows for name, sheet in document.sheets(report)}


async def test_every_work_sheet_row(database: Database, report_config: Config) -> None:
    ids = await build_history(database)
    report = await make_report(database, report_config)
    sheets = cells(report)
    gone = "(данные удалены по просьбе заявителя)"

    assert sheets["Обучающие мероприятия"] == [
        [
            "Семинар по грантам",
            cell_time(2026, 7, 10, 15),
            "Мария Ивановна",
            'АНО "Зелёный двор"',  # Анна's spelling went with her data; Борис's is the same NKO
            "Мария Ивановна",  # the person who put it on; the branch is a place, in the notes
            "место: Центральная библиотека; пришли 2 из 3 записавшихся; в листе ожидания 1",
            "Обучающее мероприятие",
            2,
        ]
    ]
    assert sheets["Публичные мероприятия"] == [
        [
            "Лекция о краеведении",
            cell_time(2026, 8, 5, 18),
            "Мария Ивановна",
            "Фонд «Память»",
            "Мария Ивановна",
            "место: Детская библиотека, Читальный зал; посещаемость не отмечалась: по записи 2",
            "Публичное мероприятие",
            2,
        ]
    ]
    consultations = sheets["Консультации"]
    assert [row[1] for row in consultations] == [
        cell_time(2026, 7, 2, 10),
        cell_time(2026, 9, 1, 10),
        cell_time(2026, 9, 15, 12),
        cell_time(2026, 9, 20, 10),
    ]
    taxes, rejected, lawyers, open_ = consultations
    assert taxes == [
        "Бухгалтерия и налоги: [удалено по запросу]",  # the question went with /forget
        cell_time(2026, 7, 2, 10),
        "Мария Ивановна",
        gone,  # the organisation went with her data too: with the date it could name her
        "Ирина Соколова",
        f"№ {ids['taxes']}; решена; дан ответ; ответов: 1",
        "Обращение",
        1,
    ]
    assert rejected[3] == gone
    assert rejected[5].endswith("отклонена")
    assert rejected[7] == 0
    assert lawyers[6:] == ["День консультаций", 1]
    assert lawyers[3] == "Фонд «Память»"
    assert open_[3] == "Гриша, Фонд «Память»"
    assert open_[5].endswith("в работе")
    assert open_[7] == 0
    assert sheets["Экспертизы проектных заявок"] == [
        [
            "Экспертиза проектной заявки: Вопрос о expertise",
            cell_time(2026, 8, 10, 10),
            "Мария Ивановна",
            'Борис, АНО "Зелёный двор"',
            "Мария Ивановна",
            f"№ {ids['review']}; решена; дан ответ; ответов: 1",
            "Обращение",
            1,
        ]
    ]
    assert sheets["Справки по каталогу и продления"] == [
        [
            "Продление книг через чат-бот",
            date(2026, 7, 1),
            "",
            "читатели",
            "чат-бот",
            "продлено: 2, отказано: 1",
            "Продление книги",
            2,
        ],
        [
            "Справки по каталогу через чат-бот",
            date(2026, 7, 1),
            "",
            "читатели",
            "чат-бот",
            "найдено: 2, не найдено: 1",
            "Справка по каталогу",
            3,
        ],
        [
            "Справки по каталогу через чат-бот",
            date(2026, 9, 30),
            "",
            "читатели",
            "чат-бот",
            "найдено: 1",
            "Справка по каталогу",
            1,
        ],
    ]
    assert sheets["Продвижение услуг РЦ"] == [
        [
            "Подписка на рассылки библиотеки",
            date(2026, 7, 1),
            "",
            "читатели",
            "чат-бот",
            "подписались: 1, отписались: 1",
            "Подписка на рассылку",
            1,
        ],
        [
            "Открыта запись на семинар",
            cell_time(2026, 7, 15, 12),
            "Мария Ивановна",
            "все пользователи чат-бота",
            "чат-бот",
            "доставлено 3, не доставлено 1 (из них заблокировали бота 1)",
            "Рассылка",
            3,
        ],
        [
            "Афиша мероприятий на неделю (2026-W30)",
            cell_time(2026, 7, 20, 10),
            "",
            "подписчики темы «Афиша мероприятий»",
            "чат-бот",
            "доставлено 2, не доставлено 1",
            "Афиша на неделю",
            2,
        ],
    ]
    requests = sheets["Запросы"]
    assert [row[0] for row in requests] == sorted(row[0] for row in requests)
    assert len(requests) == 4
    first = requests[0]
    assert first[1:] == [
        cell_time(2026, 7, 2, 10),
        "Бухгалтерия и налоги",
        "[удалено по запросу]",
        gone,
        "сотрудник Мария Ивановна — 02.07.2026 11:00; эксперт Ирина Соколова — 02.07.2026 12:00",
        "решена; дан ответ; ответов: 1",
        "Мария Ивановна",
        5,
        cell_time(2026, 7, 4, 10),
        2,
    ]
    assert requests[1][9:] == [cell_time(2026, 8, 11, 22), 1]  # the next day, 36 hours later
    assert requests[2][9:] == ["", ""]  # rejected: closed, not resolved


async def test_indicators_against_the_quarter_before(
    database: Database, report_config: Config
) -> None:
    await build_history(database)
    report = await make_report(database, report_config)
    now = indicators.values(report.current)
    before = indicators.values(report.previous)
    assert now == {
        "events": 3,
        "events_meetup": 0,
        "events_training": 1,
        "events_public_event": 1,
        "events_consultation_day": 1,
        "events_other_event": 0,
        "participants": 5,
        "organisations": 2,
        "consultations": 2,
        "expertise": 1,
        "requests": 4,
        "resolved": 2,
        "median_days": 1.5,
        "broadcasts": 1,
        "reach": 5,
        "subscriptions": 1,
        "catalogue": 4,
        "renewals": 2,
        "rating": 4.5,
        "ratings": 2,
    }
    assert before["events"] == 1
    assert before["participants"] == 1
    assert before["requests"] == 1
    assert before["median_days"] == 1.0
    assert before["catalogue"] == 1
    assert before["rating"] == 3.0
    sheet = indicators.sheet(report.current, report.previous)
    assert list(sheet.headings) == [
        "Показатель",
        "3 квартал 2026 г.",
        "2 квартал 2026 г.",
        "Изменение",
        "Изменение, %",
        "Как посчитано",
    ]
    participants = next(r for r in sheet.rows if r[0] == "Участников мероприятий")
    assert participants[1:5] == [5, 1, 4, 400.0]


def _number(value: object) -> float:
    return float(value) if isinstance(value, int | float) else 0.0


async def test_the_workbook_recomputes_from_its_own_cells(
    database: Database, report_config: Config
) -> None:
    await build_history(database)
    report = await make_report(database, report_config)
    book = load_workbook(BytesIO(document.to_xlsx(report)))
    assert book.sheetnames == [
        "Показатели",
        "Консультации",
        "Обучающие мероприятия",
        "Экспертизы проектных заявок",
        "Публичные мероприятия",
        "Справки по каталогу и продления",
        "Продвижение услуг РЦ",
        "Запросы",
        "Оценки",  # the requests' ratings (#26)
        "Графики",
    ]
    for name in book.sheetnames[:-1]:
        ws = book[name]
        assert "3 квартал 2026 г." in str(ws["A1"].value)
        assert ws.freeze_panes == "A3"
        assert ws.auto_filter.ref
        assert ws.auto_filter.ref.startswith("A2:")
        assert ws.page_setup.orientation == "landscape"
    for name in book.sheetnames[1:7]:
        assert [c.value for c in book[name][2]] == list(HEADINGS)
    assert [c.value for c in book["Запросы"][2]][1:8] == [
        "Дата получения запроса",
        "Тема",
        "Содержание запроса",
        "От кого поступил",
        "Кому и когда передан для исполнения",
        "Результат исполнения / статус",
        "Ответственный за организацию исполнения",
    ]

    def rows(name: str) -> list[list[object]]:
        return [[c.value for c in row] for row in book[name].iter_rows(min_row=3)]

    dates = [row[1] for name in book.sheetnames[1:7] for row in rows(name)]
    assert dates
    assert all(isinstance(d, datetime) for d in dates)

    work = {name: rows(name) for name in book.sheetnames[1:7]}
    events = [
        r
        for n in ("Обучающие мероприятия", "Публичные мероприятия", "Консультации")
        for r in work[n]
        if r[6] != "Обращение"
    ]
    requests = rows("Запросы")
    resolved_days = [r[10] for r in requests if r[10] not in (None, "")]
    ratings = [r[8] for r in requests if r[8] not in (None, "")]

    def total(name: str, *kinds: str) -> float:
        return sum(_number(r[7]) for r in work[name] if not kinds or r[6] in kinds)

    by_hand = {
        "Проведено мероприятий — всего": len(events),
        "Участников мероприятий": sum(_number(r[7]) for r in events),
        "Организаций (НКО) — участников мероприятий": len(
            {o for r in events for o in str(r[3] or "").split("; ") if o}
        ),
        "Консультаций дано": total("Консультации"),
        "Экспертиз проектных заявок проведено": total("Экспертизы проектных заявок"),
        "Запросов получено": len(requests),
        "Запросов решено": len(resolved_days),
        "Медианный срок решения запроса, дней": round(median(resolved_days), 1),
        "Рассылок отправлено": sum(1 for r in work["Продвижение услуг РЦ"] if r[6] == "Рассылка"),
        "Охват рассылок и афиш, доставлено сообщений": total(
            "Продвижение услуг РЦ", "Рассылка", "Афиша на неделю"
        ),
        "Новых подписок на рассылки": total("Продвижение услуг РЦ", "Подписка на рассылку"),
        "Справок по каталогу": total("Справки по каталогу и продления", "Справка по каталогу"),
        "Продлений книг": total("Справки по каталогу и продления", "Продление книги"),
        "Удовлетворённость: средняя оценка запросов (1–5)": round(sum(ratings) / len(ratings), 2),
        "Оценок получено": len(ratings),
        "Удовлетворённость услугами: доля оценок 4–5, %": round(
            sum(1 for r in rows("Оценки") if r[3] >= 4) / len(rows("Оценки")) * 100, 1
        ),
    }
    summary = {row[0]: row[1] for row in rows("Показатели")}
    for name, expected in by_hand.items():
        assert summary[name] == expected, name
    for kind in ("обучающих мероприятий", "публичных мероприятий", "дней консультаций"):
        assert summary[f"  в том числе {kind}"] == 1
    assert len(book["Графики"]._images) == 3


async def test_a_branch_report_has_its_events_and_no_library_wide_counts(
    database: Database, report_config: Config
) -> None:
    await build_history(database)
    report = await make_report(database, report_config, branch_id="children")
    sheets = cells(report)
    assert [r[0] for r in sheets["Публичные мероприятия"]] == ["Лекция о краеведении"]
    assert sheets["Обучающие мероприятия"] == []
    assert sheets["Запросы"] == []
    assert sheets["Продвижение услуг РЦ"] == []  # the announcement went to everyone
    summary = {row[0]: row[1] for row in document.sheets(report)[0][1].rows}
    assert summary["Запросов получено"] == "—"
    assert summary["Проведено мероприятий — всего"] == 1


async def test_csv_files_carry_the_same_sheets(database: Database, report_config: Config) -> None:
    await build_history(database)
    report = await make_report(database, report_config)
    files = document.to_csv_files(report)
    assert set(files) >= {
        "Показатели.csv",
        "Запросы.csv",
        "Консультации.csv",
        "График - каналы.png",
    }
    text = files["Обучающие мероприятия.csv"].decode("utf-8-sig").splitlines()
    assert text[0] == ";".join(HEADINGS)
    assert text[1].startswith("Семинар по грантам;10.07.2026 15:00;Мария Ивановна;")
    assert files["График - каналы.png"].startswith(b"\x89PNG")


def test_periods_are_cut_at_the_librarys_midnight() -> None:
    krasnoyarsk = ZoneInfo("Asia/Krasnoyarsk")
    q3 = periods.parse("2026-Q3", krasnoyarsk)
    late = datetime(2026, 9, 30, 23, 30, tzinfo=krasnoyarsk)
    assert late.astimezone(UTC).month == 9
    assert q3.contains(late.astimezone(UTC))
    assert not q3.contains(datetime(2026, 10, 1, 0, 0, tzinfo=krasnoyarsk))
    assert q3.start == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    assert q3.previous() == periods.parse("2026-Q2", krasnoyarsk)
    assert periods.parse("2026-Q1", MSK).previous().label == "4 квартал 2025 г."
    assert periods.parse("2026", MSK).previous().slug == "2025"
    assert periods.parse("2026-03", MSK).previous().last == date(2026, 2, 28)
    week = periods.days(date(2026, 7, 6), date(2026, 7, 12), MSK)
    assert week.previous().first == date(2026, 6, 29)
    for wrong in ("2026-Q5", "Q3", "2026-13", "прошлый квартал"):
        with pytest.raises(periods.PeriodError):
            periods.parse(wrong, MSK)


async def test_staff_get_the_report_and_the_dashboard_in_the_chat(
    start_bot: StartBot, report_config: Config
) -> None:
    bot = await start_bot(report_config)
    await build_history(bot.db)
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("/staff")
    reply = await maria.click("Отчёт")
    assert "За какой период" in reply.text
    assert "Прошлый квартал" in reply.buttons
    reply = await maria.click("Этот год")
    year = datetime.now(UTC).astimezone(MSK).year
    assert f"Готовлю отчёт: {year} год" in reply.text
    [sent] = [c for c in reply.calls if c.method == "sendDocument"]
    upload = sent.params["document"]
    assert upload["filename"] == f"otchet-{year}.xlsx"
    book = load_workbook(BytesIO(upload["content"]))
    assert book.sheetnames[0] == "Показатели"
    today = datetime.now(UTC).astimezone(MSK)
    assert book["Показатели"]["B2"].value == (
        f"{year} год (по {today:%d.%m.%Y}, период не закончился)"
    )
    assert book["Показатели"]["C2"].value == f"{year - 1} год"
    requests = book["Запросы"].max_row - 2
    assert f"Запросов: {requests}" in sent.params["caption"]

    reply = await maria.click("Статистика")
    [photo] = [c for c in reply.calls if c.method == "sendPhoto"]
    assert photo.params["photo"]["content"].startswith(b"\x89PNG")
    caption = photo.params["caption"]
    so_far = periods.month_so_far(MSK, datetime.now(UTC))
    assert f"Статистика: {so_far.label}" in caption
    assert f"против тех же дней прошлого месяца ({so_far.previous().label})" in caption
    assert "Запросов получено" in photo.params["caption"]
    async with bot.db.transaction() as session:
        logged = list(
            await session.scalars(select(Activity.content).where(Activity.kind == "staff_action"))
        )
    assert f"report {year}" in logged


async def test_staff_ask_for_last_half_year_in_the_chat(
    start_bot: StartBot, report_config: Config
) -> None:
    """The regional returns are half-yearly too: «Прошлое полугодие» is one tap."""
    bot = await start_bot(report_config)
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("/staff")
    reply = await maria.click("Отчёт")
    assert {"Это полугодие", "Прошлое полугодие"} <= set(reply.buttons)
    reply = await maria.click("Прошлое полугодие")
    last = periods.current("half", MSK, datetime.now(UTC)).previous()
    assert f"Готовлю отчёт: {last.label}" in reply.text
    [sent] = [c for c in reply.calls if c.method == "sendDocument"]
    book = load_workbook(BytesIO(sent.params["document"]["content"]))
    assert book["Показатели"]["B2"].value == last.label


async def test_readers_cannot_ask_for_reports(bot: RunningBot) -> None:
    reader = bot.person(1301)
    await reader.send("/start")
    for data in ("report:y0", "report:q1", "staff:report", "staff:stats", "report:zz"):
        reply = await reader.press(data)
        assert reply.alerts == ["Этот раздел только для сотрудников библиотеки."], data
        assert not [c for c in reply.calls if c.method in ("sendDocument", "sendPhoto")]


async def test_a_forged_period_is_refused_politely(bot: RunningBot) -> None:
    maria = bot.admin()
    await maria.send("/start")
    reply = await maria.press("report:x9")
    assert not [c for c in reply.calls if c.method == "sendDocument"]
    assert reply.text or reply.alerts  # answered, not silent


async def test_resolution_takes_whole_calendar_days(
    database: Database, report_config: Config
) -> None:
    """«Срок решения, дней» as a librarian counts: 0 the same day, 1 the next — in the
    library's zone, however many hours apart."""
    async with database.transaction() as session:
        h = History(session)
        anna = await h.person(11, "Анна", None)
        for received, closed in (
            (msk(2026, 7, 6, 10), msk(2026, 7, 6, 18)),  # the same afternoon
            (msk(2026, 7, 7, 23, 30), msk(2026, 7, 8, 0, 30)),  # an hour, past midnight
            (msk(2026, 7, 9, 10), msk(2026, 7, 11, 9)),  # 47 hours
        ):
            await h.request(anna, "legal", received, status=RequestStatus.RESOLVED, closed=closed)
    report = await make_report(database, report_config)
    days = [row[10] for row in cells(report)["Запросы"]]
    assert days == [0, 1, 2]
    assert all(type(d) is int for d in days)
    assert indicators.values(report.current)["median_days"] == 1


async def test_event_rows_name_a_person_or_the_library_as_executor(
    database: Database, report_config: Config
) -> None:
    """«Исполнитель» is who did the work — the staff member who put the event on, or the
    library when no person is known; the branch is where, in the notes."""
    async with database.transaction() as session:
        h = History(session)
        olga = await h.person(21, "Ольга Сергеевна", None)
        authors = {
            "Мария Ивановна": ("Мария Ивановна", "Мария Ивановна"),
            "libbot events import": ("", "Библиотека имени Тестова"),
            "telegram:21": ("Ольга Сергеевна", "Ольга Сергеевна"),
            "telegram:777": ("telegram:777", "Библиотека имени Тестова"),
        }
        for day, author in enumerate(authors, start=1):
            event = await h.event(f"Лекция {day}", "public", msk(2026, 7, day, 18), "children")
            event.created_by = author
            h.place(event, olga, came=True)
        unplaced = await h.event("Встреча без места", "public", msk(2026, 7, 9, 18), "central")
        unplaced.branch_id = None
        unplaced.created_by = None
    report = await make_report(database, report_config)
    rows = cells(report)["Публичные мероприятия"]
    assert [(row[2], row[4]) for row in rows[:4]] == list(authors.values())
    assert all(row[5].startswith("место: Детская библиотека; ") for row in rows[:4])
    assert rows[4][2:5:2] == ["", "Библиотека имени Тестова"]
    assert rows[4][5] == "посещаемость не отмечалась: по записи 0"
    branch_names = {b.name for b in report_config.library.branches}
    assert not any(row[4] in branch_names for row in rows)


def test_chart_labels_end_at_a_word() -> None:
    from storage.reports import charts
    from storage.reports.collect import HeldEvent

    titles = (
        "Семинар «Как написать заявку на президентский грант и не ошибиться в бюджете»",
        "Встреча НКО: итоги грантового конкурса",
    )
    events = [
        HeldEvent(
            id=number,
            title=title,
            kind="training",
            starts_at=cell_time(2026, 7, 10 + number, 15),
            branch_id=None,
            room=None,
            created_by=None,
            registered=5,
            attended=3,
            waitlisted=0,
            organisations=(),
        )
        for number, title in enumerate(titles)
    ]
    chart = charts.participants_per_event(events)
    long, short = chart.labels
    assert short == "11.07 Встреча НКО: итоги грантового конкурса"
    assert long.endswith("…")
    shown = long.removeprefix("10.07 ").removesuffix("…")
    assert titles[0].startswith(shown)
    assert titles[0][len(shown)] == " "  # cut between words, not inside one
    assert shown.split()[-1] not in ("и", "на")  # nor after a word left hanging
    assert len(shown) < len(titles[0])
    assert chart.rows[0][1] == titles[0]  # the table beside the picture keeps the whole title


async def test_the_dashboard_counts_the_same_days_of_the_month_before(
    database: Database, report_config: Config
) -> None:
    """On 7 December, a request of 20 November is not part of «было»: November's 1–7 are."""
    async with database.transaction() as session:
        h = History(session)
        anna = await h.person(31, "Анна", None)
        for received in (msk(2026, 11, 3, 10), msk(2026, 11, 20, 10), msk(2026, 12, 2, 10)):
            await h.request(anna, "legal", received, status=RequestStatus.IN_PROGRESS)
    now = datetime(2026, 12, 7, 12, tzinfo=MSK)
    so_far = periods.month_so_far(MSK, now)
    this = indicators.values(await gather(database, report_config, so_far, now=now))
    before = indicators.values(await gather(database, report_config, so_far.previous(), now=now))
    assert (this["requests"], before["requests"]) == (1, 1)


def test_the_month_so_far_is_set_against_the_same_days_of_the_last() -> None:
    december_7 = datetime(2026, 12, 7, 12, tzinfo=MSK)
    so_far = periods.month_so_far(MSK, december_7)
    assert (so_far.first, so_far.last) == (date(2026, 12, 1), date(2026, 12, 7))
    assert so_far.label == "1–7 декабря 2026 г."
    before = so_far.previous()
    assert (before.first, before.last) == (date(2026, 11, 1), date(2026, 11, 7))
    assert before.label == "1–7 ноября 2026 г."
    # 30 March against the whole of February, not 2 March.
    march = periods.month_so_far(MSK, datetime(2026, 3, 30, 12, tzinfo=MSK)).previous()
    assert (march.first, march.last) == (date(2026, 2, 1), date(2026, 2, 28))
    # On the last day the month is whole, and so is the one before.
    whole = periods.month_so_far(MSK, datetime(2026, 12, 31, 12, tzinfo=MSK))
    assert whole.label == "декабрь 2026 г."
    assert whole.previous().label == "ноябрь 2026 г."
    assert periods.month_so_far(MSK, datetime(2026, 12, 1, tzinfo=MSK)).label == (
        "1 декабря 2026 г."
    )


async def test_an_unfinished_period_says_so_in_the_indicators(
    database: Database, report_config: Config
) -> None:
    """Part of this quarter against the whole last one is labelled, not silently compared."""
    await build_history(database)
    period = periods.parse("2026-Q4", report_config.library.zone)
    report = await document.prepare(database, report_config, period, now=NOW)
    headings = indicators.sheet(report.current, report.previous).headings
    assert headings[1:3] == (
        "4 квартал 2026 г. (по 01.11.2026, период не закончился)",
        "3 квартал 2026 г.",
    )
