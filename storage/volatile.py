"""What a conversation needs for a while but may not be stored: kept in this process's
memory only, for a short time, never written anywhere.

A reader who has not consented may still search the catalogue; «Ещё» and «Оставить
заявку» on the answer need the question they asked, and a typed question can hold
anything (a name, a phone). So before consent it lives here instead of the conversation
state. With several processes a press that reaches another process finds nothing and
the reader is asked to repeat the question — the price of storing nothing.
"""

from __future__ import annotations

import time
from collections import OrderedDict

KEEP_SECONDS = 30 * 60
MAX_CONVERSATIONS = 10_000
PER_CONVERSATION = 5


class RecentQueries:
    """Each conversation's last few questions by a small number, for a while."""

    def __init__(self, keep_seconds: float = KEEP_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._by_conversation: OrderedDict[str, tuple[float, dict[str, str]]] = OrderedDict()

    def get(self, conversation: str) -> dict[str, str]:
        found = self._by_conversation.get(conversation)
        if found is None or time.monotonic() - found[0] > self.keep_seconds:
            self._by_conversation.pop(conversation, None)
            return {}
        return dict(found[1])

    def put(self, conversation: str, queries: dict[str, str]) -> None:
        self._by_conversation[conversation] = (time.monotonic(), dict(queries))
        self._by_conversation.move_to_end(conversation)
        while len(self._by_conversation) > MAX_CONVERSATIONS:
            self._by_conversation.popitem(last=False)

    def drop(self, conversation: str) -> None:
        self._by_conversation.pop(conversation, None)
