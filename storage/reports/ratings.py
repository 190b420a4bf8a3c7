"""The sheet «Оценки» and the satisfaction indicators (#26): every rating given in the period
after a service — an event (`storage.ratings`), a consultation or a question to a librarian
(the rating kept on the request) — one row each with the date, the kind of service, the
service, the score and the comment, when one was kept. The indicators on «Показатели» are the
share of 4 and 5 among this sheet's rows of each kind, so a librarian can redo them with the
sheet's filter.

The person is never named: a rating is counted, not attributed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from bot.kernel.config import LIBRARIAN_TOPIC
from storage.consultations.models import ConsultationRequest
from storage.db import Database
from storage.ratings.models import ServiceKind, ServiceRating
from storage.reports.periods import Period
from storage.spreadsheets import Sheet, sheet_time

SHEET = "Оценки"
HEADINGS = ("Дата", "Вид услуги", "Услуга", "Оценка", "Комментарий")
KIND_NAMES = {
    ServiceKind.EVENT: "мероприятие",
    ServiceKind.CONSULTATION: "консультация",
    ServiceKind.LIBRARIAN: "вопрос библиотекарю",
}
SATISFIED = (4, 5)


@dataclass(frozen=True, slots=True)
class RatingRow:
    at: datetime  # local, naive
    kind: ServiceKind
    service: str
    rating: int
    comment: str

    def cells(self) -> list[object]:
        return [self.at, KIND_NAMES[self.kind], self.service, self.rating, self.comment]


async def rows(db: Database, period: Period, topic_names: dict[str, str]) -> list[RatingRow]:
    """The ratings given in the period (a request's when it was closed), oldest first."""
    async with db.transaction() as session:
        events = (
            await session.execute(
                select(
                    ServiceRating.rated_at,
                    ServiceRating.kind,
                    ServiceRating.service,
                    ServiceRating.rating,
                    ServiceRating.comment,
                ).where(
                    ServiceRating.rating.is_not(None),
                    ServiceRating.rated_at >= period.start,
                    ServiceRating.rated_at < period.end,
                )
            )
        ).all()
        requests = (
            await session.execute(
                select(
                    ConsultationRequest.closed_at,
                    ConsultationRequest.topic,
                    ConsultationRequest.id,
                    ConsultationRequest.rating,
                    ConsultationRequest.rating_comment,
                ).where(
                    ConsultationRequest.rating.is_not(None),
                    ConsultationRequest.closed_at >= period.start,
                    ConsultationRequest.closed_at < period.end,
                )
            )
        ).all()
    found = [
        RatingRow(sheet_time(at, period.zone), ServiceKind(kind), service, rating, comment or "")
        for at, kind, service, rating, comment in events
    ]
    for at, topic, number, rating, comment in requests:
        librarian = topic == LIBRARIAN_TOPIC.id
        kind = ServiceKind.LIBRARIAN if librarian else ServiceKind.CONSULTATION
        name = topic_names.get(topic) or (LIBRARIAN_TOPIC.name if librarian else topic)
        service = f"Обращение № {number} ({name})"
        found.append(RatingRow(sheet_time(at, period.zone), kind, service, rating, comment or ""))
    return sorted(found, key=lambda row: (row.at, row.kind, row.service))


def sheet(found: list[RatingRow]) -> Sheet:
    return Sheet(HEADINGS, [row.cells() for row in found])


def satisfaction(kind: ServiceKind | None) -> Callable[[list[RatingRow]], float | None]:
    """The share of 4 and 5, in per cent, among the rows of a kind (every row for None);
    None when there are none."""

    def share(found: list[RatingRow]) -> float | None:
        scores = [row.rating for row in found if kind is None or row.kind is kind]
        if not scores:
            return None
        return round(sum(1 for s in scores if s in SATISFIED) / len(scores) * 100, 1)

    return share


_RULE = "доля строк с «Оценка» 4 или 5 среди строк листа «Оценки»"
# (key, name, rule, how) — the indicators of «Показатели» taken from this sheet.
INDICATORS: tuple[tuple[str, str, str, Callable[[list[RatingRow]], float | None]], ...] = (
    (
        "satisfaction",
        "Удовлетворённость услугами: доля оценок 4–5, %",
        _RULE,
        satisfaction(None),
    ),
    *(
        (
            f"satisfaction_{kind.value}",
            f"  в том числе: {name}",
            f"{_RULE} с «Вид услуги» = {name}",
            satisfaction(kind),
        )
        for kind, name in KIND_NAMES.items()
    ),
    (
        "service_ratings",
        "Оценок услуг получено",
        "строки листа «Оценки»",
        lambda found: len(found),
    ),
)
