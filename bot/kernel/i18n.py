"""User-facing text from Fluent (.ftl) files: Russian first, English second.

Fluent handles Russian plural forms (1 книга, 2 книги, 5 книг) with selectors, and
the files are plain text a librarian can edit. Every argument is HTML-escaped on
the way in, because messages are sent with parse_mode=HTML; text that is already
safe HTML (built from other translations) is passed as `Markup`.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).parents[1] / "locales"
DEFAULT_LANGUAGE = "ru"
LANGUAGES = ("ru", "en")


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""

    __slots__ = ()


def as_plain(text: str) -> str:
    """Text for a place that shows it as it is — a button label, a pop-up notice: a
    translation's HTML-escaped arguments turned back into the characters people typed
    (`АНО "Добрые соседи"`, not `АНО &quot;Добрые соседи&quot;`)."""
    return html.unescape(text) if isinstance(text, Markup) else text


def normalise_label(text: str) -> str:
    """Fold a button label for matching typed text: no emoji, case or extra spaces.

    A reader who types «о библиотеке» means the «ℹ️ О библиотеке» button.
    """
    # Letters and digits of the alphabetic scripts (Latin, Cyrillic…) all sit below
    # U+2000; emoji and symbols such as «ℹ» sit above and are dropped.
    kept = [ch if ch.isalnum() and ord(ch) < 0x2000 else " " for ch in text]
    return re.sub(r"\s+", " ", "".join(kept)).strip().casefold().replace("ё", "е")


class Texts:
    """Translations bound to one language, with Russian as the fallback."""

    def __init__(self, language: str, bundles: dict[str, FluentBundle]) -> None:
        self.language = language if language in bundles else DEFAULT_LANGUAGE
        self._chain = [bundles[self.language]]
        if self.language != DEFAULT_LANGUAGE:
            self._chain.append(bundles[DEFAULT_LANGUAGE])
        # Most texts take no arguments (labels, prompts): formatted once, then looked up.
        self._plain: dict[str, str] = {}

    def __call__(self, key: str, **args: Any) -> str:
        if not args:
            text = self._plain.get(key)
            if text is None:
                text = self._plain[key] = self._format(key, {})
            return text
        return self._format(key, args)

    def plain(self, key: str, **args: Any) -> str:
        """The translation for a place that does not parse HTML (labels, pop-ups)."""
        return as_plain(self(key, **args))

    def _format(self, key: str, args: dict[str, Any]) -> str:
        safe = {
            name: value if isinstance(value, Markup | int | float) else html.escape(str(value))
            for name, value in args.items()
        }
        for bundle in self._chain:
            if not bundle.has_message(key):
                continue
            message = bundle.get_message(key)
            if message.value is None:
                continue
            text, errors = bundle.format_pattern(message.value, safe)
            for error in errors:
                log.error("locale %s, message %s: %s", self.language, key, error)
            return Markup(text)
        log.error("missing translation %s", key)
        return Markup(key)


class Locales:
    """All languages, loaded once at start-up from the .ftl files."""

    def __init__(self, directory: Path = LOCALES_DIR) -> None:
        self.bundles: dict[str, FluentBundle] = {}
        self.keys: dict[str, set[str]] = {}
        for language in LANGUAGES:
            source = (directory / f"{language}.ftl").read_text(encoding="utf-8")
            bundle = FluentBundle([language], use_isolating=False)
            resource = FluentResource(source)
            broken = [entry for entry in resource.body if type(entry).__name__ == "Junk"]
            if broken:
                first = broken[0].content.strip().splitlines()[0]
                msg = f"{directory / language}.ftl: cannot parse the entry starting {first!r}"
                raise ValueError(msg)
            bundle.add_resource(resource)
            self.bundles[language] = bundle
            self.keys[language] = {
                entry.id.name for entry in resource.body if hasattr(entry, "id") and entry.id
            }
        self._texts = {language: Texts(language, self.bundles) for language in LANGUAGES}

    def texts(self, language: str | None) -> Texts:
        return self._texts.get(language or DEFAULT_LANGUAGE, self._texts[DEFAULT_LANGUAGE])

    def variants(self, *keys: str) -> frozenset[str]:
        """Every language's label for these keys, folded by `normalise_label`."""
        return frozenset(
            normalise_label(self.texts(lang)(key)) for lang in LANGUAGES for key in keys
        )

    def labels(self, keys: Iterable[str]) -> dict[str, str]:
        """Map each folded label (any language) back to its key."""
        return {normalise_label(self.texts(lang)(key)): key for key in keys for lang in LANGUAGES}
