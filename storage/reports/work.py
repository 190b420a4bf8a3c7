"""The work sheets (учёт работы): one per kind of resource-centre work, each row a piece of work
with the columns of the hand-kept sheet — содержание работы, дата, ответственный, заказчик,
исполнитель, примечания — plus «Вид работы» and «Количество», so that every indicator is a sum
or a count a librarian can redo with the sheet's filter.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from storage.spreadsheets import Sheet


class Work(enum.StrEnum):
    """The work sheets, named as the report names them (≤ 31 characters: XLSX's limit)."""

    CONSULTATIONS = "Консультации"
    TRAININGS = "Обучающие мероприятия"
    EXPERTISE = "Экспертизы проектных заявок"
    PUBLIC = "Публичные мероприятия"
    ENQUIRIES = "Справки по каталогу и продления"
    PROMOTION = "Продвижение услуг РЦ"
    # Work recorded by hand that no sheet above is for (letters of support, volunteers…);
    # in the workbook only when the period has some (`storage.reports.document`).
    OTHER = "Другая работа РЦ"


class Kind(enum.StrEnum):
    """«Вид работы»: what a row is, and so what its «Количество» counts."""

    REQUEST = "Обращение"  # 1 if the consultation / expertise was given (решена), else 0
    MEETUP = "Встреча НКО"  # events: participants
    TRAINING = "Обучающее мероприятие"
    PUBLIC_EVENT = "Публичное мероприятие"
    CONSULTATION_DAY = "День консультаций"
    OTHER_EVENT = "Другое мероприятие"
    CATALOGUE = "Справка по каталогу"  # daily rows: searches answered
    HOLD = "Бронирование книги"
    PURCHASE = "Предложение о покупке"
    WATCH = "Уведомление о поступлении"
    LOANS = "Справка о книгах на формуляре"
    RENEWAL = "Продление книги"  # daily rows: loans renewed
    LIBRARY_INFO = "Справка о библиотеке"
    FAQ = "Справка из частых вопросов"  # daily rows: typed questions the FAQ answered
    BROADCAST = "Рассылка"  # messages delivered
    DIGEST = "Афиша на неделю"  # messages delivered
    SUBSCRIPTION = "Подписка на рассылку"  # daily rows: subscriptions taken


EVENT_KINDS = (
    Kind.MEETUP,
    Kind.TRAINING,
    Kind.PUBLIC_EVENT,
    Kind.CONSULTATION_DAY,
    Kind.OTHER_EVENT,
)

HEADINGS = (
    "Содержание работы",
    "Дата",
    "Ответственный",
    "Заказчик",
    "Исполнитель",
    "Примечания",
    "Вид работы",
    "Количество",
)
# Organisations in «Заказчик» of event rows are joined with this; their own «;» become «,».
ORGANISATION_SEPARATOR = "; "


def shorten(text: str, limit: int) -> str:
    """`text` on one line in at most `limit` characters, cut at a word boundary with «…»:
    a label cut mid-word («Семинар «Как написать зая») reads as a typo in a report."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:  # a single very long word is cut where it must be
        cut = cut[:space]
        words = cut.split(" ")
        for _ in range(2):  # a preposition or two left hanging: not «…заявку на…»
            if len(words) > 2 and len(words[-1].strip('«("')) <= 2:
                words.pop()
        cut = " ".join(words)
    return cut.rstrip(' ,;:-–—«("') + "…"


@dataclass(frozen=True, slots=True)
class WorkRow:
    content: str
    at: datetime | date  # local: a datetime for a piece of work, a date for a day's total
    responsible: str
    customer: str
    executor: str
    notes: str
    kind: Kind | str  # a configured kind of hand-recorded work is its name (`[work] kinds`)
    amount: int

    def cells(self) -> list[object]:
        return [
            self.content,
            self.at,
            self.responsible,
            self.customer,
            self.executor,
            self.notes,
            str(self.kind),
            self.amount,
        ]


def sheet(rows: list[WorkRow]) -> Sheet:
    ordered = sorted(rows, key=lambda r: (_day(r.at), isinstance(r.at, datetime), str(r.at)))
    return Sheet(HEADINGS, [row.cells() for row in ordered])


def _day(value: datetime | date) -> date:
    return value.date() if isinstance(value, datetime) else value
