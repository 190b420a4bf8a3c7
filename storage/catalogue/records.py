"""What every reader produces: a format-neutral bibliographic record with its copies."""

from __future__ import annotations

import enum
import hashlib
import re
from dataclasses import dataclass, field
from datetime import date


class ItemStatus(enum.StrEnum):
    """The status vocabulary readers see, whatever the library system calls it."""

    AVAILABLE = "available"  # на полке
    ON_LOAN = "on_loan"  # выдан (до даты возврата)
    RESERVED = "reserved"  # забронирован / на полке бронирования
    IN_TRANSIT = "in_transit"  # в пути между филиалами
    READING_ROOM = "reading_room"  # только в читальном зале
    UNAVAILABLE = "unavailable"  # временно не выдаётся (переплёт, обработка)
    LOST = "lost"  # утерян — readers do not see it
    WITHDRAWN = "withdrawn"  # списан — readers do not see it


HIDDEN_STATUSES = frozenset({ItemStatus.LOST, ItemStatus.WITHDRAWN})


@dataclass(slots=True)
class Item:
    item_key: str
    location_code: str | None = None
    call_number: str | None = None
    barcode: str | None = None
    inventory_number: str | None = None
    status: ItemStatus = ItemStatus.AVAILABLE
    due_date: date | None = None


@dataclass(slots=True)
class BibRecord:
    source_format: str
    control_number: str | None
    title: str
    subtitle: str | None = None
    authors: list[str] = field(default_factory=list)
    series: str | None = None
    subjects: list[str] = field(default_factory=list)
    publisher: str | None = None
    year: str | None = None
    isbns: list[str] = field(default_factory=list)  # normalised ISBN-13
    items: list[Item] = field(default_factory=list)

    @property
    def source_key(self) -> str:
        """Idempotent re-import key: control number (001), else ISBN + title."""
        if self.control_number:
            return f"001:{self.control_number.strip()}"[:300]
        title = re.sub(r"\W+", " ", self.title.casefold()).strip()
        return f"isbn:{self.isbns[0] if self.isbns else '-'}|{title}"[:300]

    def content_hash(self) -> str:
        """Changes when anything a reader could see changes: skip unchanged records fast."""
        parts = [
            self.title,
            self.subtitle or "",
            "|".join(self.authors),
            self.series or "",
            "|".join(self.subjects),
            self.publisher or "",
            self.year or "",
            " ".join(self.isbns),
        ]
        for item in self.items:
            parts.append(
                f"{item.item_key}/{item.location_code}/{item.call_number}/{item.barcode}/"
                f"{item.inventory_number}/{item.status}/{item.due_date}"
            )
        return hashlib.sha1("\x1f".join(parts).encode(), usedforsecurity=False).hexdigest()


def scrub(record: BibRecord) -> BibRecord:
    """Drop NUL characters: PostgreSQL refuses them in text, and they are never meant."""

    def text(value: str | None) -> str | None:
        return value.replace("\x00", "") if value and "\x00" in value else value

    record.title = text(record.title) or ""
    record.subtitle, record.series = text(record.subtitle), text(record.series)
    record.publisher, record.year = text(record.publisher), text(record.year)
    record.control_number = text(record.control_number)
    record.authors = [a.replace("\x00", "") for a in record.authors]
    record.subjects = [a.replace("\x00", "") for a in record.subjects]
    for item in record.items:
        item.item_key = text(item.item_key) or ""
        item.location_code, item.call_number = text(item.location_code), text(item.call_number)
        item.barcode, item.inventory_number = text(item.barcode), text(item.inventory_number)
    return record


class SkipRecord(Exception):
    """A record that cannot be imported; the message is the reason shown in the summary.

    Reasons are counted, so the place stays out of them (a million damaged records make
    one counted line, not a million); `where` is the place in the file when the reader
    knows it better than a record number ("byte 1234", "line 5"), shown with the examples.
    """

    def __init__(self, reason: str, *, where: str | None = None) -> None:
        super().__init__(reason)
        self.where = where


_ISBN_CHARS = re.compile(r"[^0-9Xx]")


def isbn13(raw: str) -> str | None:
    """Normalise an ISBN-10 or -13 (dashes, spaces, trailing price text) to ISBN-13."""
    match = re.search(r"(97[89][\d\- ]{10,16}|[\d][\d\- ]{8,12}[\dXx])", raw)
    if not match:
        return None
    digits = _ISBN_CHARS.sub("", match.group(1)).upper()
    if len(digits) == 10:
        core = "978" + digits[:9]
    elif len(digits) == 13 and digits[:3] in ("978", "979"):
        core = digits[:12]
    else:
        return None
    check = (10 - sum((1 if i % 2 == 0 else 3) * int(d) for i, d in enumerate(core)) % 10) % 10
    return core + str(check)


def clean(text: str | None) -> str | None:
    """Trim ISBD punctuation MARC leaves at field ends (« /», « :», «.»)."""
    if text is None:
        return None
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s*[/:;,=]\s*$", "", text)
    if text.endswith(".") and not re.search(r"\b\w\.$", text):
        text = text[:-1]
    return text or None


def year_of(text: str | None) -> str | None:
    if not text:
        return None
    match = re.search(r"\b(1[5-9]\d\d|20\d\d)\b", text)
    return match.group(1) if match else None
