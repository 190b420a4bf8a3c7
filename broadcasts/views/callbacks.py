"""Callback data for inline buttons: ids and enums only, never text (64-byte limit).

Values are parsed strictly, so forged or stale data fails to parse and lands in
the fallback handler («Кнопка устарела») instead of reaching a feature handler.
"""

from __future__ import annotations

import enum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from storage.models import Role

# Ids in button data are bounded, so absurd forged numbers fail to parse (stale button)
# instead of reaching the database as out-of-range integers.
Id = Annotated[int, Field(ge=0, le=2**31 - 1)]


class Screen(enum.StrEnum):
    MENU = "menu"
    FORGET = "forget"
    LANGUAGE = "lang"
    LINK = "link"  # one person in Telegram and VK
    ABOUT = "about"  # «О библиотеке»: every branch, its hours and contacts


class Nav(CallbackData, prefix="nav"):
    to: Screen


class ConsentAnswer(enum.StrEnum):
    YES = "yes"
    NO = "no"


class ConsentCb(CallbackData, prefix="consent"):
    answer: ConsentAnswer


class ForgetCb(CallbackData, prefix="forget"):
    confirm: bool


class Language(enum.StrEnum):
    RU = "ru"
    EN = "en"


class LanguageCb(CallbackData, prefix="lang"):
    code: Language


class AccountAction(enum.StrEnum):
    CODE = "code"  # show a one-time code to type in the other messenger
    PREFER = "prefer"  # send broadcasts and reminders to this messenger


class AccountCb(CallbackData, prefix="acc"):
    action: AccountAction


class StaffAction(enum.StrEnum):
    TODAY = "today"
    ROLES = "roles"
    DESK_CODE = "code"  # a one-time code to link a reader ticket
    UNLINK = "unlink"  # unlink a ticket on the reader's request
    REPORT = "report"  # «Отчёт»: choose a period, get the XLSX
    STATS = "stats"  # «Статистика»: this month against the last, as a picture
    FAQ = "faq"  # «Частые вопросы»: the library FAQ (FaqCb from there on)


class StaffCb(CallbackData, prefix="staff"):
    action: StaffAction


class RoleAction(enum.StrEnum):
    ADD = "add"
    REVOKE = "revoke"
    CANCEL = "cancel"


class RoleCb(CallbackData, prefix="role"):
    action: RoleAction
    role: Role = Role.STAFF
    person_id: Id = 0


class ExpertLinkCb(CallbackData, prefix="xlink"):
    """After «Назначить эксперта»: which directory entry this person is (expert_id 0: not
    in the directory). Admins only; the entry must still be free when pressed."""

    person_id: Id
    expert_id: Id = 0


class CatalogueAction(enum.StrEnum):
    RECORD = "rec"  # show a record's card
    MORE = "more"  # next page of the last search
    WATCH = "watch"  # «Сообщить, когда вернут»
    HOLD = "hold"  # «Забронировать» (a request to staff)
    SUGGEST = "buy"  # «Оставить заявку» on a book the library lacks


class CatalogueCb(CallbackData, prefix="cat"):
    action: CatalogueAction
    record_id: Id = 0
    offset: Annotated[int, Field(ge=0, le=100_000)] = 0
    query_id: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class SubsAction(enum.StrEnum):
    SHOW = "show"  # the topics screen
    TOGGLE = "tog"  # subscribe / unsubscribe one topic (and branch)
    BRANCHES = "br"  # a per-branch topic's branches
    STOP = "stop"  # unsubscribe from everything
    REASON = "why"  # why they left


class StopReason(enum.StrEnum):
    OFTEN = "often"
    BORING = "boring"
    OTHER = "other"


class SubsCb(CallbackData, prefix="sub"):
    action: SubsAction
    topic: str = ""
    branch: str = ""
    reason: StopReason = StopReason.OTHER


class ComposeAction(enum.StrEnum):
    NEW = "new"  # start composing
    AUDIENCE = "to"  # chosen audience
    WHEN = "when"  # chosen time
    CONFIRM = "ok"  # schedule it
    CANCEL = "no"  # abandon the draft
    LIST = "list"  # scheduled announcements
    DROP = "drop"  # cancel a scheduled one
    RECALL = "recall"  # take a sent one back (ask first)
    RECALL_YES = "recallok"
    LINK = "link"  # add a link button to the draft (asks for it)
    SIGNUP = "signup"  # add «Записаться» for an event (value "#<id>", or "#" to choose)
    EDIT = "edit"  # change a scheduled announcement's text


class ComposeCb(CallbackData, prefix="bc"):
    action: ComposeAction
    value: str = ""
    broadcast_id: Id = 0


class LoanAction(enum.StrEnum):
    LIST = "list"  # «Мои книги» again
    RENEW = "renew"  # one loan
    ALL = "all"  # «Продлить все»
    REMINDERS = "remind"  # turn due-date reminders on / off
    UNLINK = "unlink"  # ask to unlink the ticket
    UNLINK_YES = "unlink_ok"


