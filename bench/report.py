"""Report benchmark: a year of a busy library — 1,000,000 activity rows, plus the events,
requests and broadcasts such a year brings — and `libbot report --year` over it.

    python bench/report.py [--rows 1000000] [--keep DB]

The history is written straight into a migrated SQLite database (the embedded default) with
the sqlite3 module, so filling it takes seconds; the report then runs in a fresh child
process, so its peak memory (ru_maxrss) is the report's own: gathering the year and the year
before, drawing the charts and writing the XLSX. The last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

YEAR = 2025
# Readers' messengers: three in four in Telegram, one in four in VK or MAX.
MESSENGER_MIX = (
    "vk",
    "telegram",
    "telegram",
    "telegram",
    "max",
    "telegram",
    "telegram",
    "telegram",
)
TARGET_SECONDS = 60
# What a year of the bot's log is made of (weights): mostly navigation and catalogue use.
MIX = (
    ("menu", "done", 30),
    ("button", "done", 8),
    ("message", "done", 5),
    ("catalogue_query", "found", 20),
    ("catalogue_query", "not found", 5),
    ("catalogue_query", "done", 8),
    ("catalogue_query", "prompted", 3),
    ("loan_enquiry", "shown", 6),
    ("renewal", "renewed", 4),
    ("renewal", "refused: too many renewals", 1),
    ("library_info", "done", 3),
    ("subscription", "subscribed", 1),
    ("subscription", "unsubscribed", 1),
    ("event_registration", "done", 2),
    ("consultation", "done", 1),
    ("staff_action", "done", 2),
)


def stamp(moment: datetime) -> str:
    """How SQLAlchemy stores a UTCDateTime on SQLite: naive UTC text."""
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"


def fill(path: Path, rows: int) -> dict[str, int]:
    rng = random.Random(8)
    start = datetime(YEAR, 1, 1, tzinfo=UTC) - timedelta(hours=3)
    seconds = 365 * 86400
    db = sqlite3.connect(path)
    people = 20_000
    db.executemany(
        "INSERT INTO people (id, platform, platform_user_id, language, consent, display_name,"
        " organisation, created_at, last_seen_at) VALUES (?, ?, ?, 'ru', 'given', ?, ?, ?, ?)",
        [
            (
                i,
                MESSENGER_MIX[i % 8],
                str(10_000_000 + i),
                f"Читатель {i}",
                f"НКО № {i % 300}" if i % 5 == 0 else None,
                stamp(start),
                stamp(start),
            )
            for i in range(1, people + 1)
        ],
    )
    weights = [w for *_, w in MIX]
    chunk = []
    for n in range(rows):
        kind, status, _ = rng.choices(MIX, weights)[0]
        at = start + timedelta(seconds=rng.randrange(seconds))
        chunk.append(
            (
                stamp(at),
                MESSENGER_MIX[n % 8],
                rng.randrange(1, people + 1),
                kind,
                status,
                "бот",
            )
        )
        if len(chunk) == 50_000:
            db.executemany(
                "INSERT INTO activities (occurred_at, platform, person_id, kind, status, executor)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                chunk,
            )
            chunk.clear()
    if chunk:
        db.executemany(
            "INSERT INTO activities (occurred_at, platform, person_id, kind, status, executor)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            chunk,
        )
    # 300 events with 20 places each; 3,000 requests with four history entries each.
    ticket = 0
    for event_id in range(1, 301):
        at = start + timedelta(seconds=rng.randrange(seconds))
        db.execute(
            "INSERT INTO events (id, title, kind, starts_at, branch_id, seats, taken, queue_seq,"
            " waitlist, questions, ask_organisation, ask_contact, status, created_by, created_at,"
            " updated_at) VALUES (?, ?, ?, ?, 'central', 20, 20, 20, 1, '[]', 1, 1, 'scheduled',"
            " 'Мария Ивановна', ?, ?)",
            (
                event_id,
                f"Мероприятие {event_id}",
                rng.choice(("meetup", "training", "public")),
                stamp(at),
                stamp(at),
                stamp(at),
            ),
        )
        for person in rng.sample(range(1, people + 1), 20):
            ticket += 1
            db.execute(
                "INSERT INTO registrations (event_id, person_id, status, organisation, answers,"
                " queued_at, created_at, updated_at, ticket, attended_at) VALUES"
                " (?, ?, 'confirmed', ?, '[]', 0, ?, ?, ?, ?)",
                (
                    event_id,
                    person,
                    f"НКО № {person % 300}" if person % 5 == 0 else None,
                    stamp(at),
                    stamp(at),
                    f"b{ticket}",
                    stamp(at) if rng.random() < 0.8 else None,
                ),
            )
    for request_id in range(1, 3001):
        at = start + timedelta(seconds=rng.randrange(seconds - 10 * 86400))
        closed = at + timedelta(hours=rng.randrange(2, 200))
        db.execute(
            "INSERT INTO consultation_requests (id, person_id, platform, language, topic,"
            " expertise, question, requester_name, organisation, status, received_at,"
            " responsible_name, expert_name, closed_at, rating, updated_at) VALUES"
            " (?, ?, 'telegram', 'ru', ?, 0, 'Вопрос', 'Заявитель', 'НКО', 'resolved', ?,"
            " 'Мария Ивановна', 'Эксперт', ?, ?, ?)",
            (
                request_id,
                rng.randrange(1, people + 1),
                rng.choice(("legal", "accounting", "grants", "pr")),
                stamp(at),
                stamp(closed),
                rng.choice((None, 4, 5)),
                stamp(closed),
            ),
        )
        for kind, status_to, who, when in (
            ("status", "new", "requester", at),
            ("status", "in_progress", "staff", at + timedelta(hours=1)),
            ("answer", None, "expert", closed),
            ("status", "resolved", "staff", closed),
        ):
            db.execute(
                "INSERT INTO request_entries (request_id, at, kind, author, author_name, visible,"
                " status_to, to_whom) VALUES (?, ?, ?, ?, 'Мария Ивановна', 1, ?, ?)",
                (
                    request_id,
                    stamp(when),
                    kind,
                    who,
                    status_to,
                    "Мария Ивановна" if status_to == "in_progress" else None,
                ),
            )
    # 24 announcements to 5,000 people each.
    for broadcast_id in range(1, 25):
        at = start + timedelta(days=15 * broadcast_id)
        db.execute(
            "INSERT INTO broadcasts (id, text, photo, buttons, audience, urgent, status,"
            " scheduled_at, author_name, created_at, started_at, finished_at) VALUES"
            " (?, 'Объявление', NULL, '[]', '{\"everyone\": true}', 0, 'done', ?,"
            " 'Мария Ивановна', ?, ?, ?)",
            (broadcast_id, stamp(at), stamp(at), stamp(at), stamp(at)),
        )
        db.executemany(
            "INSERT INTO outbox (broadcast_id, person_id, platform, chat_id, status, attempts,"
            " not_before, updated_at) VALUES (?, ?, 'telegram', ?, ?, 1, ?, ?)",
            [
                (broadcast_id, p, str(p), "sent" if p % 20 else "blocked", stamp(at), stamp(at))
                for p in range(1, 5001)
            ],
        )
    db.commit()
    db.execute("ANALYZE")
    db.close()
    return {"people": people, "events": 300, "requests": 3000, "broadcasts": 24}


async def migrate(url: str) -> None:
    from storage.db import Database

    db = Database(url)
    await db.upgrade()
    await db.dispose()


def child(path: Path, out: Path) -> None:
    """Run the report as `libbot report --year` would and print its own figures."""
    from bot.cli import main

    config_path = out.with_suffix(".toml")
    config_path.write_text(
        '[library]\nname = "Бенчмарк"\ntimezone = "Europe/Moscow"\n'
        '[[library.branches]]\nid = "central"\nname = "Центральная"\n'
        f'[database]\nurl = "sqlite+aiosqlite:///{path}"\n',
        encoding="utf-8",
    )
    began = time.perf_counter()
    code = main(["report", "--config", str(config_path), "--year", str(YEAR), "--out", str(out)])
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"exit": code, "seconds": round(seconds, 2), "peak_mb": round(peak, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="keep the database here")
    parser.add_argument("--child", nargs=2, metavar=("DB", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    folder = Path(tempfile.mkdtemp(prefix="libbot-bench-report-"))
    path = args.keep or folder / "report.sqlite3"
    asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
    began = time.perf_counter()
    tables = fill(path, args.rows)
    filled = time.perf_counter() - began
    print(f"filled {args.rows:,} activity rows and {tables} in {filled:.1f} s")
    out = folder / f"report-{YEAR}.xlsx"
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(path), str(out)],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode or not lines:
        sys.exit(f"report failed: {result.stderr.strip()[-2000:]}")
    figures = json.loads(lines[-1])
    print(
        f"libbot report --year {YEAR}: {figures['seconds']} s, peak {figures['peak_mb']} MB, "
        f"{out.stat().st_size // 1024} KB workbook (target: under {TARGET_SECONDS} s)"
    )
    print(
        json.dumps(
            {
                "benchmark": "report",
                "database": "sqlite",
                "activity_rows": args.rows,
                **tables,
                "report_seconds": figures["seconds"],
                "peak_rss_mb": figures["peak_mb"],
                "workbook_kb": out.stat().st_size // 1024,
                "target_seconds": TARGET_SECONDS,
                "met": figures["exit"] == 0 and figures["seconds"] < TARGET_SECONDS,
            }
        )
    )


if __name__ == "__main__":
    main()
