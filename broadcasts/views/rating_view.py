"""The buttons of a rating question after a service (#26): «5 — отлично» … «1 — очень
плохо», one a row (a notice in the outbox has one button per row), and «Не спрашивать
больше». The data names only the question's id on the server and the score."""

from __future__ import annotations

import enum
from typing import Annotated

from aiogram.filters.callback_data import CallbackData
from pydantic import Field

from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import Id


class RatingAction(enum.StrEnum):
    SCORE = "s"  # a score 1–5 for the question `id`
    NO_COMMENT = "n"  # «Без комментария» after the score
    STOP = "x"  # «Не спрашивать больше»


class RatingCb(CallbackData, prefix="rate"):
    action: RatingAction
    id: Id  # service_ratings.id
    value: Annotated[int, Field(ge=0, le=5)] = 0


SCORES = (5, 4, 3, 2, 1)


def question_buttons(texts: Texts, rating_id: int) -> list[dict[str, str]]:
    """The notice's buttons: the scores, best first, then «Не спрашивать больше»."""
    scores = [
        {
            "text": texts(f"rating-score-{n}"),
            "callback_data": RatingCb(action=RatingAction.SCORE, id=rating_id, value=n).pack(),
        }
        for n in SCORES
    ]
    stop = RatingCb(action=RatingAction.STOP, id=rating_id).pack()
    return [*scores, {"text": texts("rating-stop"), "callback_data": stop}]
