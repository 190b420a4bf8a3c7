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


def _raw_records(path: Path) -> Iterator[bytes]:
    """ISO 2709 records one by one, reading the file in blocks (exports run to gigabytes)."""
    with path.open("rb") as handle:
        tail = b""
        while block := handle.read(1 << 20):
            parts = (tail + block).split(RECORD_END)
            tail = parts.pop()
            yield from parts
        if tail:
            yield tail


def read_iso2709(
    path: Path, *, flavour: str | None = None, encoding: str | None = None
) -> Iterator[BibRecord | SkipRecord]:
    """Records of an ISO 2709 file; a damaged one becomes a SkipRecord with the reason."""
    if encoding is None:
        with path.open("rb") as handle:
            encoding = detect_encoding(handle.read(200_000))
    for chunk in _raw_records(path):
        if not chunk.strip(b"\r\n \x00\x1a"):
            continue
        raw = chunk.lstrip(b"\r\n") + RECORD_END
        try:
            record = parse_raw(raw, encoding)
        except (
            pymarc.exceptions.PymarcException,
            ValueError,
            UnicodeDecodeError,
            IndexError,
        ) as exc:
            yield SkipRecord(f"damaged record: {type(exc).__name__}")
            continue
        try:
            yield convert(record, flavour)
        except SkipRecord as skip:
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
