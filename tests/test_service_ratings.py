"""«Оцените, пожалуйста» after a service (#26): the morning after an event she came to, Анна
is asked once (never at night, never Борис who did not come), taps 4 and writes a few words;
a replayed or forged press changes nothing; the quarterly workbook shows the satisfaction
share on «Показатели» and her rating on «Оценки»; /forget takes her comment and «Не
спрашивать больше» stops further questions."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from aiogram.fsm.storage.base import StorageKey
from openpyxl import Workbook, load_workbook
from pydantic import ValidationError
from sqlalchemy import select

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from bot.transports.telegram import create_bot
from broadcasts.service_ratings import sweep_event_ratings
from broadcasts.views.rating_view import RatingAction, RatingCb
from handlers.ratings import RatingForm
from storage import people, retention
from storage.db import Database
from storage.events import registrations
from storage.events.models import Event, EventKind
from storage.fsm import DatabaseStorage
from storage.ratings import answers
from storage.ratings.models import ServiceKind, ServiceRating
from storage.reports import document, periods
from tests.conftest import STAFF_CHAT_ID, RunningBot, StartBot, make_config
from tests.harness import drain_outbox
from tests.test_consultations_bot import last_to
from tests.test_events_bot import deliver
from tests.test_librarian import ALL_DAY, ANSWER, ask_librarian, only_request
from tests.test_my_books import consented

COMMENT = '=HYPERLINK("http://evil") Было интересно, спасибо!'


@pytest.fixture
def config(tmp_path: Path) -> Config:
    """The library's usual quiet hours, 21:00–09:00 Moscow time."""
    return make_config(tmp_path, notifications={"quiet_hours": "21:00-09:00"})


