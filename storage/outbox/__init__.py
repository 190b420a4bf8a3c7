"""Announcements and personal notices, and their outbox: one row per recipient, so delivery
is exactly once. The public face of the parts, imported as `storage.outbox`:

- `models`: the tables and the states of a broadcast and of a row;
- `announcements`: who gets an announcement, starting it (the only way, keeping quiet
  hours), cancelling or editing it before it starts, closing it with a report;
- `recall`: taking a started announcement back (its messages deleted from the chats);
- `notices`: personal notices (reminders, seat offers, staff cards), queued once each;
- `delivery`: what the senders do with the rows (claim, mark, retry, recover).
"""

from __future__ import annotations

from storage.outbox.announcements import (
    Audience,
    Report,
    Started,
    StartOutcome,
    cancel,
    create,
    due_broadcasts,
    edit_text,
    finish_completed,
    mark_missed,
    scheduled,
    start,
)
from storage.outbox.delivery import (
    Job,
    begin_sending,
    claim,
    mark,
    mark_many,
    recover,
    release,
    retry_later,
)
from storage.outbox.models import OPEN, Broadcast, BroadcastStatus, Delivery, OutboxMessage
from storage.outbox.notices import Notice, enqueue, morning_after
from storage.outbox.recall import (
    RECALL_WINDOW,
    Deletion,
    RecallRequest,
    claim_deletions,
    recent,
    request_recall,
)
from storage.outbox.threads import (
    opening_message,
    remember,
    request_of,
    request_thread,
    thread_of,
)

__all__ = [
    "OPEN",
    "RECALL_WINDOW",
    "Audience",
    "Broadcast",
    "BroadcastStatus",
    "Deletion",
    "Delivery",
    "Job",
    "Notice",
    "OutboxMessage",
    "RecallRequest",
    "Report",
    "StartOutcome",
    "Started",
    "begin_sending",
    "cancel",
    "claim",
    "claim_deletions",
    "create",
    "due_broadcasts",
    "edit_text",
    "enqueue",
    "finish_completed",
    "mark",
    "mark_many",
    "mark_missed",
    "morning_after",
    "opening_message",
    "recent",
    "recover",
    "release",
    "remember",
    "request_of",
    "request_recall",
    "request_thread",
    "retry_later",
    "scheduled",
    "start",
    "thread_of",
]
