"""A typed message as words: folded (lower case, ё→е), with stems, and cue lookups that
forgive a reader's typo («раписание», «прдлить»).

Cues are word beginnings: Russian inflects the end of a word, so «работаете», «работает»
and «работы» all start with «работ», where Snowball stems disagree («работа», «работ»).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from rapidfuzz.distance import Levenshtein

from storage.catalogue.text import fold, stem

_WORD = re.compile(r"[0-9a-zа-я]+(?:-[0-9a-zа-я]+)*")
_LETTER = re.compile(r"[a-zа-яё]", re.IGNORECASE)
QUOTED = re.compile(r"[«\"“„']([^«»\"“”„']{2,200})[»\"”“']")

# A typed word is taken for a cue written with one letter wrong («суббта»), and — for cues
# of six letters or more — with one lost or added («раписание», «прдлить» for «продли»).
# Shorter cues must be exact: «опис(ание)» is one letter from «отпис(аться)».
TYPO_MIN_LENGTH = 5


@dataclass(frozen=True)
class Typed:
    """One typed message, read once: its words and their stems."""

    raw: str
    words: tuple[str, ...]
    quoted: str | None = None
    _seen: dict[tuple[str, ...], str | None] = field(default_factory=dict, compare=False)

    @classmethod
    def read(cls, text: str) -> Typed:
        folded = fold(text)
        quoted = QUOTED.search(text)
        return cls(text, tuple(_WORD.findall(folded)), quoted.group(1).strip() if quoted else None)

    @cached_property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)

    @property
    def has_letters(self) -> bool:
        return bool(_LETTER.search(self.raw))

    def phrase(self, phrase: str) -> bool:
        """A run of words, each given by its beginning: «во скольк», «как добрат»."""
        parts = phrase.split()
        n = len(parts)
        return any(
            all(self.words[i + k].startswith(parts[k]) for k in range(n))
            for i in range(len(self.words) - n + 1)
        )

    def cue(self, *prefixes: str) -> str | None:
        """The first word that begins with one of the prefixes (or is a typo of one)."""
        key = prefixes
        if key in self._seen:
            return self._seen[key]
        found = next((w for w in self.words for p in prefixes if w.startswith(p)), None)
        if found is None:
            found = next(
                (
                    w
                    for w in self.words
                    if len(w) >= TYPO_MIN_LENGTH
                    for p in prefixes
                    if len(p) >= TYPO_MIN_LENGTH and _typo_of(w, p)
                ),
                None,
            )
        self._seen[key] = found
        return found

    def exact(self, *words: str) -> str | None:
        """A word that is exactly one of these (short words are not matched by beginning)."""
        return next((w for w in self.words if w in words), None)

    def count_not_in(self, ignored: Iterable[str]) -> int:
        skip = set(ignored)
        return sum(1 for w in self.words if w not in skip)


def _typo_of(word: str, prefix: str) -> bool:
    """`word` begins with `prefix` written with one letter wrong (or lost, or added)."""
    n = len(prefix)
    lengths = (n,) if n < 6 else (n - 1, n, n + 1)
    return any(
        len(word) >= length and Levenshtein.distance(word[:length], prefix, score_cutoff=1) <= 1
        for length in lengths
    )