def local(config: Config, day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment of the library's day `day_offset` days from today, in UTC."""
    zone = config.library.zone
    today = datetime.now(UTC).astimezone(zone).date()
    moment = datetime.combine(today + timedelta(days=day_offset), time(hour, minute), zone)
    return moment.astimezone(UTC)


async def an_event(bot: RunningBot, title: str = "Открытое общение") -> int:
    """A meetup people register for ahead, held yesterday by the time the stories look."""
    async with bot.db.transaction() as session:
        event = Event(
            title=title,
            kind=EventKind.MEETUP,
            starts_at=local(bot.config, 2, 12),
            branch_id="central",
            seats=30,
        )
        session.add(event)
        await session.flush()
        return event.id


async def registered(bot: RunningBot, event_id: int, user_id: int, name: str) -> str:
    """The person's place at the event; its QR ticket's code."""
    person = await people.find(bot.db, "telegram", str(user_id))
    assert person is not None
    result = await registrations.register(bot.db, event_id, person.id, name=name)
    assert isinstance(result, registrations.Registered)
    return result.place.ticket


async def held_yesterday(bot: RunningBot, event_id: int) -> None:
    async with bot.db.transaction() as session:
        event = await session.get(Event, event_id)
        assert event is not None
        event.starts_at = local(bot.config, -1, 12)


async def came(bot: RunningBot, ticket: str) -> None:
    """Staff scan the person's ticket at the door."""
    reply = await bot.admin().send(f"/start ticket_{ticket}")
    assert "отмечен(а)" in reply.text


async def delivered(bot: RunningBot) -> list:
    mark = len(bot.server.calls)
    await drain_outbox(
        bot.db, create_bot(bot.server.token, api_server=bot.server.base_url), "telegram"
    )
    return [c for c in bot.server.calls[mark:] if c.method == "sendMessage"]


async def her_rating(db: Database) -> ServiceRating:
    async with db.transaction() as session:
        (row,) = list(await session.scalars(select(ServiceRating)))
        return row


async def test_the_morning_after_she_rates_the_meetup_once(bot: RunningBot) -> None:
    anna = await consented(bot, 7101, "Анна")
    boris = await consented(bot, 7102, "Борис")
    event_id = await an_event(bot)
    ticket = await registered(bot, event_id, 7101, "Анна Петрова")
    await registered(bot, event_id, 7102, "Борис Иванов")  # registered, did not come
    await held_yesterday(bot, event_id)
    await came(bot, ticket)

    sweep = sweep_event_ratings
    assert await sweep(bot.db, Locales(), bot.config, now=local(bot.config, 0, 3)) == 0  # night
    morning = local(bot.config, 0, 9, 5)
    assert await sweep(bot.db, Locales(), bot.config, now=morning) == 1
    assert await sweep(bot.db, Locales(), bot.config, now=morning + timedelta(hours=1)) == 0
    (question,) = await delivered(bot)
    assert question.chat_id == 7101
    assert "Вы были на «Открытое общение»" in question.text
    labels = [b["text"] for b in question.buttons()]
    assert labels == [
        "5 — отлично",
        "4 — хорошо",
        "3 — нормально",
        "2 — плохо",
        "1 — очень плохо",
        "Не спрашивать больше",
    ]

    # Борис presses her button: not his to give.
    four = next(b["callback_data"] for b in question.buttons() if b["text"].startswith("4"))
    refused = await boris.press(four)
    assert "не ваша" in " ".join(refused.alerts)
    anna.history.append(question)
    reply = await anna.click("4 — хорошо")
    assert "Спасибо за оценку 4" in reply.text
    reply = await anna.send(COMMENT)
    assert "Спасибо, мы прочитаем" in reply.text
    # The same button again, and a score the buttons never offer: nothing changes.
    again = await anna.press(four)
    assert "Оценка уже сохранена" in " ".join(again.alerts)
    forged = await anna.press(f"rate:s:{(await her_rating(bot.db)).id}:9")
    assert forged.calls  # answered, not silent
    row = await her_rating(bot.db)
    assert (row.rating, row.kind) == (4, ServiceKind.EVENT)
    assert row.comment == COMMENT

    book = await workbook(bot)
    shown = indicators(book)
    assert shown["Удовлетворённость услугами: доля оценок 4–5, %"] == 100
    assert shown["  в том числе: мероприятие"] == 100
    assert shown["  в том числе: вопрос библиотекарю"] == "—"
    assert shown["Оценок услуг получено"] == 1
    ratings = book["Оценки"]
    (line,) = [r for r in ratings.iter_rows(min_row=3) if r[1].value == "мероприятие"]
    assert [c.value for c in line[2:]] == ["Открытое общение", 4, COMMENT]
    assert line[4].data_type == "s"  # her words, never a live formula

    # /forget: her words go, her 4 stays counted, unnamed.
    await anna.send("/forget")
    assert "удалены" in (await anna.click("Да, удалить")).text
    row = await her_rating(bot.db)
    assert (row.rating, row.comment, row.person_id) == (4, None, None)


async def workbook(bot: RunningBot) -> Workbook:
    """This quarter's workbook, as staff download it."""
    period = periods.current("quarter", bot.config.library.zone, datetime.now(UTC))
    report = await document.prepare(bot.db, bot.config, period, now=datetime.now(UTC))
    return load_workbook(BytesIO(document.to_xlsx(report)))


def indicators(book: Workbook) -> dict[object, object]:
    return {r[0]: r[1] for r in book["Показатели"].iter_rows(min_row=3, values_only=True)}


async def test_a_librarians_answer_rated_in_the_bot_counts_beside_the_events(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config = make_config(
        tmp_path, notifications={"quiet_hours": ""}, consultations={"hours": ALL_DAY}
    )
    bot = await start_bot(config)
    anna = await consented(bot, 7106, "Анна")
    await ask_librarian(anna)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    await bot.admin().send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=card)
    await deliver(bot)
    reply = await anna.press_on(last_to(bot, 7106, "Ответ библиотекаря"), "Вопрос решён")
    assert "Оцените" in reply.text
    assert "Спасибо за оценку 2" in (await anna.click("2")).text
    assert "Спасибо" in (await anna.send("Ответили только через день")).text

    book = await workbook(bot)
    shown = indicators(book)
    assert shown["  в том числе: вопрос библиотекарю"] == 0
    assert shown["  в том числе: мероприятие"] == "—"
    assert shown["Оценок услуг получено"] == 1
    (line,) = book["Оценки"].iter_rows(min_row=3, values_only=True)
    assert line[1:] == (
        "вопрос библиотекарю",
        f"Обращение № {(await only_request(bot)).id} (Вопрос библиотекарю)",
        2,
        "Ответили только через день",
    )


async def test_librarian_ratings_switched_off_no_buttons_after_the_answer(
    start_bot: StartBot, tmp_path: Path
) -> None:
    """`[ratings] librarian = false`: «Вопрос решён» thanks the reader and asks nothing."""
    config = make_config(
        tmp_path,
        notifications={"quiet_hours": ""},
        consultations={"hours": ALL_DAY},
        ratings={"librarian": False},
    )
    bot = await start_bot(config)
    anna = await consented(bot, 7107, "Анна")
    await ask_librarian(anna)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, "Вопрос библиотекарю")
    await bot.admin().send_in_chat(STAFF_CHAT_ID, ANSWER, reply_to=card)
    await deliver(bot)
    reply = await anna.press_on(last_to(bot, 7107, "Ответ библиотекаря"), "Вопрос решён")
    assert "Оцените" not in reply.text
    assert not {"1", "2", "3", "4", "5"} & set(reply.buttons)


async def test_dont_ask_again_stops_further_questions(bot: RunningBot) -> None:
    anna = await consented(bot, 7103, "Анна")
    first = await an_event(bot, "Школа НКО")
    ticket = await registered(bot, first, 7103, "Анна Петрова")
    await held_yesterday(bot, first)
    await came(bot, ticket)
    morning = local(bot.config, 0, 10)
    assert await sweep_event_ratings(bot.db, Locales(), bot.config, now=morning) == 1
    (question,) = await delivered(bot)
    anna.history.append(question)
    reply = await anna.click("Не спрашивать больше")
    assert "больше не будем спрашивать" in reply.text

    second = await an_event(bot, "Клуб волонтёров")
    ticket = await registered(bot, second, 7103, "Анна Петрова")
    await held_yesterday(bot, second)
    await came(bot, ticket)
    assert await sweep_event_ratings(bot.db, Locales(), bot.config, now=morning) == 0
    assert await delivered(bot) == []


