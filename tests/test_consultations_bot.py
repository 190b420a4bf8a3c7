"""«Консультация»: a person asks an accountant's question with a document attached, staff
take it in the staff chat and pass it to an expert, the expert answers in the bot, the
requester sees the answer, confirms it solved the question and rates the help — and the
register shows every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.kernel.i18n import Locales
from broadcasts.consultation_notices import sweep_appointments, sweep_unclaimed
from storage import people
from storage.consultations import directory
from storage.consultations import requests as desk
from storage.consultations.models import ConsultationRequest, RequestStatus
from storage.consultations.register import build_register
from storage.models import Activity, ActivityKind, Role
from tests.conftest import ADMIN_ID, STAFF_CHAT_ID, RunningBot
from tests.fakes.telegram_api import Call
from tests.harness import Person
from tests.test_events_bot import deliver
from tests.test_my_books import consented

EXPERT_ID = 700_001


def last_to(bot: RunningBot, chat_id: int, contains: str = "") -> Call:
    """The newest message the bot sent to a chat (optionally containing a text)."""
    for call in reversed(bot.server.calls):
        if (
            call.method in ("sendMessage", "editMessageText")
            and call.chat_id == chat_id
            and contains in call.text
        ):
            return call
    raise AssertionError(f"nothing sent to {chat_id} containing {contains!r}")


async def file_request(bot: RunningBot, anna: Person) -> int:
    """Анна asks about taxes, with the charter attached; returns the request number."""
    await anna.send("Консультация")
    reply = await anna.click("Бухгалтерия и налоги")
    assert "Опишите ваш вопрос" in reply.text  # no FAQ yet: straight to the question
    reply = await anna.send_file(name="устав.pdf", caption="Нужно ли НКО на УСН сдавать баланс?")
    assert "Файл добавлен" in reply.text
    assert "Как к вам обращаться" in reply.text
    await anna.send("Анна Петрова")
    await anna.send("АНО «Зелёный двор»")
    reply = await anna.click("Ответить здесь, в чате")
    assert "удобно" in reply.text
    reply = await anna.click("Вечером")
    assert "Обращение <b>№" in reply.text
    assert "Специалист ответит до" in reply.text
    async with bot.db.transaction() as session:
        request = await session.scalar(select(ConsultationRequest))
    assert request is not None
    return request.id


async def add_expert(bot: RunningBot) -> Person:
    """Ирина Соколова, an accountant who uses the bot."""
    irina = bot.person(EXPERT_ID, "Ирина")
    await irina.send("/start")
    person = await people.find(bot.db, "telegram", str(EXPERT_ID))
    assert person is not None
    await people.grant(bot.db, person.id, Role.EXPERT, granted_by=None)
    await directory.add_expert(
        bot.db,
        name="Ирина Соколова",
        competences=["accounting"],
        organisation="Аудит-Консалт",
        contact="+7 900 555-00-11",
        person_id=person.id,
    )
    return irina


async def test_request_goes_from_question_to_a_rated_answer(bot: RunningBot) -> None:
    anna = await consented(bot, 601, "Анна")
    number = await file_request(bot, anna)

    # The staff chat gets the card with every button.
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, f"№ {number}")
    assert "Новое обращение" in card.text
    assert "Анна Петрова" in card.text
    assert "Зелёный двор" in card.text
    assert "Вложений: 1" in card.text
    labels = [b["text"] for b in card.buttons()]
    for wanted in ("Взять", "Передать эксперту", "Ответить", "Назначить встречу", "Закрыть"):
        assert any(wanted in label for label in labels), wanted

    # Мария takes it in the staff chat: the card there changes for everyone.
    maria = bot.admin()
    await maria.send("/start")
    reply = await maria.press_on(card, "Взять")
    assert any("теперь ваше" in a for a in reply.alerts)
    edited = [c for c in reply.calls if c.method == "editMessageText"]
    assert edited
    assert "в работе" in edited[0].text
    assert "Мария Ивановна" in edited[0].text

    # A second «Взять» (or a colleague's) changes nothing.
    reply = await maria.press_on(card, "Взять")
    assert any("уже" in a.lower() for a in reply.alerts) or reply.alerts

    # She passes it to the expert: the list comes to her private chat.
    irina = await add_expert(bot)
    reply = await maria.press_on(card, "Передать эксперту")
    choose = last_to(bot, ADMIN_ID, "Кому передать")
    assert any("Ирина Соколова" in b["text"] for b in choose.buttons())
    reply = await maria.press_on(choose, "Ирина Соколова")
    assert "получил его в боте" in reply.text

    # The expert gets the request with her buttons and answers.
    await deliver(bot)
    copy = last_to(bot, EXPERT_ID, f"№ {number}")
    expert_labels = [b["text"] for b in copy.buttons()]
    assert any("Ответить" in label for label in expert_labels)
    assert not any("Передать эксперту" in label for label in expert_labels)
    reply = await irina.press_on(copy, "Ответить")
    assert "Напишите ответ" in last_to(bot, EXPERT_ID).text
    reply = await irina.send("Да: с 2026 года упрощённая бухгалтерская отчётность обязательна.")
    assert "отправлен заявителю" in reply.text

    # Анна gets the answer in her messenger and follows it in «Мои обращения».
    await deliver(bot)
    answer = last_to(bot, 601, "Ответ по обращению")
    assert "упрощённая бухгалтерская отчётность" in answer.text
    reply = await anna.send("Консультация")
    reply = await anna.click("Мои обращения")
    assert any("ждёт вашего ответа" in b for b in reply.buttons)
    reply = await anna.click(f"№ {number}")
    assert "Ирина Соколова" in reply.text
    assert "упрощённая" in reply.text

    # She confirms it is solved and rates the help.
    reply = await anna.press_on(answer, "Вопрос решён")
    assert "Оцените" in reply.text
    reply = await anna.click("5")
    assert "Спасибо за оценку 5" in reply.text
    reply = await anna.send("Всё понятно, спасибо!")
    assert "Спасибо" in reply.text

    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.RESOLVED
    assert request.rating == 5
    assert request.rating_comment == "Всё понятно, спасибо!"
    assert request.responsible_name == "Мария Ивановна"
    assert request.expert_name == "Ирина Соколова"

    # The register line, straight from these rows.
    register = await build_register(
        bot.db, bot.config.library.zone, topic_names={"accounting": "Бухгалтерия и налоги"}
    )
    [row] = register.rows
    assert row[0] == number
    assert isinstance(row[1], datetime)
    assert row[2] == "Бухгалтерия и налоги"
    assert "УСН" in str(row[3])
    assert row[4] == "Анна Петрова, АНО «Зелёный двор»"
    assert "сотрудник Мария Ивановна" in str(row[5])
    assert "эксперт Ирина Соколова" in str(row[5])
    assert "решена" in str(row[6])
    assert "подтверждено заявителем" in str(row[6])
    assert row[7] == "Мария Ивановна"
    assert row[8] == 5

    # Every step is a consultation in the activity log.
    async with bot.db.transaction() as session:
        logged = list(
            await session.scalars(
                select(Activity).where(Activity.kind == ActivityKind.CONSULTATION)
            )
        )
    statuses = {a.status for a in logged}
    assert {"received", "in_progress", "forwarded", "awaiting"} <= statuses
    answer_row = next(a for a in logged if a.notes and "упрощённая" in a.notes)
    assert answer_row.executor == "Ирина Соколова"
    assert answer_row.responsible == "Мария Ивановна"


async def test_faq_answers_before_the_form(bot: RunningBot) -> None:
    await directory.add_faq(
        bot.db, "registration", "Сколько стоит регистрация НКО?", "Госпошлина — 4000 рублей."
    )
    boris = await consented(bot, 602, "Борис")
    await boris.send("Консультация")
    reply = await boris.click("Регистрация и документы НКО")
    assert "Частые вопросы" in reply.text
    reply = await boris.click("Сколько стоит регистрация")
    assert "4000 рублей" in reply.text
    reply = await boris.click("Задать вопрос специалисту")
    assert "Опишите ваш вопрос" in reply.text


async def test_an_expert_sees_only_requests_assigned_to_them(bot: RunningBot) -> None:
    anna = await consented(bot, 603, "Анна")
    number = await file_request(bot, anna)
    irina = await add_expert(bot)
    # Not assigned to her yet: the buttons of the card refuse her.
    reply = await irina.press(f"desk:reply:{number}:0")
    assert any("другому специалисту" in a for a in reply.alerts)
    reply = await irina.press(f"desk:show:{number}:0")
    assert any("другому специалисту" in a for a in reply.alerts)
    # A reader pressing a staff button gets the polite refusal.
    reply = await anna.press(f"desk:take:{number}:0")
    assert any("только для сотрудников" in a for a in reply.alerts)
    # Another reader cannot open Анна's request by id.
    other = await consented(bot, 604, "Олег")
    reply = await other.press(f"rq:show:{number}:0")
    assert any("не найдено" in a for a in reply.alerts)
    reply = await other.press(f"rq:wdok:{number}:0")
    assert any("не найдено" in a for a in reply.alerts)
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.NEW


async def test_staff_answer_reaches_the_requester_and_notes_stay_internal(
    bot: RunningBot,
) -> None:
    anna = await consented(bot, 605, "Анна")
    number = await file_request(bot, anna)
    maria = bot.admin()
    await maria.send("/start")
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, f"№ {number}")
    await maria.press_on(card, "Заметка")
    reply = await maria.send("Позвонить в налоговую перед ответом")
    assert "Заметка" in reply.text
    await maria.press_on(card, "Ответить")
    reply = await maria.send("Сдавать нужно, подробности — на консультации.")
    assert "отправлен заявителю" in reply.text
    await deliver(bot)
    reply = await anna.press(f"rq:show:{number}:0")
    assert "Сдавать нужно" in reply.text
    assert "налоговую" not in reply.text  # the internal note
    await maria.press_on(card, "Переписка")  # shown where pressed: the staff chat
    thread = last_to(bot, STAFF_CHAT_ID, "Переписка по обращению")
    assert "налоговую" in thread.text
    assert "Сдавать нужно" in thread.text


async def test_requester_adds_details_and_withdraws(bot: RunningBot) -> None:
    anna = await consented(bot, 606, "Анна")
    number = await file_request(bot, anna)
    reply = await anna.press(f"rq:add:{number}:0")
    assert "Что добавить" in reply.text
    reply = await anna.send_file(name="баланс.xlsx", size=50_000)
    assert "Добавлено" in reply.text
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.files == 2
    reply = await anna.press(f"rq:wd:{number}:0")
    reply = await anna.click("Да, отозвать")
    assert "отозвано" in reply.text
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.WITHDRAWN
    # A replayed button after withdrawing changes nothing.
    reply = await anna.press(f"rq:wdok:{number}:0")
    assert "уже закрыто" in reply.text


async def test_files_too_big_or_too_many_are_refused_politely(bot: RunningBot) -> None:
    anna = await consented(bot, 607, "Анна")
    await anna.send("Консультация")
    await anna.click("Юридические вопросы")
    reply = await anna.send_file(size=50 * 1024 * 1024)
    assert "больше 20 МБ" in reply.text
    for _ in range(5):
        await anna.send_file(size=1000)
    reply = await anna.send_file(size=1000)
    assert "не больше 5 файлов" in reply.text
    reply = await anna.send("ок")
    assert "подробнее" in reply.text  # too short to be a question
    reply = await anna.send_sticker()
    assert "напишите текстом" in reply.text


async def test_a_staff_member_who_never_opened_the_bot_is_asked_to(bot: RunningBot) -> None:
    anna = await consented(bot, 608, "Анна")
    number = await file_request(bot, anna)
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, f"№ {number}")
    bot.server.blocked.add(ADMIN_ID)
    reply = await bot.admin().press_on(card, "Ответить")
    assert any("личном чате" in a for a in reply.alerts)


async def test_appointment_offered_chosen_and_reminded(bot: RunningBot) -> None:
    anna = await consented(bot, 609, "Анна")
    number = await file_request(bot, anna)
    maria = bot.admin()
    await maria.send("/start")
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, f"№ {number}")
    await maria.press_on(card, "Назначить встречу")
    reply = await maria.send("вчера в обед")
    assert "Не понял время" in reply.text
    zone = bot.config.library.zone
    first = (datetime.now(UTC) + timedelta(days=3)).astimezone(zone)
    second = first + timedelta(days=1)
    reply = await maria.send(
        f"{first:%d.%m.%Y} 15:00, Центральная библиотека, каб. 5\n{second:%d.%m.%Y} 11:00"
    )
    assert "отправлены заявителю" in reply.text
    await deliver(bot)
    offer = last_to(bot, 609, "Выберите удобное время")
    reply = await anna.press_on(offer, f"{first:%d.%m.%Y} 15:00")
    assert "Встреча по обращению" in reply.text
    # A second press (or the other time) cannot book again.
    reply = await anna.press_on(offer, f"{second:%d.%m.%Y} 11:00")
    assert any("недоступно" in a for a in reply.alerts)
    # Reminders reach both the requester and the staff member who offered the time.
    meeting = first.replace(hour=15, minute=0).astimezone(UTC)
    sent = await sweep_appointments(
        bot.db, Locales(), bot.config, now=meeting - timedelta(hours=20)
    )
    assert sent == 2
    again = await sweep_appointments(
        bot.db, Locales(), bot.config, now=meeting - timedelta(hours=19)
    )
    assert again == 0
    await deliver(bot)
    assert "Напоминание" in last_to(bot, 609, "встреча").text or last_to(bot, 609, "Напоминание")
    assert last_to(bot, ADMIN_ID, "Встреча с заявителем")


async def test_unclaimed_request_reminds_the_staff_chat_once(bot: RunningBot) -> None:
    anna = await consented(bot, 610, "Анна")
    number = await file_request(bot, anna)
    request = await desk.get(bot.db, number)
    assert request is not None
    soon = request.received_at + timedelta(hours=1)
    assert await sweep_unclaimed(bot.db, Locales(), bot.config, now=soon) == 0
    later = request.received_at + timedelta(days=5)
    assert await sweep_unclaimed(bot.db, Locales(), bot.config, now=later) == 1
    assert await sweep_unclaimed(bot.db, Locales(), bot.config, now=later) == 0
    await deliver(bot)
    assert "никто не взял" in last_to(bot, STAFF_CHAT_ID, "никто не взял").text


async def test_forget_keeps_the_request_counted_but_unnamed(bot: RunningBot) -> None:
    anna = await consented(bot, 611, "Анна")
    number = await file_request(bot, anna)
    await anna.send("/forget")
    await anna.click("Да, удалить")
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.requester_name is None
    assert request.chat_id is None
    assert request.status is RequestStatus.WITHDRAWN
    assert "УСН" not in request.question
    register = await build_register(bot.db, bot.config.library.zone)
    [row] = register.rows
    assert "удалены" in str(row[4])
    assert "Зелёный двор" not in str(row[4])  # an organisation and a date can name a person


async def test_staff_close_a_request_and_the_requester_rates_it(bot: RunningBot) -> None:
    anna = await consented(bot, 612, "Анна")
    number = await file_request(bot, anna)
    maria = bot.admin()
    await maria.send("/start")
    await deliver(bot)
    card = last_to(bot, STAFF_CHAT_ID, f"№ {number}")
    await maria.press_on(card, "Закрыть")
    how = last_to(bot, ADMIN_ID, "Чем закончилось")
    await maria.press_on(how, "Отклонено")
    reply = await maria.send("Вопрос не по профилю: направили в налоговую инспекцию")
    assert "закрыто" in reply.text
    await deliver(bot)
    closed = last_to(bot, 612, "закрыто")
    assert "отклонено" in closed.text
    assert "налоговую инспекцию" in closed.text
    reply = await anna.press_on(closed, "4")
    assert "Спасибо за оценку 4" in reply.text
    reply = await anna.click("Без комментария")
    assert "Спасибо" in reply.text
    reply = await anna.press_on(closed, "1")  # the rating is kept as first given
    assert any("уже сохранена" in a for a in reply.alerts)
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.REJECTED
    assert request.rating == 4
    # A closed card offers no more actions that would change it.
    reply = await maria.press_on(card, "Ответить")
    assert any("уже закрыто" in a for a in reply.alerts)


async def test_a_question_too_long_is_refused_and_the_form_waits(bot: RunningBot) -> None:
    anna = await consented(bot, 613, "Анна")
    await anna.send("Консультация")
    await anna.click("Фандрайзинг")
    reply = await anna.send("очень " * 700)
    assert "Слишком длинное" in reply.text
    reply = await anna.send("Как найти первых частных жертвователей для приюта?")
    assert "Как к вам обращаться" in reply.text


async def test_expert_returns_a_request_to_staff(bot: RunningBot) -> None:
    anna = await consented(bot, 614, "Анна")
    number = await file_request(bot, anna)
    irina = await add_expert(bot)
    maria = bot.admin()
    await maria.send("/start")
    expert = (await directory.experts(bot.db))[0]
    await maria.press(f"desk:to:{number}:{expert.id}")
    await deliver(bot)
    copy = last_to(bot, EXPERT_ID, f"№ {number}")
    reply = await irina.press_on(copy, "Вернуть сотрудникам")
    assert any("возвращено" in a for a in reply.alerts)
    request = await desk.get(bot.db, number)
    assert request is not None
    assert request.status is RequestStatus.IN_PROGRESS
    # No longer hers: her old card's buttons are refused.
    reply = await irina.press_on(copy, "Ответить")
    assert any("другому специалисту" in a for a in reply.alerts)
    await deliver(bot)
    assert last_to(bot, ADMIN_ID, "Эксперт вернул")


async def test_staff_keep_the_faq_and_directory_and_get_the_register(bot: RunningBot) -> None:
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("🛠 Для сотрудников")
    await maria.click("Обращения")
    reply = await maria.click("Частые вопросы")
    reply = await maria.click("Юридические вопросы")
    reply = await maria.click("Добавить вопрос")
    await maria.send("Нужна ли печать НКО?")
    reply = await maria.send(
        "Нет, с 2015 года печать не обязательна, если это не сказано в уставе."
    )
    assert "Нужна ли печать НКО?" in reply.text
    [entry] = await directory.faq(bot.db, "legal")
    assert entry.answer.startswith("Нет, с 2015")

    await maria.click("Обращения")
    await maria.click("Эксперты")
    await maria.click("Добавить эксперта")
    await maria.send("Олег Брагин")
    reply = await maria.send("3, 1")
    assert "Организация" in reply.text
    await maria.send("-")
    await maria.click("Пропустить")
    reply = await maria.send("-")
    assert "Олег Брагин добавлен" in reply.text
    [oleg] = await directory.experts(bot.db)
    assert oleg.competences == ("legal", "registration")
    assert oleg.person_id is None

    anna = await consented(bot, 615, "Анна")
    await file_request(bot, anna)
    await maria.send("🛠 Для сотрудников")
    await maria.click("Обращения")
    reply = await maria.click("Реестр запросов")
    [document] = [c for c in reply.calls if c.method == "sendDocument"]
    assert "1 строк" in document.text


async def test_attachments_reach_staff_by_file_id(bot: RunningBot) -> None:
    anna = await consented(bot, 616, "Анна")
    await anna.send("Консультация")
    await anna.click("Грантовые конкурсы")
    await anna.send_file(
        photo=True, file_id="photo-of-budget", caption="Проверьте смету, пожалуйста"
    )
    await anna.send("Анна Петрова")
    await anna.click("Частное лицо")
    await anna.click("Ответить здесь, в чате")
    await anna.click("В любое время")
    await deliver(bot)
    async with bot.db.transaction() as session:
        number = await session.scalar(select(ConsultationRequest.id))
    card = last_to(bot, STAFF_CHAT_ID, f"№ {number}")
    maria = bot.admin()
    await maria.press_on(card, "Вложения")
    [photo] = [c for c in bot.server.calls if c.method == "sendPhoto"]
    assert photo.params["photo"] == "photo-of-budget"
    assert photo.chat_id == STAFF_CHAT_ID


async def test_skipping_the_last_question_still_adds_the_expert(bot: RunningBot) -> None:
    """«Пропустить» on the last question of «Добавить эксперта» saves the entry, as «-»
    does (the form used to end there without saving it)."""
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("🛠 Для сотрудников")
    await maria.click("Обращения")
    await maria.click("Эксперты")
    await maria.click("Добавить эксперта")
    await maria.send("Олег Брагин")
    await maria.send("все")
    await maria.click("Пропустить")
    await maria.click("Пропустить")
    reply = await maria.click("Пропустить")
    assert "Олег Брагин добавлен" in reply.text
    [oleg] = await directory.experts(bot.db)
    assert oleg.person_id is None
    assert oleg.organisation is None
