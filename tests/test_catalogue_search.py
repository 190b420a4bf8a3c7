"""«Есть ли у вас…?» in readers' own words — the same answers on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from bot.demo import seed_catalogue
from storage.catalogue.search import search
from storage.db import Database


@pytest.fixture
async def catalogue(database: Database) -> Database:
    await seed_catalogue(database)
    return database


async def titles(db: Database, query: str, limit: int = 5) -> list[str]:
    return [hit.title for hit in (await search(db, query, limit=limit)).hits]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Мастер и Маргарита", "Мастер и Маргарита"),
        ("мастера и маргариты", "Мастер и Маргарита"),  # another grammatical case
        ("есть ли Мастер и Маргарита?", "Мастер и Маргарита"),
        ("МАСТЕР И МАРГАРИТА", "Мастер и Маргарита"),
        ("Булгаков мастер", "Мастер и Маргарита"),  # author and title in one line
        ("зеленый шатер", "Зелёный шатёр"),  # е for ё
        ("978-5-17-090630-7", "Мастер и Маргарита"),
        ("9785170906307", "Мастер и Маргарита"),
        ("5-17-090630-6", "Мастер и Маргарита"),  # ISBN-10 of the same book
        ("незнайка", "Приключения Незнайки и его друзей"),
        ("Пикник на обочине Стругацкие", "Пикник на обочине"),
    ],
)
async def test_readers_words_find_the_book(catalogue: Database, query: str, expected: str) -> None:
    assert (await titles(catalogue, query))[0] == expected


async def test_author_surname_alone_in_any_case(catalogue: Database) -> None:
    expected = {"Казус Кукоцкого", "Лестница Якова", "Зелёный шатёр"}
    assert set(await titles(catalogue, "Улицкая")) == expected
    assert set(await titles(catalogue, "что есть у Улицкой")) == expected


async def test_misspelt_title_is_found_with_a_suggestion(catalogue: Database) -> None:
    result = await search(catalogue, "Мастер и Маргорита")
    assert result.hits[0].title == "Мастер и Маргарита"
    assert result.suggestion == "мастер маргарита"
    result = await search(catalogue, "Зулейха аткрывает глаза")
    assert [h.title for h in result.hits][:1] == ["Зулейха открывает глаза"]


async def test_pages_after_a_typo_correction(catalogue: Database) -> None:
    first = await search(catalogue, "Улицкоя", limit=2)
    second = await search(catalogue, "Улицкоя", limit=2, offset=2)
    assert (first.total, first.suggestion) == (3, "улицкая")
    assert len(second.hits) == 1
    assert second.suggestion == "улицкая"


async def test_nothing_found_is_an_empty_answer(catalogue: Database) -> None:
    result = await search(catalogue, "квантовая хромодинамика")
    assert (result.total, result.hits, result.suggestion) == (0, [], None)


async def test_paging(catalogue: Database) -> None:
    first = await search(catalogue, "роман", limit=5)
    second = await search(catalogue, "роман", limit=5, offset=5)
    assert first.total == second.total > 10
    assert not {h.record_id for h in first.hits} & {h.record_id for h in second.hits}


@pytest.mark.parametrize(
    "query",
    [
        '"Мастер',
        "мастер*",
        "мастер AND маргарита OR NOT",
        "(мастер) [маргарита] {x}",
        "'; DROP TABLE catalogue_records; --",
        "мастер NEAR(маргарита, 2)",
        "title: мастер",
        "😀📚🔥",
        "   ",
        "",
        "мастер " * 1000,
        "x" * 5000,
        "\x00\x01 мастер",
        "-- мастер & | ! :*",
    ],
)
async def test_query_text_is_data_never_syntax(catalogue: Database, query: str) -> None:
    result = await search(catalogue, query)
    assert result.total >= 0
    if "мастер" in query.lower():
        assert [h.title for h in result.hits][:1] == ["Мастер и Маргарита"]


async def test_titles_made_of_common_words_are_found_on_both_databases(
    catalogue: Database, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    from storage.catalogue.importer import import_catalogue

    path = tmp_path / "short.csv"
    path.write_text(
        'id,title,authors\nz1,Мы,"Замятин, Е. И."\nk1,It,"King, S."\n', encoding="utf-8"
    )
    await import_catalogue(catalogue, [path])
    assert await titles(catalogue, "Мы") == ["Мы"]
    assert await titles(catalogue, "It") == ["It"]
    assert await titles(catalogue, "Замятин Мы") == ["Мы"]
