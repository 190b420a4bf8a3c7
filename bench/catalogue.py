"""Catalogue benchmark: import rate, search latency and memory with a large catalogue.

    python bench/catalogue.py                 # 1,000,000 records, SQLite (+ PostgreSQL if up)
    python bench/catalogue.py --records 100000 --no-postgres

Builds a MARC 21 file of N records — the real sample records from shared/data plus
generated variants with Russian titles, authors and Koha 952 holdings — then:
  * pymarc's bare parse rate over the file (the floor any MARC import pays);
  * `libbot import-catalogue` rate into a fresh database;
  * in a separate process that holds the bot (Dispatcher and all), 1,000 searches
    of a fixed mix (titles, surnames, «автор название», ISBNs, typos, misses,
    hostile text): p50/p95/p99 latency and the process's peak RSS.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pymarc  # noqa: E402

from storage.catalogue.records import isbn13  # noqa: E402

SHARED = ROOT.parent / "shared" / "data" / "marc"
CACHE = ROOT / "bench" / ".cache"
POSTGRES_SERVER = os.environ.get(
    "LIBBOT_BENCH_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)

SURNAMES = (
    "Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров Морозов Волков "
    "Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев Макаров Никитин "
    "Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев Кузьмин Фролов "
    "Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин Виноградов Ковалёв "
    "Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов Беляев Герасимов Богданов "
    "Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов Власов Мельников Денисов "
    "Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин Чернов Абрамов Мартынов "
    "Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов Родионов Коновалов Лазарев "
    "Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов Потапов Журавлёв Овчинников "
    "Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов Никифоров Грачёв Котов Гришин "
    "Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев Акимов Кондратьев Бирюков Горбунов "
    "Анисимов Еремин Тихомиров Галкин Лукьянов Михеев Скворцов Юдин Белоусов Нестеров Симонов Прокофьев"
).split()
INITIALS = "А. Б. В. Г. Д. Е. И. К. Л. М. Н. О. П. Р. С. Т. Ю. Я.".split()
ADJECTIVES = (
    "Тихий Белый Последний Долгий Северный Зимний Летний Старый Новый Золотой Серебряный Красный "
    "Синий Зелёный Тёмный Светлый Далёкий Близкий Горький Сладкий Забытый Потерянный Вечный Быстрый "
    "Весенний Осенний Ночной Утренний Чужой Родной Великий Малый Каменный Деревянный Железный "
    "Открытый Тайный Лунный Солнечный Морской Лесной Степной Городской Деревенский Счастливый"
).split()
NOUNS = (
    "сад дом берег город лес путь край век мир ветер снег дождь огонь час день год дар свет "
    "голос сон след остров мост двор порог завет разговор рассказ роман дневник архив маяк "
    "перекрёсток вокзал переулок колодец камень корабль поезд праздник полдень закат рассвет"
).split()
GENITIVES = (
    "времени памяти надежды любви судьбы дороги реки земли неба моря степи тайги войны весны "
    "осени зимы юности старости детства чести правды совести печали радости тишины"
).split()
SUBJECTS = (
    "Русская литература; Современная проза; Детская литература; История России; Краеведение; "
    "Фантастика; Поэзия; Психология; Педагогика; Экономика; Право; Некоммерческие организации"
).split("; ")
PUBLISHERS = ("АСТ", "Эксмо", "Азбука", "Питер", "Просвещение", "Махаон", "Росмэн", "Альпина")
BRANCHES = ("ЦБ", "ДБ", "БСЧ", "Ф1", "Ф2", "Ф3")


def _title(rng: random.Random) -> str:
    shape = rng.random()
    if shape < 0.4:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if shape < 0.7:
        return f"{rng.choice(NOUNS).capitalize()} {rng.choice(GENITIVES)}"
    if shape < 0.9:
        return f"{rng.choice(ADJECTIVES)} {rng.choice(NOUNS)} {rng.choice(GENITIVES)}"
    return f"{rng.choice(NOUNS).capitalize()} и {rng.choice(NOUNS)}"


def _isbn(rng: random.Random) -> str:
    return isbn13("9785" + "".join(str(rng.randrange(10)) for _ in range(9))) or ""


def generated_record(number: int, rng: random.Random) -> pymarc.Record:
    record = pymarc.Record(force_utf8=True)
    record.leader = record.leader[:9] + "a" + record.leader[10:]
    record.add_field(pymarc.Field(tag="001", data=f"gen-{number}"))
    record.add_field(
        pymarc.Field(
            tag="020",
            indicators=pymarc.Indicators(" ", " "),
            subfields=[pymarc.Subfield("a", _isbn(rng))],
        )
    )
    author = f"{rng.choice(SURNAMES)}, {rng.choice(INITIALS)} {rng.choice(INITIALS)}"
    record.add_field(
        pymarc.Field(
            tag="100",
            indicators=pymarc.Indicators("1", " "),
            subfields=[pymarc.Subfield("a", author)],
        )
    )
    record.add_field(
        pymarc.Field(
            tag="245",
            indicators=pymarc.Indicators("1", "0"),
            subfields=[pymarc.Subfield("a", _title(rng))],
        )
    )
    year = str(rng.randrange(1950, 2026))
    record.add_field(
        pymarc.Field(
            tag="264",
            indicators=pymarc.Indicators(" ", "1"),
            subfields=[pymarc.Subfield("b", rng.choice(PUBLISHERS)), pymarc.Subfield("c", year)],
        )
    )
    record.add_field(
        pymarc.Field(
            tag="650",
            indicators=pymarc.Indicators(" ", "7"),
            subfields=[pymarc.Subfield("a", rng.choice(SUBJECTS))],
        )
    )
    for copy in range(rng.choice((1, 1, 2, 3))):
        subfields = [
            pymarc.Subfield("a", "ЦБС"),
            pymarc.Subfield("b", rng.choice(BRANCHES)),
            pymarc.Subfield("o", f"84(2Рос=Рус)6 {author[0]}{rng.randrange(10, 99)}"),
            pymarc.Subfield("p", f"{number:07d}{copy}"),
        ]
        if rng.random() < 0.3:
            subfields.append(
                pymarc.Subfield("q", f"2026-{rng.randrange(1, 13):02d}-{rng.randrange(1, 29):02d}")
            )
        record.add_field(
            pymarc.Field(tag="952", indicators=pymarc.Indicators(" ", " "), subfields=subfields)
        )
    return record


def real_records() -> list[pymarc.Record]:
    """The real MARC 21 sample records (RUSMARC and IRBIS files are imported separately)."""
    found: list[pymarc.Record] = []
    path = SHARED / "rkp_marc21_cp1251.mrc"
    if path.is_file():
        with path.open("rb") as handle:
            found += [
                r for r in pymarc.MARCReader(handle, to_unicode=True, file_encoding="cp1251") if r
            ]
    path = SHARED / "loc_marcxml_batch.xml"
    if path.is_file():
        found += pymarc.parse_xml_to_array(str(path))
    return found


def build_file(count: int) -> tuple[Path, list[dict[str, str]]]:
    """The benchmark's MARC file (cached by size) and facts about its records for queries."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"catalogue-{count}.mrc"
    facts_path = CACHE / f"catalogue-{count}.json"
    if path.is_file() and facts_path.is_file():
        return path, json.loads(facts_path.read_text(encoding="utf-8"))
    rng = random.Random(20261122)
    facts: list[dict[str, str]] = []
    real = real_records()
    started = time.perf_counter()
    with path.open("wb") as out:
        for number in range(count):
            if real and number % 10_000 < len(real):
                record = real[number % 10_000]
                record = pymarc.Record(data=record.as_marc(), force_utf8=True)
                for field in record.get_fields("001"):
                    field.data = f"real-{number}"
                record.leader = record.leader[:9] + "a" + record.leader[10:]
            else:
                record = generated_record(number, rng)
            out.write(record.as_marc())
            if number % 997 == 0:
                title = record.get_fields("245")[0].get_subfields("a")[0].rstrip(" /:")
                author = (record.get_fields("100") or [None])[0]
                isbn = (record.get_fields("020") or [None])[0]
                facts.append(
                    {
                        "title": title,
                        "author": author.get_subfields("a")[0].split(",")[0] if author else "",
                        "isbn": isbn.get_subfields("a")[0] if isbn else "",
                    }
                )
    facts_path.write_text(json.dumps(facts, ensure_ascii=False), encoding="utf-8")
    print(
        f"built {count} records in {time.perf_counter() - started:.0f} s: {path}", file=sys.stderr
    )
    return path, facts


