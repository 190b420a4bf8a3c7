"""A handler that fails: log it with the update id, apologise, show the menu."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import ErrorEvent

from bot.kernel.i18n import Locales, Texts
from bot.kernel.log_format import failure_kind
from broadcasts.views.keyboards import main_menu
from handlers.routes import Routes
from storage.people import PersonView

log = logging.getLogger(__name__)

routes = Routes(__name__)


@routes.error()
async def apologise(
    event: ErrorEvent,
    bot: Bot,
    locales: Locales,
    texts: Texts | None = None,
    person: PersonView | None = None,
) -> bool:
    update = event.update
    # The type, never the message: it may quote what the reader wrote.
    log.error(
        "update %s failed: %s",
        update.update_id,
        failure_kind(event.exception),
        exc_info=event.exception,
    )
    chat_id = None
    if update.message is not None:
        chat_id = update.message.chat.id
    elif update.callback_query is not None:
        chat_id = update.callback_query.from_user.id
    if chat_id is None:
        return True
    texts = texts or locales.texts(None)
    try:
        if update.callback_query is not None:
            await update.callback_query.answer()
        await bot.send_message(
            chat_id, texts("error-apology"), reply_markup=main_menu(texts, person)
        )
    except (TelegramAPIError, TelegramNetworkError) as exc:
        log.warning("could not apologise for update %s: %s", update.update_id, exc)
    return True
