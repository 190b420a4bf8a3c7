"""Notices to the staff chat (a Telegram group whose id is `[staff] chat_id`).

A notice that cannot be delivered is logged and dropped: it must never break the
reader-facing action that caused it.
"""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError

from bot.config import Config

log = logging.getLogger(__name__)


async def notify_staff(bot: Bot, config: Config, text: str) -> bool:
    chat_id = config.staff.chat_id
    if chat_id is None:
        return False
    try:
        await bot.send_message(chat_id, text)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.warning("staff chat %s did not get a notice: %s", chat_id, exc)
        return False
    return True


async def notify_person(bot: Bot, chat_id: int | str, text: str) -> bool:
    """Tell one person something outside their own conversation; False if it failed."""
    try:
        await bot.send_message(chat_id, text)
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.info("could not notify chat %s: %s", chat_id, exc)
        return False
    return True
