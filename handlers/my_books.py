"""«Мои книги»: see loans and holds, renew one or all, cancel «Сообщить, когда вернут».

Every action re-reads the reader's own link and loans on the server: a button names
a loan only by a key bound to this reader (`storage.circulation.loan_keys`), so forged
or replayed data can at most point at one's own loans; which loans a press renews, and
what became of them, is `storage.circulation.renewal`. Linking a ticket is in
`handlers.ticket_link`; how the screen looks, in `handlers.my_books_screen` and
`broadcasts.views.loans_view`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import partial
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
from handlers.my_books_screen import intro_key, show_intro, show_loans, show_my_books, system_down
from handlers.routes import Routes
from handlers.ticket_link import LinkForm
from storage.activity import ActivityNote
from storage.catalogue import watches
from storage.circulation import links, renewal
from storage.circulation.base import LibrarySystem
from storage.circulation.links import LinkView
from storage.circulation.renewal import Press, RenewAll, RenewOne, Stop, Stopped
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

routes = Routes(__name__)  # the menu entry: a navigation part (it abandons any form)
form_routes = Routes(f"{__name__}.form")  # the screen's buttons, after navigation

INTRO_STATUS = {"loans-none-system": "no library system", "loans-need-consent": "needs consent"}


class LinkedTicket(Filter):
    """Passes when the library has a system and the person has linked a ticket: the link
    as `link`, and for a button the message it sits under as `target`."""

    async def __call__(
        self,
        event: Message | CallbackQuery,
        person: PersonView,
        db: Database,
        library_system: LibrarySystem | None,
    ) -> bool | dict[str, Any]:
        target = event if isinstance(event, Message) else event.message
        if library_system is None or not isinstance(target, Message):
            return False
        link = await links.get_link(db, person.id)
        return link is not None and {"link": link, "target": target}


@routes.message(MenuButton("menu-my-books"), LinkedTicket())
@routes.message(Command("books"), LinkedTicket())
async def my_books(
    message: Message,
    texts: Texts,
    config: Config,
    db: Database,
    library_system: LibrarySystem,
    link: LinkView,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    activity.status = "shown"
    await show_loans(message, texts=texts, config=config, db=db, system=library_system, link=link)


@routes.message(MenuButton("menu-my-books"))
@routes.message(Command("books"))
async def my_books_intro(
    message: Message,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    state: FSMContext,
    library_system: LibrarySystem | None,
    activity: ActivityNote,
) -> None:
    """No ticket linked (or no system to link one to): how to go on, and the waits."""
    activity.kind = ActivityKind.LOAN_ENQUIRY
    key = intro_key(person, library_system)
    activity.status = INTRO_STATUS.get(key, "asked to link")
    await show_intro(message, texts=texts, config=config, db=db, person=person, key=key)
    if key == "loans-need-consent":
        await ask_consent(message, texts, config)
    elif key == "loans-ask-ticket":
        await state.set_state(LinkForm.ticket)


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
    return LoanCb.filter(F.action == action), LinkedTicket()


@form_routes.callback_query(*_loan_button(LoanAction.UNLINK))
async def ask_unlink(
    query: CallbackQuery, texts: Texts, link: LinkView, target: Message, activity: ActivityNote
) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    await query.answer()
    yes = button(texts("loans-unlink-yes"), LoanCb(action=LoanAction.UNLINK_YES).pack())
    no = button(texts("loans-unlink-no"), LoanCb(action=LoanAction.LIST).pack())
    await target.answer(
        texts("loans-unlink-confirm", ticket=link.ticket), reply_markup=inline(texts, [yes, no])
    )


@form_routes.callback_query(*_loan_button(LoanAction.UNLINK_YES))
async def unlink(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    db: Database,
    target: Message,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.READER_LINK
    activity.status = "unlinked"
    await links.unlink(db, person.id)
    await query.answer()
    await target.answer(texts("loans-unlinked"), reply_markup=inline(texts))


@form_routes.callback_query(*_loan_button(LoanAction.REMINDERS))
async def toggle_reminders(
    query: CallbackQuery,
    texts: Texts,
    person: PersonView,
    config: Config,
    db: Database,
    library_system: LibrarySystem,
    link: LinkView,
    target: Message,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    await links.set_reminders(db, person.id, not link.reminders)
    activity.status = "reminders off" if link.reminders else "reminders on"
    await query.answer(
        texts("loans-reminders-now-off" if link.reminders else "loans-reminders-now-on")
    )
    link = await links.get_link(db, person.id) or link
    await show_loans(
        target, texts=texts, config=config, db=db, system=library_system, link=link, edit=True
    )


@form_routes.callback_query(*_loan_button(LoanAction.LIST))
async def show_list(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    db: Database,
    library_system: LibrarySystem,
    link: LinkView,
    target: Message,
    activity: ActivityNote,
) -> None:
    activity.kind = ActivityKind.LOAN_ENQUIRY
    await query.answer()
    activity.status = "shown"
    await show_loans(target, texts=texts, config=config, db=db, system=library_system, link=link)


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
    config: Config,
    db: Database,
    library_system: LibrarySystem,
    link: LinkView,
    target: Message,
    activity: ActivityNote,
) -> None:
    """«Продлить» under the list or a reminder (one loan, as of the due date it showed), and
    «Продлить все» (every loan of the list the reader saw)."""
    # Stale and forged presses stay enquiries; real attempts are logged per loan below.
    activity.kind = ActivityKind.LOAN_ENQUIRY
    screen = partial(
        show_loans, target, texts=texts, config=config, db=db, system=library_system, link=link
    )
    chosen = await renewal.choose(library_system, link.ticket, press)
    if isinstance(chosen, Stopped):
        activity.status = chosen.stop.value
        await _not_renewed(query, target, chosen, texts, config, screen)
        return
    await query.answer(texts("loans-checking"))
    done = await renewal.renew(library_system, chosen)
    activity.skip = True  # one row per renewal attempt instead
    await renewal.record(db, person, done.results, activity.update_id)
    header = renewal_lines(texts, done.results)
    if done.fresh is None:
        await target.answer("\n".join(header), reply_markup=inline(texts))
        return
    await screen(
        patron=chosen.patron, loans=done.fresh, header=header, just_renewed=done.just_renewed
    )


@form_routes.callback_query(LoanCb.filter())
async def not_linked(query: CallbackQuery, texts: Texts, activity: ActivityNote) -> None:
    """A «Мои книги» button pressed with no ticket linked (unlinked since, or never)."""
    activity.kind = ActivityKind.LOAN_ENQUIRY
    activity.status = "not linked"
    await query.answer(texts("loans-need-link"), show_alert=True)


async def _not_renewed(
    query: CallbackQuery,
    target: Message,
    stopped: Stopped,
    texts: Texts,
    config: Config,
    screen: Callable[..., Awaitable[None]],
) -> None:
    """Why the press renewed nothing, as the reader is told."""
    if stopped.stop is Stop.UNAVAILABLE:
        await query.answer()
        await system_down(target, texts, config)
    elif stopped.stop is Stop.STALE_LIST:
        await query.answer(texts("loans-stale"))
        await screen(patron=stopped.patron, loans=stopped.loans)
    elif stopped.stop is Stop.ALREADY_RENEWED and stopped.loan is not None:
        loan = stopped.loan
        already = texts.plain("loans-already-renewed", title=loan.title, due=day(loan.due))
        await query.answer(already, show_alert=True)
    else:  # the ticket is gone from the system, or the key names none of its loans
        await query.answer(texts("loans-not-yours"), show_alert=True)
