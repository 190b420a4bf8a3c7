"""How a consultation request looks: the card staff and experts work from, the card the
requester follows, the thread, and the buttons each of them gets.

Shared by the conversation and the notices the bot sends on its own (the staff chat
card, the expert's copy, reminders), so a request reads the same wherever it appears.
"""

from __future__ import annotations

import html
from datetime import datetime

from aiogram.types import InlineKeyboardButton

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import DeskAction, DeskCb, RequestAction, RequestCb
from broadcasts.views.keyboards import button
from storage.consultations.appointments import SlotView
from storage.consultations.entries import EntryView
from storage.consultations.models import Author, EntryKind, RequestStatus, SlotStatus
from storage.consultations.requests import RequestView

CONTACT_TIMES = ("any", "morning", "day", "evening")
PREVIEW = 600


def moment(config: Config, at: datetime) -> str:
    return f"{at.astimezone(config.library.zone):%d.%m.%Y %H:%M}"


def topic_name(texts: Texts, config: Config, topic_id: str) -> str:
    topic = config.consultations.topic(topic_id)
    if topic is None:
        return topic_id
    return topic.name_en if texts.language == "en" and topic.name_en else topic.name


def status_name(texts: Texts, status: RequestStatus, *, staff: bool = False) -> str:
    """The requester reads «ждёт вашего ответа», staff read «ждёт ответа заявителя»."""
    return texts(f"{'desk' if staff else 'rq'}-status-{status.value}")


def _clip(text: str, limit: int = PREVIEW) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def desk_card(texts: Texts, config: Config, request: RequestView) -> str:
    """What staff and the expert see: everything the register needs, and the question."""
    lines = [
        texts(
            "desk-card-title",
            number=request.id,
            topic=topic_name(texts, config, request.topic),
        ),
        texts("desk-card-status", status=status_name(texts, request.status, staff=True)),
        texts(
            "desk-card-from",
            name=request.requester_name or texts("rq-anonymous"),
            organisation=request.organisation or "none",
        ),
        texts(
            "desk-card-contact",
            contact=request.contact or texts("rq-contact-in-chat"),
            time=request.contact_time or "none",
        ),
        texts("desk-card-received", at=moment(config, request.received_at)),
    ]
    if request.responsible_name:
        lines.append(texts("desk-card-responsible", name=request.responsible_name))
    if request.expert_name:
        lines.append(texts("desk-card-expert", name=request.expert_name))
    if request.result:
        lines.append(texts("desk-card-result", result=request.result))
    if request.rating:
        lines.append(texts("desk-card-rating", rating=request.rating))
    lines += ["", html.escape(_clip(request.question))]
    if request.files:
        lines.append(texts("desk-card-files", count=request.files))
    return "\n".join(lines)


def _desk(action: DeskAction, request: RequestView) -> str:
    return DeskCb(action=action, id=request.id).pack()


def _rq(action: RequestAction, id_: int = 0) -> str:
    return RequestCb(action=action, id=id_).pack()


def desk_rows(
    texts: Texts, request: RequestView, *, expert: bool = False
) -> list[list[InlineKeyboardButton]]:
    """The card's buttons: staff get every action, an expert only the answering ones."""
    rows: list[list[InlineKeyboardButton]] = []
    if request.is_open:
        first = []
        if not expert and request.status is RequestStatus.NEW:
            first.append(button(texts("desk-take"), _desk(DeskAction.TAKE, request)))
        if not expert:
            first.append(button(texts("desk-forward"), _desk(DeskAction.FORWARD, request)))
        if first:
            rows.append(first)
        rows.append(
            [
                button(texts("desk-reply"), _desk(DeskAction.REPLY, request)),
                button(texts("desk-meet"), _desk(DeskAction.MEET, request)),
            ]
        )
        rows.append([button(texts("desk-close"), _desk(DeskAction.CLOSE, request))])
        if expert:
            rows.append([button(texts("desk-give-back"), _desk(DeskAction.GIVE_BACK, request))])
    extra = [
        button(texts("desk-thread"), _desk(DeskAction.THREAD, request)),
        button(texts("desk-note"), _desk(DeskAction.NOTE, request)),
    ]
    if request.files:
        extra.append(button(texts("desk-files"), _desk(DeskAction.FILES, request)))
    rows.append(extra)
    return rows


