"""What libbot needs from a library system, whatever system it is.

A connector (`local`, `koha`, `sip2`) turns its system's answers into these plain
values. Everything the reader sees is decided from them: a refusal is a `Refusal`
reason rendered in plain Russian by the handlers, never the system's own jargon
(the system's text is kept in `detail` for staff and for «по правилам библиотеки»).

Failure contract, the same for every connector:
- `SystemUnavailable` — the system could not be asked (down, timeout before the
  request was sent, garbage answer). Nothing changed; the reader is told to try later.
- A renewal whose request went out but whose answer never came is not an exception:
  it is a `Renewal` with outcome `UNCONFIRMED`, and it is never retried blindly.
- Placing a hold (`PlacesHolds`, optional) follows the same contract: its result is a
  `HoldPlacement` whatever happened, never an exception.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol, runtime_checkable


class SystemUnavailable(Exception):
    """The library system did not answer; nothing was changed."""


class Verification(enum.StrEnum):
    """How a reader proves a ticket is theirs."""

    PASSWORD = "password"  # PIN / password kept by the library system
    SURNAME_BIRTH_YEAR = "surname_birth_year"
    DESK_CODE = "desk_code"  # a one-time code staff give at the desk (kept by libbot)


class Refusal(enum.StrEnum):
    """Why a loan cannot be renewed, in the reader's terms."""

    TOO_MANY = "too_many"  # renewals used up
    RESERVED = "reserved"  # another reader is waiting for it
    OVERDUE = "overdue"  # overdue too long to renew remotely
    DEBTS = "debts"  # fines / debts on the card
    BLOCKED = "blocked"  # card blocked or expired
    TOO_SOON = "too_soon"  # renewal not open yet
    AT_DESK = "at_desk"  # must be shown at the desk (on-site loan, damaged, …)
    NOT_ON_LOAN = "not_on_loan"  # returned meanwhile
    RULES = "rules"  # «по правилам библиотеки»: a reason the system did not explain


class Outcome(enum.StrEnum):
    RENEWED = "renewed"
    REFUSED = "refused"
    UNAVAILABLE = "unavailable"  # the system could not be asked: nothing changed
    UNCONFIRMED = "unconfirmed"  # asked, but the answer was lost: check at the library


class HoldStatus(enum.StrEnum):
    WAITING = "waiting"  # on the pickup shelf: the only status we remind about
    IN_TRANSIT = "in_transit"
    PENDING = "pending"  # queued, not ready


@dataclass(frozen=True, slots=True)
class Patron:
    """A reader as the library system knows them."""

    ticket: str
    ref: str  # the system's own id (Koha patron_id; the ticket for local and SIP2)
    name: str | None = None
    # Set when the whole card cannot renew (blocked, debts): every loan is refused alike.
    refusal: Refusal | None = None


@dataclass(frozen=True, slots=True)
class Loan:
    ref: str  # the system's id of this loan (Koha checkout_id, item barcode, local row)
    title: str
    due: date
    barcode: str = ""
    issued: date | None = None
    renewals: int | None = None  # used; None when the system does not say
    max_renewals: int | None = None
    # The pre-check: None = renewable as far as we know; else why not.
    refusal: Refusal | None = None
    renewable_from: date | None = None  # with TOO_SOON, when it opens, if known
    detail: str | None = None  # the system's own words, for staff and RULES

    def overdue(self, today: date) -> bool:
        return self.due < today


@dataclass(frozen=True, slots=True)
class Hold:
    ref: str
    title: str
    status: HoldStatus
    branch: str | None = None  # branch id or name, as the system gives it
    pickup_until: date | None = None


class HoldOutcome(enum.StrEnum):
    """What became of a hold the bot asked the library system to place."""

    PLACED = "placed"
    REFUSED = "refused"  # the system said no, with a reason
    UNKNOWN_BOOK = "unknown_book"  # none of the catalogue's copies is known to the system
    NOT_SUPPORTED = "not_supported"  # this system does not take holds from the bot
    UNAVAILABLE = "unavailable"  # the system could not be asked: nothing changed
    UNCONFIRMED = "unconfirmed"  # asked, but the answer was lost: it may have been placed


class HoldRefusal(enum.StrEnum):
    """Why the system would not place a hold, in the reader's terms."""

    ALREADY_HELD = "already_held"  # this reader already waits for this book
    HAVE_IT = "have_it"  # already on their card
    TOO_MANY = "too_many"  # the card's hold limit
    BLOCKED = "blocked"  # card blocked, expired or in debt
    NOT_HOLDABLE = "not_holdable"  # this book cannot be reserved (reading room, rules)
    PICKUP = "pickup"  # not to be picked up at that branch
    RULES = "rules"  # a reason the system did not explain


@dataclass(frozen=True, slots=True)
class HoldWish:
    """A hold as the reader asked for it from a catalogue card.

    The catalogue knows books by its own record ids; library systems know them by their
    copies, so the copies' barcodes (those at the pickup branch first) name the book,
    with the title and the export's control number as the last resort.
    """

    title: str
    barcodes: tuple[str, ...] = ()
    control_number: str | None = None
    pickup: str | None = None  # the pickup branch's code in the system (Koha library id)


@dataclass(frozen=True, slots=True)
class HoldPlacement:
    outcome: HoldOutcome
    ref: str | None = None  # the system's id of the new hold
    refusal: HoldRefusal | None = None  # with REFUSED
    queue_position: int | None = None  # 1: next in line
    detail: str | None = None  # the system's own words, for staff


