"""Work recorded by hand (`storage.work.records`) as rows of the workbook's sheets.

`sheet_for` is the one place a kind of work is put on a sheet: the `[work] kinds` of the
config first; a kind no longer configured (renamed since, or imported from an old sheet)
by what it is — a kind the report itself has (an «Обучающее мероприятие»), a consultation,
else «Другая работа РЦ». A configured kind named like one of the report's own kinds («Встреча
НКО») is that kind in the cells, so the indicators count it with the events.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.kernel.config.work import ResourceWork, SheetName
from storage.reports.periods import Period, quarter
from storage.reports.work import Kind, Work, WorkRow, shorten
from storage.spreadsheets import sheet_time
from storage.work.records import WorkItem

SHEETS: dict[SheetName, Work] = {
    "consultations": Work.CONSULTATIONS,
    "trainings": Work.TRAININGS,
    "expertise": Work.EXPERTISE,
    "public": Work.PUBLIC,
    "enquiries": Work.ENQUIRIES,
    "promotion": Work.PROMOTION,
    "other": Work.OTHER,
}
# The report's own kinds, for a kind not in the config.
REPORT_KINDS = {
    Kind.TRAINING: Work.TRAININGS,
    Kind.CONSULTATION_DAY: Work.CONSULTATIONS,
    Kind.MEETUP: Work.PUBLIC,
    Kind.PUBLIC_EVENT: Work.PUBLIC,
    Kind.OTHER_EVENT: Work.PUBLIC,
}
RECORD_NOTE = "учёт работы № {id}"


def open_quarter(now: datetime, zone: ZoneInfo) -> Period:
    """The report period records may still be changed in: the quarter holding `now`."""
    local = now.astimezone(zone)
    return quarter(local.year, local.month, zone)


def row_kind(name: str) -> Kind | str:
    """The report's own kind when the name is one (case ignored), else the name."""
    wanted = name.casefold()
    return next((kind for kind in Kind if kind.value.casefold() == wanted), name)


def sheet_for(name: str, settings: ResourceWork) -> Work:
    configured = settings.kind(name)
    if configured is not None:
        return SHEETS[configured.sheet]
    kind = row_kind(name)
    if isinstance(kind, Kind) and kind in REPORT_KINDS:
        return REPORT_KINDS[kind]
    if "консультац" in name.casefold():
        return Work.CONSULTATIONS
    if "экспертиз" in name.casefold():
        return Work.EXPERTISE
    return Work.OTHER


def record_row(item: WorkItem, zone: ZoneInfo) -> WorkRow:
    """«Количество»: the people the work was for, 1 when nobody counted them."""
    draft = item.draft
    at = sheet_time(draft.done_at, zone)
    notes = "; ".join(part for part in (draft.notes, RECORD_NOTE.format(id=item.id)) if part)
    return WorkRow(
        content=shorten(draft.content, 300),
        at=at.date() if draft.all_day else at,
        responsible=draft.responsible,
        customer=draft.customer,
        executor=draft.executor,
        notes=notes,
        kind=row_kind(draft.kind),
        amount=draft.people if draft.people is not None else 1,
    )


def place(
    items: list[WorkItem], settings: ResourceWork, zone: ZoneInfo
) -> dict[Work, list[WorkRow]]:
    placed: dict[Work, list[WorkRow]] = {}
    for item in items:
        placed.setdefault(sheet_for(item.draft.kind, settings), []).append(record_row(item, zone))
    return placed
