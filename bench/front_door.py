"""Front door benchmark: how long it takes to decide what a typed message is.

    python bench/front_door.py                    # 1,000 FAQ entries, 1,000,000 records
    python bench/front_door.py --records 50000    # a quicker run

Builds (and caches under bench/.cache) an SQLite database with the catalogue benchmark's
MARC records imported, adds the starter FAQ plus generated entries up to `--faq`, then
times, over a fixed mix of typed messages (hours, loans, events, FAQ questions with and
without typos, titles, surnames, sentences nobody wrote an answer for, hostile text):
  * `decide`: the rules and the FAQ index alone (the front door's own cost);
  * `route`: what the handler pays before answering — the FAQ index kept fresh, `decide`,
    and for a short message a rule would answer, the catalogue asked whether it is a title;
  * `catalogue`: for the messages routed to the catalogue, the search that follows.
The last line printed is one JSON object with p50/p99 of each, in milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.catalogue import CACHE, build_file  # noqa: E402
from bot.kernel.config import load_config  # noqa: E402
from handlers.front_door import TITLE_CHECK_WORDS, TITLE_CHECKED  # noqa: E402
from storage.catalogue.importer import import_catalogue  # noqa: E402
from storage.catalogue.search import search  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.faq import entries  # noqa: E402
from storage.faq.files import read_file  # noqa: E402
from storage.front_door.decide import Decision, Route  # noqa: E402
from storage.front_door.doors import door_for  # noqa: E402
from storage.front_door.titles import is_a_title  # noqa: E402

TYPED = [
    "Во сколько вы сегодня работаете?",
    "когда вы работаете в субботу?",
    "детская библиотека работает в воскресенье?",
    "где вы находитесь?",
    "телефон библиотеки",
    "хочу продлить книгу",
    "прдлить книги",
    "что у меня на руках",
    "какие мероприятия на этой неделе?",
    "хочу записаться на встречу НКО",
    "нужна консультация юриста",
    "не присылайте мне больше рассылки",
    "Спасибо большое!",
    "Здравствуйте",
    "я потеряла библиотечную книгу, что делать?",
    "как получить читательский билте",
    "есть wi-fi?",
    "можно прийти с собакой?",
    "есть ли у вас «Мастер и Маргарита»?",
    "Мастер и Маргарита",
    "Пушкин",
    "ищу что-нибудь про космос",
    "Тихий Дон",
    "9785170906307",
    "мой кот съел мой реферат, и теперь я не знаю, как быть дальше",
    "👍",
    "<script>alert(1)</script>",
    "Please, как продлить my books?",
    "' OR 1=1 --",
    "Здравствуйте! " + "Хочу подробно рассказать о своей ситуации с книгами. " * 60,
]
TOPICS = (
    "абонемент читальный зал межбиблиотечный абонемент электронная библиотека краеведение "
    "детский отдел книжный клуб волонтёры выставка экскурсия сканирование печать ксерокопия "
    "ноутбук планшет зарядка гардероб парковка пандус лифт туалет кофе буфет фотосъёмка "
    "штраф залог паспорт справка благодарность жалоба предложение пожертвование аренда зал"
).split()
ASKS = (
    "Как оформить {t}?",
    "Можно ли воспользоваться: {t}?",
    "Сколько стоит {t}?",
    "Где находится {t}?",
    "Есть ли у вас {t} для {u}?",
    "Кто отвечает за {t} и {u}?",
)


def generated_faq(count: int, rng: random.Random) -> list[tuple[str, tuple[str, ...], str]]:
    """Questions a big library might keep, built from its service words."""
    made: dict[str, tuple[str, tuple[str, ...], str]] = {}
    while len(made) < count:
        t, u = rng.sample(TOPICS, 2)
        question = rng.choice(ASKS).format(t=t, u=u) + f" ({len(made)})"
        phrasings = tuple(rng.choice(ASKS).format(t=t, u=rng.choice(TOPICS)) for _ in range(3))
        made[question] = (question, phrasings, f"Ответ про {t} и {u}.")
    return list(made.values())


async def _prepare(url: str, path: Path, faq: int) -> None:
    db = Database(url)
    await db.upgrade()
    if not await _has_catalogue(db):
        await import_catalogue(db, [path])
    rows, _ = read_file(ROOT / "faq.example.csv")
    present = len(await entries.entries(db))
    if present < faq:
        for row in rows:
            await entries.add(db, row.question, row.answer, row.phrasings)
        for question, phrasings, answer in generated_faq(faq - len(rows), random.Random(7)):
            await entries.add(db, question, answer, phrasings)
    await db.dispose()


async def _has_catalogue(db: Database) -> bool:
    return bool((await search(db, "а", limit=1)).total)


def _quantiles(values: list[float]) -> dict[str, float]:
    ordered = sorted(values)
    return {
        "p50": round(statistics.median(ordered), 3),
        "p99": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
    }


async def _measure(url: str, rounds: int) -> dict[str, object]:
    config = load_config(ROOT / "config.example.toml")
    db = Database(url)
    branches, topics = config.library.branches, config.consultations.topics
    door = await door_for(db, branches, topics)  # the index is built once, here
    decide_ms: list[float] = []
    route_ms: list[float] = []
    catalogue_ms: list[float] = []
    routes: dict[str, int] = {}
    for _ in range(rounds):
        for text in TYPED:
            started = time.perf_counter()
            decision = door.decide(text)
            decide_ms.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            decision = (await door_for(db, branches, topics)).decide(text)
            short = len(text.split()) <= TITLE_CHECK_WORDS
            if decision.route in TITLE_CHECKED and short and await is_a_title(db, text):
                decision = Decision(Route.CATALOGUE, "a title", query=text)
            route_ms.append((time.perf_counter() - started) * 1000)
            routes[decision.route.value] = routes.get(decision.route.value, 0) + 1
            if decision.route is Route.CATALOGUE:
                started = time.perf_counter()
                await search(db, decision.query or text, limit=5)
                catalogue_ms.append((time.perf_counter() - started) * 1000)
    faq_size = len(door.faq)
    await db.dispose()
    return {
        "faq_entries": faq_size,
        "messages": len(decide_ms),
        "decide_ms": _quantiles(decide_ms),
        "route_ms": _quantiles(route_ms),
        "catalogue_search_ms": _quantiles(catalogue_ms),
        "routes": routes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--faq", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    marc, _ = build_file(args.records)
    prepared = CACHE / f"front_door-{args.records}-{args.faq}.sqlite3"
    if not prepared.is_file():
        building = prepared.with_suffix(".building")
        building.unlink(missing_ok=True)
        started = time.perf_counter()
        asyncio.run(_prepare(f"sqlite+aiosqlite:///{building}", marc, args.faq))
        shutil.move(building, prepared)
        print(f"prepared in {time.perf_counter() - started:.0f} s: {prepared}", file=sys.stderr)
    figures = asyncio.run(_measure(f"sqlite+aiosqlite:///{prepared}", args.rounds))
    figures = {"records": args.records, **figures}
    for key in ("decide_ms", "route_ms", "catalogue_search_ms"):
        print(f"{key:22} {figures[key]}", file=sys.stderr)
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