class LoanCb(CallbackData, prefix="loan"):
    """A loan is named by a short hash of (reader, loan), never by a raw id: the handler
    re-reads the reader's own loans and acts only on one of them. `due` is the due date
    the button was made for (date ordinal), so a second press after a renewal, or a
    press on an old reminder, is recognised instead of renewing again."""

    action: LoanAction
    key: Annotated[str, Field(pattern=r"^[0-9a-f]{0,12}$")] = ""
    due: Annotated[int, Field(ge=0, le=1_000_000)] = 0


class WatchCb(CallbackData, prefix="unwatch"):
    """«Не ждать» in «Мои книги»: a «Сообщить, когда вернут» wait by id. The handler
    cancels it only if it is the presser's own, so a forged id cancels nothing."""

    watch_id: Id


class EventAction(enum.StrEnum):
    LIST = "ls"  # upcoming events (with kind / branch filter and offset)
    FILTER = "flt"  # the filter screen
    SHOW = "show"  # one event's card
    REGISTER = "reg"  # «Записаться»
    MINE = "mine"  # «Мои записи»
    CANCEL = "cx"  # ask to cancel a registration (id = registration)
    CANCEL_YES = "cxok"
    CONFIRM = "ok"  # take a seat offered from the waiting list (id = registration)
    DECLINE = "no"  # give the offered seat up
    SKIP = "skip"  # skip an optional question
    PRIVATE = "priv"  # «Частное лицо» instead of an organisation
    SAVED = "same"  # «как в прошлый раз»
    ABORT = "stop"  # leave the form
    TICKET = "tkt"  # the QR ticket and .ics again (id = registration)


class EventCb(CallbackData, prefix="ev"):
    """`id` is an event id or a registration id, as the action says; either way the
    handler loads the row and checks it belongs to the presser before acting."""

    action: EventAction
    id: Id = 0
    kind: Annotated[str, Field(pattern=r"^[a-z]?$")] = ""
    branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,32}$")] = ""
    offset: Annotated[int, Field(ge=0, le=9999)] = 0


class StaffEventAction(enum.StrEnum):
    LIST = "ls"
    SHOW = "show"
    PEOPLE = "ppl"  # the attendance list with ticks (page)
    TICK = "tick"  # toggle one participant's attendance (id = registration)
    XLSX = "xlsx"
    CSV = "csv"
    MESSAGE = "msg"  # write to everyone registered
    CANCEL = "cx"
    CANCEL_YES = "cxok"
    NEW = "new"  # create an event (the wizard)
    KIND = "kind"  # wizard: chosen kind (page = index in EventKind)
    BRANCH = "br"  # wizard: chosen branch (page = index in the config's branches, 0 = none)
    UNLIMITED = "inf"  # wizard: no seat limit
    SKIP = "skip"  # wizard: no description
    MOVE = "move"  # new date and time, registrants told
    ADD = "add"  # add a participant by hand
    EDIT = "edit"  # choose what to change
    EDIT_FIELD = "ef"  # page = index in EDITABLE (handlers.staff_event_forms)
    PUBLISH = "pub"  # wizard: the preview is right, put the event in the listing
    CHANGE = "chg"  # wizard: choose a step to redo from the preview
    DRAFT = "dft"  # wizard: redo one step (page = index in handlers.staff_event_new.CHANGEABLE)
    DROP = "drop"  # wizard: abandon the draft


class StaffEventCb(CallbackData, prefix="sev"):
    action: StaffEventAction
    id: Id = 0  # an event id, or a registration id for TICK
    page: Annotated[int, Field(ge=0, le=1000)] = 0


class RequestAction(enum.StrEnum):
    """The requester's side of «Консультация»."""

    TOPICS = "topics"  # the topic list
    TOPIC = "topic"  # a topic's FAQ (value = index in [consultations] topics)
    FAQ = "faq"  # one FAQ answer (id = entry)
    ASK = "ask"  # «Задать вопрос специалисту» (value = topic index)
    SAVED = "same"  # «как в прошлый раз»
    PRIVATE = "priv"  # «Частное лицо»
    IN_CHAT = "chat"  # answer here, in the messenger
    WHEN = "when"  # a preset contact time (value = index in CONTACT_TIMES)
    ABORT = "stop"  # leave the form
    MINE = "mine"  # «Мои обращения»
    SHOW = "show"  # one own request (id)
    ADD = "add"  # add details (id)
    WITHDRAW = "wd"  # ask to withdraw (id)
    WITHDRAW_YES = "wdok"
    SOLVED = "solved"  # «Вопрос решён» (id)
    SLOT = "slot"  # take an offered time (id = slot)
    NO_SLOT = "noslot"  # none of the times suits (id = request)
    RATE = "rate"  # id = request, value = 1..5
    NO_COMMENT = "nocm"  # rating without a comment (id)


