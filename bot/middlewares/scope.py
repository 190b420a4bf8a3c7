"""Which updates are a conversation with the bot."""

from __future__ import annotations

from aiogram.enums import ChatType
from aiogram.types import TelegramObject, Update


def group_message(event: TelegramObject) -> bool:
    """A message in a group or channel: people talking among themselves, not to the bot."""
    return (
        isinstance(event, Update)
        and event.message is not None
        and event.message.chat.type != ChatType.PRIVATE
    )
