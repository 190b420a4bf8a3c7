"""The words of the `libbot` command: help and summaries in Russian, the bot's first language
and the language of the library staff who type these commands, from the same locale files
as the bot (`cli-…` messages).

The locale files are read only when a text is shown: `libbot run` with a config that cannot
work must say so before anything slow is loaded, so the parser holds message keys and
`RussianHelp` translates them when help is printed.

`Parser` also takes a command's options anywhere among its arguments
(`libbot db backup --config c.toml FILE`), which plain argparse refuses when an optional
positional argument comes before them.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bot.kernel.i18n import Texts

LANGUAGE = "ru"
KEY_PREFIX = "cli-"


@functools.cache
def _texts() -> Texts:
    from bot.kernel.i18n import Locales

    return Locales().texts(LANGUAGE)


def say(key: str, **args: Any) -> str:
    """A text of the command line: plain text (no HTML), in Russian."""
    return _texts().plain(key, **args)


def _translated(text: str | None) -> str | None:
    """Help and descriptions are message keys until they are shown."""
    return say(text) if text and text.startswith(KEY_PREFIX) else text


class RussianHelp(argparse.HelpFormatter):
    """Help whose texts are `cli-…` keys, translated as they are printed."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = _translated(action.help)
        # argparse fills in %(default)s and the like: a «%» in a translation is literal.
        return text.replace("%", "%%") if text and text != action.help else text

    def add_text(self, text: str | None) -> None:
        super().add_text(_translated(text))

    def start_section(self, heading: str | None) -> None:
        super().start_section(_translated(heading))

    def add_usage(
        self,
        usage: str | None,
        actions: Iterable[argparse.Action],
        groups: Iterable[argparse._MutuallyExclusiveGroup],
        prefix: str | None = None,
    ) -> None:
        if prefix is None:
            prefix = f"{say('cli-usage')}: "
        super().add_usage(usage, actions, groups, prefix)


class Parser(argparse.ArgumentParser):
    """An argparse parser with Russian help whose commands take options anywhere."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", RussianHelp)
        kwargs["add_help"] = False
        super().__init__(**kwargs)
        # argparse names its two sections itself; only these attributes reach them.
        self._positionals.title = "cli-positionals"
        self._optionals.title = "cli-options"
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help="cli-help")
        self._intermixing = False
        self._given_usage = self.usage

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        # The top parser hands the rest to a command's parser: plain parsing. A command's
        # parser reads options first and positionals after, wherever they stand; argparse
        # would otherwise give an optional positional (`db backup [FILE]`) nothing as soon
        # as an option follows the first positional, and refuse the file after it.
        if self._subparsers is not None or self._intermixing:
            return super().parse_known_args(args, namespace)
        self._intermixing = True
        # Any usage but None: argparse would format one up front, with the help texts.
        self._given_usage, self.usage = self.usage, self.prog
        try:
            return self.parse_known_intermixed_args(args, namespace)
        finally:
            self.usage = self._given_usage
            self._intermixing = False

    def format_usage(self) -> str:
        with self._usage_as_given():
            return super().format_usage()

    def format_help(self) -> str:
        with self._usage_as_given():
            return super().format_help()

    @contextlib.contextmanager
    def _usage_as_given(self) -> Iterator[None]:
        held = self.usage
        self.usage = self._given_usage
        try:
            yield
        finally:
            self.usage = held
