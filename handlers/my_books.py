"""«Мои книги»: see loans and holds, renew one or all, cancel «Сообщить, когда вернут».

Every action re-reads the reader's own link and loans on the server: a button names
a loan only by a key bound to this reader (`storage.circulation.loan_keys`), so forged
or replayed data can at most point at one's own loans; which loans a press renews, and
what became of them, is `storage.circulation.renewal`. Linking a ticket is in
`handlers.ticket_link`; how the screen looks, in `handlers.my_books_screen` and
`broadcasts.views.loans_view`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from aiogram import F
from aiogram.filters import Command, Filter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import LoanAction, LoanCb, WatchCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.loans_view import day, renewal_lines
from handlers.common import ask_consent
from handlers.filters import MenuButton
from handlers.my_books_screen import IntroScreen, LoansScreen, intro_key, show_my_books
from handlers.routes import Routes
from handlers.ticket_link import ask_ticket
from storage.activity import ActivityNote
from storage.catalogue import watches
from storage.circulation import links, renewal
from storage.circulation.base import LibrarySystem
from storage.circulation.renewal import Press, RenewAll, RenewOne, Stop, Stopped
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

routes = Routes(__name__)  # the menu entry: a navigation part (it abandons any form)
form_routes = Routes(f"{__name__}.form")  # the screen's buttons, after navigation

INTRO_STATUS = {"loans-none-system": "no library system", "loans-need-consent": "needs consent"}


class Linked(Filter):
    """Passes when the library has a system and the person has linked a ticket: their list
    and the message it goes in (for a button, the one it sits under) as `screen`."""

    async def __call__(
        self,
        event: Message | CallbackQuery,
        texts: Texts,
        person: PersonView,
        config: Config,
        db: Database,
        library_system: LibrarySystem | None,
    ) -> bool | dict[str, LoansScreen]:
        target = event if isinstance(event, Message) else event.message
        if library_system is None or not isinstance(target, Message):
            return False
        link = await links.get_link(db, person.id)
        if link is None:
            return False
        return {"screen": LoansScreen(target, texts, config, db, library_system, link)}


class Unlinked(Filter):
    """After `Linked`: the screen for someone without a ticket (`intro_key`), as `intro`."""

    async def __call__(
        self,
        message: Message,
        texts: Texts,
        person: PersonView,
        config: Config,
        db: Database,
        library_system: LibrarySystem | None,
    ) -> dict[str, IntroScreen]:
        key = intro_key(person, library_system)
        return {"intro": IntroScreen(key, message, texts, config, db, person)}


@routes.message(MenuButton("menu-my-books"), Linked())
@routes.message(Command("books"), Linked())
async def my_books(message: Message, screen: LoansScreen, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    activity.status = "shown"
    await screen.show()


@routes.message(MenuButton("menu-my-books"), Unlinked())
@routes.message(Command("books"), Unlinked())
async def my_books_intro(
    message: Message, intro: IntroScreen, state: FSMContext, activity: ActivityNote
) -> None:
    """No ticket linked (or no system to link one to): how to go on, and the waits."""
    activity.kind = ActivityKind.LOAN_ENQUIRY
    activity.status = INTRO_STATUS.get(intro.key, "asked to link")
    await intro.show()
    if intro.key == "loans-need-consent":
        await ask_consent(message, intro.texts, intro.config)
    elif intro.key == "loans-ask-ticket":
        await ask_ticket(message, intro.texts, intro.config, intro.person, state)


async def open_my_books(
    message: Message,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    library_system: LibrarySystem | None,
    state: FSMContext,
    activity: ActivityNote,
) -> None:
    """«Мои книги» for a typed «хочу продлить книгу»: the list, or how to link a ticket."""
    linked = await Linked()(message, texts, person, config, db, library_system)
    if isinstance(linked, dict):
        await my_books(message, linked["screen"], activity)
        return
    unlinked = await Unlinked()(message, texts, person, config, db, library_system)
    await my_books_intro(message, unlinked["intro"], state, activity)


@form_routes.callback_query(WatchCb.filter())
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
    if isinstance(query.message, Message):
        await show_my_books(
            query.message,
            texts=texts,
            config=config,
            db=db,
            person=person,
            system=library_system,
            edit=True,
        )


def _loan_button(action: LoanAction) -> tuple[Any, ...]:
    """A «Мои книги» button of this action, pressed by someone with a linked ticket."""
    return LoanCb.filter(F.action == action), Linked()


@form_routes.callback_query(*_loan_button(LoanAction.UNLINK))
async def ask_unlink(
    query: CallbackQuery, texts: Texts, screen: LoansScreen, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    await query.answer()
    yes = button(texts("loans-unlink-yes"), LoanCb(action=LoanAction.UNLINK_YES).pack())
    no = button(texts("loans-unlink-no"), LoanCb(action=LoanAction.LIST).pack())
    await screen.target.answer(
        texts("loans-unlink-confirm", ticket=screen.link.ticket),
        reply_markup=inline(texts, [yes, no]),
    )


@form_routes.callback_query(*_loan_button(LoanAction.UNLINK_YES))
async def unlink(
    query: CallbackQuery, texts: Texts, db: Database, screen: LoansScreen, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.READER_LINK
    activity.status = "unlinked"
    await links.unlink(db, screen.link.person_id)
    await query.answer()
    await screen.target.answer(texts("loans-unlinked"), reply_markup=inline(texts))


@form_routes.callback_query(*_loan_button(LoanAction.REMINDERS))
async def toggle_reminders(
    query: CallbackQuery, texts: Texts, db: Database, screen: LoansScreen, activity: ActivityNote
) -> None:
    """Due-date reminders on or off; the list shows the new state of its button."""
    activity.kind = ActivityKind.LOAN_ENQUIRY
    link = screen.link
    await links.set_reminders(db, link.person_id, not link.reminders)
    activity.status = "reminders off" if link.reminders else "reminders on"
    await query.answer(
        texts("loans-reminders-now-off" if link.reminders else "loans-reminders-now-on")
    )
    now = await links.get_link(db, link.person_id) or link
    await replace(screen, link=now).show(edit=True)


@form_routes.callback_query(*_loan_button(LoanAction.LIST))
async def show_list(query: CallbackQuery, screen: LoansScreen, activity: ActivityNote) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    await query.answer()
    activity.status = "shown"
    await screen.show()


class Pressed(Filter):
    """The renewal button as the `press` the renewal checks (`read` takes it from the data)."""

    def __init__(self, read: Callable[[LoanCb], Press]) -> None:
        self.read = read

    async def __call__(self, query: CallbackQuery, callback_data: LoanCb) -> dict[str, Press]:
        return {"press": self.read(callback_data)}


@form_routes.callback_query(
    *_loan_button(LoanAction.RENEW), Pressed(lambda data: RenewOne(data.key, data.due))
)
@form_routes.callback_query(*_loan_button(LoanAction.ALL), Pressed(lambda data: RenewAll(data.key)))
async def renew(
    query: CallbackQuery,
    press: Press,
    texts: Texts,
    person: PersonView,
    db: Database,
    screen: LoansScreen,
    activity: ActivityNote,
) -> None:
    """«Продлить» under the list or a reminder (one loan, as of the due date it showed), and
    «Продлить все» (every loan of the list the reader saw)."""
    # Stale and forged presses stay enquiries; real attempts are logged per loan below.
    activity.kind = ActivityKind.LOAN_ENQUIRY
    chosen = await renewal.choose(screen.system, screen.link.ticket, press)
    if isinstance(chosen, Stopped):
        activity.status = chosen.stop.value
        await _not_renewed(query, chosen, screen)
        return
    await query.answer(texts("loans-checking"))
    done = await renewal.renew(screen.system, chosen)
    activity.skip = True  # one row per renewal attempt instead
    await renewal.record(db, person, done.results, activity.update_id)
    header = renewal_lines(texts, done.results)
    if done.fresh is None:
        await screen.target.answer("\n".join(header), reply_markup=inline(texts))
        return
    await screen.show(
        patron=chosen.patron, loans=done.fresh, header=header, just_renewed=done.just_renewed
    )


@form_routes.callback_query(LoanCb.filter())
async def not_linked(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """A «Мои книги» button pressed with no ticket linked (unlinked since, or never)."""
    activity.kind = ActivityKind.LOAN_ENQUIRY
    activity.status = "not linked"
    await query.answer(texts("loans-need-link"), show_alert=True)


async def _not_renewed(query: CallbackQuery, stopped: Stopped, screen: LoansScreen) -> None:
    """Why the press renewed nothing, as the reader is told."""
    texts = screen.texts
    if stopped.stop is Stop.UNAVAILABLE:
        await query.answer()
        await screen.system_down()
    elif stopped.stop is Stop.STALE_LIST:
        await query.answer(texts("loans-stale"))
        await screen.show(patron=stopped.patron, loans=stopped.loans)
    elif stopped.stop is Stop.ALREADY_RENEWED and stopped.loan is not None:
        loan = stopped.loan
        already = texts.plain("loans-already-renewed", title=loan.title, due=day(loan.due))
        await query.answer(already, show_alert=True)
    else:  # the ticket is gone from the system, or the key names none of its loans
        await query.answer(texts("loans-not-yours"), show_alert=True)
