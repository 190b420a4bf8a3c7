"""The library FAQ as an index of stems: which entry a typed question is, and how sure.

Every phrasing of an entry (its question and the other ways readers put it) is a set of
content stems — words that carry meaning, not «как», «можно», «у вас». A typed message
is scored against each phrasing sharing a stem with it: the harmonic mean of how much of
the message the phrasing covers and how much of the phrasing the message covers, each
word weighted by how rare it is among all phrasings («книг» is everywhere, «wi-fi» is
not). A word not in the index is taken for a typo of the nearest indexed stem when one is
close enough, at a lower weight. Built once per FAQ change; a lookup reads a handful of
posting lists, well under a millisecond at a thousand entries (`bench/front_door.py`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from storage.catalogue.text import stem
from storage.front_door.words import Typed

# Words that shape a question but do not say what it is about.
FUNCTION_WORDS = frozenset(
    """
    а и или но же ли бы не ни да нет то это этот эта эти там тут здесь вот уже еще ещё
    я мне меня мой моя мое моё мои мы нам нас наш наша ты вы вас вам ваш ваша ваши он она они
    его ее её их им ему ей себя свой своя свое
    в во на с со к ко по за из от до у о об обо при про для без над под через между
    как какой какая какое какие каким что чем чтобы кто где куда откуда когда зачем почему
    сколько ли можно нельзя надо нужно нужен нужна нужны хочу хотел хотела хотим
    делать сделать быть бывает
    если есть будет был была было быть могу может можете можем
    подскажите скажите пожалуйста здравствуйте привет добрый день вечер утро спасибо
    очень просто только тоже также так такой такая
    the a an of to is are can i you we do does how what where when
    """.split()  # noqa: SIM905 - a word list reads better as text
)
# An unknown word is a typo of an indexed word one slip away (a letter wrong, lost, added,
# or two swapped: «билте» for «билет»), two slips for words of nine letters or more.
TYPO_WEIGHT = 0.7  # a guessed word counts for less than a typed one
MIN_TYPO_LENGTH = 5
ONE_WORD = 0.55  # the best a message of several words sharing only one can score
GUESSES = 8  # unknown words looked up as typos, at most, per message


@dataclass(frozen=True, slots=True)
class FaqChoice:
    entry_id: int
    score: float  # 0..1
    phrasing: str  # the phrasing that matched best (for the staff-visible reason)
    matched: tuple[str, ...]  # the stems both share


@dataclass(frozen=True, slots=True)
class Phrased:
    """What the index needs of an entry: its id and every way it is asked."""

    entry_id: int
    phrasings: Sequence[str]


# Stems Snowball makes the same for words that mean different things («стоит» and «сто»).
STEM_FIXES = {"стоит": "стоимост", "стоить": "стоимост", "стоимость": "стоимост"}


def content_words(typed: Typed) -> list[tuple[str, str]]:
    """(word, stem) for the words that carry meaning."""
    return [
        (w, STEM_FIXES.get(w, s))
        for w, s in zip(typed.words, typed.stems, strict=True)
        if w not in FUNCTION_WORDS
    ]


def content_stems(typed: Typed) -> list[str]:
    return [s for _, s in content_words(typed)]


class FaqIndex:
    def __init__(self, entries: Iterable[Phrased]) -> None:
        self.phrasings: list[tuple[int, str, frozenset[str]]] = []
        postings: dict[str, list[int]] = defaultdict(list)
        stem_of: dict[str, str] = {}  # every indexed word, for typos
        for entry in entries:
            for text in entry.phrasings:
                pairs = content_words(Typed.read(text))
                stems = frozenset(s for _, s in pairs)
                if not stems:
                    continue
                stem_of.update(pairs)
                number = len(self.phrasings)
                self.phrasings.append((entry.entry_id, text, stems))
                for s in stems:
                    postings[s].append(number)
        self.postings = dict(postings)
        total = max(len(self.phrasings), 1)
        self.weight = {s: math.log(1 + total / len(p)) for s, p in self.postings.items()}
        self.stem_of = {w: s for w, s in stem_of.items() if len(w) >= MIN_TYPO_LENGTH - 1}
        self.vocabulary = list(self.stem_of)
        self.sizes = [sum(self.weight[s] for s in stems) for _, _, stems in self.phrasings]
        self.entry_stems: dict[int, set[str]] = defaultdict(set)
        for entry_id, _, stems in self.phrasings:
            self.entry_stems[entry_id] |= stems
        # What a word the index does not know weighs in a message: as much as a typical
        # indexed word, so a long story sharing one word with an entry is not that entry.
        self.typical = sum(self.weight.values()) / len(self.weight) if self.weight else 1.0

    def __len__(self) -> int:
        return len({entry for entry, _, _ in self.phrasings})

    def _known(self, pairs: list[tuple[str, str]]) -> dict[str, float]:
        """The message's stems as the index knows them, each with its weight."""
        known: dict[str, float] = {}
        guesses = GUESSES
        for word, s in dict(pairs).items():
            if s in self.postings:
                known[s] = self.weight[s]
            elif len(word) >= MIN_TYPO_LENGTH and self.vocabulary and guesses > 0:
                guesses -= 1
                found = process.extractOne(
                    word,
                    self.vocabulary,
                    scorer=OSA.distance,
                    score_cutoff=1 if len(word) < 9 else 2,
                )
                if found is not None:
                    guessed = self.stem_of[found[0]]
                    known.setdefault(guessed, self.weight[guessed] * TYPO_WEIGHT)
        return known

    def best(self, typed: Typed) -> FaqChoice | None:
        pairs = content_words(typed)
        stems = [s for _, s in pairs]
        if not stems or not self.phrasings:
            return None
        known = self._known(pairs)
        if not known:
            return None
        # The message's own weight counts unknown words too: a long story that shares one
        # word with an entry is not that entry.
        unknown = self.typical * sum(1 for s in set(stems) if s not in known)
        message_size = sum(known.values()) + unknown
        shared: dict[int, float] = defaultdict(float)
        for s, w in known.items():
            for number in self.postings[s]:
                shared[number] += w
        best: FaqChoice | None = None
        for number, overlap in shared.items():
            precision = overlap / message_size
            recall = overlap / self.sizes[number]
            score = 2 * precision * recall / (precision + recall)
            if len(set(stems)) > 1 and not _two_shared(known, number, self):
                score = min(score, ONE_WORD)  # one shared word of several: a hint, no more
            if best is None or score > best.score:
                entry_id, text, phrasing_stems = self.phrasings[number]
                matched = tuple(s for s in known if s in phrasing_stems)
                best = FaqChoice(entry_id, round(score, 3), text, matched)
        return best


def _two_shared(known: dict[str, float], number: int, index: FaqIndex) -> bool:
    """Two words of the message in the entry — in this phrasing or across its phrasings
    («можно прийти с собакой?»: «прийти» from one, «собака» from another)."""
    stems = index.entry_stems[index.phrasings[number][0]]
    return sum(1 for s in known if s in stems) >= 2


def phrased(entry_id: int, question: str, phrasings: Iterable[str]) -> Phrased:
    return Phrased(entry_id, [question, *phrasings])


__all__ = ["FUNCTION_WORDS", "FaqChoice", "FaqIndex", "Phrased", "phrased", "stem"]
