"""The form engine (handlers/forms.py), as the people filling in its forms see it: a form
offers what they answered last time, lets an optional step be skipped but not a required
one, can be left in the middle with nothing kept, and asks a step again — its buttons at
hand — when an answer is empty, too short or too long. The event sign-up and the
consultation request are both forms of the one engine, so what one remembers, the other
offers."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from storage.consultations.models import ConsultationRequest
from storage.events.models import EventKind, Registration
from storage.models import FsmRecord
from tests.conftest import RunningBot
from tests.harness import Reply
from tests.test_events_bot import add_event
from tests.test_my_books import consented

LEAVE_EVENT_FORM = "Отменить запись на мероприятие"


def remembered(reply: Reply) -> list[str]:
    """The «✔️ …» buttons: answers offered from the last form."""
    return [label for label in reply.buttons if label.startswith("✔️")]


async def count(bot: RunningBot, model: type) -> int:
    async with bot.db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def no_form_open(bot: RunningBot) -> bool:
    async with bot.db.transaction() as session:
        return not [s for s in await session.scalars(select(FsmRecord.state)) if s]


async def test_what_one_form_was_told_the_next_one_offers(bot: RunningBot) -> None:
    meetup = await add_event(bot.db, questions="[]")
    anna = await consented(bot, 9501, "Анна")
    # The first form offers only the name her messenger shows.
    await anna.send(f"/start event_{meetup}")
    reply = await anna.click("Записаться")
    assert "Как вас зовут?" in reply.text
    assert remembered(reply) == ["✔️ Анна"]
    await anna.send("Анна   Петрова")  # kept with its spaces squeezed
    await anna.send("НКО «Добро»")
    reply = await anna.send("anna@example.ru")
    assert "✅ Вы записаны!" in reply.text
    # The consultation request offers what the sign-up was told, step by step.
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    reply = await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    assert "Как к вам обращаться?" in reply.text
    assert remembered(reply) == ["✔️ Анна Петрова"]
    reply = await anna.click("✔️ Анна Петрова")
    assert "Какую организацию" in reply.text
    assert remembered(reply) == ["✔️ НКО «Добро»"]
    reply = await anna.click("Частное лицо")
    assert "Как с вами связаться?" in reply.text
    # Here «answer in the chat» comes first, the remembered contact under it.
    assert reply.buttons.index("💬 Ответить здесь, в чате") < reply.buttons.index(
        "✔️ anna@example.ru"
    )
    reply = await anna.click("✔️ anna@example.ru")
    assert "Когда с вами удобно связаться?" in reply.text
    reply = await anna.click("Вечером")
    assert "Обращение <b>№" in reply.text
    async with bot.db.transaction() as session:
        request = await session.scalar(select(ConsultationRequest))
    assert request is not None
    assert (request.requester_name, request.organisation, request.contact) == (
        "Анна Петрова",
        "частное лицо",
        "anna@example.ru",
    )
    assert request.contact_time == "Вечером"
    # «Частное лицо» answered that request only: the organisation offered stays hers.
    club = await add_event(bot.db, "Клуб волонтёров", questions="[]")
    await anna.send(f"/start event_{club}")
    await anna.click("Записаться")
    reply = await anna.click("✔️ Анна Петрова")
    assert remembered(reply) == ["✔️ НКО «Добро»"]


async def test_an_optional_step_is_skipped_a_required_one_is_not(bot: RunningBot) -> None:
    questions = [
        {"text": "Сколько вас будет?", "required": True},
        {"text": "Нужен ли пандус?", "required": False},
    ]
    lecture = await add_event(
        bot.db,
        "Лекция о краеведении",
        kind=EventKind.PUBLIC,  # not NKO work: the contact may be skipped
        ask_organisation=False,
        questions=json.dumps(questions, ensure_ascii=False),
    )
    anna = await consented(bot, 9502, "Анна")
    await anna.send(f"/start event_{lecture}")
    await anna.click("Записаться")
    reply = await anna.send("Анна Петрова")
    assert "Можно «Пропустить»" in reply.text
    reply = await anna.click("Пропустить")
    assert "Сколько вас будет?" in reply.text
    assert "Пропустить" not in reply.buttons  # required
    reply = await anna.press("ev:skip:0:::0")  # an old «Пропустить», or a forged one
    assert reply.alerts == ["Эта кнопка уже не действует."]
    reply = await anna.send("Двое")
    assert "Нужен ли пандус? (можно пропустить)" in reply.text
    reply = await anna.click("Пропустить")
    assert "✅ Вы записаны!" in reply.text
    async with bot.db.transaction() as session:
        row = await session.scalar(select(Registration))
    assert row is not None
    assert row.contact is None
    assert json.loads(row.answers) == [
        {"question": "Сколько вас будет?", "answer": "Двое"},
        {"question": "Нужен ли пандус?", "answer": None},
    ]


async def test_a_form_left_in_the_middle_keeps_nothing(bot: RunningBot) -> None:
    meetup = await add_event(bot.db, questions="[]")
    anna = await consented(bot, 9503, "Анна")
    await anna.send(f"/start event_{meetup}")
    await anna.click("Записаться")
    reply = await anna.send("Анна Петрова")
    assert "Какую организацию" in reply.text
    reply = await anna.click(LEAVE_EVENT_FORM)
    assert "Хорошо, не записываю" in reply.text
    assert await no_form_open(bot)
    assert await count(bot, Registration) == 0
    # What she types now is not an answer, and the form's old buttons do nothing.
    reply = await anna.send("НКО «Добро»")
    assert "Телефон или e-mail" not in reply.text
    reply = await anna.click("Частное лицо")
    assert reply.alerts == ["Эта кнопка уже не действует."]
    # Nothing of the form was remembered: the next one offers her messenger's name still.
    await anna.send(f"/start event_{meetup}")
    reply = await anna.click("Записаться")
    assert remembered(reply) == ["✔️ Анна"]
    # The consultation request is left the same way.
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    reply = await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    assert "Как к вам обращаться?" in reply.text
    reply = await anna.click("Отменить обращение")
    assert "обращение не отправлено" in reply.text
    assert await no_form_open(bot)
    assert await count(bot, ConsultationRequest) == 0
    reply = await anna.press("rq:priv:0:0")  # «Частное лицо» of the form she left
    assert "Эта форма уже закрыта" in reply.text


async def test_an_empty_short_or_too_long_answer_asks_the_step_again(bot: RunningBot) -> None:
    meetup = await add_event(bot.db, questions="[]")
    anna = await consented(bot, 9504, "Анна")
    await anna.send(f"/start event_{meetup}")
    await anna.click("Записаться")
    for answer in ("   ", "Я", "Я" * 201):
        reply = await anna.send(answer)
        assert "от 2 до 200 символов" in reply.text
        assert LEAVE_EVENT_FORM in reply.buttons  # the way out stays at hand
    reply = await anna.send_sticker()
    assert "ответьте текстом" in reply.text
    assert LEAVE_EVENT_FORM in reply.buttons
    reply = await anna.send("Анна Петрова")  # still the name step: the answer is taken
    assert "Какую организацию" in reply.text
    await anna.click(LEAVE_EVENT_FORM)
    # The consultation question: a few words at least, and no more than the limit.
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    reply = await anna.send("Как?")
    assert "Опишите вопрос чуть подробнее" in reply.text
    reply = await anna.send("Вопрос. " * 501)
    assert "уложитесь, пожалуйста, в 4\u00a0000 знаков" in reply.text
    reply = await anna.send_sticker()
    assert "напишите текстом или пришлите документ или фото" in reply.text
    reply = await anna.send("Нужно ли НКО на УСН сдавать баланс?")
    assert "Как к вам обращаться?" in reply.text
    # A button of a later step, pressed too early, asks the step she is at again.
    reply = await anna.press("rq:when:0:3")
    assert "Как к вам обращаться?" in reply.text
