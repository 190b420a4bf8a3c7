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

# A typed word is taken for a cue of six letters or more written with one letter lost or
# added («раписание», «прдлить» for «продли»); shorter cues must be exact: «опис(ание)» is
# one letter from «отпис(аться)».
TYPO_MIN_LENGTH = 6
# Typos are looked for among the first distinct words only: a long story repeats itself,
# and guessing at every word of it costs more than the answer is worth.
TYPO_WORDS = 16


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
    def distinct(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.words))

    @cached_property
    def guessable(self) -> tuple[str, ...]:
        """The words a typo may hide in (long enough, among the first distinct ones)."""
        return tuple(w for w in self.distinct[:TYPO_WORDS] if len(w) >= TYPO_MIN_LENGTH - 1)

    @cached_property
    def stems(self) -> tuple[str, ...]:
        return tuple(stem(w) for w in self.words)

    @property
    def has_letters(self) -> bool:
        return bool(_LETTER.search(self.raw))

    @cached_property
    def _positions(self) -> dict[str, list[int]]:
        """Where words beginning with each two letters are: a phrase is looked for only
        where its first word could begin."""
        positions: dict[str, list[int]] = {}
        for i, word in enumerate(self.words):
            positions.setdefault(word[:2], []).append(i)
        return positions

    def phrase(self, phrase: str) -> bool:
        """A run of words, each given by its beginning: «во скольк», «как добрат»."""
        parts = phrase.split()
        n = len(parts)
        last = len(self.words) - n
        return any(
            i <= last and all(self.words[i + k].startswith(parts[k]) for k in range(n))
            for i in self._positions.get(parts[0][:2], ())
        )

    def cue(self, *prefixes: str) -> str | None:
        """The cue (one of the prefixes) some word begins with, or is a typo of («~»
        after it then). The cue, not the word, is what the log may keep: the words are the
        reader's, and are not kept before consent."""
        key = prefixes
        if key in self._seen:
            return self._seen[key]
        found = next((p for w in self.distinct for p in prefixes if w.startswith(p)), None)
        if found is None:
            found = next(
                (
                    f"{p}~"
                    for w in self.guessable
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
    """`word` begins with `prefix` with one letter lost or one added inside it («прдлить»,
    «раписание», «суббта»). A letter replaced is not taken for a typo («оставить» is not
    «устав», «продвинутый» not «продлить»), nor a last letter lost («позвоночник» begins
    with «позвон», not «позвони»)."""
    n = len(prefix)
    if word[0] != prefix[0]:
        return False
    head = word[: n - 1]  # one letter lost: n - 1 letters one deletion away
    if head != prefix[: n - 1] and Levenshtein.distance(head, prefix, score_cutoff=1) == 1:
        return True
    head = word[: n + 1]  # one letter added: n + 1 letters one insertion away
    return len(head) == n + 1 and Levenshtein.distance(head, prefix, score_cutoff=1) == 1
