"""Readers type as they would to a librarian: the bot answers what it can from the
library's own data, searches the catalogue for what reads like a book, and offers a
librarian for the rest — never a purchase request for a sentence."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from bot.demo import seed_catalogue
from bot.kernel.config import Config
from storage.catalogue.importer import import_catalogue
from storage.faq import entries
from storage.faq.files import read_file
from storage.front_door.decide import FrontDoor, Route, Span
from storage.front_door.faq_index import FaqIndex, phrased
from storage.models import Activity, ActivityKind
from tests.conftest import RunningBot, RunningVkBot, StartVkBot
from tests.test_events_bot import add_event

STARTER_FAQ = Path(__file__).resolve().parents[1] / "faq.example.csv"


@pytest.fixture(scope="module")
def starter_faq() -> FaqIndex:
    rows, skipped = read_file(STARTER_FAQ)
    assert rows
    assert not skipped
    return FaqIndex(phrased(n, r.question, r.phrasings) for n, r in enumerate(rows))


@pytest.fixture
def door(config: Config, starter_faq: FaqIndex) -> FrontDoor:
    return FrontDoor(config.library.branches, config.consultations.topics, starter_faq)


# What readers typed in the library's chats, and what each must be taken for.
TYPED = [
    ("Во сколько вы сегодня работаете?", Route.HOURS),
    ("когда вы работаете в субботу?", Route.HOURS),
    ("Вы сейчас открыты?", Route.HOURS),
    ("раписание работы", Route.HOURS),
    ("часы работы детской библиотеки", Route.HOURS),
    ("Hello, when are you open?", Route.HOURS),
    ("где вы находитесь?", Route.ADDRESS),
    ("как до вас добраться", Route.ADDRESS),
    ("телефон библиотеки", Route.CONTACTS),
    ("хочу продлить книгу", Route.LOANS),
    ("прдлить книги", Route.LOANS),
    ("когда сдавать книги?", Route.LOANS),
    ("что у меня на руках", Route.LOANS),
    ("какие мероприятия на этой неделе?", Route.EVENTS),
    ("хочу записаться на встречу НКО", Route.EVENTS),
    ("нужна консультация юриста", Route.CONSULTATION),
    ("помогите написать заявку на грант", Route.CONSULTATION),
    ("не присылайте мне больше рассылки", Route.UNSUBSCRIBE),
    ("отписаться", Route.UNSUBSCRIBE),
    ("хочу подписаться на новости", Route.SUBSCRIPTIONS),
    ("Спасибо большое!", Route.THANKS),
    ("Здравствуйте", Route.GREETING),
    ("Привет, как дела?", Route.GREETING),
    ("до свидания", Route.THANKS),
    ("позовите библиотекаря", Route.LIBRARIAN),
    ("хочу поговорить с человеком", Route.LIBRARIAN),
    ("я потеряла библиотечную книгу, что делать?", Route.FAQ),
    ("как записаться в библиотеку", Route.FAQ),
    ("есть wi-fi?", Route.FAQ),
    ("можно ли записать ребенка", Route.FAQ),
    ("хочу подарить книги", Route.FAQ),
    ("как получить читательский билте", Route.FAQ),
    ("есть ли у вас «Мастер и Маргарита»?", Route.CATALOGUE),
    ("Мастер и Маргарита", Route.CATALOGUE),
    ("Пушкин", Route.CATALOGUE),
    ("ищу что-нибудь про космос", Route.CATALOGUE),
    ("Что делать?", Route.UNKNOWN),  # the catalogue is asked first (the title check)
    ("Почтальон Печкин", Route.CATALOGUE),
    ("Здоровый позвоночник", Route.CATALOGUE),
    ("Продвинутый Python", Route.CATALOGUE),
    ("ок", Route.THANKS),
    ("Помогите", Route.GREETING),
    ("работаете?", Route.HOURS),
    ("обед во сколько?", Route.HOURS),
    ("электронная почта библиотеки", Route.CONTACTS),
    ("стоп", Route.UNSUBSCRIBE),
    ("хватит мне писать", Route.UNSUBSCRIBE),
    ("Can I renew my books?", Route.LOANS),
    ("Where is the library?", Route.ADDRESS),
    ("x" * 4000, Route.UNKNOWN),
    ("9785170906307", Route.CATALOGUE),
    ("👍👍", Route.EMPTY),
    ("...", Route.EMPTY),
    ("мой кот съел мой реферат, и теперь я не знаю, как быть дальше", Route.UNKNOWN),
]


@pytest.mark.parametrize(("text", "route"), TYPED)
def test_a_typed_message_is_taken_for_what_it_says(
    door: FrontDoor, text: str, route: Route
) -> None:
    decision = door.decide(text)
    assert decision.route is route, decision.reason


def test_the_decision_names_the_day_the_branch_and_the_topic(door: FrontDoor) -> None:
    saturday = door.decide("детская библиотека работает в субботу?")
    assert (saturday.weekday, saturday.branch_id, saturday.span) == (5, "children", Span.DAY)
    assert door.decide("Во сколько вы сегодня работаете?").day_offset == 0
    assert door.decide("мероприятия в выходные").span is Span.WEEKEND
    assert door.decide("хочу записаться на встречу НКО").event_kind == "meetup"
    assert door.decide("хочу записаться на встречу НКО").signup
    assert door.decide("нужна консультация юриста").topic_id == "legal"
    assert door.decide("как добраться до детской библиотеки").branch_id == "children"
    # «среди» is not «среда»; «доступная среда» is not a day either.
    assert door.decide("работаете ли вы среди недели").weekday is None
    assert "faq #" in door.decide("я потеряла книгу, что делать?").reason


def test_bad_input_gets_a_decision_not_an_error(door: FrontDoor) -> None:
    long_story = "Здравствуйте! " + "Я хотела бы рассказать о своей ситуации подробно. " * 80
    assert len(long_story) > 4000
    assert door.decide(long_story).route is Route.UNKNOWN
    assert door.decide("").route is Route.EMPTY
    assert door.decide("   \n\t ").route is Route.EMPTY
    assert door.decide("<b>привет</b> <script>").route in (Route.GREETING, Route.CATALOGUE)
    mixed = door.decide("Please help, как продлить my books?")
    assert mixed.route in (Route.LOANS, Route.FAQ)


# --- through the real Dispatcher --------------------------------------------------------


async def _with_starter_faq(bot: RunningBot) -> None:
    rows, _ = read_file(STARTER_FAQ)
    for row in rows:
        await entries.add(bot.db, row.question, row.answer, row.phrasings)


async def test_hours_for_a_named_day_and_branch_come_from_the_config(bot: RunningBot) -> None:
    anna = bot.person(1201)
    reply = await anna.send("когда вы работаете в субботу?")
    assert "Часы работы в субботу" in reply.text
    assert "Центральная библиотека: 11:00–17:00" in reply.text
    assert "Детская библиотека: выходной" in reply.text
    assert "ℹ️ Все адреса и часы" in reply.buttons
    reply = await anna.send("детская библиотека работает в воскресенье?")
    assert "Детская библиотека: 11:00–16:00" in reply.text
    assert "Центральная" not in reply.text
    reply = await anna.send("Во сколько вы сегодня работаете?")
    assert "Часы работы сегодня" in reply.text
    assert "сейчас" in reply.text  # open now, or when it opens
    reply = await anna.click("ℹ️ Все адреса и часы")
    assert "ул. Ленина, 1" in reply.text
    assert "пр. Мира, 15" in reply.text


async def test_addresses_and_contacts(bot: RunningBot) -> None:
    anna = bot.person(1202)
    reply = await anna.send("где вы находитесь?")
    assert "Центральная библиотека: ул. Ленина, 1" in reply.text
    assert "Детская библиотека: пр. Мира, 15" in reply.text
    reply = await anna.send("адрес детской библиотеки")
    assert "пр. Мира, 15" in reply.text
    assert "Ленина" not in reply.text
    reply = await anna.send("телефон библиотеки")
    assert "+7 (495) 000-00-00" in reply.text


async def test_the_readers_own_things_open_their_screens(bot: RunningBot) -> None:
    anna = bot.person(1203)
    await anna.send("/start")
    await anna.click("Согласен")
    reply = await anna.send("хочу продлить книгу")
    assert "продлить" in reply.text  # «Мои книги»: here, how to renew without a library system
    await add_event(bot.db, "Встреча НКО района")
    reply = await anna.send("хочу записаться на встречу НКО")
    assert "Встреча НКО района" in reply.text
    assert "Записаться" in reply.text
    reply = await anna.send("нужна консультация юриста")
    assert "Юридические вопросы" in reply.text or "Задать вопрос" in reply.text
    reply = await anna.send("не присылайте мне больше рассылки")
    assert "Отписаться от всего" in reply.text + " ".join(reply.buttons)


async def test_courtesy_gets_a_human_answer_and_the_menu(bot: RunningBot) -> None:
    anna = bot.person(1204)
    reply = await anna.send("Спасибо большое!")
    assert "Пожалуйста" in reply.text
    assert "в каталоге" not in reply.text
    reply = await anna.send("Здравствуйте")
    assert "Здравствуйте" in reply.text
    reply = await anna.send("👍")
    assert "Напишите вопрос" in reply.text


async def test_the_library_faq_answers_and_a_sentence_is_never_a_purchase_request(
    bot: RunningBot,
) -> None:
    anna = bot.person(1205)
    reply = await anna.send("я потеряла библиотечную книгу, что делать?")
    assert "Готового ответа" in reply.text
    assert "🙋 Спросить библиотекаря" in reply.buttons
    assert "📝 Оставить заявку на книгу" not in reply.buttons
    await _with_starter_faq(bot)
    reply = await anna.send("я потеряла библиотечную книгу, что делать?")
    assert "Что делать, если я потерял или испортил книгу?" in reply.text
    assert "🙋 Спросить библиотекаря" in reply.buttons  # if the answer does not fit
    reply = await anna.send("как получить читательский билте")  # a typo
    assert "Как записаться в библиотеку?" in reply.text
    async with bot.db.transaction() as session:
        notes = list(await session.scalars(select(Activity.notes).order_by(Activity.id)))
        kinds = list(await session.scalars(select(Activity.kind).order_by(Activity.id)))
    assert notes[0].startswith("front door: unknown")
    assert notes[1].startswith("front door: faq (faq #")
    assert kinds[1] == ActivityKind.FAQ_ANSWER


async def test_catalogue_questions_in_natural_phrasing_still_find_books(bot: RunningBot) -> None:
    await seed_catalogue(bot.db)
    anna = bot.person(1206)
    reply = await anna.send("Здравствуйте! Есть ли у вас «Мастер и Маргарита»?")
    assert "Нашлась 1 книга" in reply.text
    reply = await anna.send("Булгаков")
    assert "Мастер и Маргарита" in reply.text
    reply = await anna.send("Щекотливый вопрос совершенно иного рода")
    assert "📝 Оставить заявку на книгу" in reply.buttons  # short, may be a title
    assert "🙋 Спросить библиотекаря" in reply.buttons  # or a question


async def test_a_short_answer_can_still_be_searched_as_a_title(bot: RunningBot) -> None:
    await seed_catalogue(bot.db)
    anna = bot.person(1207)
    reply = await anna.send("Расписание")
    assert "Часы работы" in reply.text
    search = next(b for b in reply.buttons if b.startswith("🔎 Искать"))
    reply = await anna.click(search)
    assert "ничего не нашлось" in reply.text or "Нашлось" in reply.text or "Нашлась" in reply.text


async def test_long_mixed_and_command_like_messages_get_a_polite_answer(bot: RunningBot) -> None:
    anna = bot.person(1208)
    story = "Добрый день. " + "У меня сложная ситуация с формуляром и сроками. " * 80
    reply = await anna.send(story[:4000])
    assert reply.text  # answered, whatever it was taken for
    assert "📝 Оставить заявку на книгу" not in reply.buttons
    reply = await anna.send("/weird")
    assert "Такой команды нет" in reply.text
    reply = await anna.send("Please, как продлить my books?")
    assert "в каталоге ничего не нашлось" not in reply.text


@pytest.fixture
async def community(start_vk_bot: StartVkBot) -> RunningVkBot:
    return await start_vk_bot()


async def test_in_vk_the_same_front_door(community: RunningVkBot) -> None:
    anna = community.person(1301)
    reply = await anna.send("когда вы работаете в субботу?")
    assert "Центральная библиотека: 11:00–17:00" in reply.text
    reply = await anna.send("я потеряла книгу, что делать?")
    assert "Спросить библиотекаря" in " ".join(reply.buttons)
    assert "Оставить заявку на книгу" not in " ".join(reply.buttons)
    reply = await anna.send("где вы находитесь?")
    assert "пр. Мира, 15" in reply.text
    await add_event(community.db, "Встреча НКО района")
    reply = await anna.send("какие мероприятия будут?")
    assert "Встреча НКО района" in reply.text
    reply = await anna.send("хочу продлить книгу")
    assert "продлить" in reply.text
    reply = await anna.send("отписаться от рассылки")
    assert "Отписаться от всего" in " ".join(reply.buttons)
    reply = await anna.send("Спасибо!")
    assert "Пожалуйста" in reply.text


async def test_a_near_faq_match_is_offered_not_asserted(bot: RunningBot) -> None:
    """One shared word of several: «Возможно, вы об этом?» with the entry as a button."""
    await entries.add(
        bot.db,
        "Можно ли прийти с животным?",
        "С собаками — только с собакой-проводником.",
        ("можно с собакой", "пускают ли с кошкой"),
    )
    anna = bot.person(1209)
    reply = await anna.send("пускают ли с хомяком?")
    assert "Возможно, вы об этом?" in reply.text
    assert "🙋 Спросить библиотекаря" in reply.buttons
    reply = await anna.click("Можно ли прийти с животным?")
    assert "собакой-проводником" in reply.text


async def test_a_word_typed_inside_the_ticket_form_is_answered_not_refused(
    bot: RunningBot,
) -> None:
    """Asked for a ticket number, a reader types a question instead: the question is
    answered, and the form is left (no «не похоже на номер билета» loop)."""
    anna = bot.person(1210)
    await anna.send("/start")
    await anna.click("Согласен")
    await anna.send("📚 Мои книги")
    reply = await anna.send("когда вы работаете в субботу?")
    assert "Центральная библиотека: 11:00–17:00" in reply.text
    reply = await anna.send("не помню номер")  # still about the form: it is not left
    assert "Это не похоже на номер билета" not in reply.text  # the form was left above


async def test_a_title_with_a_rules_word_is_still_a_catalogue_question(
    bot: RunningBot, tmp_path: Path
) -> None:
    """«Место встречи изменить нельзя» has «встреча», «Дети капитана Гранта» has «грант»:
    the catalogue is asked before a rule answers a short message."""
    catalogue = tmp_path / "catalogue.csv"
    catalogue.write_text(
        "id,title,authors,branch,status\n"
        "m1,Место встречи изменить нельзя,Вайнер А.,central,available\n"
        "m2,Дети капитана Гранта,Верн Ж.,central,available\n",
        encoding="utf-8",
    )
    await import_catalogue(bot.db, [catalogue])
    anna = bot.person(1211)
    reply = await anna.send("Место встречи изменить нельзя")
    assert "Место встречи изменить нельзя" in reply.text
    assert "Нашлась" in reply.text
    reply = await anna.send("есть ли у вас Дети капитана Гранта")
    assert "Нашлась" in reply.text
    reply = await anna.send("Встреча")  # no such title: the events, and the way to search
    assert "🔎 Искать «Встреча» в каталоге" in reply.buttons
    reply = await anna.send("нужна консультация юриста")  # still a consultation
    assert "Юридические вопросы" in reply.text
