"""CSV files staff hand in, read row by row so that one unreadable line does not end an import.

The csv module raises `csv.Error` on a field longer than `csv.field_size_limit()` (131,072
characters) and on a few malformed lines; left alone, that was a traceback in the middle of
an import (issue #18). Here such a line becomes a `BadLine` with its number and a reason
staff can act on, and reading goes on with the next line. The limit itself is left alone:
it is process-wide, and a field that long is never a title or a name.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class BadLine:
    """A line the csv module could not read; the rest of the file still can be."""

    number: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.number}: {self.reason}"


def describe(error: csv.Error) -> str:
    """The csv module's complaint in words a librarian can check in the file."""
    if "field larger than field limit" in str(error):
        return f"a field longer than {csv.field_size_limit():,} characters"
    return f"not readable as CSV ({error})"


class Rows:
    """`csv.DictReader` over text lines that says which line each row ends on.

    Lines are counted here, not with `line_num`: when the csv module raises, its
    `line_num` has not yet counted the line it failed on (CPython 3.11).
    """

    def __init__(
        self,
        lines: Iterable[str],
        *,
        dialect: type[csv.Dialect] | csv.Dialect | str = "excel",
        delimiter: str | None = None,
    ) -> None:
        self._lines = iter(lines)
        self.line = 0
        options = {"delimiter": delimiter} if delimiter else {}
        self._reader = csv.DictReader(self._counted(), dialect=dialect, **options)

    def _counted(self) -> Iterator[str]:
        for line in self._lines:
            self.line += 1
            yield line

    def header(self) -> list[str] | BadLine:
        """The column headings as written; a BadLine when even they cannot be read."""
        try:
            return list(self._reader.fieldnames or [])
        except csv.Error as error:
            return BadLine(self.line, describe(error))

    def __iter__(self) -> Iterator[tuple[int, dict[str | None, str | None]] | BadLine]:
        """(line number, row) for each row, or a BadLine, until the end of the file."""
        while True:
            try:
                row = next(self._reader)
            except StopIteration:
                return
            except csv.Error as error:
                yield BadLine(self.line, describe(error))
                continue
            yield self.line, row
