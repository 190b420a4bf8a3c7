"""The `libbot` command as librarians use it: run, demo, db, --help."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.cli import main
from bot.kernel.i18n import Locales
from tests.fakes.telegram_api import FakeTelegram
from tests.fakes.vk_api import FakeVk

ROOT = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[А-Яа-яЁё]")
COMMANDS = (
    "run",
    "demo",
    "import-catalogue",
    "broadcast",
    "import-loans",
    "import-holds",
    "export-renewals",
    "link-code",
    "unlink",
    "events",
    "experts",
    "faq",
    "requests",
    "report",
    "db",
)


def libbot() -> list[str]:
    """The installed console script when there is one, else `python -m bot` (the same code)."""
    script = shutil.which("libbot", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "bot"]


def clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBBOT_")}
    env["HOME"] = str(tmp_path)
    return env


def run_libbot(
    tmp_path: Path, *args: str, stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`libbot ARGS` as a librarian's script runs it: a clean environment, a time limit."""
    return subprocess.run(
        [*libbot(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
        env=clean_env(tmp_path),
    )


def test_help_explains_each_command() -> None:
    result = subprocess.run(
        [*libbot(), "--help"], capture_output=True, text=True, check=True, timeout=60
    )
    for command in ("run", "demo", "db"):
        assert f"    {command} " in result.stdout
    # Russian first, as the bot speaks (#19: the help was English).
    assert result.stdout.startswith("использование: libbot")
    assert "Обслуживать читателей в мессенджерах из config.toml" in result.stdout


@pytest.mark.parametrize("command", COMMANDS)
def test_each_command_explains_itself_in_russian(
    command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"использование: libbot {command} ")
    description = text.split("\n\n")[1]
    assert CYRILLIC.search(description), description
    assert "файл настроек" in text  # --config
    assert "показать эту справку и выйти" in text
    assert "cli-" not in text  # no message key left untranslated


def test_every_help_text_is_in_both_languages() -> None:
    keys = set()
    for path in [ROOT / "bot" / "cli.py", *(ROOT / "bot").glob("*_cli.py")]:
        keys |= set(re.findall(r'"(cli-[a-z-]+)"', path.read_text(encoding="utf-8")))
    locales = Locales()
    assert len(keys) > 40
    assert keys <= locales.keys["ru"]
    assert keys <= locales.keys["en"]


def test_db_backup_takes_its_options_anywhere(tmp_path: Path) -> None:
    """`libbot db backup --config c.toml FILE` was refused (#19): options go anywhere, as in
    every other command."""
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    assert main(["db", "upgrade", "--config", str(config)]) == 0
    first, second = tmp_path / "first.backup", tmp_path / "second.backup"
    assert main(["db", "backup", "--config", str(config), str(first)]) == 0
    assert main(["db", "--config", str(config), "backup", str(second)]) == 0
    assert first.stat().st_size > 0
    assert second.stat().st_size > 0


def test_import_catalogue_takes_options_between_files(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    books = tmp_path / "books.csv"
    books.write_text("Название;Автор;Год\nМастер и Маргарита;Булгаков;2019\n", encoding="utf-8")
    more = tmp_path / "more.csv"
    more.write_text("Название;Автор;Год\nСобачье сердце;Булгаков;2020\n", encoding="utf-8")
    result = run_libbot(
        tmp_path, "import-catalogue", str(books), "--config", str(config), str(more)
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("Импортировано записей: 2, пропущено: 0")


@pytest.mark.parametrize(
    ("out", "options", "accepted"),
    [
        ("report.docx", (), ".xlsx"),
        ("report.csv", (), ".xlsx"),
        ("report", (), ".xlsx"),
        ("report.xlsx", ("--format", "csv"), "folder"),
        ("report.csv", ("--format", "csv"), "folder"),
    ],
)
def test_report_refuses_a_file_name_it_would_not_write(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    out: str,
    options: tuple[str, ...],
    accepted: str,
) -> None:
    """`report --out x.docx` silently wrote an XLSX (#19): refused in one line that says
    what is accepted, before anything is written."""
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    target = tmp_path / out
    argv = ["report", "--config", str(config), "--period", "2026-Q3", "--out", str(target)]
    assert main([*argv, *options]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"libbot: --out {target}: ")
    assert accepted in line
    assert not target.exists()


def test_request_register_refuses_a_file_name_it_would_not_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    target = tmp_path / "реестр.docx"
    assert main(["requests", "register", "--config", str(config), "--out", str(target)]) == 2
    [line] = capsys.readouterr().err.strip().splitlines()
    assert ".xlsx or .csv" in line
    assert not target.exists()


def test_piped_demo_prints_the_menu_and_the_hours(tmp_path: Path) -> None:
    result = run_libbot(tmp_path, "demo", stdin="/start\nО библиотеке\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "ℹ️ О библиотеке" in result.stdout
    assert "Пн–Пт 10:00–19:00" in result.stdout
    assert "Traceback" not in result.stderr
    assert (tmp_path / "libbot-data" / "demo.sqlite3").is_file()


def test_demo_numbers_press_buttons(tmp_path: Path) -> None:
    # consent «Не сейчас», the menu again, «Для сотрудников», «Сегодня»
    script = "/start\n2\n/menu\n7\n1\n"
    result = run_libbot(tmp_path, "demo", "--as", "admin", stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "данные мы не сохраняем" in result.stdout
    assert "Обращения за сегодня" in result.stdout


def test_demo_request_card_reaches_the_demo_staff_chat(tmp_path: Path) -> None:
    """The staff chat's cards go through the outbox like in `libbot run` (#19: they stayed
    pending in the demo): consent, «Консультация» → «Бухгалтерия и налоги» → «Задать вопрос
    специалисту», the question, name, organisation, «в чате», «в любое время»."""
    script = (
        "/start\n1\n💬 Консультация\n2\n3\nНужно ли сдавать баланс без оборотов?\n"
        "Анна Петрова\nАНО «Добрые соседи»\n1\n1\n"
    )
    result = run_libbot(tmp_path, "demo", stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "принято" in result.stdout
    staff_chat = result.stdout.split("[→ чат -100500] 📨 Новое обращение", 1)
    assert len(staff_chat) == 2, result.stdout[-2000:]
    assert "Нужно ли сдавать баланс без оборотов?" in staff_chat[1]


def test_db_upgrade_creates_the_schema(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    result = run_libbot(tmp_path, "db", "upgrade", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "database at revision" in result.stderr
    assert (tmp_path / "libbot-data" / "libbot.sqlite3").is_file()


async def test_run_answers_start_through_the_configured_api_server(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[library]\nname = 'Библиотека на сервере'\n"
        f"[telegram]\ntoken = '{telegram.token}'\napi_server = '{telegram.base_url}'\n",
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        *libbot(),
        "run",
        "--config",
        str(config),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(tmp_path),
    )
    try:
        telegram.push(
            {
                "update_id": 1,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": 42, "type": "private"},
                    "from": {
                        "id": 42,
                        "is_bot": False,
                        "first_name": "Анна",
                        "language_code": "ru",
                    },
                    "text": "/start",
                },
            }
        )
        for _ in range(600):
            if any(c.chat_id == 42 for c in telegram.calls_of("sendMessage")):
                break
            if process.returncode is not None:
                break
            await asyncio.sleep(0.05)
        greetings = [c.text for c in telegram.calls_of("sendMessage") if c.chat_id == 42]
        assert any("Библиотека на сервере" in text for text in greetings)
        assert telegram.calls_of("setMyCommands")
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()


async def run_refused(tmp_path: Path, config_text: str) -> tuple[int | None, str]:
    """`libbot run` with a config the messenger refuses: its exit code and stderr."""
    config = tmp_path / "config.toml"
    config.write_text(config_text, encoding="utf-8")
    process = await asyncio.create_subprocess_exec(
        *libbot(),
        "run",
        "--config",
        str(config),
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(tmp_path),
    )
    try:
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    finally:
        if process.returncode is None:  # it did not stop: do not leave it running
            process.kill()
            await process.wait()
    return process.returncode, stderr.decode()


async def test_run_with_a_rejected_token_says_so_in_one_line(
    telegram: FakeTelegram, tmp_path: Path
) -> None:
    code, stderr = await run_refused(
        tmp_path,
        "[library]\nname = 'X'\n"
        f"[telegram]\ntoken = '1:wrong'\napi_server = '{telegram.base_url}'\n",
    )
    assert code == 2
    # Only the one line: no traceback of a job cut short (#19: some 65 lines of
    # CancelledError came first), nothing started for a bot that cannot run.
    assert "Traceback" not in stderr
    assert "CancelledError" not in stderr
    assert stderr.strip() == "libbot: Telegram rejected [telegram] token: check it with @BotFather"


def test_import_catalogue_reads_every_shared_sample(tmp_path: Path, shared_data: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
    files = sorted(
        str(p) for p in (shared_data / "marc").iterdir() if p.suffix != ".md" and p.is_file()
    )
    command = ["import-catalogue", "--config", str(config), *files]
    first = run_libbot(tmp_path, *command)
    assert first.returncode == 0, first.stderr
    # All in Russian, as staff read the bot (#19: «read 102 records», «added 102…»).
    assert first.stdout.splitlines()[:4] == [
        "Импортировано записей: 102, пропущено: 0",
        first.stdout.splitlines()[1],  # how long it took varies
        "добавлено: 102, обновлено: 0, без изменений: 0",
        "списано записей: 0, экземпляров: 0",
    ]
    assert first.stdout.splitlines()[1].startswith("прочитано записей: 102 за ")
    again = run_libbot(tmp_path, *command)
    assert "добавлено: 0, обновлено: 0, без изменений: 102" in again.stdout


def test_demo_answers_catalogue_questions_with_copies_per_branch(tmp_path: Path) -> None:
    result = run_libbot(
        tmp_path,
        "demo",
        stdin="мастер и маргарита\n1\n978-5-17-090630-7\nмастер и маргорита\n",
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "Центральная библиотека им. А. С. Пушкина — 2 из 3 на полке" in result.stdout
    assert "Детская библиотека — на полке нет; 1 выдана, вернут к" in result.stdout
    assert result.stdout.count("1. Мастер и Маргарита — Булгаков, М. А. (2019)") == 3
    assert "Возможно, вы искали: «мастер маргарита»" in result.stdout


def test_broadcast_command_schedules_and_cancels(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[library]\nname = 'Тест'\n", encoding="utf-8")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_libbot(tmp_path, "broadcast", "--config", str(config), *args)

    scheduled = run("--text", "Встреча НКО", "--topic", "grants", "--at", "2030-01-15 10:00")
    assert scheduled.returncode == 0, scheduled.stderr
    assert scheduled.stdout.strip() == "broadcast 1 scheduled for 2030-01-15 10:00 (library time)"
    unknown = run("--text", "x", "--topic", "grant")
    assert unknown.returncode == 2
    assert unknown.stderr.strip().endswith(
        "unknown topic 'grant'; expected one of: events, new_books, grants, children"
    )
    assert run("--cancel", "1").stdout.strip() == "broadcast 1 cancelled"
    again = run("--cancel", "1")
    assert again.returncode == 2
    assert "is not scheduled" in again.stderr
    never_sent = run("--recall", "1")
    assert never_sent.returncode == 2
    assert "was not sent" in never_sent.stderr


def test_demo_staff_announcement_reaches_a_subscriber(tmp_path: Path) -> None:
    # subscribe to «Для НКО», compose, «срочно», «Запланировать»
    script = "Подписки\n4\n/staff\n2\nГрантовый конкурс открыт до 1 декабря\n3\n2\n1\n"
    result = run_libbot(tmp_path, "demo", "--as", "admin", stdin=script, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    # (the demo's nine months of history sent announcements of its own: the number varies)
    assert re.search(r"Рассылка №\d+ запланирована", result.stdout)
    # The preview, then the announcement itself delivered through the outbox.
    assert result.stdout.rstrip().endswith("Грантовый конкурс открыт до 1 декабря")
    assert result.stdout.count("Грантовый конкурс открыт до 1 декабря") == 2


def test_report_on_the_demo_library_writes_the_workbook(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    out = tmp_path / "q.xlsx"
    result = run_libbot(
        tmp_path, "report", "--demo", "--period", "2026-Q3", "--out", str(out), cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    # The summary in Russian (#19: «284 rows of work»).
    assert re.fullmatch(
        rf"{re.escape(str(out))}: 3 квартал 2026 г\.; записей о работе: [\d\xa0]+, запросов: \d+\n",
        result.stdout,
    )
    book = load_workbook(out)
    assert book.sheetnames[0] == "Показатели"
    assert {"Консультации", "Запросы", "Графики", "Продвижение услуг РЦ"} <= set(book.sheetnames)
    folder = tmp_path / "csv"
    result = run_libbot(
        tmp_path,
        "report",
        "--demo",
        "--year",
        "2026",
        "--format",
        "csv",
        "--out",
        str(folder),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert re.fullmatch(rf"{re.escape(str(folder))}/: .*2026.*; файлов: \d+\n", result.stdout)
    assert (folder / "Показатели.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (folder / "График - каналы.png").is_file()


def test_report_options_are_checked_in_one_line(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[library]\nname = 'Тест'\n[[library.branches]]\nid = 'central'\nname = 'ЦБ'\n",
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_libbot(tmp_path, "report", "--config", str(config), "--out", "r.xlsx", *args)

    cases = {
        (): "name the period once",
        ("--period", "2026-Q3", "--year", "2026"): "name the period once",
        ("--period", "2026-Q5"): "period '2026-Q5': expected a quarter like 2026-Q3",
        ("--year", "26"): "--year: expected a year like 2026",
        ("--to", "2026-07-01"): "--to needs --from",
        ("--from", "1 июля"): "--from: expected a date like 2026-07-01",
        ("--from", "2026-07-10", "--to", "2026-07-01"): "ends (2026-07-01) before it starts",
        ("--period", "2026-Q3", "--branch", "nowhere"): "--branch: no branch 'nowhere'",
    }
    for args, message in cases.items():
        result = run(*args)
        assert result.returncode == 2, args
        assert message in result.stderr, (args, result.stderr)
        assert "Traceback" not in result.stderr
        assert len(result.stderr.strip().splitlines()) == 1


def test_demo_staff_get_the_report_as_a_file_they_can_open(tmp_path: Path) -> None:
    # «Для сотрудников», «Отчёт», «Прошлый квартал»; then «Статистика»
    result = run_libbot(
        tmp_path, "demo", "--as", "admin", stdin="/staff\n6\n4\n/staff\n7\n", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    files = tmp_path / "libbot-data" / "demo-files"
    [report] = files.glob("otchet-*.xlsx")
    assert f"📎 {report}" in result.stdout
    assert report.read_bytes().startswith(b"PK")  # a real XLSX (zip)
    [picture] = files.glob("stats-*.png")
    assert picture.read_bytes().startswith(b"\x89PNG")


async def test_run_with_a_vk_token_serves_the_community(vk: FakeVk, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[library]\nname = 'Библиотека во ВКонтакте'\n"
        f"[vk]\ntoken = '{vk.token}'\ngroup_id = {vk.group_id}\napi_server = '{vk.base_url}'\n",
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        *libbot(),
        "run",
        "--config",
        str(config),
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(tmp_path),
    )
    try:
        await asyncio.wait_for(vk.wait_polls(0), 60)  # connected: VK now delivers to it
        vk.add_user(42, "Анна")
        vk.message_new(42, "Начать", payload={"command": "start"})
        for _ in range(600):  # `libbot run` handles updates as tasks: wait for the answer
            if any(42 in c.peer_ids for c in vk.calls_of("messages.send")):
                break
            await asyncio.sleep(0.05)
        greetings = [c.text for c in vk.calls_of("messages.send") if 42 in c.peer_ids]
        assert any("Библиотека во ВКонтакте" in text for text in greetings)
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()


async def test_run_with_a_rejected_vk_token_says_so_in_one_line(vk: FakeVk, tmp_path: Path) -> None:
    code, stderr = await run_refused(
        tmp_path,
        "[library]\nname = 'X'\n"
        f"[vk]\ntoken = 'wrong'\ngroup_id = {vk.group_id}\napi_server = '{vk.base_url}'\n",
    )
    assert code == 2
    assert "Traceback" not in stderr
    [line] = stderr.strip().splitlines()
    assert line.startswith("libbot: VK rejected [vk] token: check it in the community's settings")
