"""MARC 21 and RUSMARC records (pymarc's) as the catalogue's `BibRecord`.

Flavour is told by the fields present (245 → MARC 21, 200 → RUSMARC). Holdings come from
Koha's 952 or the standard 852 (MARC 21), and RUSMARC's 899 or 852.
"""

from __future__ import annotations

import re
from datetime import date

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
