"""Log lines that never carry what people wrote.

An exception's message can quote anything: a database error its statement's values, a
Bot API error the text it refused, a parser the line it choked on. The log keeps where
it happened (the traceback's files, lines and functions) and what kind of failure it was
(the exception types along the chain), not the messages. Statement parameters are hidden
by the engine itself (`hide_parameters`).
"""

from __future__ import annotations

import logging
import traceback
from types import TracebackType

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def failure_kind(exc: BaseException) -> str:
    """`module.Type` of an exception, the part of it that is safe to log."""
    kind = type(exc)
    module = kind.__module__
    return kind.__qualname__ if module == "builtins" else f"{module}.{kind.__qualname__}"


def describe_failure(exc: BaseException) -> str:
    """The traceback of an exception and of what caused it, with types but no messages."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        parts.append(f"Traceback (most recent call last):\n{frames}{failure_kind(current)}")
        current = current.__cause__ or (
            None if current.__suppress_context__ else current.__context__
        )
    return "\n\nwhich was caused by:\n\n".join(parts)


class PrivateFormatter(logging.Formatter):
    """A formatter whose tracebacks leave out exception messages."""

    def formatException(self, ei: ExcInfo | tuple[None, None, None]) -> str:
        _kind, exc, _tb = ei
        return "" if exc is None else describe_failure(exc)
