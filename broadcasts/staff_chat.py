"""Notices to the staff chat (`[staff] chat_id`: a Telegram group, a VK chat when
`chat_messenger = "vk"`, a MAX group chat when `chat_messenger = "max"`), sent through
that messenger's bot whichever messenger the reader who caused it writes from.

A notice that cannot be delivered is logged and dropped: it must never break the
reader-facing action that caused it.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.kernel.config import Config
from bot.kernel.messengers import Messengers

log = logging.getLogger(__name__)


async def notify_staff(messengers: Messengers, config: Config, text: str) -> bool:
    chat_id = config.staff.chat_id
    if chat_id is None:
        return False
    bot = messengers.get(config.staff.chat_messenger)
    if bot is None:
        log.warning(
            "staff chat is on %s, which this process does not serve", config.staff.chat_messenger
        )
        return False
    failed = "staff chat %s did not get a notice: %s"
    return await _told(bot, chat_id, text, failed, level=logging.WARNING)


async def notify_person(bot: Bot, chat_id: int | str, text: str) -> bool:
    """Tell one person something outside their own conversation; False if it failed."""
    return await _told(bot, chat_id, text, "could not notify chat %s: %s", level=logging.INFO)


async def _told(bot: Bot, chat_id: int | str, text: str, failed: str, *, level: int) -> bool:
    """Send it now; a refusal or an unreachable messenger is logged, never raised."""
    try:
        await bot.send_message(chat_id, text)
    except TelegramAPIError as exc:  # network errors included
        log.log(level, failed, chat_id, exc)
        return False
    return True
