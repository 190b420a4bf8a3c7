"""«Мои книги»: see loans and holds, renew one or all, cancel «Сообщить, когда вернут».

Every action re-reads the reader's own link and loans on the server: a button names
a loan only by a hash bound to this reader, so forged or replayed data can at most
point at one's own loans. Linking a ticket is in `handlers.ticket_link`; how the screen
looks, in `handlers.my_books_screen` and `broadcasts.views.loans_view`.
"""

from __future__ import annotations

import logging

from aiogram import Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import LoanAction, LoanCb, WatchCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.loans_view import ACTED_ON, day, loan_key, renewal_lines, state_digest
from handlers import ticket_link
from handlers.common import ask_consent
from handlers.filters import MenuButton
from handlers.my_books_screen import (
    current_patron,
    intro_key,
    show_intro,
    show_loans,
    show_my_books,
    system_down,
)
from handlers.ticket_link import LinkForm
from storage import activity as activity_log
from storage.activity import ActivityNote
from storage.catalogue import watches
from storage.circulation import links
from storage.circulation.base import LibrarySystem, Outcome, Renewal, SystemUnavailable
from storage.circulation.links import LinkView
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

log = logging.getLogger(__name__)


def _answer_target(event: Message | CallbackQuery) -> Message | None:
    if isinstance(event, Message):
        return event
    return event.message if isinstance(event.message, Message) else None


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
        link = await links.get_link(db, person.id) if library_system is not None else None
        if library_system is not None and link is not None:
            activity.status = "shown"
            await show_loans(
                message, texts=texts, config=config, db=db, system=library_system, link=link
            )
            return
        key = intro_key(person, library_system)
        activity.status = {
            "loans-none-system": "no library system",
            "loans-need-consent": "needs consent",
        }.get(key, "asked to link")
        await show_intro(message, texts=texts, config=config, db=db, person=person, key=key)
        if key == "loans-need-consent":
            await ask_consent(message, texts, config)
        elif key == "loans-ask-ticket":
            await state.set_state(LinkForm.ticket)

    return router


def build_form_router() -> Router:
    """Linking steps, loan and wait buttons; after the navigation routers, before free text."""
    router = Router(name=f"{__name__}.form")
    ticket_link.register(router)

    @router.callback_query(WatchCb.filter())
    async def stop_waiting(
        query: CallbackQuery,
        callback_data: WatchCb,
        texts: Texts,
        person: PersonView,
        config: Config,
        db: Database,
        library_system: LibrarySystem | None,
        activity: ActivityNote,
    ) -> None:
        """«Не ждать»: cancel one of the presser's own waits, then show the screen without it."""
        activity.kind = ActivityKind.CATALOGUE_QUERY
        title = await watches.cancel(db, person.id, callback_data.watch_id)
        activity.status = "unwatch" if title is not None else "unwatch: not found"
        if title is None:
            await query.answer(texts.plain("loans-watch-gone"), show_alert=True)
        else:
            activity.content = title
            await query.answer(texts.plain("loans-watch-cancelled", title=title))
        target = _answer_target(query)
        if target is not None:
            await show_my_books(
                target,
                texts=texts,
                config=config,
                db=db,
                person=person,
                system=library_system,
                edit=True,
            )

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
                target,
                texts=texts,
                config=config,
                db=db,
                system=library_system,
                link=link,
                edit=True,
            )
            return
        if action is LoanAction.LIST:
            await query.answer()
            activity.status = "shown"
            await show_loans(
                target, texts=texts, config=config, db=db, system=library_system, link=link
            )
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
        patron = await current_patron(system, link)
        loans = await system.loans(patron) if patron is not None else []
    except SystemUnavailable:
        activity.status = "unavailable"
        await query.answer()
        await system_down(target, texts, config)
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
                db=db,
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
                texts.plain("loans-already-renewed", title=loan.title, due=day(loan.due)),
                show_alert=True,
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
        db=db,
        system=system,
        link=link,
        patron=patron,
        loans=fresh,
        header=header,
        just_renewed={r.loan_ref for r in results if r.outcome in ACTED_ON},
    )
