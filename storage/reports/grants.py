"""The sheet «Гранты» and its indicators: the organisations' applications to grant contests
that something happened to in the period — preparation begun, submitted, decided — one row
each, with the contest, the organisation, whether the centre helped, the status and the
sums. The indicators on «Показатели» are counts and sums of this sheet's own cells (the rule
beside each says which), so a librarian can redo them with the sheet's filter.

Only the organisation is named: who pressed «Готовлю заявку» is not in the report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from storage.db import Database
from storage.grants.models import Application, Contest, Status
from storage.reports.periods import Period
from storage.spreadsheets import Sheet, sheet_time

SHEET = "Гранты"
YES, NO = "да", "нет"
STATUS_NAMES = {
    Status.PREPARING: "готовится",
    Status.SUBMITTED: "подана",
    Status.SUPPORTED: "поддержана",
    Status.REJECTED: "не поддержана",
}
HEADINGS = (
    "Конкурс",
    "Оператор",
    "Организация",
    "С помощью РЦ",
    "Статус",
    "Подготовка начата",
    "Подана",
    "Итог объявлен",
    "Запрошено, руб.",
    "Получено, руб.",
    "Срок подачи",
    "Экспертиза (№ обращения)",
)


@dataclass(frozen=True, slots=True)
class GrantRow:
    contest: str
    operator: str
    organisation: str
    with_help: bool
    status: Status
    prepared: datetime  # local, naive (as the sheet shows it)
    submitted: datetime | None
    decided: datetime | None
    requested: int | None
    granted: int | None
    deadline: datetime
    request_id: int | None

    def cells(self) -> list[object]:
        return [
            self.contest,
            self.operator,
            self.organisation,
            YES if self.with_help else NO,
            STATUS_NAMES[self.status],
            self.prepared,
            self.submitted,
            self.decided,
            self.requested,
            self.granted,
            self.deadline,
            self.request_id,
        ]


async def rows(db: Database, period: Period) -> list[GrantRow]:
    """The applications with a step in the period, the earliest begun first."""

    def within(column: object) -> object:
        return and_(column >= period.start, column < period.end)  # type: ignore[operator]

    async with db.transaction() as session:
        found = await session.execute(
            select(Application, Contest)
            .join(Contest, Contest.id == Application.contest_id)
            .where(
                or_(
                    within(Application.prepared_at),
                    within(Application.submitted_at),
                    within(Application.decided_at),
                )
            )
            .order_by(Application.prepared_at, Application.id)
        )
        pairs = found.all()

    def local(moment: datetime | None) -> datetime | None:
        return sheet_time(moment, period.zone) if moment is not None else None

    return [
        GrantRow(
            contest=contest.name,
            operator=contest.operator,
            organisation=application.organisation,
            with_help=application.with_help,
            status=Status(application.status),
            prepared=sheet_time(application.prepared_at, period.zone),
            submitted=local(application.submitted_at),
            decided=local(application.decided_at),
            requested=application.requested,
            granted=application.granted,
            deadline=sheet_time(contest.deadline, period.zone),
            request_id=application.request_id,
        )
        for application, contest in pairs
    ]


def sheet(found: list[GrantRow]) -> Sheet:
    return Sheet(HEADINGS, [row.cells() for row in found])


def _in(moment: datetime | None, period: Period) -> bool:
    day: date | None = moment.date() if moment is not None else None
    return day is not None and period.first <= day <= period.last


def prepared(found: list[GrantRow], period: Period) -> int:
    return sum(1 for r in found if r.with_help and _in(r.prepared, period))


def submitted(found: list[GrantRow], period: Period) -> int:
    return sum(1 for r in found if _in(r.submitted, period))


def supported(found: list[GrantRow], period: Period) -> int:
    return sum(1 for r in found if r.status is Status.SUPPORTED and _in(r.decided, period))


def requested(found: list[GrantRow], period: Period) -> int:
    return sum(r.requested or 0 for r in found if _in(r.submitted, period))


def granted(found: list[GrantRow], period: Period) -> int:
    return sum(
        r.granted or 0 for r in found if r.status is Status.SUPPORTED and _in(r.decided, period)
    )


# (key, name, rule, how) — the indicators of «Показатели» taken from this sheet.
INDICATORS: tuple[tuple[str, str, str, Callable[[list[GrantRow], Period], int]], ...] = (
    (
        "grants_prepared",
        "Проектных заявок подготовлено с помощью РЦ",
        "строки листа «Гранты» с «С помощью РЦ» = да и «Подготовка начата» в периоде",
        prepared,
    ),
    (
        "grants_submitted",
        "Заявок на гранты подано",
        "строки листа «Гранты» с «Подана» в периоде",
        submitted,
    ),
    (
        "grants_supported",
        "Заявок поддержано (получили финансирование)",
        "строки листа «Гранты» со статусом «поддержана» и «Итог объявлен» в периоде",
        supported,
    ),
    (
        "grants_requested",
        "Запрошено по поданным заявкам, руб.",
        "сумма «Запрошено, руб.» строк листа «Гранты» с «Подана» в периоде",
        requested,
    ),
    (
        "grants_granted",
        "Получено грантов, руб.",
        "сумма «Получено, руб.» строк со статусом «поддержана» и «Итог объявлен» в периоде",
        granted,
    ),
)
