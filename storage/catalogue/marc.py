"""MARC 21 and RUSMARC records (ISO 2709 or MARCXML) read with pymarc.

Flavour is told by the fields present (245 → MARC 21, 200 → RUSMARC). Encoding of
ISO 2709 files is detected from the bytes, because leaders lie: a Russian export
often says MARC-8 (leader/09 blank) while the data is CP1251.
"""

from __future__ import annotations

import codecs
import re
import warnings
import xml.sax
import xml.sax.handler
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import BinaryIO

import pymarc

from storage.catalogue.records import (
    BibRecord,
    Item,
    ItemStatus,
    SkipRecord,
    clean,
    isbn13,
    year_of,
)

RECORD_END = b"\x1d"
ENCODINGS = ("utf-8", "cp1251", "marc-8")


def is_utf8(sample: bytes) -> bool:
    """Whether a sample (possibly cut mid-character at its end) is UTF-8."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """UTF-8 if the bytes decode as UTF-8; MARC-8 if they use its escapes; else CP1251."""
    if is_utf8(sample):
        return "utf-8"
    if b"\x1b(N" in sample or b"\x1b$1" in sample or b"\x1b(B" in sample:
        return "marc-8"
    return "cp1251"


def _field(record: pymarc.Record, tag: str) -> pymarc.Field | None:
    found = record.get_fields(tag)
    return found[0] if found else None


def _subfield(field: pymarc.Field, code: str) -> str | None:
    values = (
        field.get_subfields(code, code.upper()) if code.isalpha() else field.get_subfields(code)
    )
    return values[0].strip() if values else None


def _all(record: pymarc.Record, tags: tuple[str, ...], code: str) -> list[str]:
    found = []
    for field in record.get_fields(*tags):
        value = _subfield(field, code)
        if value:
            found.append(value)
    return found


def _isbns(record: pymarc.Record, tag: str) -> list[str]:
    result = []
    for raw in _all(record, (tag,), "a"):
        normal = isbn13(raw)
        if normal and normal not in result:
            result.append(normal)
    return result


def _date(text: str | None) -> date | None:
    if not text:
        return None
    match = re.search(r"(\d{4})-?(\d{2})-?(\d{2})", text)
    if not match:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _control_number(record: pymarc.Record) -> str | None:
    field = _field(record, "001")
    return field.data.strip() if field is not None and field.data else None


# --- MARC 21 ------------------------------------------------------------------------


def _marc21_author(field: pymarc.Field) -> str | None:
    name = _subfield(field, "a")
    return clean(name.rstrip(",")) if name else None


def _koha_status(field: pymarc.Field) -> tuple[ItemStatus, date | None]:
    """Koha 952: $0 withdrawn, $1 lost, $7 not for loan, $q due date (on loan)."""
    if (_subfield(field, "0") or "0") not in ("0", ""):
        return ItemStatus.WITHDRAWN, None
    if (_subfield(field, "1") or "0") not in ("0", ""):
        return ItemStatus.LOST, None
    due = _date(_subfield(field, "q"))
    if due is not None:
        return ItemStatus.ON_LOAN, due
    not_for_loan = _subfield(field, "7") or "0"
    if not_for_loan not in ("0", ""):
        return (
            ItemStatus.READING_ROOM if not_for_loan in ("1", "-1") else ItemStatus.UNAVAILABLE
        ), None
    return ItemStatus.AVAILABLE, None


def _marc21_items(record: pymarc.Record) -> list[Item]:
    items: list[Item] = []
    for position, field in enumerate(record.get_fields("952"), start=1):
        status, due = _koha_status(field)
        barcode = _subfield(field, "p")
        items.append(
            Item(
                item_key=barcode or f"952#{position}",
                location_code=_subfield(field, "b") or _subfield(field, "a"),
                call_number=_subfield(field, "o"),
                barcode=barcode,
                inventory_number=_subfield(field, "i"),
                status=status,
                due_date=due,
            )
        )
    for position, field in enumerate(record.get_fields("852"), start=1):
        barcode = _subfield(field, "p")
        call = " ".join(v for v in (_subfield(field, "h"), _subfield(field, "i")) if v) or None
        items.append(
            Item(
                item_key=barcode or f"852#{position}",
                location_code=_subfield(field, "b") or _subfield(field, "a"),
                call_number=call,
                barcode=barcode,
                status=ItemStatus.AVAILABLE,
            )
        )
    return items


def from_marc21(record: pymarc.Record) -> BibRecord:
    title_field = _field(record, "245")
    title = clean(_subfield(title_field, "a")) if title_field else None
    if not title:
        raise SkipRecord("no title (245 $a)")
    authors = [
        a for a in (_marc21_author(f) for f in record.get_fields("100", "110", "700", "710")) if a
    ]
    imprint = _field(record, "264") or _field(record, "260")
    return BibRecord(
        source_format="marc21",
        control_number=_control_number(record),
        title=title,
        subtitle=clean(_subfield(title_field, "b")),
        authors=list(dict.fromkeys(authors)),
        series=clean((_all(record, ("490", "830"), "a") or [None])[0]),
        subjects=[
            s for s in (clean(v) for v in _all(record, ("650", "600", "651", "655"), "a")) if s
        ],
        publisher=clean(_subfield(imprint, "b")) if imprint else None,
        year=year_of(_subfield(imprint, "c")) if imprint else None,
        isbns=_isbns(record, "020"),
        items=_marc21_items(record),
    )


# --- RUSMARC -----------------------------------------------------------------------


def _rusmarc_author(field: pymarc.Field) -> str | None:
    surname = _subfield(field, "a")
    if not surname:
        return None
    initials = _subfield(field, "b") or ""
    return clean(f"{surname}, {initials}" if initials else surname)


def _rusmarc_items(record: pymarc.Record) -> list[Item]:
    """RUSMARC 899 holdings: $a library, $b sub-location, $j shelfmark, $p barcode, $x inventory."""
    items: list[Item] = []
    for position, field in enumerate(record.get_fields("899"), start=1):
        barcode = _subfield(field, "p")
        inventory = _subfield(field, "x")
        items.append(
            Item(
                item_key=barcode or inventory or f"899#{position}",
                location_code=_subfield(field, "b") or _subfield(field, "a"),
                call_number=_subfield(field, "j"),
                barcode=barcode,
                inventory_number=inventory,
                status=ItemStatus.AVAILABLE,
            )
        )
    for position, field in enumerate(record.get_fields("852"), start=1):
        barcode = _subfield(field, "p")
        items.append(
            Item(
                item_key=barcode or f"852#{position}",
                location_code=_subfield(field, "b") or _subfield(field, "a"),
                call_number=_subfield(field, "j") or _subfield(field, "h"),
                barcode=barcode,
            )
        )
    return items


def from_rusmarc(record: pymarc.Record) -> BibRecord:
    title_field = _field(record, "200")
    title = clean(_subfield(title_field, "a")) if title_field else None
    if not title:
        # A volume of a multi-part work: «Вып. 13» is only meaningful with the whole's title.
        parent = _field(record, "461")
        whole = clean(_subfield(parent, "a")) if parent else None
        volume = (
            clean(_subfield(title_field, "h") or _subfield(title_field, "v"))
            if title_field
            else None
        )
        if not whole:
            raise SkipRecord("no title (200 $a)")
        title = whole if not volume else f"{whole}. {volume}"
    elif _field(record, "461") is not None:
        whole = clean(_subfield(_field(record, "461"), "a"))
        if whole and len(title) < 20:
            title = f"{whole}. {title}"
    authors = [a for a in (_rusmarc_author(f) for f in record.get_fields("700", "701", "702")) if a]
    imprint = _field(record, "210")
    return BibRecord(
        source_format="rusmarc",
        control_number=_control_number(record),
        title=title,
        subtitle=clean(_subfield(title_field, "e")) if title_field else None,
        authors=list(dict.fromkeys(authors)),
        series=clean((_all(record, ("225",), "a") or [None])[0]),
        subjects=[s for s in (clean(v) for v in _all(record, ("606", "600", "610"), "a")) if s],
        publisher=clean(_subfield(imprint, "c")) if imprint else None,
        year=year_of(_subfield(imprint, "d")) if imprint else None,
        isbns=_isbns(record, "010"),
        items=_rusmarc_items(record),
    )


def convert(record: pymarc.Record, flavour: str | None) -> BibRecord:
    if flavour == "rusmarc" or (
        flavour is None and _field(record, "245") is None and _field(record, "200") is not None
    ):
        return from_rusmarc(record)
    return from_marc21(record)


# --- files -------------------------------------------------------------------------


def parse_raw(raw: bytes, encoding: str) -> pymarc.Record:
    """Parse one ISO 2709 record in a known encoding, whatever its leader claims."""
    if encoding == "utf-8":
        options = {"force_utf8": True}
    else:
        # Leader/09 'a' would make pymarc decode as UTF-8: tell it the truth instead.
        raw = raw[:9] + b" " + raw[10:]
        options = {"file_encoding": "iso8859-1" if encoding == "marc-8" else encoding}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # odd subfield codes are repaired by pymarc
        return pymarc.Record(data=raw, to_unicode=True, **options)


MAX_RECORD = 99_999  # ISO 2709: five digits of record length, the terminator included
READ_SIZE = 1 << 16
LEADER = 24
BLANK = b"\r\n \x00\x1a"  # line breaks, padding and a DOS end-of-file between records
OVERLONG = (
    f"damaged record: no record terminator within {MAX_RECORD:,} bytes "
    "(the ISO 2709 maximum); skipped to the next terminator"
)


def _frames(stream: BinaryIO) -> Iterator[tuple[int, bytes] | SkipRecord]:
    """Each record's bytes (terminator left off) with its byte offset, read in small pieces.

    The terminator is looked for at most MAX_RECORD bytes past a record's start: a record
    without one there cannot be ISO 2709, so it becomes a SkipRecord and reading resumes
    after the next terminator. Memory stays under MAX_RECORD + READ_SIZE whatever the file
    holds; a file without terminators once grew the import past twice its size (#18).
    The last record may lack its terminator: the parser judges it by its leader.
    """
    buffer = b""
    base = 0  # file offset of buffer[0]
    start = 0  # where the current record starts in buffer (or the search resumes, skipping)
    skipping = False
    while True:
        limit = len(buffer) if skipping else min(len(buffer), start + MAX_RECORD)
        end = buffer.find(RECORD_END, start, limit)
        if end >= 0:
            if not skipping:
                yield base + start, buffer[start:end]
            skipping = False
            start = end + 1
            continue
        if skipping:
            start = len(buffer)
        elif len(buffer) - start >= MAX_RECORD:
            yield SkipRecord(OVERLONG, where=f"byte {base + start}")
            skipping = True
            start += MAX_RECORD  # searched already
        block = stream.read(READ_SIZE)
        if not block:
            if not skipping and start < len(buffer):
                yield base + start, buffer[start:]
            return
        base += start
        buffer = buffer[start:] + block
        start = 0


def _framing_problem(raw: bytes) -> str | None:
    """What is wrong with a record's leader before pymarc sees it (pymarc needs the length)."""
    if len(raw) < LEADER:
        return f"damaged record: shorter than its {LEADER}-byte leader"
    if not raw[:5].isdigit():
        return "damaged record: the leader's record length is not 5 digits"
    return None


def _diagnosis(raw: bytes, exc: Exception, encoding: str) -> str:
    """Why pymarc refused a record, in words that say what is wrong with the file."""
    base = raw[12:17]
    if int(raw[:5]) > len(raw) + 1:
        return "damaged record: truncated (shorter than its leader says)"
    if not base.isdigit() or not LEADER < int(base) <= len(raw):
        return "damaged record: the leader's base address of data is outside the record"
    directory = raw[LEADER : int(base) - 1]
    if len(directory) % 12 or not all(
        directory[entry + 3 : entry + 12].isdigit() for entry in range(0, len(directory), 12)
    ):
        return "damaged record: its directory is damaged"
    if isinstance(exc, UnicodeDecodeError):
        return f"damaged record: its text is not {encoding} (see --encoding)"
    return f"damaged record: unreadable ({type(exc).__name__})"


def read_iso2709(
    path: Path, *, flavour: str | None = None, encoding: str | None = None
) -> Iterator[BibRecord | SkipRecord]:
    """Records of an ISO 2709 file; a damaged one becomes a SkipRecord with the reason.

    Each SkipRecord says where: the record's number and its byte offset (`dd skip=`,
    a hex viewer), so the exporting system's record can be found.
    """
    if encoding is None:
        with path.open("rb") as handle:
            encoding = detect_encoding(handle.read(200_000))
    number = 0
    with path.open("rb") as handle:
        for frame in _frames(handle):
            number += 1
            if isinstance(frame, SkipRecord):
                frame.where = f"#{number} at {frame.where}"
                yield frame
                continue
            offset, chunk = frame
            if not chunk.strip(BLANK):
                number -= 1
                continue
            raw = chunk.lstrip(b"\r\n")
            where = f"#{number} at byte {offset + len(chunk) - len(raw)}"
            problem = _framing_problem(raw)
            if problem:
                yield SkipRecord(problem, where=where)
                continue
            try:
                record = parse_raw(raw + RECORD_END, encoding)
            except (
                pymarc.exceptions.PymarcException,
                ValueError,
                UnicodeDecodeError,
                IndexError,
            ) as exc:
                yield SkipRecord(_diagnosis(raw, exc, encoding), where=where)
                continue
            try:
                yield convert(record, flavour)
            except SkipRecord as skip:
                skip.where = where
                yield skip


def read_marcxml(path: Path, *, flavour: str | None = None) -> Iterator[BibRecord | SkipRecord]:
    """Records of a MARCXML file, parsed as a stream (pymarc's SAX handler)."""
    pending: list[pymarc.Record] = []
    handler = pymarc.XmlHandler()
    handler.process_record = pending.append  # type: ignore[method-assign]
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 16):
                parser.feed(block)
                yield from _converted(pending, flavour)
            parser.close()
    except xml.sax.SAXException as exc:
        yield SkipRecord(f"not well-formed MARCXML: {exc.getMessage()}")
    yield from _converted(pending, flavour)


def _converted(
    pending: list[pymarc.Record], flavour: str | None
) -> Iterator[BibRecord | SkipRecord]:
    while pending:
        record = pending.pop(0)
        try:
            yield convert(record, flavour)
        except SkipRecord as skip:
            yield skip
