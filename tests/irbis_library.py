"""A small IRBIS64 library for the tests: readers with loans (RDR), a catalogue (IBIS) and
an orders database (RQST), written as IRBIS text exports, dated around `today`.

Анна Петрова (билет 1001) has five books out: two renewable, one another reader
waits for, one renewed twice already, one overdue for 40 days; Иван Сидоров (1002) has
ordered «Тихий Дон». The catalogue holds those titles with their 910s.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from typing import Any

from tests.fakes.irbis_server import DEFAULT_PREFIXES, FakeIrbis, Index

USER, PASSWORD = "libbot", "irbis-secret"
# The stock prefixes, and the RDR index of copies on loan the card's due dates use.
PREFIXES = {**DEFAULT_PREFIXES, "HI=": (Index(40, "b"), Index(40, "h"))}


def day(value: date) -> str:
    return f"{value:%Y%m%d}"


def loan(
    title: str,
    *,
    shelf: str,
    inventory: str,
    issued: date,
    due: date,
    renewals: int = 0,
    returned: date | None = None,
) -> str:
    back = day(returned) if returned else "******"
    return (
        f"#40: ^a{shelf}^b{inventory}^c{title}^d{day(issued)}^e{day(due)}^f{back}"
        f"^kАб^4{renewals}^iДЕСК"
    )


def readers(today: date) -> str:
    ago = today - timedelta(days=20)
    return "\n".join(
        [
            "#10: Петрова",
            "#11: Анна",
            "#12: Сергеевна",
            "#17: +7 (912) 345-67-89",
            "#21: 19850312",
            "#30: 1001",
            "#130: 4821",
            loan(
                "Булгаков М. Мастер и Маргарита",
                shelf="Ш1",
                inventory="1001-1",
                issued=ago,
                due=today + timedelta(days=5),
            ),
            loan(
                "Водолазкин Е. Авиатор",
                shelf="Ш8",
                inventory="1008-1",
                issued=ago,
                due=today + timedelta(days=9),
            ),
            loan(
                "Шолохов М. Тихий Дон",
                shelf="Ш2",
                inventory="1002-1",
                issued=ago,
                due=today + timedelta(days=2),
            ),
            loan(
                "Толстой Л. Война и мир",
                shelf="Ш3",
                inventory="1003-1",
                issued=ago,
                due=today + timedelta(days=1),
                renewals=2,
            ),
            loan(
                "Толстой Л. Анна Каренина",
                shelf="Ш4",
                inventory="1004-1",
                issued=today - timedelta(days=70),
                due=today - timedelta(days=40),
            ),
            loan(
                "Пушкин А. Евгений Онегин",
                shelf="Ш5",
                inventory="1005-1",
                issued=today - timedelta(days=90),
                due=today - timedelta(days=60),
                returned=today - timedelta(days=61),
            ),
            "*****",
            "#10: Сидоров",
            "#11: Иван",
            "#17: 8 912 000-00-02",
            "#21: 1990",
            "#30: 1002",
            "#130: 1111",
            "*****",
            "#10: Петров",
            "#11: Пётр",
            "#17: 8 (900) 111-22-33",
            "#21: 1970",
            "#30: 1003",
            "*****",
            "#10: Петрова",
            "#11: Ольга",
            "#17: +7 900 111 22 33",
            "#21: 1972",
            "#30: 1004",
            "*****",
        ]
    )


def catalogue() -> str:
    return "\n".join(
        [
            "#200: ^aМастер и Маргарита^fМ. Булгаков",
            "#700: ^aБулгаков^bМ. А.",
            "#210: ^cАСТ^d2020",
            "#903: Ш1",
            "#906: 84(2Рос=Рус)6",
            "#908: Б90",
            "#910: ^a0^b1001-2^dАб",
            "#910: ^a1^b1001-1^dАб",
            "#910: ^a9^b1001-3^dЧз",
            "#910: ^a3^b1001-4^dАб",
            "#910: ^a6^b1001-5^dАб",
            "#910: ^aU^dДет^15^23",
            "*****",
            "#200: ^aТихий Дон^fМ. Шолохов",
            "#700: ^aШолохов^bМ. А.",
            "#210: ^d2019",
            "#903: Ш2",
            "#910: ^a1^b1002-1^dАб",
            "*****",
            "#200: ^aВойна и мир^fЛ. Толстой",
            "#700: ^aТолстой^bЛ. Н.",
            "#903: Ш3",
            "#910: ^a1^b1003-1^dАб",
            "#910: ^a0^b1003-2^dДет",
            "*****",
            "#200: ^aАнна Каренина^fЛ. Толстой",
            "#700: ^aТолстой^bЛ. Н.",
            "#903: Ш4",
            "#910: ^a1^b1004-1^dАб",
            "*****",
            "#200: ^aЛавр^fЕ. Водолазкин",
            "#700: ^aВодолазкин^bЕ. Г.",
            "#903: Ш6",
            "#910: ^a0^b1006-1^dАб",
            "*****",
        ]
    )


def orders(today: date) -> str:
    return "\n".join(
        [
            "#30: 1002",
            "#1: IBIS",
            "#903: Ш2",
            "#201: Шолохов М. Тихий Дон",
            f"#40: {day(today - timedelta(days=1))}",
            "*****",
            "#30: 1001",
            "#1: IBIS",
            "#903: Ш6",
            "#201: Водолазкин Е. Лавр",
            f"#40: {day(today - timedelta(days=3))}",
            "#102: Аб",
            f"#43: {day(today - timedelta(days=1))}",
            f"#44: {day(today + timedelta(days=3))}",
            "*****",
        ]
    )


@asynccontextmanager
async def irbis_library(today: date) -> AsyncIterator[FakeIrbis]:
    """The fake server with the three databases, running on 127.0.0.1."""
    server = FakeIrbis(users={USER: PASSWORD}, prefixes=PREFIXES)
    server.load_text("RDR", readers(today))
    server.load_text("IBIS", catalogue())
    server.load_text("RQST", orders(today))
    async with server:
        yield server


def irbis_settings(server: FakeIrbis, **overrides: Any) -> dict[str, Any]:
    """`[library_system]` for a bot on this server."""
    irbis = {
        "host": server.host,
        "port": server.port,
        "username": USER,
        "password": PASSWORD,
        "orders_database": "RQST",
        "branches": {"Аб": "central", "Дет": "children", "Чз": "central"},
        "live_timeout_seconds": 0.5,
        **overrides.pop("irbis64", {}),
    }
    return {
        "kind": "irbis64",
        "verification": "surname_birth_year",
        "timeout_seconds": 0.5,
        "irbis64": irbis,
        **overrides,
    }
