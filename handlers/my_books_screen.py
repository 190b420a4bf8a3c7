"""The «Мои книги» screen as sent or edited: loans and holds of a linked ticket, or the
way to link one, and in both the reader's «Сообщить, когда вернут» waits.

Waits belong to the person, not to the ticket (they are made from the catalogue, which
needs no ticket), so they are listed — and can be cancelled — before any ticket is
linked, and even where the library has no system the bot can ask.
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from aiogram.exceptions import TelegramAPIError
from aiogram.types import InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import inline
from broadcasts.views.loans_view import WATCHES_SHOWN, loans_screen, watch_section
from handlers.common import phone_or_none
from storage.catalogue import watches
from storage.circulation import library_today, links
from storage.circulation.base import LibrarySystem, Loan, Patron, SystemUnavailable
from storage.circulation.links import LinkView
from storage.db import Database
from storage.models import Consent
from storage.people import PersonView


async def system_down(target: Message, texts: Texts, config: Config) -> None:
    await target.answer(
        texts("loans-system-down", phone=phone_or_none(config)), reply_markup=inline(texts)
    )


async def current_patron(system: LibrarySystem, link: LinkView) -> Patron | None:
    """The reader as the system knows them now (a card may have been blocked since)."""
    return await system.find_patron(link.ticket)


async def show_loans(
    target: Message,
    *,
    texts: Texts,
    config: Config,
    db: Database,
    system: LibrarySystem,
    link: LinkView,
    patron: Patron | None = None,
    loans: Sequence[Loan] | None = None,
    header: list[str] | None = None,
    just_renewed: Collection[str] = (),
    edit: bool = False,
) -> None:
    """Send (or edit into) the list of a linked ticket, optionally under a renewal summary."""
    try:
        patron = patron or await current_patron(system, link)
        if patron is None:
            await target.answer(texts("loans-not-yours"), reply_markup=inline(texts))
            return
        loans = loans if loans is not None else await system.loans(patron)
        holds = await system.holds(patron)
    except SystemUnavailable:
        await system_down(target, texts, config)
        return
    waits, total = await watches.waiting(db, link.person_id, limit=WATCHES_SHOWN)
    text, rows = loans_screen(
        texts,
        ticket=link.ticket,
        patron_ref=patron.ref,
        loans=loans,
        holds=holds,
        reminders=link.reminders,
        today=library_today(config)(),
        just_renewed=just_renewed,
        waits=waits,
        waits_total=total,
    )
    if header:
        text = "\n".join([*header, "", text])
    await _show(target, texts, text, rows, edit=edit)


def intro_key(person: PersonView, system: LibrarySystem | None) -> str:
    """What «Мои книги» says to someone without a linked ticket."""
    if system is None:
        return "loans-none-system"
    if person.consent != Consent.GIVEN:
        return "loans-need-consent"
    return "loans-ask-ticket"


async def show_intro(
    target: Message,
    *,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    key: str,
    edit: bool = False,
) -> None:
    """The screen without a ticket (`intro_key`), with the person's waits under it."""
    args = {"phone": phone_or_none(config)} if key == "loans-none-system" else {}
    waits, total = await watches.waiting(db, person.id, limit=WATCHES_SHOWN)
    lines, rows = watch_section(texts, waits, total)
    text = "\n\n".join([texts(key, **args), "\n".join(lines)]) if lines else texts(key, **args)
    if key == "loans-need-consent" and not rows and not edit:
        await target.answer(text)  # the consent question with its buttons follows at once
        return
    await _show(target, texts, text, rows, edit=edit)


async def show_my_books(
    target: Message,
    *,
    texts: Texts,
    config: Config,
    db: Database,
    person: PersonView,
    system: LibrarySystem | None,
    edit: bool = False,
) -> None:
    """Whichever screen «Мои книги» shows this person now (after a wait is cancelled)."""
    link = await links.get_link(db, person.id)
    if system is not None and link is not None:
        await show_loans(
            target, texts=texts, config=config, db=db, system=system, link=link, edit=edit
        )
        return
    key = intro_key(person, system)
    await show_intro(target, texts=texts, config=config, db=db, person=person, key=key, edit=edit)


@dataclass(frozen=True, slots=True)
class LoansScreen:
    """A linked ticket's list and the message it goes in (or under): what a loan button needs."""

    target: Message
    texts: Texts
    config: Config
    db: Database
    system: LibrarySystem
    link: LinkView

    async def show(
        self,
        *,
        patron: Patron | None = None,
        loans: Sequence[Loan] | None = None,
        header: list[str] | None = None,
        just_renewed: Collection[str] = (),
        edit: bool = False,
    ) -> None:
        """`show_loans` for this ticket."""
        await show_loans(
            self.target,
            texts=self.texts,
            config=self.config,
            db=self.db,
            system=self.system,
            link=self.link,
            patron=patron,
            loans=loans,
            header=header,
            just_renewed=just_renewed,
            edit=edit,
        )

    async def system_down(self) -> None:
        await system_down(self.target, self.texts, self.config)


@dataclass(frozen=True, slots=True)
class IntroScreen:
    """The screen for someone without a linked ticket: which one (`intro_key`), and where."""

    key: str
    target: Message
    texts: Texts
    config: Config
    db: Database
    person: PersonView

    async def show(self) -> None:
        await show_intro(
            self.target,
            texts=self.texts,
            config=self.config,
            db=self.db,
            person=self.person,
            key=self.key,
        )


async def _show(
    target: Message,
    texts: Texts,
    text: str,
    rows: list[list[InlineKeyboardButton]],
    *,
    edit: bool,
) -> None:
    markup = inline(texts, *rows)
    if edit:
        with contextlib.suppress(TelegramAPIError):
            await target.edit_text(text, reply_markup=markup)
            return
    await target.answer(text, reply_markup=markup)
