"""What linking by phone shows: the «📱 Поделиться номером» keyboard, and where it can be shown.

A number is taken only from the messenger's own button (Telegram's `KeyboardButton`
with `request_contact`), which shares the sender's contact as the messenger knows it —
a number typed by hand would prove nothing. Messengers without such a button (VK) never
see the offer: their readers link with the ticket and the usual proof. The handlers are
in `handlers.ticket_link`, the decision in `storage.circulation.phone_link`.
"""

from __future__ import annotations

from aiogram.types import KeyboardButton, Message, ReplyKeyboardMarkup

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.keyboards import label

# Messengers whose transport has a button that shares the person's own contact and
# delivers it as `message.contact` with their user id. VK has none; MAX's transport turns
# its `request_contact` button and the contact it shares into the same.
SHARES_CONTACTS = frozenset({"telegram", "max"})


def phone_linking(config: Config) -> bool:
    return config.library_system.verification == "phone"


def offers_phone(config: Config, platform: str) -> bool:
    """Whether this reader is offered «📱 Поделиться номером»: the library links by phone
    and their messenger can share a contact."""
    return phone_linking(config) and platform in SHARES_CONTACTS


def contact_keyboard(texts: Texts) -> ReplyKeyboardMarkup:
    """The share button, and the ways on without it: the ticket number, or the menu."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=label(texts("loans-phone-share")), request_contact=True)],
            [KeyboardButton(text=label(texts("loans-phone-type-ticket")))],
            [KeyboardButton(text=label(texts("menu-back")))],
        ],
        resize_keyboard=True,
    )


async def offer_phone(message: Message, texts: Texts, key: str = "loans-phone-offer") -> None:
    await message.answer(texts(key), reply_markup=contact_keyboard(texts))