async def test_a_question_made_but_never_queued_is_sent_by_the_next_sweep(
    bot: RunningBot,
) -> None:
    """The process stopped after making Анна's question and before queuing its notice: the
    next sweep queues it (with that question's buttons), once."""
    await consented(bot, 7106, "Анна")
    event_id = await an_event(bot, "Школа НКО")
    ticket = await registered(bot, event_id, 7106, "Анна Петрова")
    await held_yesterday(bot, event_id)
    await came(bot, ticket)
    anna = await people.find(bot.db, "telegram", "7106")
    assert anna is not None
    morning = local(bot.config, 0, 10)
    made = await answers.ask(bot.db, ServiceKind.EVENT, event_id, "Школа НКО", anna.id, morning)
    assert made is not None  # … and then the crash: no notice in the outbox

    assert await sweep_event_ratings(bot.db, Locales(), bot.config, now=morning) == 1
    assert await sweep_event_ratings(bot.db, Locales(), bot.config, now=morning) == 0
    (question,) = await delivered(bot)
    assert "Школа НКО" in question.text
    five = RatingCb(action=RatingAction.SCORE, id=made, value=5).pack()
    assert five in [b.get("callback_data") for b in question.buttons()]


async def test_a_question_typed_long_after_the_score_is_answered_not_taken_as_comment(
    start_bot: StartBot, database: Database
) -> None:
    """Анна gave 4 and did not write anything; an hour later she asks about the library's
    hours: that is a question for the bot, not a comment to the rating."""
    conversations = DatabaseStorage(database)
    bot = await start_bot(storage=conversations)
    anna = await consented(bot, 7107, "Анна")
    event_id = await an_event(bot, "Школа НКО")
    ticket = await registered(bot, event_id, 7107, "Анна Петрова")
    await held_yesterday(bot, event_id)
    await came(bot, ticket)
    await sweep_event_ratings(bot.db, Locales(), bot.config, now=local(bot.config, 0, 10))
    (question,) = await delivered(bot)
    anna.history.append(question)
    reply = await anna.click("4 — хорошо")
    assert "Хотите что-то добавить?" in reply.text
    her = StorageKey(bot_id=int(bot.server.token.split(":")[0]), chat_id=7107, user_id=7107)
    assert await conversations.get_state(her) == RatingForm.comment.state
    an_hour_ago = (datetime.now(UTC) - timedelta(hours=1)).timestamp()
    await conversations.update_data(her, {"scored_at": an_hour_ago})  # an hour passes

    reply = await anna.send("Во сколько вы открываетесь в субботу?")
    assert reply.text
    assert "Спасибо" not in reply.text
    row = await her_rating(bot.db)
    assert (row.rating, row.comment) == (4, None)


async def test_switched_off_in_the_config_nothing_is_asked(
    start_bot: StartBot, tmp_path: Path
) -> None:
    config = make_config(tmp_path, ratings={"events": False})
    bot = await start_bot(config)
    await consented(bot, 7104, "Анна")
    event_id = await an_event(bot)
    ticket = await registered(bot, event_id, 7104, "Анна Петрова")
    await held_yesterday(bot, event_id)
    await came(bot, ticket)
    assert await sweep_event_ratings(bot.db, Locales(), config, now=local(config, 0, 10)) == 0
    assert config.ratings.asks("librarian")
    assert not config.ratings.asks("event")
    assert config.ratings.asks_about("librarian")
    assert config.ratings.asks_about("accounting")


async def test_comments_go_after_the_retention_period(bot: RunningBot) -> None:
    await consented(bot, 7105, "Анна")
    person = await people.find(bot.db, "telegram", "7105")
    assert person is not None
    now = datetime.now(UTC)
    rating_id = await answers.ask(bot.db, ServiceKind.EVENT, 1, "Школа НКО", person.id, now)
    assert rating_id is not None
    assert await answers.ask(bot.db, ServiceKind.EVENT, 1, "Школа НКО", person.id, now) is None
    assert await answers.rate(bot.db, rating_id, person.id, 5) is answers.Rated.SAVED
    assert await answers.comment(bot.db, rating_id, person.id, "Спасибо!")
    assert not await answers.comment(bot.db, rating_id, person.id, "И ещё")
    purged = await retention.purge(
        bot.db,
        now=now + timedelta(days=400),
        retention=timedelta(days=365),
        abandoned_after=timedelta(hours=72),
    )
    assert purged.rating_comments == 1
    row = await her_rating(bot.db)
    assert (row.rating, row.comment) == (5, None)


def test_a_forged_score_does_not_parse() -> None:
    with pytest.raises(ValidationError, match="less than or equal to 5"):
        RatingCb.unpack("rate:s:1:9")
    assert RatingCb.unpack("rate:x:1:0").action is RatingAction.STOP
