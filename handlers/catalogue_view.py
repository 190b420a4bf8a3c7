"""How the catalogue answers look: a page of search hits with a button each, a record's card.

Only drawing: what was found and what a record holds come from `storage.catalogue`.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from aiogram.types import InlineKeyboardButton

from bot.kernel.i18n import Markup, Texts
from broadcasts.views.callbacks import CatalogueAction, CatalogueCb
from broadcasts.views.keyboards import button
from storage.catalogue.availability import BranchCopies, RecordCard
from storage.catalogue.index import Hit
from storage.catalogue.records import ItemStatus
from storage.catalogue.search import SearchResult

PAGE = 5
BUTTON_TITLE = 40
SHOWN_STATUSES = (
    ItemStatus.ON_LOAN,
    ItemStatus.RESERVED,
    ItemStatus.IN_TRANSIT,
    ItemStatus.READING_ROOM,
    ItemStatus.UNAVAILABLE,
)


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _hit_line(texts: Texts, number: int, hit: Hit) -> str:
    return texts(
        "catalogue-hit",
        number=str(number),
        title=hit.title,
        authors=(hit.authors or "none").split(";")[0],
        year=hit.year or "none",
    )


def results(
    texts: Texts, result: SearchResult, offset: int, query_id: int
) -> tuple[str, list[list[InlineKeyboardButton]]]:
    """A page of hits from `offset`: a line and a button per record, «Ещё» while more are left
    (`query_id` names the question for it)."""
    lines = []
    if result.suggestion:
        lines.append(texts("catalogue-suggestion", suggestion=result.suggestion))
    shown = len(result.hits)
    if offset:
        lines.append(
            texts(
                "catalogue-page",
                query=result.query,
                total=result.total,
                **{"from": offset + 1},
                to=offset + shown,
            )
        )
    elif result.broad:
        lines.append(texts("catalogue-found-many", total=result.total, query=result.query))
    else:
        lines.append(
            texts(
                "catalogue-found",
                total=result.total,
                query=result.query,
                shown="all" if result.total <= shown else shown,
            )
        )
    rows = []
    for number, hit in enumerate(result.hits, start=offset + 1):
        lines.append(_hit_line(texts, number, hit))
        label = f"{number}. {_short(hit.title, BUTTON_TITLE)}"
        rows.append(
            [
                button(
                    label,
                    CatalogueCb(action=CatalogueAction.RECORD, record_id=hit.record_id).pack(),
                )
            ]
        )
    if offset + shown < result.total:
        more = CatalogueCb(action=CatalogueAction.MORE, offset=offset + shown, query_id=query_id)
        rows.append([button(texts("catalogue-more"), more.pack())])
    return "\n".join(lines), rows


def _branch_state(texts: Texts, copies: BranchCopies) -> str:
    parts = []
    if copies.available:
        parts.append(texts("catalogue-on-shelf", available=copies.available, total=copies.total))
    else:
        parts.append(texts("catalogue-none-on-shelf"))
    for status in SHOWN_STATUSES:
        count = copies.statuses[status]
        if not count:
            continue
        if status is ItemStatus.ON_LOAN:
            due = f"{copies.next_due:%d.%m.%Y}" if copies.next_due else "none"
            parts.append(texts("catalogue-status-on_loan", count=count, due=due))
        else:
            parts.append(texts(f"catalogue-status-{status.value}", count=count))
    if copies.call_numbers:
        parts.append(texts("catalogue-call-number", call=", ".join(copies.call_numbers[:2])))
    return Markup("; ".join(parts))


def _as_of(indexed_at: datetime, zone: ZoneInfo, now: datetime) -> str:
    """«03:00» for today's index, «07.12 03:00» for an older one."""
    local = indexed_at.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return f"{local:%H:%M}"
    return f"{local:%d.%m %H:%M}"


def card_text(texts: Texts, card: RecordCard, zone: ZoneInfo | None = None) -> str:
    """The record and, per branch, what can be taken now and what is out; when the
    library system did not answer in time, the time of the index the copies come from."""
    lines = [texts("catalogue-card-title", title=card.title)]
    if card.authors:
        lines.append(texts("catalogue-card-authors", authors=card.authors))
    details = ", ".join(p for p in (card.publisher, card.year) if p)
    if details:
        lines.append(texts("catalogue-card-imprint", details=details))
    if card.isbns:
        lines.append(texts("catalogue-card-isbn", isbn=card.isbns.split()[0]))
    lines.append("")
    if not card.branches:
        lines.append(texts("catalogue-no-copies"))
    for copies in card.branches:
        lines.append(
            texts("catalogue-branch", branch=copies.name, state=_branch_state(texts, copies))
        )
    if card.live is False and card.indexed_at is not None and zone is not None:
        when = _as_of(card.indexed_at, zone, datetime.now(zone))
        lines.append(texts("catalogue-live-fallback", time=when))
    return "\n".join(lines)


def card_buttons(texts: Texts, card: RecordCard) -> list[list[InlineKeyboardButton]]:
    """«Сообщить, когда вернут» while no copy is on a shelf; «Забронировать» if any copy is."""
    rows = []
    if card.available == 0 and card.branches:
        watch = CatalogueCb(action=CatalogueAction.WATCH, record_id=card.record_id)
        rows.append([button(texts("catalogue-watch-button"), watch.pack())])
    if card.branches:
        hold = CatalogueCb(action=CatalogueAction.HOLD, record_id=card.record_id)
        rows.append([button(texts("catalogue-hold-button"), hold.pack())])
    return rows
