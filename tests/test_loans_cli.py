"""The circulation commands a librarian's nightly script runs, and what re-imports keep."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from storage.circulation.base import Patron
from storage.circulation.local import LocalSystem
from storage.circulation.local_import import export_renewals, import_loans
from storage.circulation.models import LocalLoan, LocalPatron
from storage.db import Database
from tests.conftest import make_config
from tests.test_cli import run_libbot

TODAY = date(2026, 11, 23)


def _config_file(tmp_path: Path, kind: str = "local") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(
        f'[library]\nname = "Тестовая библиотека"\n[library_system]\nkind = "{kind}"\n',
        encoding="utf-8",
    )
    return path


def test_import_renew_export_link_code_and_unlink_from_the_command_line(tmp_path: Path) -> None:
    config = _config_file(tmp_path)
    loans = tmp_path / "выдачи.csv"
    due = (datetime.now(UTC).date() + timedelta(days=5)).strftime("%d.%m.%Y")
    loans.write_bytes(
        (
            "Читательский билет;Штрихкод;Название;Дата выдачи;Срок возврата;Пароль\n"
            f"1001;B-1;Мастер и Маргарита;01.11.2026;{due};1234\n"
            "1002;;;;;\n"
            "1003;B-9;Без срока;01.11.2026;;\n"
        ).encode("cp1251")
    )
    result = run_libbot(tmp_path, "import-loans", str(loans), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "readers: 3" in result.stdout
    assert "loans: 1" in result.stdout
    assert "skipped: line 4: a loan needs title and due date" in result.stdout
    result = run_libbot(tmp_path, "export-renewals", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ticket,barcode,title,issued,old_due,new_due,renewals,renewed_at"
    ]
    # Staff type the ticket as it is printed: «№ 1001» is ticket 1001 (#19).
    result = run_libbot(tmp_path, "link-code", "№ 1001", "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("code for ticket 1001: ")
    result = run_libbot(tmp_path, "link-code", "7777", "--config", str(config))
    assert result.returncode == 2
    assert result.stderr == "libbot: ticket 7777 is not in the library system\n"
    result = run_libbot(tmp_path, "unlink", "1001", "--config", str(config))
    assert result.stdout == "ticket 1001 unlinked from 0 messenger account(s)\n"


def test_import_loans_into_a_library_without_local_system_is_one_line(tmp_path: Path) -> None:
    config = _config_file(tmp_path, kind="none")
    loans = tmp_path / "loans.csv"
    loans.write_text("ticket,barcode,title,due\n1,2,3,2026-12-01\n", encoding="utf-8")
    result = run_libbot(tmp_path, "import-loans", str(loans), "--config", str(config))
    assert result.returncode == 2
    assert result.stderr.startswith("libbot: import-loans loads the 'local' library system")
    assert len(result.stderr.splitlines()) == 1


async def test_reimport_keeps_bot_renewals_and_drops_returned_loans(
    database: Database, tmp_path: Path
) -> None:
    config = make_config(tmp_path, library_system={"kind": "local"})
    system = LocalSystem(database, config.library_system, today=lambda: TODAY)
    export = tmp_path / "loans.csv"
    export.write_text(
        "ticket,barcode,title,issued,due,pin\n"
        "1001,B-1,Мастер и Маргарита,2026-11-01,2026-11-28,1234\n"
        "1001,B-2,Тихий Дон,2026-11-01,2026-11-28,\n",
        encoding="utf-8",
    )
    await import_loans(database, export)
    patron = Patron("1001", "1001")
    first = (await system.loans(patron))[0]
    renewed = await system.renew(patron, first)
    assert renewed.due == date(2026, 12, 12)
    # Tonight's export was taken before staff mirrored the renewal; Тихий Дон came back.
    export.write_text(
        "ticket,barcode,title,issued,due\n1001,B-1,Мастер и Маргарита,2026-11-01,2026-11-28\n",
        encoding="utf-8",
    )
    summary = await import_loans(database, export)
    assert (summary.loans, summary.returned, summary.kept_renewals) == (1, 1, 1)
    async with database.transaction() as session:
        rows = list(await session.scalars(select(LocalLoan)))
        reader = await session.get(LocalPatron, "1001")
    assert [(r.title, r.due, r.renewals) for r in rows] == [
        ("Мастер и Маргарита", date(2026, 12, 12), 1)
    ]
    assert reader is not None
    assert reader.password_hash is not None
    assert "1234" not in reader.password_hash  # kept as a salted hash only
    out = io.StringIO()
    assert await export_renewals(database, out) == 1
    row = next(iter(csv.DictReader(io.StringIO(out.getvalue()))))
    assert (row["ticket"], row["old_due"], row["new_due"]) == ("1001", "2026-11-28", "2026-12-12")
    assert await export_renewals(database, io.StringIO()) == 0  # already exported


def test_events_import_from_the_command_line(tmp_path: Path) -> None:
    config = _config_file(tmp_path)
    plan = tmp_path / "план.csv"
    plan.write_bytes(
        (
            "Название;Вид;Начало;Мест;Вопросы\n"
            'Открытое общение;митап;01.12.2030 18:00;65;"Тема встречи?*; Нужен ли пандус?"\n'
            "Без даты;митап;;10;\n"
            "Лекция;лекция;02.12.2030 18:00;;\n"
        ).encode("cp1251")
    )
    result = run_libbot(tmp_path, "events", "import", str(plan), "--config", str(config))
    assert result.returncode == 0, result.stderr
    assert "events added: 1, updated: 0" in result.stdout
    assert "skipped: line 3: no start time" in result.stdout
    assert "skipped: line 4: unknown kind 'лекция'" in result.stdout
    again = run_libbot(tmp_path, "events", "import", str(plan), "--config", str(config))
    assert "events added: 0, updated: 1" in again.stdout
