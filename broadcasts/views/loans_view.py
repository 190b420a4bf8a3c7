"""How loans look in a message: the «Мои книги» screen, refusal reasons, renewal summaries.

Shared by the conversation and the reminder sweep, so a reminder's «Продлить» button
is the same button the list shows, and is checked the same way when pressed. The keys
that tie such a button to one reader are a rule of storage (`storage.circulation.loan_keys`);
`loan_key` and `state_digest` are still importable from here.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date

from aiogram.types import InlineKeyboardButton

from bot.kernel.i18n import Markup, Texts
from broadcasts.views.callbacks import LoanAction, LoanCb, WatchCb
from broadcasts.views.keyboards import button
from storage.catalogue.watches import Waiting
from storage.circulation.base import Hold, HoldStatus, Loan, Outcome, Refusal, Renewal
from storage.circulation.loan_keys import loan_key, state_digest  # also imported from here

BUTTON_TITLE = 32
WATCHES_SHOWN = 10  # «Сообщить, когда вернут» waits listed with a button each


def day(value: date) -> str:
    return f"{value:%d.%m.%Y}"


def short(text: str, limit: int = BUTTON_TITLE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def reason(texts: Texts, refusal: Refusal | None, opens: date | None = None) -> str:
    if refusal is None:
        refusal = Refusal.RULES
    if refusal is Refusal.TOO_SOON:
        return texts("refusal-too_soon", **{"from": day(opens) if opens else "none"})
    return texts(f"refusal-{refusal.value}")


def renewals_left(loan: Loan) -> int | None:
    if loan.renewals is None or loan.max_renewals is None:
        return None
    return max(loan.max_renewals - loan.renewals, 0)


def renew_button(texts: Texts, patron_ref: str, loan: Loan) -> InlineKeyboardButton:
    """«Продлить», and «Продлить последний раз» when the press spends the last renewal."""
    data = LoanCb(
        action=LoanAction.RENEW, key=loan_key(patron_ref, loan.ref), due=loan.due.toordinal()
    )
    key = "loans-renew-last-button" if renewals_left(loan) == 1 else "loans-renew-button"
    return button(texts(key, title=short(loan.title)), data.pack())


def watch_section(
    texts: Texts, waits: Sequence[Waiting], total: int
) -> tuple[list[str], list[list[InlineKeyboardButton]]]:
    """The reader's «Сообщить, когда вернут» waits, with a «Не ждать» button each."""
    if not waits:
        return [], []
    lines = [texts("loans-watches-title")]
    lines += [texts("loans-watch-line", title=w.title) for w in waits]
    if total > len(waits):
        lines.append(texts("loans-watches-more", count=total - len(waits)))
    rows = [
        [
            button(
                texts("loans-watch-cancel-button", title=short(w.title)),
                WatchCb(watch_id=w.watch_id).pack(),
            )
        ]
        for w in waits
    ]
    return lines, rows


def loans_screen(
    texts: Texts,
    *,
    ticket: str,
    patron_ref: str,
    loans: Sequence[Loan],
    holds: Sequence[Hold],
    reminders: bool,
    today: date,
    just_renewed: Collection[str] = (),
    waits: Sequence[Waiting] = (),
    waits_total: int = 0,
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """The list and its buttons. Loans in `just_renewed` (refs) get no «Продлить» and
    there is no «Продлить все»: right after a renewal, the same button again reads as
    «did it work?» and a second tap spends another renewal. They are offered again
    when the reader opens the list anew («Обновить», «Мои книги», a reminder)."""
    lines = [texts("loans-title", ticket=ticket)]
    if not loans:
        lines.append(texts("loans-empty"))
    for number, loan in enumerate(loans, start=1):
        renewals = "none"
        if loan.renewals is not None:
            renewals = str(loan.renewals)
            if loan.max_renewals is not None:
                renewals += f" / {loan.max_renewals}"
        lines.append(
            texts(
                "loans-line",
                number=str(number),
                title=loan.title,
                due=day(loan.due),
                overdue="yes" if loan.overdue(today) else "no",
                renewals=renewals,
            )
        )
        if loan.refusal is not None:
            lines.append(
                texts(
                    "loans-line-refusal",
                    reason=Markup(reason(texts, loan.refusal, loan.renewable_from)),
                )
            )
    waiting = [h for h in holds if h.status is HoldStatus.WAITING]
    coming = [h for h in holds if h.status is not HoldStatus.WAITING]
    if waiting:
        lines += ["", texts("loans-holds-title")]
        lines += [
            texts(
                "loans-hold-line",
                title=h.title,
                branch=h.branch or "none",
                until=day(h.pickup_until) if h.pickup_until else "none",
            )
            for h in waiting
        ]
    if coming:
        lines += ["", texts("loans-holds-coming", count=len(coming))]
    renewable = [x for x in loans if x.refusal is None and x.ref not in just_renewed]
    rows = [[renew_button(texts, patron_ref, loan)] for loan in renewable]
    if len(renewable) > 1 and not just_renewed:
        everything = LoanCb(action=LoanAction.ALL, key=state_digest(patron_ref, loans))
        rows.append([button(texts("loans-renew-all-button"), everything.pack())])
    watch_lines, watch_rows = watch_section(texts, waits, waits_total)
    if watch_lines:
        lines += ["", *watch_lines]
    rows += watch_rows
    toggle = "loans-reminders-on-button" if reminders else "loans-reminders-off-button"
    rows.append(
        [
            button(texts(toggle), LoanCb(action=LoanAction.REMINDERS).pack()),
            button(texts("loans-refresh-button"), LoanCb(action=LoanAction.LIST).pack()),
        ]
    )
    rows.append([button(texts("loans-unlink-button"), LoanCb(action=LoanAction.UNLINK).pack())])
    return "\n".join(lines), rows


def renewal_lines(texts: Texts, results: Sequence[Renewal]) -> list[str]:
    lines = [texts("loans-result-title")]
    for result in results:
        if result.outcome is Outcome.RENEWED and result.due is not None:
            lines.append(texts("loans-result-renewed", title=result.title, due=day(result.due)))
        elif result.outcome is Outcome.REFUSED:
            why = Markup(reason(texts, result.refusal))
            lines.append(texts("loans-result-refused", title=result.title, reason=why))
        elif result.outcome is Outcome.UNCONFIRMED:
            lines.append(texts("loans-result-unconfirmed", title=result.title))
        else:
            lines.append(texts("loans-result-unavailable", title=result.title))
    return lines
