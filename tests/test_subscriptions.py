"""«Подписки»: one tap to follow a topic (or some branches), /stop to leave everything."""

from __future__ import annotations

from sqlalchemy import func, select

from storage import people, subscriptions
from storage.models import Activity, ActivityKind
from storage.subscriptions import Subscription
from tests.conftest import RunningBot


async def _held(bot: RunningBot, user_id: int) -> set[tuple[str, str]]:
    person = await people.find(bot.db, "telegram", str(user_id))
    assert person is not None
    return await subscriptions.of(bot.db, person.id)


async def test_reader_subscribes_and_unsubscribes_with_one_tap(bot: RunningBot) -> None:
    anna = bot.person(1101)
    reply = await anna.send("🔔 Подписки")
    assert "Выберите, о чём вам сообщать" in reply.text
    assert "▫️ Новые поступления" in reply.buttons
    reply = await anna.click("Новые поступления")
    assert reply.alerts == ["Подписка оформлена: Новые поступления"]
    edited = [c for c in reply.calls if c.method == "editMessageReplyMarkup"]
    assert any(b["text"] == "✅ Новые поступления" for b in edited[0].buttons())
    assert await _held(bot, 1101) == {("new_books", "")}
    reply = await anna.press("sub:tog:new_books::other")
    assert reply.alerts == ["Вы отписались: Новые поступления"]
    assert await _held(bot, 1101) == set()


async def test_per_branch_topic(bot: RunningBot) -> None:
    anna = bot.person(1102)
    await anna.send("Подписки")
    reply = await anna.click("Афиша мероприятий: филиалы")
    assert "Афиша мероприятий: выберите филиалы" in reply.text
    reply = await anna.click("Центральная библиотека")
    assert reply.alerts == ["Подписка оформлена: Афиша мероприятий"]
    edited = next(c for c in reply.calls if c.method == "editMessageReplyMarkup")
    assert "✅ Центральная библиотека" in [b["text"] for b in edited.buttons()]
    assert await _held(bot, 1102) == {("events", "central")}


async def test_all_branches_and_one_branch_never_both_ticked(bot: RunningBot) -> None:
    vera = bot.person(1105)
    await vera.send("Подписки")
    await vera.click("Афиша мероприятий: филиалы")
    await vera.click("Центральная библиотека")
    reply = await vera.click("Все филиалы")
    assert await _held(bot, 1105) == {("events", "")}  # «все» replaced the one branch
    edited = next(c for c in reply.calls if c.method == "editMessageReplyMarkup")
    ticked = [b["text"] for b in edited.buttons() if b["text"].startswith("✅")]
    assert ticked == ["✅ Все филиалы"]
    reply = await vera.click("Детская библиотека")  # narrowing «все» to one branch
    assert await _held(bot, 1105) == {("events", "children")}
    reply = await vera.click("Детская библиотека")  # and off again: the topic is off
    assert await _held(bot, 1105) == set()
    edited = next(c for c in reply.calls if c.method == "editMessageReplyMarkup")
    assert not [b["text"] for b in edited.buttons() if b["text"].startswith("✅")]


async def test_stop_leaves_everything_and_asks_why(bot: RunningBot) -> None:
    anna = bot.person(1103)
    await anna.send("Подписки")
    await anna.click("Новые поступления")
    await anna.click("Для НКО")
    reply = await anna.send("/stop")
    assert "Вы отписаны от всех рассылок" in reply.text
    assert await _held(bot, 1103) == set()
    reply = await anna.click("Неинтересно")
    assert "Спасибо, учтём" in reply.text
    async with bot.db.transaction() as session:
        last = await session.scalar(select(Activity).order_by(Activity.id.desc()))
    assert last is not None
    assert (last.kind, last.status, last.notes) == (
        ActivityKind.SUBSCRIPTION,
        "stop reason",
        "boring",
    )
    reply = await anna.send("/stop")
    assert "У вас нет подписок" in reply.text


async def test_new_people_are_asked_once(bot: RunningBot) -> None:
    anna = bot.person(1104)
    await anna.send("/start")
    reply = await anna.click("Согласен")
    assert "Хотите получать новости библиотеки?" in reply.text
    reply = await anna.press("consent:yes")
    assert "Хотите получать новости" not in reply.text


async def test_forged_subscription_buttons_change_nothing(bot: RunningBot) -> None:
    anna = bot.person(1105)
    await anna.send("/start")
    for data in (
        "sub:tog:nonexistent::other",
        "sub:tog:new_books:central:other",  # not a per-branch topic
        "sub:tog:events:nowhere:other",  # no such branch
        "sub:br:grants::other",
    ):
        reply = await anna.press(data)
        assert reply.alerts == ["Кнопка устарела. Вот меню:"], data
    assert await _held(bot, 1105) == set()


async def test_forget_removes_subscriptions(bot: RunningBot) -> None:
    anna = bot.person(1106)
    await anna.send("Подписки")
    await anna.click("Новые поступления")
    await anna.send("/forget")
    await anna.click("Да, удалить")
    async with bot.db.transaction() as session:
        assert await session.scalar(select(func.count()).select_from(Subscription)) == 0
