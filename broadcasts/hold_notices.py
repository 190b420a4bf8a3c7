"""Messages about holds readers ask for from the catalogue, through the outbox: the card in
the staff chat (who asked, where they pick it up, how to reach them, what the library
system said, and the buttons to answer) and staff's answer back to the reader.

Each names the reader, so each row carries the reader as `about_person_id` (the staff
card) or `person_id` (the answer): /forget erases them. Each has a dedupe key, so a
retried step sends it once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from aiogram.types import InlineKeyboardButton

from bot.kernel.config import Branch, Config
from bot.kernel.i18n import Locales, Markup, Texts
from broadcasts.views.callbacks import CatalogueAction, CatalogueCb, HoldAnswer, HoldDeskCb
from broadcasts.views.keyboards import button
from storage import outbox
from storage.circulation.base import HoldOutcome, HoldPlacement
from storage.circulation.hold_requests import HoldView
from storage.circulation.links import LinkView
from storage.db import Database
from storage.models import Consent
from storage.outbox import Notice
from storage.people import PersonView
from storage.types import utcnow

STAFF_LANGUAGE = "ru"
KEEP = timedelta(days=7)  # a notice not delivered within a week has lost its point
SHELF_DAYS = 7  # «Отложено»: how long a book waits for the reader (Koha's default delay)

# What the library system did, as the staff card says it.
SYSTEM_LINES = {
    HoldOutcome.UNKNOWN_BOOK: "hold-card-unknown-book",
    HoldOutcome.UNAVAILABLE: "hold-card-unavailable",
    HoldOutcome.UNCONFIRMED: "hold-card-unconfirmed",
    HoldOutcome.NOT_SUPPORTED: "hold-card-not-supported",
}


@dataclass(frozen=True, slots=True)
class SystemNote:
    """Whether the library system was asked, and what it said."""

    placement: HoldPlacement | None = None
    linked: bool = True  # False: it could have been asked, but no ticket is linked


def messenger_name(texts: Texts, platform: str) -> str:
    known = ("telegram", "vk", "max", "console")
    return texts(f"messenger-{platform}") if platform in known else platform


def reader_text(texts: Texts, person: PersonView, link: LinkView | None) -> str:
    """Who asked, as staff need it: the linked ticket and the name the library has, else
    the messenger name — only with consent, since that is personal data."""
    if person.consent is not Consent.GIVEN:
        return texts("reader-no-consent")
    if link is not None:
        return texts("reader-ticket", ticket=link.ticket, name=link.reader_name or "none")
    return texts(
        "reader-messenger",
        name=person.display_name or texts("reader-unnamed"),
        messenger=messenger_name(texts, person.platform),
    )


def _system_line(texts: Texts, config: Config, note: SystemNote, link: LinkView | None) -> str:
    placement = note.placement
    if placement is None:
        return texts("hold-card-by-hand" if note.linked else "hold-card-not-linked")
    if placement.outcome is HoldOutcome.PLACED:
        line = texts(
            "hold-card-placed", ref=placement.ref or "none", queue=placement.queue_position or 0
        )
        # The reminder sweep tells the reader when the system marks the hold as waiting.
        if config.reminders.hold_ready and link is not None and link.reminders:
            line += " " + texts("hold-card-system-tells")
        return line
    if placement.outcome is HoldOutcome.REFUSED:
        detail = placement.detail or (placement.refusal or "rules")
        return texts("hold-card-refused", detail=detail)
    return texts(SYSTEM_LINES[placement.outcome])


def staff_buttons(texts: Texts, hold: HoldView) -> list[dict[str, str]]:
    answers = [
        (texts("hold-desk-ready", days=SHELF_DAYS), HoldAnswer.READY),
        (texts("hold-desk-none"), HoldAnswer.NONE),
    ]
    return [
        _as_dict(button(text, HoldDeskCb(answer=answer, id=hold.id).pack()))
        for text, answer in answers
    ]


async def announce(
    db: Database,
    locales: Locales,
    config: Config,
    hold: HoldView,
    *,
    person: PersonView,
    link: LinkView | None,
    branch: Branch | None,
    note: SystemNote,
) -> bool:
    """The hold's card with its answer buttons, queued for the staff chat; False when the
    library has no staff chat."""
    if config.staff.chat_id is None:
        return False
    texts = locales.texts(STAFF_LANGUAGE)
    card = [
        texts("hold-card-title", number=hold.id, title=hold.title),
        texts("hold-card-reader", reader=Markup(reader_text(texts, person, link))),
        texts("hold-card-pickup", branch=branch.name if branch else "none"),
        texts("hold-card-contact", messenger=messenger_name(texts, person.platform)),
        texts("hold-card-received", at=_moment(config, hold.created_at)),
        _system_line(texts, config, note, link),
    ]
    notice = Notice(
        platform=config.staff.chat_messenger,
        chat_id=str(config.staff.chat_id),
        person_id=None,
        text="\n".join(card),
        purpose="hold_new",
        dedupe_key=f"hold_new:{hold.id}:{hold.created_at.isoformat()}",
        expires_at=utcnow() + KEEP,
        buttons=staff_buttons(texts, hold),
        about_person_id=person.id,
    )
    return bool(await outbox.enqueue(db, [notice]))


async def answer_reader(
    db: Database,
    locales: Locales,
    config: Config,
    hold: HoldView,
    reader: PersonView,
) -> bool:
    """Staff's answer, in the reader's language and messenger: «отложено, ждёт вас до …»
    or «нет в наличии» with «Сообщить, когда вернут»."""
    texts = locales.texts(reader.language)
    branch = next((b for b in config.library.branches if b.id == hold.branch_id), None)
    buttons: list[dict[str, str]] = []
    if hold.pickup_until is not None:
        text = texts(
            "hold-ready",
            title=hold.title,
            until=_day(hold.pickup_until),
            branch=branch.name if branch else "none",
        )
    else:
        text = texts("hold-none", title=hold.title)
        watch = CatalogueCb(action=CatalogueAction.WATCH, record_id=hold.record_id)
        buttons.append(_as_dict(button(texts("catalogue-watch-button"), watch.pack())))
    notice = Notice(
        platform=reader.platform,
        chat_id=reader.platform_user_id,
        person_id=reader.id,
        text=text,
        purpose="hold_answer",
        dedupe_key=f"hold_answer:{hold.id}:{hold.created_at.isoformat()}",
        expires_at=utcnow() + KEEP,
        buttons=buttons,
    )
    return bool(await outbox.enqueue(db, [notice]))


def _as_dict(made: InlineKeyboardButton) -> dict[str, str]:
    return {"text": made.text, "callback_data": made.callback_data or ""}


def _moment(config: Config, at: datetime) -> str:
    return f"{at.astimezone(config.library.zone):%d.%m.%Y %H:%M}"


def _day(day: date) -> str:
    return f"{day:%d.%m.%Y}"
