"""Which conversation a message the bot sent to a staff chat belongs to.

Staff answer a request by replying, with their messenger's own «reply», to any message of
its thread in the staff chat (the card, a reader's addition, a reminder). The reply names
only the message it answers; every staff chat notice is queued with its `thread`
("request:12") and the sender keeps the message id the messenger gave it (VK: the
conversation message id, which is what VK replies carry), so the two meet here.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.outbox.models import Delivery, OutboxMessage

REQUEST = "request:"


def request_thread(request_id: int) -> str:
    """The thread of a consultation request (a question to a librarian included)."""
    return f"{REQUEST}{request_id}"


def request_of(thread: str | None) -> int | None:
    """The request a thread is about, or None when it is about something else."""
    if not thread or not thread.startswith(REQUEST):
        return None
    number = thread.removeprefix(REQUEST)
    return int(number) if number.isdigit() else None


async def thread_of(db: Database, platform: str, chat_id: str, message_id: str) -> str | None:
    """The thread of a message the bot sent to this chat, or None (someone else's message,
    one sent before threads were kept, or one about nothing in particular)."""
    async with db.transaction() as session:
        found = await session.scalar(
            select(OutboxMessage.thread)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.message_id == message_id,
                OutboxMessage.thread.is_not(None),
            )
            .order_by(OutboxMessage.id.desc())
            .limit(1)
        )
        return found


async def opening_message(db: Database, platform: str, chat_id: str, thread: str) -> str | None:
    """The first message of a thread the chat got (a request's card): what later messages
    of the thread reply to, so a chat shows them under it."""
    async with db.transaction() as session:
        found = await session.scalar(
            select(OutboxMessage.message_id)
            .where(
                OutboxMessage.platform == platform,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.thread == thread,
                OutboxMessage.status == Delivery.SENT,
                OutboxMessage.message_id.is_not(None),
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )
        return found