def entry_line(texts: Texts, config: Config, entry: EntryView, *, for_requester: bool) -> str:
    """One line of the thread; the requester never sees staff names of internal steps."""
    at = moment(config, entry.at)
    if entry.kind is EntryKind.STATUS:
        status = RequestStatus(entry.status_to or RequestStatus.NEW)
        who = entry.author_name or texts(f"rq-author-{entry.author.value}")
        if for_requester:
            return texts("rq-line-status", at=at, status=status_name(texts, status))
        return texts(
            "desk-line-status",
            at=at,
            status=status_name(texts, status, staff=True),
            who=who,
            to=entry.to_whom or "none",
        )
    if entry.kind is EntryKind.FILE:
        name = entry.file.name if entry.file and entry.file.name else texts("rq-file")
        return texts("rq-line-file", at=at, name=name if entry.file else texts("rq-file-erased"))
    if entry.kind is EntryKind.APPOINTMENT:
        return texts("rq-line-appointment", at=at, what=_appointment_word(texts, entry.text))
    who = (
        texts("rq-author-you")
        if entry.author is Author.REQUESTER and for_requester
        else entry.author_name or texts(f"rq-author-{entry.author.value}")
    )
    key = "desk-line-note" if entry.kind is EntryKind.NOTE else "rq-line-message"
    return texts(key, at=at, who=who, text=_clip(entry.text or texts("rq-erased"), 1500))


def _appointment_word(texts: Texts, raw: str | None) -> str:
    kind = (raw or "").split(":", 1)[0]
    return texts(f"rq-appointment-{kind}") if kind in ("offered", "chosen", "declined") else "—"


def thread_text(
    texts: Texts,
    config: Config,
    entries: list[EntryView],
    *,
    for_requester: bool,
    limit: int = 3500,
) -> str:
    """The history, newest kept when it is too long for one message."""
    lines = [entry_line(texts, config, e, for_requester=for_requester) for e in entries]
    kept: list[str] = []
    size = 0
    for line in reversed(lines):
        size += len(line) + 1
        if size > limit:
            kept.append(texts("rq-thread-earlier"))
            break
        kept.append(line)
    return "\n".join(reversed(kept))


def slot_line(texts: Texts, config: Config, slot: SlotView) -> str:
    return texts("rq-slot", at=moment(config, slot.starts_at), place=slot.place or "none") + (
        texts("rq-slot-chosen") if slot.status is SlotStatus.CHOSEN else ""
    )


def requester_card(
    texts: Texts,
    config: Config,
    request: RequestView,
    entries: list[EntryView],
    slots: list[SlotView],
) -> str:
    lines = [
        texts(
            "rq-card-title",
            number=request.id,
            topic=topic_name(texts, config, request.topic),
        ),
        texts("rq-card-status", status=status_name(texts, request.status)),
        texts("rq-card-received", at=moment(config, request.received_at)),
        "",
        html.escape(_clip(request.question, 400)),
    ]
    chosen = [s for s in slots if s.status is SlotStatus.CHOSEN]
    if chosen:
        lines += ["", texts("rq-card-meeting") + " " + slot_line(texts, config, chosen[0])]
    history = thread_text(texts, config, entries, for_requester=True, limit=2500)
    if history:
        lines += ["", history]
    return "\n".join(lines)


def requester_rows(
    texts: Texts, request: RequestView, slots: list[SlotView], config: Config
) -> list[list[InlineKeyboardButton]]:
    rows = []
    offered = [s for s in slots if s.status is SlotStatus.OFFERED]
    for slot in offered:
        at = moment(config, slot.starts_at)
        rows.append([button(texts("rq-slot-button", at=at), _rq(RequestAction.SLOT, slot.id))])
    if offered:
        rows.append([button(texts("rq-no-slot"), _rq(RequestAction.NO_SLOT, request.id))])
    if request.is_open:
        rows.append(
            [
                button(texts("rq-add"), _rq(RequestAction.ADD, request.id)),
                button(texts("rq-withdraw"), _rq(RequestAction.WITHDRAW, request.id)),
            ]
        )
        if request.status is RequestStatus.AWAITING:
            rows.append([button(texts("rq-solved"), _rq(RequestAction.SOLVED, request.id))])
    elif (
        request.status is not RequestStatus.WITHDRAWN
        and request.rating is None
        and config.ratings.asks_about(request.topic)
    ):
        rows.append(rating_row(request.id))
    rows.append([button(texts("rq-mine"), _rq(RequestAction.MINE))])
    return rows


def requester_list_rows(
    texts: Texts, config: Config, mine: list[RequestView]
) -> list[list[InlineKeyboardButton]]:
    """«Мои обращения»: a button for each request, then «Новое обращение»."""
    rows = [
        [
            button(
                texts(
                    "rq-mine-line",
                    number=r.id,
                    topic=topic_name(texts, config, r.topic),
                    status=status_name(texts, r.status),
                ),
                _rq(RequestAction.SHOW, r.id),
            )
        ]
        for r in mine
    ]
    return [*rows, [button(texts("rq-new"), _rq(RequestAction.TOPICS))]]


def open_request_row(texts: Texts, request: RequestView) -> list[InlineKeyboardButton]:
    return [
        button(texts("rq-open-request", number=request.id), _rq(RequestAction.SHOW, request.id))
    ]


def rating_row(request_id: int) -> list[InlineKeyboardButton]:
    return [
        button(str(n), RequestCb(action=RequestAction.RATE, id=request_id, value=n).pack())
        for n in range(1, 6)
    ]
