"""Words for the index and for queries: lower case, ё→е, Russian (and English) stems.

Stems come from Snowball (PyStemmer), the same algorithm PostgreSQL's `russian`
configuration uses, so SQLite and PostgreSQL answer alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[0-9a-zа-я]+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-я]")
_russian = Stemmer.Stemmer("russian")
_english = Stemmer.Stemmer("english")

# Words people wrap around a question that are not part of what they look for.
QUERY_FILLER = frozenset(
    """
    есть ли у вас в вы а и или не нет мне нам я хочу хотел хотела бы можно пожалуйста
    подскажите скажите найти найдите ищу ищем нужна нужен нужно нужны книга книгу книги книг
    книжка книжку автора автор что какие какая какой какое кто где когда библиотеке библиотека
    почитать взять такая такой такое the a of
    """.split()  # noqa: SIM905 - a word list reads better as text
)


def fold(text: str) -> str:
    return text.casefold().replace("ё", "е")


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    if _CYRILLIC.search(word):
        return _russian.stemWord(word)
    if word.isdigit():
        return word
    return _english.stemWord(word)


def stems(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def stemmed(text: str | None) -> str:
    """Text as the SQLite index stores it: stems separated by spaces."""
    return " ".join(stems(text)) if text else ""


def query_words(text: str) -> list[str]:
    """The meaningful words of a reader's question, in order, without filler."""
    found = [w for w in words(text) if w not in QUERY_FILLER]
    return found or words(text)
