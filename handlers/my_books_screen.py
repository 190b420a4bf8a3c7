"""The «Мои книги» screen as sent or edited: loans and holds of a linked ticket, or the
way to link one, and in both the reader's «Сообщить, когда вернут» waits.

Waits belong to the person, not to the ticket (they are made from the catalogue, which
needs no ticket), so they are listed — and can be cancelled — before any ticket is
linked, and even where the library has no system the bot can ask.

A screen is a small value — where it goes, and what drawing it needs — so that a filter
can hand one to a handler, and the handler only says what to show on it.
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


@dataclass(frozen=True, slots=True)
class LoansScreen:
    """A linked ticket's list and the message it goes in (or under)."""

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
        """Send (or edit into) the list, optionally under a renewal summary. `patron` and
        `loans` as just read; else the system is asked (a card may have been blocked since)."""
        texts, config = self.texts, self.config
        try:
            patron = patron or await self.system.find_patron(self.link.ticket)
            if patron is None:
                await self.target.answer(texts("loans-not-yours"), reply_markup=inline(texts))
                return
            loans = loans if loans is not None else await self.system.loans(patron)
            holds = await self.system.holds(patron)
        except SystemUnavailable:
            await self.system_down()
            return
        waits, total = await watches.waiting(self.db, self.link.person_id, limit=WATCHES_SHOWN)
        text, rows = loans_screen(
            texts,
            ticket=self.link.ticket,
            patron_ref=patron.ref,
            loans=loans,
            holds=holds,
            reminders=self.link.reminders,
            today=library_today(config)(),
            just_renewed=just_renewed,
            waits=waits,
            waits_total=total,
        )
        if header:
            text = "\n".join([*header, "", text])
        await _show(self.target, texts, text, rows, edit=edit)

    async def system_down(self) -> None:
        await system_down(self.target, self.texts, self.config)


def intro_key(person: PersonView, system: LibrarySystem | None) -> str:
    """What «Мои книги» says to someone without a linked ticket."""
    if system is None:
        return "loans-none-system"
    if person.consent != Consent.GIVEN:
        return "loans-need-consent"
    return "loans-ask-ticket"


@dataclass(frozen=True, slots=True)
class IntroScreen:
    """The screen for someone without a linked ticket: which one (`intro_key`), and where."""

    key: str
    target: Message
    texts: Texts
    config: Config
    db: Database
    person: PersonView

    async def show(self, *, edit: bool = False) -> None:
        """How to go on, with the person's waits under it."""
        texts, key = self.texts, self.key
        args = {"phone": phone_or_none(self.config)} if key == "loans-none-system" else {}
        waits, total = await watches.waiting(self.db, self.person.id, limit=WATCHES_SHOWN)
        lines, rows = watch_section(texts, waits, total)
        text = "\n\n".join([texts(key, **args), "\n".join(lines)]) if lines else texts(key, **args)
        if key == "loans-need-consent" and not rows and not edit:
            await self.target.answer(text)  # the consent question with its buttons follows
            return
        await _show(self.target, texts, text, rows, edit=edit)


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
        await LoansScreen(target, texts, config, db, system, link).show(edit=edit)
        return
    intro = IntroScreen(intro_key(person, system), target, texts, config, db, person)
    await intro.show(edit=edit)


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
