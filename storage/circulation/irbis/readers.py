"""What the reader database (RDR) says about a reader: who, and how they prove it.

10 surname, 11 name, 12 patronymic, 17 phone, 21 birth date (YYYYMMDD or a year),
30 ticket, 40 loans (`loans`), and the password in the field the library names
(`[library_system.irbis64] password_field`, stock RDR: 130).
"""

from __future__ import annotations

import hmac
import re

from storage.circulation.base import SurnameAndYear, same_surname
from storage.circulation.irbis import values


def birth_year(value: str | None) -> int | None:
    """Field 21 holds a date (19850312), a year (1985) or a date typed at the desk
    (12.03.1985): the four-digit year in it."""
    if not value:
        return None
    text = value.strip()
    if re.fullmatch(r"\d{8}", text):
        return int(text[:4])
    years = re.findall(r"(?<!\d)(1[89]\d\d|20\d\d)(?!\d)", text)
    return int(years[0]) if len(years) == 1 else None


def identity_ok(surname: str | None, birth: str | None, given: SurnameAndYear) -> bool:
    return (
        surname is not None
        and same_surname(given.surname, surname)
        and birth_year(birth) == given.year
    )


def password_ok(stored: str | None, given: str) -> bool:
    """Compared in constant time; an empty password never matches."""
    if not stored or not given:
        return False
    return hmac.compare_digest(stored.strip().encode(), given.strip().encode())


def field_spec(spec: str) -> tuple[str, str | None]:
    """`130` → ('130', None); `130^a` → ('130', 'a')."""
    tag, _, code = spec.partition("^")
    return tag, code or None


def in_field(value: str | None, code: str | None) -> str | None:
    """A whole field's text, or one of its subfields."""
    if value is None:
        return None
    return values.sub(value, code) if code else value.strip() or None


_GROUPINGS = (
    "{a}{b}{c}{d}",
    "({a}) {b}-{c}-{d}",
    "({a}){b}-{c}-{d}",
    "({a}) {b} {c} {d}",
    "{a} {b}-{c}-{d}",
    "{a} {b} {c} {d}",
    "{a}-{b}-{c}-{d}",
)
_COUNTRY = ("", "8", "7", "+7", "8 ", "7 ", "+7 ", "8-", "+7-")


def phone_spellings(digits: str) -> list[str]:
    """How a desk may have typed a number (its ten national digits) into field 17: an IRBIS
    dictionary holds the text as typed, so a search asks for the usual spellings at once
    (+7 / 8, brackets, dashes, spaces)."""
    parts = {"a": digits[:3], "b": digits[3:6], "c": digits[6:8], "d": digits[8:]}
    found = [country + grouping.format(**parts) for country in _COUNTRY for grouping in _GROUPINGS]
    return list(dict.fromkeys(spelling.replace("- ", "-") for spelling in found))


def full_name(*parts: str | None) -> str | None:
    """«Анна Петрова» from fields 11 and 10 (the patronymic stays at the desk)."""
    name = " ".join(p.strip() for p in parts if p and p.strip())
    return name or None
