"""IRBIS64 records: fields with `^x` subfields, and the two text forms they travel in.

The wire form is what the server sends for a read (lines `MFN#STATUS`, `0#VERSION`,
`TAG#VALUE`); the exchange form is the text export a library makes (`#TAG: value`
lines, `*****` after each record). Both carry the same field text, so one model serves
the client, the fake server and the master-file reader.

Records are plain data: a `Field` is immutable (change one with `with_sub`, put it back
with `Record.replace_field`), so a record read from the server can be compared with the
one about to be written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

# Record status bits, as the server and the master file keep them.
LOGICALLY_DELETED = 1
PHYSICALLY_DELETED = 2
ABSENT = 4
NOT_ACTUALIZED = 8
NEW_RECORD = 16
LAST_VERSION = 32
LOCKED = 64

SUBFIELD_MARK = "^"
EXCHANGE_SEPARATOR = "*****"
# What splits the lines of a record inside one protocol line (client → server, and the
# short form the server answers a write with).
WIRE_DELIMITER = "\x1f\x1e"
SHORT_DELIMITER = "\x1e"

_EXCHANGE_FIELD = re.compile(r"^#(\d+):\s?(.*)$")
_WIRE_FIELD = re.compile(r"^(\d+)#(.*)$", re.DOTALL)
_MFN_STATUS = re.compile(r"^(-?\d+)#(\d*)$")
_VERSION = re.compile(r"^0#(\d*)$")
# Characters that would end a line or a record on the wire: never inside a value.
_LINE_BREAKERS = re.compile("[\r\n\x1e\x1f]")


class RecordFormatError(ValueError):
    """Record text that does not follow the IRBIS form (a damaged answer or file)."""


def clean_value(value: str) -> str:
    """A value safe to put on one protocol line: line and record breaks become spaces."""
    return _LINE_BREAKERS.sub(" ", value)


@dataclass(frozen=True, slots=True)
class Field:
    """One field occurrence: `tag` and its text, e.g. `^a1234^b20260101`."""

    tag: int
    value: str

    @property
    def head(self) -> str:
        """The text before the first subfield (a field without subfields is all head)."""
        return self.value.split(SUBFIELD_MARK, 1)[0]

    def subfields(self) -> list[tuple[str, str]]:
        """`[(code, value), …]` in order, codes as written (compare them lowercased)."""
        parts = self.value.split(SUBFIELD_MARK)[1:]
        return [(part[0], part[1:]) for part in parts if part]

    def sub(self, code: str) -> str | None:
        """The first subfield with this code (case-insensitive), or None."""
        wanted = code.lower()
        for found, value in self.subfields():
            if found.lower() == wanted:
                return value
        return None

    def with_sub(self, code: str, value: str) -> Field:
        """A copy with the first subfield `code` set to `value` (appended when absent)."""
        wanted = code.lower()
        value = clean_value(value).replace(SUBFIELD_MARK, " ")
        pieces = self.value.split(SUBFIELD_MARK)
        for index, part in enumerate(pieces[1:], start=1):
            if part and part[0].lower() == wanted:
                pieces[index] = part[0] + value
                return replace(self, value=SUBFIELD_MARK.join(pieces))
        return replace(self, value=f"{self.value}{SUBFIELD_MARK}{code}{value}")

    def without_sub(self, code: str) -> Field:
        """A copy with every subfield `code` removed."""
        wanted = code.lower()
        pieces = self.value.split(SUBFIELD_MARK)
        kept = [pieces[0]] + [p for p in pieces[1:] if p and p[0].lower() != wanted]
        return replace(self, value=SUBFIELD_MARK.join(kept))


@dataclass(slots=True)
class Record:
    """A record as the server or the master file holds it.

    `mfn` 0 means a record not yet written (the server gives it the next MFN);
    `version` counts the writes, and the server refuses a write of an older version.
    """

    mfn: int = 0
    version: int = 0
    status: int = 0
    fields: list[Field] = field(default_factory=list)

    @property
    def deleted(self) -> bool:
        return bool(self.status & (LOGICALLY_DELETED | PHYSICALLY_DELETED))

    @property
    def locked(self) -> bool:
        return bool(self.status & LOCKED)

    def all(self, tag: int) -> list[Field]:
        return [f for f in self.fields if f.tag == tag]

    def first(self, tag: int) -> Field | None:
        return next((f for f in self.fields if f.tag == tag), None)

    def fv(self, tag: int, code: str | None = None) -> str | None:
        """The first value of a field (its whole text) or of one of its subfields."""
        for found in self.all(tag):
            value = found.value if code is None else found.sub(code)
            if value is not None:
                return value
        return None

    def add(self, tag: int, value: str) -> Field:
        added = Field(tag, clean_value(value))
        self.fields.append(added)
        return added

    def replace_field(self, old: Field, new: Field) -> None:
        """Put `new` where `old` is (the same object first, else the first equal one)."""
        for index, found in enumerate(self.fields):
            if found is old:
                self.fields[index] = new
                return
        try:
            self.fields[self.fields.index(old)] = new
        except ValueError:
            raise KeyError(f"field {old.tag} is not in record {self.mfn}") from None

    def tag_values(self) -> dict[str, list[str]]:
        """`{"200": ["^aTitle…"], …}`: the shape `storage.catalogue.irbis.to_record` reads."""
        values: dict[str, list[str]] = {}
        for found in self.fields:
            values.setdefault(str(found.tag), []).append(found.value)
        return values

    def copy(self) -> Record:
        return Record(self.mfn, self.version, self.status, list(self.fields))


# --- the wire form -----------------------------------------------------------------


def record_lines(record: Record) -> list[str]:
    """The wire lines of a record: `MFN#STATUS`, `0#VERSION`, then `TAG#VALUE`."""
    lines = [f"{record.mfn}#{record.status}", f"0#{record.version}"]
    lines += [f"{f.tag}#{clean_value(f.value)}" for f in record.fields]
    return lines


def parse_record_lines(lines: Sequence[str]) -> Record:
    """Parse the wire lines of a record (empty trailing lines are allowed)."""
    lines = [line for line in lines if line]
    if len(lines) < 2:
        raise RecordFormatError("a record needs its MFN#STATUS and 0#VERSION lines")
    head = _MFN_STATUS.match(lines[0])
    version = _VERSION.match(lines[1])
    if head is None or version is None:
        raise RecordFormatError(f"not a record header: {lines[0][:40]!r} {lines[1][:40]!r}")
    fields: list[Field] = []
    for line in lines[2:]:
        match = _WIRE_FIELD.match(line)
        if match is None:
            raise RecordFormatError(f"not a field line: {line[:60]!r}")
        fields.append(Field(int(match.group(1)), match.group(2)))
    return Record(
        mfn=abs(int(head.group(1))),
        version=int(version.group(1) or 0),
        status=int(head.group(2) or 0),
        fields=fields,
    )


# --- the exchange form (text export) -----------------------------------------------


def parse_exchange(text: str) -> Iterator[list[Field]]:
    """The field lists of a text export, in order; lines that are not `#TAG:` are skipped."""
    fields: list[Field] = []
    for raw in text.removeprefix("\ufeff").splitlines():
        line = raw.rstrip("\r\n")
        if line.strip() == EXCHANGE_SEPARATOR:
            if fields:
                yield fields
            fields = []
            continue
        match = _EXCHANGE_FIELD.match(line)
        if match is not None:
            fields.append(Field(int(match.group(1)), match.group(2)))
    if fields:
        yield fields


def records_from_exchange(text: str, *, first_mfn: int = 1) -> list[Record]:
    """Records from a text export, numbered from `first_mfn`, version 1."""
    return [
        Record(mfn=first_mfn + index, version=1, status=0, fields=fields)
        for index, fields in enumerate(parse_exchange(text))
    ]


def to_exchange(records: Iterable[Record]) -> str:
    """Records as a text export (what `parse_exchange` reads back)."""
    out: list[str] = []
    for record in records:
        out += [f"#{f.tag}: {clean_value(f.value)}" for f in record.fields]
        out.append(EXCHANGE_SEPARATOR)
    return "\n".join(out) + ("\n" if out else "")
