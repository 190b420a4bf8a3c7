"""[ratings]: which services are followed by a short «Оцените, пожалуйста» (1–5 and an
optional comment), each switchable on its own (#26).

- `events`: the morning after an event, to those staff marked as having come;
- `consultations`: when a consultation request is closed (the rating «Мои обращения» asks);
- `librarian`: when a question to a librarian is solved.
"""

from __future__ import annotations

from typing import Literal

from bot.kernel.config.base import Section
from bot.kernel.config.topics import LIBRARIAN_TOPIC

# The kinds of service rated, as the ratings store and the workbook name them.
RatedService = Literal["event", "consultation", "librarian"]


class Ratings(Section):
    events: bool = True
    consultations: bool = True
    librarian: bool = True

    def asks(self, kind: RatedService) -> bool:
        """Whether a rating is asked after this kind of service."""
        return {
            "event": self.events,
            "consultation": self.consultations,
            "librarian": self.librarian,
        }[kind]

    def asks_about(self, topic: str) -> bool:
        """Whether a closed request of this topic is followed by the 1–5 rating: the
        librarian's topic by `librarian`, every other by `consultations`."""
        return self.asks("librarian" if topic == LIBRARIAN_TOPIC.id else "consultation")
