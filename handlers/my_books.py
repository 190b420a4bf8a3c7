"""«Мои книги»: link a reader ticket, see loans and holds, renew one or all.

Every action re-reads the reader's own link and loans on the server: a button names
a loan only by a hash bound to this reader, so forged or replayed data can at most
point at one's own loans. The message carrying a password is deleted, and its text
never reaches the activity log or the FSM storage.
"""

from __future__ import annotations

import contextlib
import logging
import math
import re

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.config import Config
from bot.i18n import Locales, Texts
from bot.transports.messengers import Messengers
from broadcasts.staff_chat import notify_staff
from handlers.callbacks import LoanAction, LoanCb
from handlers.common import ask_consent, phone_or_none
from handlers.filters import MenuButton
from handlers.keyboards import button, inline
from handlers.loans_view import day, loan_key, loans_screen, renewal_lines, state_digest
from storage import activity as activity_log
from storage.activity import HIDDEN, ActivityNote
from storage.circulation import library_today, links
from storage.circulation.base import (
    Credentials,
    LibrarySystem,
    Loan,
    Outcome,
    Password,
    Patron,
    Renewal,
    SystemUnavailable,
    normalise_ticket,
    parse_surname_and_year,
)
from storage.circulation.link_guard import (
    LONGEST_WAIT,
    GuardPolicy,
    TicketAlarm,
    account_locked_until,
    mask_ticket,
)
from storage.circulation.links import LinkOutcome, LinkView
from storage.db import Database
from storage.models import ActivityKind, Consent
from storage.people import PersonView

log = logging.getLogger(__name__)

TICKET = re.compile(r"^[\w/.-]{1,32}$")  # letters of any alphabet, digits, / . - _
SECRET_KIND = {"password": "password", "surname_birth_year": "identity", "desk_code": "code"}


class LinkForm(StatesGroup):
    ticket = State()
    secret = State()


def _answer_target(event: Message | CallbackQuery) -> Message | None:
    if isinstance(event, Message):
        return event
    return event.message if isinstance(event.message, Message) else None


async def _system_down(target: Message, texts: Texts, config: Config) -> None:
    await target.answer(
        texts("loans-system-down", phone=phone_or_none(config)), reply_markup=inline(texts)
    )


async def _current_patron(system: LibrarySystem, link: LinkView) -> Patron | None:
    """The reader as the system knows them now (a card may have been blocked since)."""
    return await system.find_patron(link.ticket)


async def show_loans(
    target: Message,
    *,
    texts: Texts,
    config: Config,
    system: LibrarySystem,
    link: LinkView,
    patron: Patron | None = None,
    loans: list[Loan] | None = None,
    header: list[str] | None = None,
    edit: bool = False,
) -> None:
    """Send (or edit into) the «Мои книги» screen, optionally under a renewal summary."""
    try:
        patron = patron or await _current_patron(system, link)
        if patron is None:
            await target.answer(texts("loans-not-yours"), reply_markup=inline(texts))
            return
        loans = loans if loans is not None else await system.loans(patron)
        holds = await system.holds(patron)
    except SystemUnavailable:
        await _system_down(target, texts, config)
        return
    text, rows = loans_screen(
        texts,
        ticket=link.ticket,
        patron_ref=patron.ref,
        loans=loans,
        holds=holds,
        reminders=link.reminders,
        today=library_today(config)(),
    )
    if header:
        text = "\n".join([*header, "", text])
    markup = inline(texts, *rows)
    if edit:
        with contextlib.suppress(TelegramAPIError):
            await target.edit_text(text, reply_markup=markup)
            return
    await target.answer(text, reply_markup=markup)


async def _ask_secret(message: Message, texts: Texts, config: Config) -> None:
    verification = config.library_system.verification
    key = {
        "password": "loans-ask-password",
        "surname_birth_year": "loans-ask-identity",
        "desk_code": "loans-ask-code",
    }[verification]
    await message.answer(texts(key), reply_markup=inline(texts))


def _credentials(text: str, verification: str) -> Credentials | str | None:
    """Credentials for the system, the desk code itself, or None if it cannot be parsed."""
    if verification == "password":
        return Password(text.strip()) if text.strip() else None
    if verification == "surname_birth_year":
        return parse_surname_and_year(text)
    code = "".join(text.split())
    return code if code.isdigit() else None


