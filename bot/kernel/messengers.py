"""The messengers one process serves, by platform.

Handlers answer through the Bot of the update they handle; a notice meant for a chat
on another messenger — the staff chat (a Telegram group, a VK or MAX chat), a reader whose
preferred messenger is not the one they are writing from — goes through the Bot of that
messenger, found here. Transports add their Bot when they start.
"""

from __future__ import annotations

from aiogram import Bot, Dispatcher


class Messengers:
    def __init__(self, bots: dict[str, Bot] | None = None) -> None:
        self._bots: dict[str, Bot] = dict(bots or {})

    @classmethod
    def of(cls, bot: Bot, platform: str = "telegram") -> Messengers:
        return cls({platform: bot})

    def add(self, platform: str, bot: Bot) -> None:
        self._bots[platform] = bot

    def get(self, platform: str) -> Bot | None:
        return self._bots.get(platform)

    @property
    def platforms(self) -> tuple[str, ...]:
        return tuple(self._bots)

    def items(self) -> list[tuple[str, Bot]]:
        return list(self._bots.items())


def register(dp: Dispatcher, platform: str, bot: Bot) -> None:
    """A transport that starts serving puts its Bot in the dispatcher's registry."""
    messengers = dp.workflow_data.get("messengers")
    if isinstance(messengers, Messengers) and messengers.get(platform) is None:
        messengers.add(platform, bot)


async def start_link(bot: Bot, payload: str) -> str:
    """A link that opens the bot with `/start <payload>` in its own messenger: t.me for
    Telegram, vk.me with `ref` for a VK community, max.ru with `start` for a MAX bot (its
    transport says so). Handlers pass the Bot of the update, so a ticket issued in MAX
    holds a MAX link."""
    own = getattr(bot.session, "start_link", None)
    if own is not None:
        return str(await own(bot, payload))
    me = await bot.me()
    return f"https://t.me/{me.username or 'libbot'}?start={payload}"
