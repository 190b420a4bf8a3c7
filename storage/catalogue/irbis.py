"""IRBIS64 text exchange format, which most Russian municipal libraries can export.

    #200: ^AМастер и Маргарита^FМ. Булгаков
    #910: ^A0^B1759089^DФ104
    *****

Fields are `#tag: value`, subfields `^X` (codes case-insensitive), `*****` ends a
record. Records read from an IRBIS64 server or master file (`from_fields`) are mapped
the same way. Exemplars are field 910: ^A status, ^B inventory number, ^D storage place,
^H barcode; C/P/R/U statuses are group records, not single copies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path

from storage.catalogue.marc import is_utf8
from storage.catalogue.records import (
    BibRecord,
    Item,
    ItemStatus,
    SkipRecord,
    clean,
    isbn13,
    year_of,
)

SEPARATOR = "*****"
_FIELD = re.compile(r"^#(\d+):\s?(.*)$")

# IRBIS exemplar status (910 ^A) → what readers are told.
IRBIS_STATUS = {
    "0": ItemStatus.AVAILABLE,
    "1": ItemStatus.ON_LOAN,
    "2": ItemStatus.UNAVAILABLE,  # ожидается (ещё не поступил)
    "3": ItemStatus.UNAVAILABLE,  # в переплёте
    "4": ItemStatus.LOST,
    "5": ItemStatus.UNAVAILABLE,  # временно не выдаётся
    "6": ItemStatus.WITHDRAWN,  # списан
    "7": ItemStatus.UNAVAILABLE,  # на докомплектовании
    "8": ItemStatus.IN_TRANSIT,
    "9": ItemStatus.RESERVED,  # на бронеполке
}
GROUP_STATUSES = frozenset("CPRU")

Fields = dict[str, list[str]]


def subfields(value: str) -> dict[str, str]:
    """`^Aодин^Bдва` → {'a': 'один', 'b': 'два'}; text before the first ^ is under ''."""
    parts = value.split("^")
    found: dict[str, str] = {}
    if parts[0].strip():
        found[""] = parts[0].strip()
    for part in parts[1:]:
        if part:
            found.setdefault(part[0].lower(), part[1:].strip())
    return found


def _first(fields: Fields, tag: str, code: str) -> str | None:
    for value in fields.get(tag, []):
        found = subfields(value).get(code)
        if found:
            return found
    return None


def _author(value: str) -> str | None:
    parts = subfields(value)
    surname = parts.get("a")
    if not surname:
        return None
    initials = parts.get("b")
    return clean(f"{surname}, {initials}" if initials else surname)


def _irbis_date(text: str | None) -> date | None:
    if text and re.fullmatch(r"\d{8}", text):
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:]))
        except ValueError:
            return None
    return None


def _items(fields: Fields) -> list[Item]:
    items: list[Item] = []
    for position, value in enumerate(fields.get("910", []), start=1):
        parts = subfields(value)
        code = (parts.get("a") or "0").upper()[:1]
        if code in GROUP_STATUSES:
            continue
        inventory = parts.get("b")
        barcode = parts.get("h")
        items.append(
            Item(
                item_key=barcode or inventory or f"910#{position}",
                location_code=parts.get("d"),
                barcode=barcode,
                inventory_number=inventory,
                status=IRBIS_STATUS.get(code, ItemStatus.UNAVAILABLE),
            )
        )
    return items


def call_number(fields: Fields) -> str | None:
    """The shelf mark readers look for: 906 (classification) and 908 (author sign)."""
    return " ".join(v for v in (_first(fields, "906", ""), _first(fields, "908", "")) if v) or None


def from_fields(pairs: Iterable[tuple[int | str, str]]) -> BibRecord | SkipRecord:
    """A record's (tag, value) pairs — from a master file or the server — mapped exactly
    as the text export's are."""
    fields: Fields = {}
    for tag, value in pairs:
        fields.setdefault(str(int(tag)), []).append(value)
    return _finish(fields, 0)


def to_record(fields: Fields) -> BibRecord:
    title = clean(_first(fields, "200", "a"))
    volume = clean(_first(fields, "200", "v"))
    whole = clean(_first(fields, "461", "c"))
    if not title and not whole:
        raise SkipRecord("no title (200 ^A)")
    if whole and (not title or volume):
        title = ". ".join(p for p in (whole, volume, title) if p)
    authors = [a for tag in ("700", "701", "961") for a in map(_author, fields.get(tag, [])) if a]
    isbns = [n for n in (isbn13(v) for v in [_first(fields, "10", "a") or ""]) if n]
    call = call_number(fields)
    items = _items(fields)
    for item in items:
        item.call_number = item.call_number or call
    control = (fields.get("903") or [None])[0]
    return BibRecord(
        source_format="irbis",
        control_number=control.strip() if control else None,
        title=title or "",
        subtitle=clean(_first(fields, "200", "e")),
        authors=list(dict.fromkeys(authors)),
        series=clean(_first(fields, "225", "a")),
        subjects=[s for v in fields.get("606", []) if (s := clean(subfields(v).get("a")))],
        publisher=clean(_first(fields, "210", "c")),
        year=year_of(_first(fields, "210", "d")),
        isbns=isbns,
        items=items,
    )


def text_encoding(path: Path, given: str | None) -> str:
    """The given encoding, else UTF-8 when the start of the file is UTF-8, else CP1251."""
    if given:
        return given
    with path.open("rb") as handle:
        return "utf-8-sig" if is_utf8(handle.read(200_000)) else "cp1251"


def read_irbis(path: Path, *, encoding: str | None = None) -> Iterator[BibRecord | SkipRecord]:
    fields: Fields = {}
    broken = 0
    with path.open(encoding=text_encoding(path, encoding), errors="replace") as lines:
        for line in lines:
            line = line.rstrip("\r\n")
            if line.strip() == SEPARATOR:
                if fields or broken:
                    yield _finish(fields, broken)
                fields, broken = {}, 0
                continue
            if not line.strip():
                continue
            match = _FIELD.match(line)
            if match is None:
                broken += 1
                continue
            fields.setdefault(str(int(match.group(1))), []).append(match.group(2))
    if fields or broken:
        yield _finish(fields, broken)


def _finish(fields: Fields, broken: int) -> BibRecord | SkipRecord:
    if not fields:
        return SkipRecord("damaged record: no #tag: lines")
    try:
        return to_record(fields)
    except SkipRecord as skip:
        return skip
