"""Reading IRBIS field text the way the desk types it.

Subfield codes are case-insensitive (text exports write `^A`, the server often `^a`) and
values often carry stray spaces; dates are YYYYMMDD. The record model itself
(`storage.irbis64.records.Field`) keeps the text exactly as stored, so a field the bot
rewrites keeps every subfield it does not change.
"""

from __future__ import annotations

import re
from datetime import date

from storage.irbis64.records import Field

NOT_RETURNED = "******"  # 40^f while the book is still with the reader


def sub(value: str, code: str) -> str | None:
    """Subfield `code` of a field's text, stripped; None when absent or empty."""
    found = Field(0, value).sub(code)
    return found.strip() or None if found is not None else None


def parse_date(text: str | None) -> date | None:
    """IRBIS dates are YYYYMMDD; anything else is no date."""
    if not text or not re.fullmatch(r"\d{8}", text.strip()):
        return None
    text = text.strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def irbis_date(day: date) -> str:
    return f"{day:%Y%m%d}"