async def _log_renewals(
    db: Database, person: PersonView, results: list[Renewal], activity: ActivityNote
) -> None:
    """One activity row per renewal attempt, with its result (the продление sheet)."""
    activity.skip = True
    for result in results:
        status = result.outcome.value
        if result.outcome is Outcome.REFUSED and result.refusal is not None:
            status = f"refused: {result.refusal.value}"
        await activity_log.record(
            db,
            ActivityNote(
                platform=person.platform,
                kind=ActivityKind.RENEWAL,
                person_id=person.id,
                content=result.title,
                customer=person.display_name,
                executor=activity_log.BOT_EXECUTOR,
                status=status,
                notes=f"new due {result.due.isoformat()}" if result.due else result.detail,
                update_id=activity.update_id,
            ),
        )


async def _alarm_staff(
    messengers: Messengers,
    locales: Locales,
    config: Config,
    guard: GuardPolicy,
    ticket: str,
    alarm: TicketAlarm,
) -> None:
    """Once per episode, in the library's language: which ticket (masked) and how many
    accounts — never the accounts themselves or what they typed."""
    await notify_staff(
        messengers,
        config,
        locales.texts(None)(
            "notify-link-guessing",
            ticket=mask_ticket(ticket),
            failures=alarm.failures,
            accounts=alarm.accounts,
            longest=int(LONGEST_WAIT.total_seconds() // 60),
            max=guard.max_failures,
            minutes=int(guard.lock.total_seconds() // 60),
        ),
    )


def build_router(locales: Locales) -> Router:
    """The menu entry: a navigation router (it abandons any half-filled form)."""
    router = Router(name=__name__)

    @router.message(Command("books"))
    @router.message(MenuButton(locales, "menu-my-books"))
    async def my_books(
        message: Message,
        texts: Texts,
        person: PersonView,
        config: Config,
        db: Database,
        state: FSMContext,
        library_system: LibrarySystem | None,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.LOAN_ENQUIRY
        if library_system is None:
            activity.status = "no library system"
            await message.answer(
                texts("loans-none-system", phone=phone_or_none(config)), reply_markup=inline(texts)
            )
            return
        link = await links.get_link(db, person.id)
        if link is None:
            if person.consent != Consent.GIVEN:
                activity.status = "needs consent"
                await message.answer(texts("loans-need-consent"))
                await ask_consent(message, texts, config)
                return
            activity.status = "asked to link"
            await state.set_state(LinkForm.ticket)
            await message.answer(texts("loans-ask-ticket"), reply_markup=inline(texts))
            return
        activity.status = "shown"
        await show_loans(message, texts=texts, config=config, system=library_system, link=link)

    return router


def build_form_router() -> Router:
    """Linking steps and loan buttons; after the navigation routers, before free text."""
    router = Router(name=f"{__name__}.form")

    @router.message(LinkForm.ticket, F.text)
    async def ticket_entered(
        message: Message,
        texts: Texts,
        person: PersonView,
        config: Config,
        db: Database,
        state: FSMContext,
        activity: ActivityNote,
        link_guard: GuardPolicy,
    ) -> None:
        activity.kind = ActivityKind.READER_LINK
        ticket = normalise_ticket(message.text or "")
        activity.content = "ticket entered"  # the number itself is not logged
        if not TICKET.match(ticket):
            activity.status = "bad ticket"
            await message.answer(texts("loans-bad-ticket"), reply_markup=inline(texts))
            return
        until = await account_locked_until(db, link_guard, person.messenger_id)
        if until is not None:
            activity.status = "locked"
            await state.clear()
            local = until.astimezone(config.library.zone)
            await message.answer(
                texts("loans-locked", until=f"{local:%H:%M}", phone=phone_or_none(config)),
                reply_markup=inline(texts),
            )
            return
        await state.update_data(ticket=ticket)
        await state.set_state(LinkForm.secret)
        activity.status = "asked secret"
        await _ask_secret(message, texts, config)

    @router.message(LinkForm.secret, F.text)
    async def secret_entered(
        message: Message,
        bot: Bot,
        messengers: Messengers,
        texts: Texts,
        locales: Locales,
        person: PersonView,
        config: Config,
        db: Database,
        state: FSMContext,
        library_system: LibrarySystem | None,
        activity: ActivityNote,
        link_guard: GuardPolicy,
    ) -> None:
        activity.content = HIDDEN  # first of all: the secret never reaches the log
        activity.kind = ActivityKind.READER_LINK
        text = message.text or ""
        with contextlib.suppress(TelegramAPIError):
            await bot.delete_message(message.chat.id, message.message_id)
        ticket = (await state.get_data()).get("ticket")
        if library_system is None or not ticket:
            await state.clear()
            activity.status = "expired form"
            await message.answer(texts("loans-ask-ticket"), reply_markup=inline(texts))
            await state.set_state(LinkForm.ticket)
            return
        settings = config.library_system
        parsed = _credentials(text, settings.verification)
        if parsed is None:
            activity.status = "bad input"
            key = "loans-bad-identity" if settings.verification == "surname_birth_year" else None
            if key:
                await message.answer(texts(key), reply_markup=inline(texts))
            else:
                await _ask_secret(message, texts, config)
            return
        result = await links.attempt_link(
            db,
            library_system,
            guard=link_guard,
            person_id=person.id,
            account=person.messenger_id,
            ticket=ticket,
            credentials=parsed if not isinstance(parsed, str) else None,
            code=parsed if isinstance(parsed, str) else None,
        )
        activity.status = result.outcome.value
        if result.alarm is not None:
            await _alarm_staff(messengers, locales, config, link_guard, ticket, result.alarm)
        if result.outcome is LinkOutcome.WRONG:
            await state.set_state(LinkForm.ticket)
            await message.answer(
                texts(
                    "loans-wrong",
                    what=SECRET_KIND[settings.verification],
                    left=result.failures_left or 0,
                ),
                reply_markup=inline(texts),
            )
            return
        if result.outcome is LinkOutcome.SLOWED:
            assert result.retry_at is not None  # the form keeps the ticket: send the secret again
            wait = (result.retry_at - link_guard.clock()).total_seconds()
            await message.answer(
                texts(
                    "loans-slowed",
                    what=SECRET_KIND[settings.verification],
                    minutes=max(1, math.ceil(wait / 60)),
                ),
                reply_markup=inline(texts),
            )
            return
        await state.clear()
        if result.outcome is LinkOutcome.UNAVAILABLE:
            await _system_down(message, texts, config)
            return
        if result.outcome is LinkOutcome.LOCKED:
            assert result.locked_until is not None
            local = result.locked_until.astimezone(config.library.zone)
            await message.answer(
                texts("loans-locked", until=f"{local:%H:%M}", phone=phone_or_none(config)),
                reply_markup=inline(texts),
            )
            return
        patron = result.patron
        assert patron is not None
        await message.answer(
            texts("loans-linked", ticket=patron.ticket, name=patron.name or "none")
        )
        link = await links.get_link(db, person.id)
        if link is not None:
            await show_loans(message, texts=texts, config=config, system=library_system, link=link)

    @router.message(LinkForm.ticket)
    @router.message(LinkForm.secret)
    async def not_text(message: Message, texts: Texts, activity: ActivityNote) -> None:
        activity.kind = ActivityKind.READER_LINK
        activity.content = HIDDEN
        activity.status = "not text"
        await message.answer(texts("loans-send-text"), reply_markup=inline(texts))

    @router.callback_query(LoanCb.filter())
    async def loan_button(
        query: CallbackQuery,
        callback_data: LoanCb,
        texts: Texts,
        person: PersonView,
        config: Config,
        db: Database,
        library_system: LibrarySystem | None,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.LOAN_ENQUIRY
        target = _answer_target(query)
        link = await links.get_link(db, person.id)
        if library_system is None or link is None or target is None:
            activity.status = "not linked"
            await query.answer(texts("loans-need-link"), show_alert=True)
            return
        action = callback_data.action
        if action is LoanAction.UNLINK:
            await query.answer()
            rows: list[list[InlineKeyboardButton]] = [
                [
                    button(texts("loans-unlink-yes"), LoanCb(action=LoanAction.UNLINK_YES).pack()),
                    button(texts("loans-unlink-no"), LoanCb(action=LoanAction.LIST).pack()),
                ]
            ]
            await target.answer(
                texts("loans-unlink-confirm", ticket=link.ticket), reply_markup=inline(texts, *rows)
            )
            return
        if action is LoanAction.UNLINK_YES:
            activity.kind = ActivityKind.READER_LINK
            activity.status = "unlinked"
            await links.unlink(db, person.id)
            await query.answer()
            await target.answer(texts("loans-unlinked"), reply_markup=inline(texts))
            return
        if action is LoanAction.REMINDERS:
            await links.set_reminders(db, person.id, not link.reminders)
            activity.status = "reminders off" if link.reminders else "reminders on"
            await query.answer(
                texts("loans-reminders-now-off" if link.reminders else "loans-reminders-now-on")
            )
            link = await links.get_link(db, person.id)
            assert link is not None
            await show_loans(
                target, texts=texts, config=config, system=library_system, link=link, edit=True
            )
            return
        if action is LoanAction.LIST:
            await query.answer()
            activity.status = "shown"
            await show_loans(target, texts=texts, config=config, system=library_system, link=link)
            return
        await _renew(
            query, target, callback_data, texts, config, db, library_system, link, person, activity
        )

    return router


async def _renew(
    query: CallbackQuery,
    target: Message,
    data: LoanCb,
    texts: Texts,
    config: Config,
    db: Database,
    system: LibrarySystem,
    link: LinkView,
    person: PersonView,
    activity: ActivityNote,
) -> None:
    # Stale and forged presses stay enquiries; real attempts are logged per loan below.
    activity.kind = ActivityKind.LOAN_ENQUIRY
    try:
        patron = await _current_patron(system, link)
        loans = await system.loans(patron) if patron is not None else []
    except SystemUnavailable:
        activity.status = "unavailable"
        await query.answer()
        await _system_down(target, texts, config)
        return
    if patron is None:
        activity.status = "ticket gone"
        await query.answer(texts("loans-not-yours"), show_alert=True)
        return
    if data.action is LoanAction.ALL:
        if data.key != state_digest(patron.ref, loans):
            activity.status = "stale list"
            await query.answer(texts("loans-stale"))
            await show_loans(
                target,
                texts=texts,
                config=config,
                system=system,
                link=link,
                patron=patron,
                loans=loans,
            )
            return
        chosen = list(loans)
    else:
        loan = next((x for x in loans if loan_key(patron.ref, x.ref) == data.key), None)
        if loan is None:
            activity.status = "not this reader's loan"
            await query.answer(texts("loans-not-yours"), show_alert=True)
            return
        if loan.due.toordinal() != data.due:
            activity.status = "already renewed"
            await query.answer(
                texts("loans-already-renewed", title=loan.title, due=day(loan.due)), show_alert=True
            )
            return
        chosen = [loan]
    await query.answer(texts("loans-checking"))
    refused = {
        x.ref: Renewal(x.ref, x.title, Outcome.REFUSED, refusal=x.refusal)
        for x in chosen
        if x.refusal is not None
    }
    renewable = [x for x in chosen if x.refusal is None]
    try:
        if len(renewable) > 1:
            done = await system.renew_all(patron, renewable)
        else:
            done = [await system.renew(patron, x) for x in renewable]
    except SystemUnavailable:
        done = [Renewal(x.ref, x.title, Outcome.UNAVAILABLE) for x in renewable]
    by_ref = {**refused, **{r.loan_ref: r for r in done}}
    results = [by_ref[x.ref] for x in chosen if x.ref in by_ref]
    await _log_renewals(db, person, results, activity)
    try:
        fresh = await system.loans(patron)
    except SystemUnavailable:
        fresh = None
    header = renewal_lines(texts, results)
    if fresh is None:
        await target.answer("\n".join(header), reply_markup=inline(texts))
        return
    await show_loans(
        target,
        texts=texts,
        config=config,
        system=system,
        link=link,
        patron=patron,
        loans=fresh,
        header=header,
    )
