"""Field 910 — a title's exemplars — read live for the catalogue card.

    910: ^a0^b1759089^dФ104^h0001234      one copy: status, inventory, place, barcode
    910: ^aU^dАб^1 5^2 3                   a non-inventory group: 5 copies, 3 lent

^a is the status: 0 on the shelf, 1 on loan, 2 expected, 3 at the bindery, 4 lost,
5 not lent, 6 written off, 9 on the reserve shelf, U a group of copies without
inventory numbers (^1 how many, ^2 how many lent). Other group statuses (C, P, R) are
the acquisitions department's, not copies a reader can take.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from storage.catalogue.irbis import IRBIS_STATUS
from storage.catalogue.records import ItemStatus
from storage.circulation.irbis import values

GROUP = "U"


@dataclass(frozen=True, slots=True)
class Exemplar:
    """One 910: a copy, or a group of `total` copies of which `lent` are out."""

    status: ItemStatus
    place: str = ""
    inventory: str = ""
    barcode: str = ""
    total: int = 1
    lent: int = 0
    due: date | None = None


def _count(text: str | None) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0


def exemplar(value: str) -> Exemplar | None:
    """The copy (or group) a 910 describes; None for acquisitions' group records."""
    code = (values.sub(value, "a") or "0").upper()[:1]
    place = values.sub(value, "d") or ""
    if code == GROUP:
        total = _count(values.sub(value, "1"))
        lent = min(_count(values.sub(value, "2")), total)
        return Exemplar(ItemStatus.AVAILABLE, place, total=total, lent=lent)
    if code in "CPR":
        return None
    return Exemplar(
        IRBIS_STATUS.get(code, ItemStatus.UNAVAILABLE),
        place,
        inventory=values.sub(value, "b") or "",
        barcode=values.sub(value, "h") or "",
    )


def exemplars(fields: Sequence[str]) -> list[Exemplar]:
    found = (exemplar(value) for value in fields)
    return [copy for copy in found if copy is not None]
