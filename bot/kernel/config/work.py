"""[work]: the kinds of resource-centre work staff record by hand («📝 Записать работу»,
`libbot work add|import`) and the sheet of the quarterly workbook each one goes to.

The mapping lives here and nowhere else: a kind's `sheet` decides where its rows are
counted, so a phone consultation adds to «Консультации дано» and a letter of support does
not pass for an expertise.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from bot.kernel.config.base import Section

# The workbook's sheets a hand-recorded kind may go to (see storage.reports.work.Work).
SheetName = Literal[
    "consultations", "trainings", "expertise", "public", "enquiries", "promotion", "other"
]
NAME_LIMIT = 60  # a kind is a button label and a cell in «Вид работы»


class WorkKind(Section):
    name: Annotated[str, Field(min_length=1, max_length=NAME_LIMIT)]
    sheet: SheetName = "other"


DEFAULT_WORK_KINDS = (
    WorkKind(name="Консультация по телефону", sheet="consultations"),
    WorkKind(name="Консультация (очно)", sheet="consultations"),
    WorkKind(name="Консультация по электронной почте", sheet="consultations"),
    WorkKind(name="Помощь с Госуслугами", sheet="consultations"),
    WorkKind(name="Экспертиза проектной заявки", sheet="expertise"),
    WorkKind(name="Письмо поддержки", sheet="other"),
    WorkKind(name="Совместная подготовка проектной заявки", sheet="other"),
    WorkKind(name="Работа с добровольцами", sheet="other"),
    WorkKind(name="Обучающее мероприятие", sheet="trainings"),
    WorkKind(name="Встреча НКО", sheet="public"),
    WorkKind(name="Мероприятие партнёров в библиотеке", sheet="public"),
    WorkKind(name="Публикация о работе РЦ", sheet="promotion"),
    WorkKind(name="Другая работа", sheet="other"),
)


class ResourceWork(Section):
    """`kinds`: the buttons of «📝 Записать работу», in order, each with its sheet."""

    kinds: Annotated[
        list[WorkKind],
        Field(default_factory=lambda: list(DEFAULT_WORK_KINDS), min_length=1, max_length=40),
    ]

    @field_validator("kinds")
    @classmethod
    def _distinct(cls, kinds: list[WorkKind]) -> list[WorkKind]:
        names = [" ".join(k.name.split()).casefold() for k in kinds]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"work kind {repeated[0]!r} is named twice")
        return kinds

    def kind(self, name: str) -> WorkKind | None:
        """The configured kind with this name (case and spaces ignored), or None."""
        wanted = " ".join(name.split()).casefold()
        return next((k for k in self.kinds if k.name.casefold() == wanted), None)
