"""Button labels and pop-up notices are shown as they are, never parsed as HTML: what a
person typed, or a topic's name, must not come back with `&quot;` or `&#x27;` (#19)."""

from __future__ import annotations

import re

from tests.conftest import RunningBot

ENTITY = re.compile(r"&(?:[a-z]+|#\d+|#x[0-9a-f]+);", re.IGNORECASE)


def labels_and_notices(bot: RunningBot) -> list[str]:
    """Every button label and callback answer the bot sent so far."""
    shown = []
    for call in bot.server.calls:
        if call.method == "answerCallbackQuery" and call.params.get("text"):
            shown.append(str(call.params["text"]))
        markup = call.params.get("reply_markup")
        if isinstance(markup, dict):
            for row in markup.get("inline_keyboard", []) + markup.get("keyboard", []):
                shown.extend(str(b.get("text", "")) for b in row)
    return shown


async def test_an_english_reader_sees_childrens_events_with_an_apostrophe(
    bot: RunningBot,
) -> None:
    mary = bot.person(9301, "Mary", language="en")
    await mary.send("/start")
    await mary.click("I agree")
    reply = await mary.send("🔔 Subscriptions")
    assert any("Children's events" in label for label in reply.buttons), reply.buttons
    await mary.click(next(b for b in reply.buttons if "Children's events" in b))
    escaped = [text for text in labels_and_notices(bot) if ENTITY.search(text)]
    assert escaped == []


async def test_a_remembered_organisation_keeps_its_quotes_on_the_button(
    bot: RunningBot,
) -> None:
    anna = bot.person(9302, "Анна")
    await anna.send("/start")
    await anna.click("Согласен")
    for _ in range(2):  # the second request offers the organisation she gave the first time
        await anna.send("Консультация")
        await anna.click("Бухгалтерия и налоги")
        await anna.send("Нужно ли сдавать баланс?")
        await anna.send("Анна Петрова")
        reply = await anna.send('АНО "Добрые соседи" & партнёры')
        await anna.click("Ответить здесь, в чате")
        await anna.click("Вечером")
    await anna.send("Консультация")
    await anna.click("Бухгалтерия и налоги")
    await anna.send("Нужно ли сдавать баланс?")
    reply = await anna.send("Анна Петрова")
    assert '✔️ АНО "Добрые соседи" & партнёры' in reply.buttons, reply.buttons
    escaped = [text for text in labels_and_notices(bot) if ENTITY.search(text)]
    assert escaped == []