def bare_parse_rate(path: Path) -> float:
    started = time.perf_counter()
    count = 0
    with path.open("rb") as handle:
        for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
            count += record is not None
    return count / (time.perf_counter() - started)


def query_mix(facts: list[dict[str, str]]) -> list[str]:
    """1,000 queries in a fixed proportion, as readers ask them."""
    rng = random.Random(7)
    queries: list[str] = []
    for number in range(1000):
        fact = facts[rng.randrange(len(facts))]
        kind = number % 20
        if kind < 7:
            queries.append(fact["title"])
        elif kind < 10:
            queries.append(f"есть ли {fact['title'].lower()}?")
        elif kind < 13:
            queries.append(fact["author"] or fact["title"])
        elif kind < 15:
            queries.append(f"{fact['author']} {fact['title'].split()[0]}")
        elif kind < 16:
            queries.append(fact["isbn"] or fact["title"])
        elif kind < 18:
            word = fact["title"]
            cut = rng.randrange(1, max(2, len(word) - 1))
            queries.append(word[:cut] + word[cut + 1 :])  # a letter missed
        elif kind < 19:
            queries.append("квантовая хромодинамика для начинающих")
        else:
            queries.append('"; DROP TABLE x; -- * AND (')
    return queries


async def _search_worker(url: str, queries: list[str]) -> dict[str, float]:
    """Runs in its own process: the bot's memory with the catalogue, and search latency."""
    from bot.app import build_dispatcher
    from bot.kernel.config import parse_config
    from bot.kernel.i18n import Locales
    from storage.catalogue.search import search
    from storage.db import Database

    db = Database(url)
    config = parse_config({"library": {"name": "bench"}}, source="bench", base_dir=CACHE)
    build_dispatcher(config, db, Locales())  # the bot process holds the whole conversation stack
    for query in queries[:50]:  # warm the connection pool and caches
        await search(db, query)
    timings = []
    hits = 0
    for query in queries:
        started = time.perf_counter()
        result = await search(db, query)
        timings.append((time.perf_counter() - started) * 1000)
        hits += bool(result.total)
    await db.dispose()
    timings.sort()
    return {
        "search_p50_ms": round(statistics.median(timings), 2),
        "search_p95_ms": round(timings[int(len(timings) * 0.95) - 1], 2),
        "search_p99_ms": round(timings[int(len(timings) * 0.99) - 1], 2),
        "queries_with_hits": hits,
        "bot_peak_rss_mb": peak_rss_mb(),
    }


