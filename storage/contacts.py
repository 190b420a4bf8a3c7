"""Checking what people type as a phone number or an e-mail address."""

from __future__ import annotations

import re

_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


def clean_contact(text: str) -> str | None:
    """A phone number (10–15 digits, a leading + kept) or an e-mail; None if neither.

    Russian numbers typed as 8 900 … become +7 900 …, so the same person matches.
    """
    text = text.strip()
    if _EMAIL.match(text) and len(text) <= 200:
        return text.lower()
    if re.fullmatch(r"[+\d\s()\-.]{10,25}", text):
        digits = re.sub(r"\D", "", text)
        if len(digits) == 11 and digits.startswith("8") and not text.startswith("+"):
            digits = "7" + digits[1:]
        if 10 <= len(digits) <= 15:
            return "+" + digits if len(digits) > 10 else digits
    return None
