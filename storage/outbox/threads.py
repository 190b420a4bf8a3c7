"""Which conversation a message the bot sent to a staff chat belongs to.

Staff answer a request by replying, with their messenger's own «reply», to any message of
its thread in the staff chat (the card, a reader's addition, a reminder). The reply names
only the message it answers; every staff chat notice is queued with its `thread`
("request:12") and the sender keeps the message id the messenger gave it (VK: the
conversation message id, which is what VK replies carry), so the two meet here.

What the bot says in the chat by itself about a thread — «✅ Ответ отправлен» under a
staff member's reply, «🔒 Заметка» — is not a notice and never goes through a sender; it is
`remember`ed as an outbox row that is `sent` already (the senders claim pending rows only),
so a reply to it is an answer in the thread too.
"""

from __future__ import annotations

from sqlalchemy import select

from storage.db import Database
from storage.outbox.models import Delivery, OutboxMessage
from storage.types import utcnow

REQUEST = "request:"
# The purpose of a row `remember` writes: a message the bot posted itself, not a notice.
REMEMBERED = "thread_echo"


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
                # A reply the bot posted itself is never the thread's opening.
                OutboxMessage.purpose.is_distinct_from(REMEMBERED),
            )
            .order_by(OutboxMessage.id)
            .limit(1)
        )
        return found


async def remember(
    db: Database,
    platform: str,
    chat_id: str,
    message_id: str,
    thread: str,
    *,
    about_person_id: int | None = None,
) -> None:
    """A message the bot posted in a chat itself (not through the outbox) belongs to
    `thread`: kept as an outbox row already `sent`, which no sender claims, so `thread_of`
    finds it when someone replies to it. `about_person_id`: the reader the thread is about
    (their /forget treats the row like the thread's other messages)."""
    now = utcnow()
    async with db.transaction() as session:
        session.add(
            OutboxMessage(
                broadcast_id=None,
                person_id=None,
                platform=platform,
                chat_id=chat_id,
                status=Delivery.SENT.value,
                attempts=1,
                not_before=now,
                updated_at=now,
                message_id=message_id,
                purpose=REMEMBERED,
                about_person_id=about_person_id,
                thread=thread,
            )
        )
