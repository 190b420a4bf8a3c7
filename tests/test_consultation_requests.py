"""Consultation requests in storage: every transition, who may make it, replays and races,
working days, the expert directory and FAQ imports, the register as CSV and from the CLI."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.kernel.config import WeekHours
from bot.kernel.opening_hours import add_working_days, next_opening
from storage import people
from storage.circulation.local_import import ImportError_
from storage.consultations import appointments, directory, entries, transitions
from storage.consultations import requests as desk
from storage.consultations.models import Author, RequestStatus
from storage.consultations.register import build_register, register_csv
from storage.consultations.requests import Actor
from storage.consultations.transitions import Changed, Refused
from storage.db import Database

ZONE = ZoneInfo("Europe/Moscow")
MARIA = Actor(None, "Мария Ивановна", Author.STAFF)


async def person(db: Database, user_id: int) -> int:
    return (await people.resolve(db, "telegram", str(user_id))).id


async def new_request(db: Database, owner: int, topic: str = "legal") -> int:
    request = await desk.create(
        db,
        person_id=owner,
        platform="telegram",
        chat_id="1",
        language="ru",
        topic=topic,
        expertise=topic == "expertise",
        question="Как оформить договор пожертвования?",
        name="Анна Петрова",
        organisation="АНО «Зелёный двор»",
        contact=None,
        contact_time="вечером",
    )
    return request.id


async def staff(db: Database, user_id: int, name: str) -> Actor:
    return Actor(await person(db, user_id), name, Author.STAFF)


async def test_each_transition_is_recorded_with_who_and_to_whom(database: Database) -> None:
    anna = await person(database, 1)
    number = await new_request(database, anna)
    maria = await staff(database, 2, "Мария Ивановна")
    expert = await directory.add_expert(database, name="Олег Брагин", competences=["legal"])

    taken = await transitions.take(database, number, maria)
    assert isinstance(taken, Changed)
    assert taken.request.status is RequestStatus.IN_PROGRESS
    forwarded = await transitions.forward(database, number, maria, expert.id)
    assert isinstance(forwarded, Changed)
    assert forwarded.request.status is RequestStatus.FORWARDED
    assert forwarded.request.expert_name == "Олег Брагин"
    answered = await transitions.answer(database, number, maria, "Нужен письменный договор.")
    assert isinstance(answered, Changed)
    assert answered.request.status is RequestStatus.AWAITING
    # The requester answers: the request goes back to the expert who had it.
    requester = Actor(anna, "Анна Петрова", Author.REQUESTER)
    added = await transitions.add_details(database, number, requester, text="А если сумма малая?")
    assert isinstance(added, Changed)
    assert added.request.status is RequestStatus.FORWARDED
    closed = await transitions.close(database, number, maria, RequestStatus.RESOLVED, "Дан шаблон")
    assert isinstance(closed, Changed)
    assert closed.request.status is RequestStatus.RESOLVED
    assert closed.request.closed_at is not None

    history = await entries.entries(database, number, for_requester=False)
    moves = [(e.status_from, e.status_to, e.author_name, e.to_whom) for e in history if e.status_to]
    assert moves == [
        (None, "new", "Анна Петрова", None),
        ("new", "in_progress", "Мария Ивановна", "Мария Ивановна"),
        ("in_progress", "forwarded", "Мария Ивановна", "Олег Брагин"),
        ("forwarded", "awaiting", "Мария Ивановна", None),
        ("awaiting", "forwarded", "Анна Петрова", None),
        ("forwarded", "resolved", "Мария Ивановна", None),
    ]
    [line] = (await build_register(database, ZONE)).rows
    assert line[5].count("эксперт") == 1  # the requester's reply is not a hand-over
    # Nothing moves a closed request.
    for late in (
        await transitions.take(database, number, maria),
        await transitions.answer(database, number, maria, "ещё"),
        await transitions.forward(database, number, maria, expert.id),
        await transitions.add_details(database, number, requester, text="ещё"),
        await transitions.withdraw(database, number, requester),
    ):
        assert isinstance(late, Refused)
        assert late.reason == "closed"


async def test_two_staff_pressing_take_at_once_make_one_owner(database: Database) -> None:
    anna = await person(database, 1)
    number = await new_request(database, anna)
    maria, pavel = await staff(database, 2, "Мария"), await staff(database, 3, "Павел")
    results = await asyncio.gather(
        transitions.take(database, number, maria), transitions.take(database, number, pavel)
    )
    winners = [r for r in results if isinstance(r, Changed)]
    losers = [r for r in results if isinstance(r, Refused)]
    assert len(winners) == 1
    assert len(losers) == 1
    assert losers[0].reason == "taken"
    history = await entries.entries(database, number, for_requester=False)
    assert sum(1 for e in history if e.status_to == "in_progress") == 1


async def test_requesters_act_only_on_their_own(database: Database) -> None:
    anna, oleg = await person(database, 1), await person(database, 2)
    number = await new_request(database, anna)
    stranger = Actor(oleg, "Олег", Author.REQUESTER)
    for attempt in (
        await transitions.withdraw(database, number, stranger),
        await transitions.add_details(database, number, stranger, text="чужое"),
        await transitions.confirm_resolved(database, number, stranger),
    ):
        assert isinstance(attempt, Refused)
        assert attempt.reason == "not_yours"
        assert attempt.request is None  # nothing about the request leaks
    assert not await transitions.rate(database, number, oleg, 5)
    request = await desk.get(database, number)
    assert request is not None
    assert request.status is RequestStatus.NEW


async def test_rating_counts_once_and_only_when_closed(database: Database) -> None:
    anna = await person(database, 1)
    number = await new_request(database, anna)
    assert not await transitions.rate(database, number, anna, 5)  # still open
    await transitions.close(
        database, number, MARIA, RequestStatus.REJECTED, "не профиль библиотеки"
    )
    assert not await transitions.rate(database, number, anna, 9)
    assert await transitions.rate(database, number, anna, 4)
    assert not await transitions.rate(database, number, anna, 1)  # a replayed or second press
    assert await transitions.comment_rating(database, number, anna, "Быстро ответили")
    assert not await transitions.comment_rating(database, number, anna, "ещё раз")
    request = await desk.get(database, number)
    assert request is not None
    assert request.rating == 4


async def test_notes_never_reach_the_requester(database: Database) -> None:
    anna = await person(database, 1)
    number = await new_request(database, anna)
    await transitions.note(database, number, MARIA, "заявитель — наш постоянный партнёр")
    await transitions.answer(database, number, MARIA, "Ответ")
    seen = await entries.entries(database, number, for_requester=True)
    assert all("партнёр" not in (e.text or "") for e in seen)
    assert any(e.text == "Ответ" for e in seen)


async def test_expert_gives_a_request_back(database: Database) -> None:
    anna = await person(database, 1)
    number = await new_request(database, anna)
    expert = await directory.add_expert(database, name="Олег Брагин", competences=["legal"])
    await transitions.forward(database, number, MARIA, expert.id)
    oleg = Actor(None, "Олег Брагин", Author.EXPERT)
    back = await transitions.return_to_staff(database, number, oleg, "не мой профиль")
    assert isinstance(back, Changed)
    assert back.request.status is RequestStatus.IN_PROGRESS
    assert back.request.expert_id is None
    # A directory entry removed later cannot be chosen.
    assert await directory.deactivate_expert(database, expert.id)
    refused = await transitions.forward(database, number, MARIA, expert.id)
    assert isinstance(refused, Refused)
    assert refused.reason == "no_expert"


async def test_slots_are_chosen_once_by_the_requester_only(database: Database) -> None:
    anna, oleg = await person(database, 1), await person(database, 2)
    number = await new_request(database, anna)
    soon = datetime.now(UTC) + timedelta(days=2)
    offered = await appointments.offer(
        database, number, MARIA, [(soon, "каб. 5"), (soon + timedelta(hours=2), None)]
    )
    assert offered is not None
    assert len(offered) == 2
    assert await appointments.choose(database, offered[0].id, oleg) is None
    chosen = await appointments.choose(database, offered[0].id, anna)
    assert chosen is not None
    assert await appointments.choose(database, offered[1].id, anna) is None  # dropped
    assert await appointments.choose(database, offered[0].id, anna) is None  # replay
    left = await appointments.slots(database, number)
    assert [s.status for s in left] == ["chosen"]


def test_working_days_skip_nights_and_weekends() -> None:
    hours = WeekHours(**{d: "09:00-18:00" for d in ("mon", "tue", "wed", "thu", "fri")})
    friday = datetime(2026, 11, 20, 17, 0, tzinfo=ZONE)
    assert add_working_days(hours, friday, 1) == datetime(2026, 11, 23, 17, 0, tzinfo=ZONE)
    saturday = datetime(2026, 11, 21, 12, 0, tzinfo=ZONE)
    assert add_working_days(hours, saturday, 1) == datetime(2026, 11, 23, 18, 0, tzinfo=ZONE)
    assert add_working_days(hours, saturday, 0.5) == datetime(2026, 11, 23, 13, 30, tzinfo=ZONE)
    assert next_opening(hours, saturday) == datetime(2026, 11, 23, 9, 0, tzinfo=ZONE)
    assert next_opening(hours, friday) == friday
    never = WeekHours()
    assert next_opening(never, friday) is None
    assert add_working_days(never, friday, 1) == friday + timedelta(days=1)


async def test_expert_and_faq_imports(database: Database, tmp_path: Path) -> None:
    experts = tmp_path / "experts.csv"
    experts.write_text(
        "ФИО;Компетенции;Организация;Контакт\n"
        "Ирина Соколова;accounting, fundraising;Аудит-Консалт;+7 800 000-10-01\n"
        "Олег Брагин;legal;Клиника;\n",
        encoding="cp1251",
    )
    assert await directory.import_experts(database, experts) == 2
    assert await directory.import_experts(database, experts) == 0  # updated, not doubled
    found = await directory.experts(database, topic="legal")
    assert [e.name for e in found] == ["Олег Брагин", "Ирина Соколова"]
    assert found[1].competences == ("accounting", "fundraising")

    faq = tmp_path / "faq.csv"
    faq.write_text(
        "Тема,Вопрос,Ответ\nlegal,Нужен ли устав?,Да.\nlegal,Сколько пошлина?,4000 ₽\n",
        encoding="utf-8",
    )
    assert await directory.import_faq(database, faq, {"legal"}) == 2
    assert await directory.import_faq(database, faq, {"legal"}) == 2  # replaced, not added
    assert [e.question for e in await directory.faq(database, "legal")] == [
        "Нужен ли устав?",
        "Сколько пошлина?",
    ]
    faq.write_text("Тема;Вопрос;Ответ\nastrology;Когда?;Никогда\n", encoding="utf-8")
    with pytest.raises(ImportError_, match="unknown topic"):
        await directory.import_faq(database, faq, {"legal"})


async def test_register_covers_the_period_in_library_time(database: Database) -> None:
    anna = await person(database, 1)
    number = await new_request(database, anna, topic="expertise")
    request = await desk.get(database, number)
    assert request is not None
    day = request.received_at.astimezone(ZONE).replace(hour=0, minute=0, second=0, microsecond=0)
    inside = await build_register(database, ZONE, start=day, end=day + timedelta(days=1))
    before = await build_register(database, ZONE, end=day)
    assert len(inside.rows) == 1
    assert before.rows == []
    data = register_csv(inside).decode("utf-8-sig")
    header, row = data.splitlines()[:2]
    assert header.split(";")[:2] == ["№", "Дата получения запроса"]
    assert "Анна Петрова, АНО «Зелёный двор»" in row
    assert "новая" in row


async def test_requests_register_command_writes_xlsx(tmp_path: Path, sqlite_db: Database) -> None:
    config_file = tmp_path / "config.toml"
    config_file.write_text(
        f'[library]\nname = "Тест"\n[database]\nurl = "{sqlite_db.url}"\n', encoding="utf-8"
    )
    anna = await person(sqlite_db, 1)
    await new_request(sqlite_db, anna)
    out = tmp_path / "register.xlsx"
    code = await asyncio.to_thread(
        main, ["requests", "register", "--config", str(config_file), "--out", str(out)]
    )
    assert code == 0
    sheet = load_workbook(out).active
    assert sheet is not None
    assert sheet["A2"].value == "№"
    assert sheet["E3"].value == "Анна Петрова, АНО «Зелёный двор»"
    assert isinstance(sheet["B3"].value, datetime)
    bad = await asyncio.to_thread(
        main,
        ["requests", "register", "--config", str(config_file), "--out", str(out), "--from", "x"],
    )
    assert bad == 2
