"""The conversation is built from one router per topic and walked as one flat router:
the same handler answers, in the same order, with the same router-level checks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import BaseMiddleware, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.types import Chat, Message, User

from handlers.routing import flatten

STAFF_ID = 42


def _message(text: str, user_id: int) -> Message:
    return Message(
        message_id=1,
        date=datetime(2026, 12, 7, tzinfo=UTC),
        chat=Chat(id=user_id, type="private"),
        from_user=User(id=user_id, is_bot=False, first_name="Читатель"),
        text=text,
    )


def _named(name: str) -> Any:
    async def handler(message: Message) -> str:
        return name

    return handler


def _tree() -> Router:
    """Menu first, then a staff-only router with a form router inside, then a catch-all —
    in the way `build_router` orders them."""
    root = Router(name="root")
    menu, staff, staff_forms, anything = (Router(name=n) for n in ("menu", "staff", "forms", "any"))
    menu.message.register(_named("menu"), F.text == "Меню")
    staff.message.filter(F.from_user.id == STAFF_ID)  # «only staff», as HasRole does
    staff.message.register(_named("staff-today"), F.text == "Сегодня")
    staff_forms.message.register(_named("staff-form"), F.text.startswith("Анонс"))
    staff.include_router(staff_forms)
    anything.message.register(_named("search"))
    root.include_routers(menu, staff, anything)
    return root


@pytest.mark.parametrize(
    ("text", "user_id", "expected"),
    [
        ("Меню", 1, "menu"),
        ("Сегодня", STAFF_ID, "staff-today"),
        ("Сегодня", 1, "search"),  # a reader typing the staff button's text just searches
        ("Анонс на завтра", STAFF_ID, "staff-form"),  # the parent's check holds below it
        ("Анонс на завтра", 1, "search"),
        ("Мастер и Маргарита", 1, "search"),
    ],
)
async def test_the_flat_router_answers_as_the_tree_does(
    text: str, user_id: int, expected: str
) -> None:
    flat = flatten(_tree())
    message = _message(text, user_id)
    assert await _tree().propagate_event("message", message) == expected
    assert await flat.propagate_event("message", message) == expected
    assert flat.sub_routers == []


async def test_a_message_nobody_handles_stays_unhandled() -> None:
    root, only = Router(), Router()
    only.message.register(_named("menu"), F.text == "Меню")
    root.include_router(only)
    assert await flatten(root).propagate_event("message", _message("?", 1)) is UNHANDLED


def test_a_sub_router_middleware_is_refused_when_the_bot_is_built() -> None:
    class Noop(BaseMiddleware):
        async def __call__(self, handler: Any, event: Any, data: dict[str, Any]) -> Any:
            return await handler(event, data)

    root, child = Router(), Router(name="forms")
    child.message.middleware(Noop())
    root.include_router(child)
    with pytest.raises(ValueError, match="forms"):
        flatten(root)