class RequestCb(CallbackData, prefix="rq"):
    """`id` is the requester's own request (or slot, or FAQ entry): handlers load the row
    and act only if it is theirs."""

    action: RequestAction
    id: Id = 0
    value: Annotated[int, Field(ge=0, le=100)] = 0


class DeskAction(enum.StrEnum):
    """Staff and experts working on requests (the staff chat card and the panel)."""

    LIST = "ls"  # open requests (value 1: only mine)
    SHOW = "show"
    TAKE = "take"  # «Взять»
    FORWARD = "fwd"  # «Передать эксперту»: the expert list
    TO_EXPERT = "to"  # id = request, other = expert
    REPLY = "reply"  # «Ответить»
    NOTE = "note"  # internal note
    MEET = "meet"  # «Назначить встречу»
    CLOSE = "close"  # «Закрыть»: choose the outcome
    RESOLVED = "done"
    REJECTED = "rej"
    THREAD = "thread"  # the whole history, notes included
    FILES = "files"  # the requester's attachments
    GIVE_BACK = "back"  # an expert returns the request to staff
    CANCEL = "cancel"  # leave a desk form
    EXPERTS = "exp"  # the directory
    EXPERT_ADD = "expadd"
    EXPERT_DROP = "expdel"  # other = expert
    FAQ = "faq"  # FAQ topics; other = topic index + 1 for one topic
    FAQ_ADD = "faqadd"  # other = topic index
    FAQ_DROP = "faqdel"  # other = entry id
    REGISTER = "reg"  # the register of this quarter, XLSX
    TO_FAQ = "tofaq"  # «➕ В частые вопросы»: a librarian's answer becomes a library FAQ entry


class DeskCb(CallbackData, prefix="desk"):
    """Who may press what is decided on the server: staff everything, an expert only the
    requests assigned to them and only the answering actions."""

    action: DeskAction
    id: Id = 0
    other: Id = 0


class ReportPeriod(enum.StrEnum):
    """The periods «Отчёт» offers; the server computes their dates, the button only names one."""

    THIS_MONTH = "m0"
    LAST_MONTH = "m1"
    THIS_QUARTER = "q0"
    LAST_QUARTER = "q1"
    THIS_HALF = "h0"
    LAST_HALF = "h1"
    THIS_YEAR = "y0"
    LAST_YEAR = "y1"


class ReportCb(CallbackData, prefix="report"):
    period: ReportPeriod


class HoldCb(CallbackData, prefix="hold"):
    """The reader's pickup branch for a hold on a record (`branch` empty: none named)."""

    record_id: Id
    branch: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{0,32}$")] = ""


class HoldAnswer(enum.StrEnum):
    READY = "ready"  # «Отложено»: waits for the reader until a date
    NONE = "none"  # «Нет в наличии»


class HoldDeskCb(CallbackData, prefix="holddesk"):
    """Staff answering a reader's hold from its card in the staff chat."""

    answer: HoldAnswer
    id: Id


class FrontAction(enum.StrEnum):
    """Buttons under the front door's answers to a typed message."""

    ASK = "ask"  # «Спросить библиотекаря»: the typed message goes to a librarian
    SEARCH = "search"  # «Искать в каталоге»: the typed message as a catalogue question
    CLOSE = "close"  # «Вопрос решён»: the reader closes their question to a librarian
    FAQ = "faq"  # a library FAQ entry's answer (`query_id` is then the entry's id)


class FrontCb(CallbackData, prefix="front"):
    """`query_id` names the typed message among the conversation's recent ones
    (`handlers.catalogue_presses`): callback data has room for an id, not for a text."""

    action: FrontAction
    query_id: Id = 0


class FaqAction(enum.StrEnum):
    """Staff keeping the library FAQ («Для сотрудников» → «Частые вопросы»)."""

    LIST = "ls"  # page = which page
    SHOW = "show"
    ADD = "add"
    EDIT_QUESTION = "q"
    EDIT_PHRASINGS = "ph"
    EDIT_ANSWER = "ans"
    DROP = "del"  # asks to confirm
    DROP_YES = "delyes"
    CANCEL = "cancel"
    SKIP = "skip"  # «Пропустить»: no other phrasings
    KEEP = "keep"  # «✔️ Оставить как есть»: the reader's words offered from a librarian's card


class FaqCb(CallbackData, prefix="faq"):
    action: FaqAction
    id: Id = 0
    page: Annotated[int, Field(ge=0, le=1000)] = 0


# Prefixes whose handlers live behind a role filter; anyone else gets «только для сотрудников».
STAFF_PREFIXES = (
    StaffCb.__prefix__,
    RoleCb.__prefix__,
    ExpertLinkCb.__prefix__,
    ComposeCb.__prefix__,
    StaffEventCb.__prefix__,
    DeskCb.__prefix__,
    ReportCb.__prefix__,
    HoldDeskCb.__prefix__,
    FaqCb.__prefix__,
    "work",  # handlers/staff_work_cards.py's WorkCb: «📝 Записать работу»
)
