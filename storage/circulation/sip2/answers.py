"""What an ACS's SIP2 answers mean for the reader: refusals, dates, holds placed or not.

ACSs put their reasons in free-text screen messages and their dates in several shapes;
this module reads both into `base` values and knows nothing of the connection.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from typing import TypeVar

from pysip2 import HoldResponse, PatronStatusResponse, RenewAllResponse, RenewResponse

from storage.circulation.base import (
    HoldOutcome,
    HoldPlacement,
    HoldRefusal,
    Patron,
    Refusal,
)

Reason = TypeVar("Reason", Refusal, HoldRefusal)

# Patron status flags (14 chars, 'Y' = set).
_CHARGE_DENIED, _RENEWAL_DENIED, _CARD_LOST = 0, 1, 4
_EXCESSIVE_FINES, _EXCESSIVE_FEES = 10, 11


def _stems(*pairs: tuple[Reason, str]) -> tuple[tuple[Reason, re.Pattern[str]], ...]:
    return tuple((reason, re.compile(pattern)) for reason, pattern in pairs)


def _first_reason(
    table: tuple[tuple[Reason, re.Pattern[str]], ...], text: str | None
) -> Reason | None:
    folded = (text or "").casefold().replace("ё", "е")
    return next((reason for reason, pattern in table if pattern.search(folded)), None)


# Screen messages are free text; these stems cover what ACSs say in English and Russian.
# Order matters: the first reason that matches wins.
_REASONS = _stems(
    (Refusal.NOT_ON_LOAN, r"not (?:checked out|charged|on loan)|\bне выда"),
    # Before TOO_MANY: "fines exceed the limit" is about money, not renewals.
    (Refusal.DEBTS, r"\bfines?\b|\bfees?\b|\bdebt|\bзадолж|\bштраф"),
    (Refusal.TOO_MANY, r"\blimit|too many|\bmaximum|\bмаксимальн|\bлимит"),
    (Refusal.RESERVED, r"\bhold|\breserv|\bбронь|\bброни|\bзаброни|\bочеред"),
    (Refusal.OVERDUE, r"\boverdue|\bпросроч"),
    (Refusal.BLOCKED, r"\bblock|\bexpired|\bзаблок|\bблокир|\bистек"),
    (Refusal.TOO_SOON, r"too soon|not yet|\bрано\b"),
    (Refusal.AT_DESK, r"\bdesk|\bstaff|\bкафедр|\bбиблиотекар"),
)
NOT_SUPPORTED = re.compile(r"not supported|unsupported|не поддерж")
# Why an ACS refused a hold, from its screen message; the first that matches wins.
_HOLD_REASONS = _stems(
    (HoldRefusal.ALREADY_HELD, r"already (?:has a |on )?(?:hold|reserv)|\bуже забронир"),
    (HoldRefusal.HAVE_IT, r"already (?:has|checked out|charged)|\bуже (?:выдан|на руках)"),
    (HoldRefusal.BLOCKED, r"\bblock|\bexpired|\bfines?\b|\bfees?\b|\bdebt|\bзаблок|\bзадолж"),
    (HoldRefusal.TOO_MANY, r"too many|\blimit|\bmaximum|\bлимит|\bмаксимальн"),
    (HoldRefusal.PICKUP, r"transfer|pickup|pick-up|\bпункт выдачи|\bперемещ"),
    (HoldRefusal.NOT_HOLDABLE, r"not (?:allowed|holdable|reservable)|cannot be (?:held|res)"),
)
_UNKNOWN_ITEM = re.compile(r"no such item|item not found|unknown item|не найден")

_SIP_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})(?:[ A-Z]{4}(?:\d{6})?)?")
_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ].*)?")
_DOTTED_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,T].*)?")


def screen_refusal(text: str | None) -> Refusal | None:
    """The reader's reason hidden in an ACS screen message, or None when it names none."""
    return _first_reason(_REASONS, text)


def hold_refusal(text: str | None) -> HoldRefusal | None:
    """The reader's reason in an ACS's refusal of a hold, or None when it names none."""
    return _first_reason(_HOLD_REASONS, text)


def parse_sip_date(text: str | None) -> date | None:
    """A due or pickup date as ACSs write it; None when it is not one we can read.

    SIP2 prescribes YYYYMMDDZZZZHHMMSS, but systems also send ISO dates and datetimes
    or the Russian DD.MM.YYYY.
    """
    text = (text or "").strip()
    try:
        if match := _SIP_DATE.fullmatch(text) or _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _DOTTED_DATE.fullmatch(text):
            return date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:  # 2025-02-30 and the like
        return None
    return None


def card_refusal(patron_status: str) -> Refusal | None:
    """Why the whole card cannot renew, from the 14 patron status flags.

    ACSs deny charging and renewing when fines pass the limit, so the fines flags are
    looked at before the privilege flags: «долги» tells the reader what to do.
    """

    def flag(position: int) -> bool:
        return patron_status[position : position + 1] == "Y"

    if flag(_CARD_LOST):
        return Refusal.BLOCKED
    if flag(_EXCESSIVE_FINES) or flag(_EXCESSIVE_FEES):
        return Refusal.DEBTS
    if flag(_CHARGE_DENIED) or flag(_RENEWAL_DENIED):
        return Refusal.BLOCKED
    return None


def screen_message(reply: RenewResponse | RenewAllResponse | HoldResponse) -> str | None:
    """The screen message (AF) lines as one text: what the ACS would show the reader."""
    lines = [line.strip() for line in reply.screen_message if line.strip()]
    return " ".join(lines) or None


def queue_length(text: str | None) -> int:
    text = (text or "").strip()
    return int(text) if text.isdigit() else 0


def unique(*groups: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(item for group in groups for item in group if item))


def valid_patron(reply: PatronStatusResponse) -> bool:
    """BL says whether the patron exists; ACSs that omit it still name a real patron."""
    if reply.valid_patron is not None:
        return reply.valid_patron == "Y"
    return bool(reply.personal_name.strip())


def placement(reply: HoldResponse, barcode: str | None, patron: Patron) -> HoldPlacement:
    """What became of a hold (15) the ACS answered."""
    message = screen_message(reply)
    if reply.ok == "1":
        queue = (reply.queue_position or "").strip()
        return HoldPlacement(
            HoldOutcome.PLACED,
            ref=(reply.item_identifier or barcode or "").strip() or None,
            queue_position=int(queue) if queue.isdigit() and int(queue) else None,
            detail=message,
        )
    folded = (message or "").casefold()
    if NOT_SUPPORTED.search(folded):
        return HoldPlacement(HoldOutcome.NOT_SUPPORTED, detail=message)
    if _UNKNOWN_ITEM.search(folded):
        return HoldPlacement(HoldOutcome.UNKNOWN_BOOK, detail=message)
    blocked = HoldRefusal.BLOCKED if patron.refusal is not None else None
    refusal = hold_refusal(message) or blocked or HoldRefusal.RULES
    return HoldPlacement(HoldOutcome.REFUSED, refusal=refusal, detail=message)