def peak_rss_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited over exec)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


async def _import(url: str, path: Path) -> dict[str, float]:
    from storage.catalogue.importer import import_catalogue
    from storage.db import Database

    db = Database(url)
    await db.upgrade()
    summary = await import_catalogue(db, [path])
    await db.dispose()
    return {
        "records": summary.read,
        "import_seconds": round(summary.seconds, 1),
        "import_rate": round(summary.read / summary.seconds),
        "skipped": summary.skipped_total,
        "import_peak_rss_mb": peak_rss_mb(),
    }


def run_database(url: str, path: Path, queries: list[str]) -> dict[str, float]:
    importer = subprocess.run(
        [sys.executable, __file__, "--import-worker", url, str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(importer.stdout.strip().splitlines()[-1])
    worker = subprocess.run(
        [sys.executable, __file__, "--search-worker", url],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        check=True,
    )
    figures.update(json.loads(worker.stdout.strip().splitlines()[-1]))
    return figures


async def _fresh_postgres() -> str | None:
    from sqlalchemy import make_url, text
    from sqlalchemy.ext.asyncio import create_async_engine

    engine = create_async_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text('DROP DATABASE IF EXISTS "libbot_bench"'))
            await conn.execute(text('CREATE DATABASE "libbot_bench"'))
    except Exception as exc:  # noqa: BLE001 - any failure means "report PostgreSQL as skipped"
        print(f"PostgreSQL skipped: {exc}", file=sys.stderr)
        return None
    finally:
        await engine.dispose()
    return (
        make_url(POSTGRES_SERVER).set(database="libbot_bench").render_as_string(hide_password=False)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--search-worker", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--import-worker", nargs=2, metavar=("URL", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_worker:
        url, file = args.import_worker
        print(json.dumps(asyncio.run(_import(url, Path(file)))))
        return
    if args.search_worker:
        print(
            json.dumps(
                asyncio.run(_search_worker(args.search_worker, json.loads(sys.stdin.read())))
            )
        )
        return

    path, facts = build_file(args.records)
    queries = query_mix(facts)
    result: dict[str, object] = {
        "records": args.records,
        "file_mb": round(path.stat().st_size / 2**20),
    }
    parse_rate = bare_parse_rate(path)
    result["pymarc_parse_rate"] = round(parse_rate)

    if not args.no_sqlite:
        sqlite_file = CACHE / "bench.sqlite3"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_file}{suffix}").unlink(missing_ok=True)
        sqlite = run_database(f"sqlite+aiosqlite:///{sqlite_file}", path, queries)
        sqlite["import_overhead_vs_pymarc"] = round(parse_rate / sqlite["import_rate"], 2)
        sqlite["db_mb"] = round(sqlite_file.stat().st_size / 2**20)
        result["sqlite"] = sqlite
        print(f"sqlite: {json.dumps(sqlite)}", file=sys.stderr)

    if not args.no_postgres:
        url = asyncio.run(_fresh_postgres())
        if url:
            postgres = run_database(url, path, queries)
            postgres["import_overhead_vs_pymarc"] = round(parse_rate / postgres["import_rate"], 2)
            result["postgresql"] = postgres
            print(f"postgresql: {json.dumps(postgres)}", file=sys.stderr)
    result["targets"] = {
        "import_rate_min": 5000,
        "search_p95_ms_max": 30,
        "search_p99_ms_max": 80,
        "bot_peak_rss_mb_max": 250,
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
