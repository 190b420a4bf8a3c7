"""Linking a ticket by phone (`verification = "phone"`, #23): the reader shares their own
contact with the messenger's button, and the one reader with that number is linked.

Stories through the real bot on SQLite and PostgreSQL, against the fake Koha; the number
is asked about and forgotten — never stored, logged or kept in the conversation state.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.kernel.config import Config, ConfigError
from storage.circulation import library_today, links
from storage.circulation.base import messenger_phone, normalise_phone, phones_in
from storage.circulation.local_import import import_loans
from storage.circulation.models import LocalPatron, ReaderLink
from tests.conftest import RunningBot, StartBot, StartVkBot, make_config
from tests.fakes.koha_api import FakeKoha
from tests.harness import Person, Reply
from tests.test_forget_everywhere import dump_database
from tests.test_my_books import consented
from tests.test_vk_stories import consented as vk_consented

MARIA_PHONE = "8 (912) 345-67-89"  # as the library typed it into Koha
FAMILY_PHONE = "+7 903 111-22-33"  # two readers of one family


@pytest.fixture
async def koha(tmp_path: Path) -> AsyncIterator[FakeKoha]:
    fake = FakeKoha(today=library_today(make_config(tmp_path))())
    await fake.start()
    yield fake
    await fake.stop()


def phone_config(tmp_path: Path, koha: FakeKoha, **settings: object) -> Config:
    koha_settings = {"url": koha.url, "user": koha.user, "password": koha.password}
    return make_config(
        tmp_path,
        library_system={
            "kind": "koha",
            "verification": "phone",
            "timeout_seconds": 0.5,
            "koha": koha_settings,
            **settings,
        },
    )


@pytest.fixture
async def library(start_bot: StartBot, tmp_path: Path, koha: FakeKoha) -> RunningBot:
    maria = koha.add_patron("23529000123", "Ёлкина", "Мария", phone=MARIA_PHONE)
    koha.add_checkout(
        maria, koha.add_item("Мастер и Маргарита", "B-1"), koha.today + timedelta(days=4)
    )
    koha.add_patron("23529000200", "Сидоров", "Иван", mobile=FAMILY_PHONE)
    koha.add_patron("23529000201", "Сидорова", "Ольга", phone="89031112233")
    koha.add_patron("23529000300", "Без", "Телефона")
    return await start_bot(phone_config(tmp_path, koha))


async def my_books(library: RunningBot, user_id: int, name: str) -> tuple[Person, Reply]:
    reader = await consented(library, user_id, name)
    return reader, await reader.send("📚 Мои книги")


def contact_buttons(reply: Reply) -> list[dict[str, object]]:
    return [b for c in reply.messages for b in c.buttons() if b.get("request_contact")]


async def linked_ticket(library: RunningBot) -> list[str]:
    async with library.db.transaction() as session:
        return list(await session.scalars(select(ReaderLink.ticket)))


def phone_searches(koha: FakeKoha) -> list[object]:
    return [r for r in koha.requests if r.path.endswith("/patrons") and "q" in r.query]


async def test_reader_shares_her_contact_and_her_ticket_is_linked(
    library: RunningBot, koha: FakeKoha, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    maria, reply = await my_books(library, 5001, "Мария")
    assert "Поделиться номером" in reply.text
    assert len(contact_buttons(reply)) == 1, "the messenger's own share-contact button"
    assert {"📱 Поделиться номером", "✏️ Ввести номер билета", "⬅️ В меню"} <= set(reply.buttons)
    koha.down = True
    reply = await maria.share_contact("79123456789")  # Telegram's shape of the same number
    assert "Библиотечная система сейчас не отвечает" in reply.text
    assert await linked_ticket(library) == []
    koha.down = False
    reply = await maria.share_contact("79123456789")  # the share button is still there
    assert "билет № 23529000123 привязан (Мария Ёлкина)" in reply.text
    assert "«Мастер и Маргарита»" in reply.text
    assert "📚 Мои книги" in reply.buttons, "the main menu is back under the answer"
    assert await linked_ticket(library) == ["23529000123"]
    assert len(phone_searches(koha)) == 2
    assert "9123456789" not in caplog.text


async def test_a_phone_shared_by_two_readers_asks_for_the_ticket_and_a_desk_code(
    library: RunningBot,
) -> None:
    ivan, _ = await my_books(library, 5002, "Иван")
    reply = await ivan.share_contact("+79031112233")
    assert "несколько читателей" in reply.text
    assert "введите <b>номер читательского билета</b>, а потом код из библиотеки" in reply.text
    assert await linked_ticket(library) == []
    reply = await ivan.send("23529000200")
    assert "Введите <b>код из библиотеки</b>" in reply.text
    code = await links.issue_desk_code(
        library.db, "23529000200", valid_for=timedelta(hours=1), issued_by=None
    )
    reply = await ivan.send(code)
    assert "билет № 23529000200 привязан (Иван Сидоров)" in reply.text


async def test_someone_elses_contact_is_refused_and_a_locked_account_cannot_look(
    library: RunningBot, koha: FakeKoha
) -> None:
    thief, _ = await my_books(library, 5004, "Пётр")
    reply = await thief.share_contact(MARIA_PHONE, user_id=5001, first_name="Мария")
    assert "Это не ваш номер" in reply.text
    assert len(contact_buttons(reply)) == 1, "offered the share button again"
    reply = await thief.share_contact(MARIA_PHONE, user_id=0)  # a phone-book card
    assert "Это не ваш номер" in reply.text
    assert await linked_ticket(library) == []
    assert phone_searches(koha) == [], "Koha is not even asked"
    # Guessing desk codes locks the account: then even its own number is not looked up.
    for guess in range(5):
        await thief.send(f"2352900{guess:04d}")
        reply = await thief.send(f"{guess:06d}")
    assert "Слишком много неудачных попыток" in reply.text
    reply = await thief.share_contact("+7 999 000-00-02")
    assert "Слишком много неудачных попыток" in reply.text
    assert phone_searches(koha) == []


async def test_no_reader_with_the_number_or_the_buttons_around_the_offer_lead_on(
    library: RunningBot,
) -> None:
    stranger, _ = await my_books(library, 5003, "Пётр")
    reply = await stranger.share_contact("+7 999 000-00-01")
    assert "Читателя с этим номером телефона в библиотеке не нашлось" in reply.text
    assert "а потом код из библиотеки" in reply.text
    assert await linked_ticket(library) == []
    reply = await stranger.send("23529000300")
    assert "Введите <b>код из библиотеки</b>" in reply.text
    anna, _ = await my_books(library, 5005, "Анна")
    reply = await anna.click("Ввести номер билета")
    assert "Введите <b>номер читательского билета</b>" in reply.text
    assert "📚 Мои книги" in reply.buttons
    reply = await anna.send("23529000300")
    assert "Введите <b>код из библиотеки</b>" in reply.text
    oleg, _ = await my_books(library, 5006, "Олег")
    reply = await oleg.click("В меню")
    assert "Чем могу помочь?" in reply.text
    assert "📚 Мои книги" in reply.buttons


async def test_forget_leaves_nothing_of_the_phone(library: RunningBot) -> None:
    maria, _ = await my_books(library, 5007, "Мария")
    await maria.share_contact("+7 912 345 67 89")
    await maria.send("/forget")
    await maria.click("Да, удалить")
    lines = (await dump_database(library.db)).splitlines()
    assert lines, "the dump reads the tables"
    # In whatever shape it might have been written: the digits of each row, run together.
    assert not [line for line in lines if "9123456789" in "".join(filter(str.isdigit, line))]
    assert await linked_ticket(library) == []


def test_numbers_compare_equal_in_every_usual_shape() -> None:
    shapes = [
        "+7 912 345-67-89",
        "8 (912) 3456789",
        "79123456789",
        "9123456789",
        "+7(912)345 67 89",
    ]
    assert {normalise_phone(shape) for shape in shapes} == {"9123456789"}
    assert normalise_phone("+375 29 123-45-67") is None  # not a Russian number
    assert normalise_phone("8 912 345-67-89 доб. 12") is None
    assert phones_in("8 912 345-67-89, 8 (495) 000-00-00") == {"9123456789", "4950000000"}


@pytest.mark.parametrize("kind", ["sip2", "none"])
def test_phone_linking_needs_a_system_that_can_search_by_phone(tmp_path: Path, kind: str) -> None:
    with pytest.raises(ConfigError, match=f"kind '{kind}' cannot find readers by phone") as error:
        make_config(tmp_path, library_system={"kind": kind, "verification": "phone"})
    assert "\n" not in str(error.value), "one line for the operator"


# --- the `local` system: phones from the library's export ------------------------------


def phone_export(tmp_path: Path, config: Config) -> Path:
    due = (library_today(config)() + timedelta(days=5)).strftime("%d.%m.%Y")
    loans = tmp_path / "loans.csv"
    loans.write_text(
        "билет;штрихкод;название;срок;фио;телефон\n"
        f"1001;B-1;Мастер и Маргарита;{due};Анна Петрова;8 (912) 345-67-89\n"
        f"1001;B-2;Тихий Дон;{due};;\n"
        f"1002;B-3;Лавр;{due};Борис Сидоров;+7 903 111-22-33, 8 495 000-00-00\n"
        f"1003;B-4;Обломов;{due};Вера Сидорова;89031112233\n",
        encoding="utf-8",
    )
    return loans


def local_phone_config(tmp_path: Path) -> Config:
    return make_config(tmp_path, library_system={"kind": "local", "verification": "phone"})


@pytest.fixture
async def local_library(start_bot: StartBot, tmp_path: Path) -> RunningBot:
    config = local_phone_config(tmp_path)
    running = await start_bot(config)
    await import_loans(running.db, phone_export(tmp_path, config))
    return running


async def test_local_reader_is_linked_by_the_phone_in_the_export(
    local_library: RunningBot,
) -> None:
    anna, reply = await my_books(local_library, 5101, "Анна")
    assert len(contact_buttons(reply)) == 1
    reply = await anna.share_contact("+7 912 345 67 89")
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text
    assert "«Тихий Дон»" in reply.text
    boris, _ = await my_books(local_library, 5102, "Борис")
    reply = await boris.share_contact("79031112233")  # Vera's number too
    assert "несколько читателей" in reply.text
    reply = await boris.share_contact("74950000000")  # his second number is his alone
    assert "билет № 1002 привязан (Борис Сидоров)" in reply.text
    async with local_library.db.transaction() as session:
        kept = set(await session.scalars(select(LocalPatron.phones)))
    assert kept == {"9123456789", "4950000000,9031112233", "9031112233"}, "ten digits only"


async def test_vk_readers_have_no_contact_button_and_link_with_the_ticket_and_a_desk_code(
    start_vk_bot: StartVkBot, tmp_path: Path
) -> None:
    config = local_phone_config(tmp_path)
    community = await start_vk_bot(config)
    await import_loans(community.db, phone_export(tmp_path, config))
    anna = await vk_consented(community, 5201)
    reply = await anna.send("📚 Мои книги")
    assert "Введите <b>номер билета</b>" not in reply.text  # VK shows no markup
    assert "номер билета" in reply.text
    assert "Поделиться номером" not in reply.text
    reply = await anna.send("1001")
    assert "код из библиотеки" in reply.text
    code = await links.issue_desk_code(
        community.db, "1001", valid_for=timedelta(hours=1), issued_by=None
    )
    reply = await anna.send(code)
    assert "билет № 1001 привязан (Анна Петрова)" in reply.text


def test_a_messengers_number_is_russian_only_with_seven_in_front() -> None:
    """A messenger gives its account's number internationally: a foreign number is never
    folded into ten digits that match a Russian reader's landline."""
    assert messenger_phone("+7 912 345-67-89") == "9123456789"
    assert messenger_phone("79123456789") == "9123456789"
    assert messenger_phone("+47 47312345") is None  # Norway, not Lipetsk's 4747312345
    assert messenger_phone("+45 49512345") is None
    assert messenger_phone("81312345678") is None  # Japan, not «8 131 …»
    assert messenger_phone("9123456789") is None  # no country: not the messenger's shape


async def test_a_family_phone_falls_back_to_the_proof_the_library_chose(
    start_bot: StartBot, tmp_path: Path, koha: FakeKoha
) -> None:
    """`phone_fallback`: a library that does not want readers at the desk for a shared
    phone asks for the surname and year of birth after the ticket instead."""
    koha.add_patron("23529000200", "Сидоров", "Иван", mobile=FAMILY_PHONE, born=date(1990, 5, 1))
    koha.add_patron("23529000201", "Сидорова", "Ольга", phone="89031112233")
    config = phone_config(tmp_path, koha, phone_fallback="surname_birth_year")
    library = await start_bot(config)
    ivan, _ = await my_books(library, 5301, "Иван")
    reply = await ivan.share_contact("+79031112233")
    assert "несколько читателей" in reply.text
    reply = await ivan.send("23529000200")
    assert "Введите <b>фамилию и год рождения</b>" in reply.text
    reply = await ivan.send("Сидоров 1990")
    assert "билет № 23529000200 привязан (Иван Сидоров)" in reply.text