@dataclass(frozen=True, slots=True)
class Renewal:
    loan_ref: str
    title: str
    outcome: Outcome
    due: date | None = None  # the new due date when renewed
    refusal: Refusal | None = None  # with REFUSED
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class Password:
    secret: str


@dataclass(frozen=True, slots=True)
class SurnameAndYear:
    surname: str
    year: int


Credentials = Password | SurnameAndYear


class LibrarySystem(Protocol):
    """A connector. Every method may raise `SystemUnavailable`."""

    kind: str
    # Which verifications the system itself can check; DESK_CODE needs only find_patron.
    verifications: frozenset[Verification]

    async def find_patron(self, ticket: str) -> Patron | None:
        """The patron with this ticket (card number), or None if there is none."""
        ...

    async def verify(self, ticket: str, credentials: Credentials) -> Patron | None:
        """The patron if the credentials match; None on any mismatch (never says which)."""
        ...

    async def loans(self, patron: Patron) -> list[Loan]:
        """Current loans, each with the renewability pre-check filled in."""
        ...

    async def holds(self, patron: Patron) -> list[Hold]: ...

    async def renew(self, patron: Patron, loan: Loan) -> Renewal:
        """Renew one loan of this patron. Refusals and lost answers are outcomes."""
        ...

    async def renew_all(self, patron: Patron, loans: Sequence[Loan]) -> list[Renewal]:
        """Renew every given loan; one result per loan, in the same order."""
        ...

    async def close(self) -> None: ...


@runtime_checkable
class PlacesHolds(Protocol):
    """The optional part of a connector: placing a hold in the system itself.

    Koha and SIP2 can; the `local` system cannot (its holds are a copy of the library's
    export), so there staff are told and place the hold by hand. Like a renewal, a hold
    request that went out without an answer is UNCONFIRMED and never sent again.
    """

    async def place_hold(self, patron: Patron, wish: HoldWish) -> HoldPlacement: ...


def hold_placer(system: LibrarySystem | None) -> PlacesHolds | None:
    """The connector as a hold placer, or None when it only lists holds."""
    return system if isinstance(system, PlacesHolds) else None


def same_surname(given: str, recorded: str) -> bool:
    """Surnames compare without case, ё/е, accents, spaces and hyphen style."""
    return fold_name(given) == fold_name(recorded) and bool(fold_name(given))


def fold_name(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return "".join(ch for ch in text if ch.isalnum())


def normalise_ticket(text: str) -> str:
    """Tickets are typed by hand: drop spaces (phones insert them), keep everything else.

    Dashes and letters stay as typed, because some systems store them in card numbers.
    """
    return "".join(unicodedata.normalize("NFKC", text).split())


_SURNAME_AND_YEAR = re.compile(r"^\s*(.+?)[\s,]+(\d{4})\s*(?:г\.?)?\s*$")


def parse_surname_and_year(text: str) -> SurnameAndYear | None:
    """«Иванова 1985», «иванова, 1985 г.» → SurnameAndYear; anything else → None."""
    match = _SURNAME_AND_YEAR.match(text)
    if match is None:
        return None
    return SurnameAndYear(match.group(1).strip(), int(match.group(2)))


# --- linking by phone number (`verification = "phone"`) ------------------------------


@runtime_checkable
class FindsByPhone(Protocol):
    """The optional part of a connector: the readers whose record holds a phone number.

    `phone` is always the ten national digits of a Russian number — no +7 or 8 in front,
    no separators (`normalise_phone`) — so every connector compares numbers in one shape,
    whatever shape its records keep them in. One reader is linked only when exactly one
    is found; the number is asked about and forgotten, never stored by libbot.
    Koha, `local` (a phone column in the export) and IRBIS64 (RDR field 17) can; SIP2
    cannot search readers by anything but the ticket.
    """

    async def patrons_by_phone(self, phone: str) -> list[Patron]: ...


def phone_finder(system: LibrarySystem | None) -> FindsByPhone | None:
    """The connector as a phone finder, or None when it cannot search by phone."""
    return system if isinstance(system, FindsByPhone) else None


_PHONE_SEPARATORS = re.compile(r"[,;/]|\s{2,}")
_DIGITS = frozenset("0123456789")


def normalise_phone(text: str) -> str | None:
    """The ten national digits of a Russian number, in whatever shape it was written:
    «+7 912 345-67-89», «8 (912) 3456789», «79123456789» and «9123456789» are all
    «9123456789». None for anything else (a foreign number, an extension, two numbers)."""
    text = unicodedata.normalize("NFKC", text)
    digits = "".join(ch for ch in text if ch in _DIGITS)
    if len(digits) == 11 and digits[0] in "78":
        digits = digits[1:]
    return digits if len(digits) == 10 else None


def messenger_phone(text: str) -> str | None:
    """The ten national digits of the number a messenger gives for an account, or None.

    A messenger writes its account's number in the international form, so only «7» and
    ten digits are a Russian number: a foreign one is not folded into ten digits that
    could match a reader's landline (+47 47312345 is not Lipetsk's 4747312345)."""
    digits = "".join(ch for ch in unicodedata.normalize("NFKC", text) if ch in _DIGITS)
    return digits[1:] if len(digits) == 11 and digits[0] == "7" else None


def phones_in(text: str | None) -> set[str]:
    """Every Russian number in a record's phone field, normalised: libraries write two
    numbers in one field («8 912 345-67-89, 8 495 000-00-00»), so the field is split on
    commas, semicolons, slashes and wide gaps first."""
    if not text:
        return set()
    numbers = (normalise_phone(part) for part in _PHONE_SEPARATORS.split(text))
    whole = normalise_phone(text)
    return {number for number in numbers if number} | ({whole} if whole else set())
