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
# Sheets whose «Количество» counts pieces of work, not people: an expertise is one.
ONE_EACH = (Work.EXPERTISE,)


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


def record_row(item: WorkItem, zone: ZoneInfo, sheet: Work) -> WorkRow:
    """«Количество»: the people the work was for, 1 when nobody counted them — but one
    expertise is one, however many people brought the application (they go to the notes)."""
    draft = item.draft
    at = sheet_time(draft.done_at, zone)
    people = f"человек: {draft.people}" if sheet in ONE_EACH and draft.people else ""
    notes = "; ".join(
        part for part in (draft.notes, people, RECORD_NOTE.format(id=item.id)) if part
    )
    amount = 1 if sheet in ONE_EACH or draft.people is None else draft.people
    return WorkRow(
        content=shorten(draft.content, 300),
        at=at.date() if draft.all_day else at,
        responsible=draft.responsible,
        customer=draft.customer,
        executor=draft.executor,
        notes=notes,
        kind=row_kind(draft.kind),
        amount=amount,
    )


def place(
    items: list[WorkItem], settings: ResourceWork, zone: ZoneInfo
) -> dict[Work, list[WorkRow]]:
    placed: dict[Work, list[WorkRow]] = {}
    for item in items:
        sheet = sheet_for(item.draft.kind, settings)
        placed.setdefault(sheet, []).append(record_row(item, zone, sheet))
    return placed
