"""What readers typed, as the front door took it: how much the bot answered by itself,
how much went to a librarian, and the questions it could not place — the FAQ entries
staff should write next.

Counted from the activity log's front-door notes (`front door: <route> (<reason>)`), one
row per typed message; the librarian's share from the questions that reached the staff
chat (requests of the «Вопрос библиотекарю» topic).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from bot.kernel.config import LIBRARIAN_TOPIC
from storage.consultations.models import ConsultationRequest
from storage.db import Database
from storage.models import Activity
from storage.reports.periods import Period

NOTE = "front door: "
# Routes on which the bot answered by itself; the rest: not placed, or a person asked for.
NOT_PLACED = ("unknown", "faq_maybe")
BY_A_PERSON = ("librarian",)
UNREADABLE = ("empty",)
# What the log keeps instead of the words of someone who has not consented.
WITHHELD = "message before consent"


@dataclass
class TypedTally:
    typed: int = 0  # typed messages the front door read
    automatic: int = 0  # answered from the library's data, the FAQ or the catalogue
    not_placed: int = 0  # «готового ответа нет»
    to_librarian: int = 0  # questions that reached the staff chat
    unplaced: list[tuple[str, int]] = field(default_factory=list)  # the commonest, with counts

    @property
    def automatic_share(self) -> int | None:
        return round(100 * self.automatic / self.typed) if self.typed else None


async def typed_questions(db: Database, period: Period, *, top: int = 5) -> TypedTally:
    tally = TypedTally()
    start, end = period.start, period.end
    async with db.transaction() as session:
        rows = await session.execute(
            select(Activity.notes, Activity.content)
            .where(Activity.occurred_at >= start, Activity.occurred_at < end)
            .where(Activity.notes.like(f"{NOTE}%"))
        )
        unplaced: Counter[str] = Counter()
        for notes, content in rows.all():
            route = notes[len(NOTE) :].split(" ", 1)[0]
            tally.typed += 1
            if route in NOT_PLACED:
                tally.not_placed += 1
                if content and content != WITHHELD:
                    unplaced[" ".join(content.split()).casefold()[:80]] += 1
            elif route == "catalogue" and "hits=0" in notes:
                tally.not_placed += 1  # searched, nothing found: not an answer either
                if content and content != WITHHELD:
                    unplaced[" ".join(content.split()).casefold()[:80]] += 1
            elif route not in BY_A_PERSON and route not in UNREADABLE:
                tally.automatic += 1
        tally.to_librarian = int(
            await session.scalar(
                select(func.count())
                .select_from(ConsultationRequest)
                .where(ConsultationRequest.topic == LIBRARIAN_TOPIC.id)
                .where(ConsultationRequest.received_at >= start)
                .where(ConsultationRequest.received_at < end)
            )
            or 0
        )
    tally.unplaced = unplaced.most_common(top)
    return tally
