"""Due-date and pickup reminders for readers who linked a ticket.

A periodic sweep asks the library system for each linked reader's loans and holds
and turns what is due into personal notices in the outbox; the sender delivers them
within the messenger's limits. Each notice has a dedupe key (reader, loan, due date,
kind), so sweeping again — after a restart, or in a second process — adds nothing.
Nothing is enqueued during quiet hours, and a notice not sent within a few hours
expires: a reminder must be about a loan that is still out when it arrives.

Every reminder says whether the loan can be renewed and, if not, why — a «3 дня
осталось» reminder never offers a «Продлить» that the rules would refuse as too soon.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, datetime, timedelta

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Markup, Texts
from broadcasts.views.callbacks import LoanAction, LoanCb
from broadcasts.views.loans_view import day, reason
from storage import outbox
from storage.circulation import links
from storage.circulation.base import Hold, HoldStatus, LibrarySystem, Loan, SystemUnavailable
from storage.circulation.links import LinkedReader
from storage.circulation.loan_keys import loan_key
from storage.db import Database
from storage.outbox import Notice

log = logging.getLogger(__name__)

VALID_FOR = timedelta(hours=3)
CONCURRENCY = 4  # library systems are small servers: a few readers at a time


def _expiry(config: Config, now: datetime) -> datetime:
    """A few hours from now, but not into the night: quiet hours begin → it expires."""
    limit = now + VALID_FOR
    zone = config.library.zone
    moment = now
    while moment < limit:
        moment += timedelta(minutes=10)
        if config.notifications.is_quiet(moment.astimezone(zone).time()):
            return moment
    return limit


def _loan_notice(
    texts: Texts, config: Config, reader: LinkedReader, patron_ref: str, loan: Loan, today: date
) -> tuple[str, str, str] | None:
    """(purpose, dedupe key, text) of the reminder this loan needs today, if any."""
    settings = config.reminders
    days_left = (loan.due - today).days
    key = f"{reader.person_id}:{loan_key(patron_ref, loan.ref)}:{loan.due.isoformat()}"
    if 0 < days_left <= settings.days_before:
        purpose = "loan_due_soon"
        text = texts("reminder-before", days=days_left, due=day(loan.due), title=loan.title)
    elif days_left == 0 and settings.on_due_date:
        purpose = "loan_due_today"
        text = texts("reminder-due-today", title=loan.title)
    elif days_left < 0 and settings.overdue_max:
        week = (-days_left - 1) // 7 + 1
        if week > settings.overdue_max:
            return None
        purpose = f"loan_overdue_{week}"
        text = texts("reminder-overdue", title=loan.title, due=day(loan.due))
    else:
        return None
    if loan.refusal is None:
        text += "\n" + texts("reminder-can-renew")
    else:
        why = Markup(reason(texts, loan.refusal, loan.renewable_from))
        text += "\n" + texts("reminder-cannot-renew", reason=why)
    return purpose, f"{purpose}:{key}", text


def _hold_notice(texts: Texts, reader: LinkedReader, hold: Hold) -> tuple[str, str, str] | None:
    if hold.status is not HoldStatus.WAITING:
        return None  # only a definite «on the pickup shelf»
    until = hold.pickup_until.isoformat() if hold.pickup_until else ""
    text = texts(
        "reminder-hold-ready",
        title=hold.title,
        branch=hold.branch or "none",
        until=day(hold.pickup_until) if hold.pickup_until else "none",
    )
    return "hold_ready", f"hold_ready:{reader.person_id}:{hold.ref}:{until}", text


async def _reader_notices(
    system: LibrarySystem,
    locales: Locales,
    config: Config,
    reader: LinkedReader,
    *,
    today: date,
    expires: datetime,
) -> list[Notice]:
    patron = await system.find_patron(reader.ticket)
    if patron is None:
        return []
    texts = locales.texts(reader.language)
    notices: list[Notice] = []
    my_books = {
        "text": texts("reminder-my-books"),
        "callback_data": LoanCb(action=LoanAction.LIST).pack(),
    }

    def add(found: tuple[str, str, str], buttons: list[dict[str, str]]) -> None:
        purpose, key, text = found
        notices.append(
            Notice(reader.platform, reader.chat_id, reader.person_id, text, purpose, key, expires,
                   [*buttons, my_books])
        )  # fmt: skip

    for loan in await system.loans(patron):
        found = _loan_notice(texts, config, reader, patron.ref, loan, today)
        if found is None:
            continue
        buttons = []
        if loan.refusal is None:
            renew = LoanCb(
                action=LoanAction.RENEW,
                key=loan_key(patron.ref, loan.ref),
                due=loan.due.toordinal(),
            )
            label = texts("loans-renew-button", title=loan.title[:32])
            buttons.append({"text": label, "callback_data": renew.pack()})
        add(found, buttons)
    if config.reminders.hold_ready:
        for hold in await system.holds(patron):
            found_hold = _hold_notice(texts, reader, hold)
            if found_hold is not None:
                add(found_hold, [])
    return notices


async def sweep(
    db: Database,
    system: LibrarySystem | None,
    locales: Locales,
    config: Config,
    *,
    now: datetime,
    platforms: tuple[str, ...] | None = None,
) -> int:
    """Enqueue the reminders due now; return how many new notices went to the outbox."""
    if system is None:
        return 0
    zone = config.library.zone
    if config.notifications.is_quiet(now.astimezone(zone).time()):
        return 0
    today = now.astimezone(zone).date()
    expires = _expiry(config, now)
    readers = [
        r
        for r in await links.readers_for_reminders(db)
        if platforms is None or r.platform in platforms
    ]
    gate = asyncio.Semaphore(CONCURRENCY)
    unavailable = 0

    async def one(reader: LinkedReader) -> list[Notice]:
        nonlocal unavailable
        async with gate:
            try:
                return await _reader_notices(
                    system, locales, config, reader, today=today, expires=expires
                )
            except SystemUnavailable:
                unavailable += 1  # the next sweep tries again; dedupe keeps it to one
                return []

    batches = await asyncio.gather(*(one(r) for r in readers))
    added = await outbox.enqueue(db, [n for batch in batches for n in batch])
    if unavailable:
        log.warning("reminders: library system unavailable for %s readers", unavailable)
    if added:
        log.info("reminders: %s new notices for %s linked readers", added, len(readers))
    return added
