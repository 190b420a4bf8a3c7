"""The conversation is declared module by module (`Routes`) and composed into one flat
router per bot: the same handler answers, in the same order, with each module's checks in
front of its own, as a tree of aiogram routers would — and any number of bots can be built
in one process."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from aiogram import Dispatcher, F, Router
from aiogram.dispatcher.event.bases import UNHANDLED
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Chat, Message, User

from handlers.routes import LEAVES_FORMS, Routes, compose

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


def _modules() -> list[Routes]:
    """Menu first, then a staff-only module and staff forms, then a catch-all — in the
    way `handlers.PARTS` orders them."""
    menu, staff, forms, anything = (Routes(n) for n in ("menu", "staff", "forms", "any"))
    menu.message(F.text == "Меню")(_named("menu"))
    for module in (staff, forms):
        module.filter("message", F.from_user.id == STAFF_ID)  # «only staff», as HasRole does
    staff.message(F.text == "Сегодня")(_named("staff-today"))
    forms.message(F.text.startswith("Анонс"))(_named("staff-form"))
    anything.message()(_named("search"))
    return [menu, staff, forms, anything]


def _tree() -> Router:
    """The same conversation as a tree of aiogram routers: the reference."""
    root = Router(name="root")
    menu, staff, anything = (Router(name=n) for n in ("menu", "staff", "any"))
    menu.message.register(_named("menu"), F.text == "Меню")
    staff.message.filter(F.from_user.id == STAFF_ID)
    staff.message.register(_named("staff-today"), F.text == "Сегодня")
    staff.message.register(_named("staff-form"), F.text.startswith("Анонс"))
    anything.message.register(_named("search"))
    root.include_routers(menu, staff, anything)
    return root


@pytest.mark.parametrize(
    ("text", "user_id", "expected"),
    [
        ("Меню", 1, "menu"),
        ("Сегодня", STAFF_ID, "staff-today"),
        ("Сегодня", 1, "search"),  # a reader typing the staff button's text just searches
        ("Анонс на завтра", STAFF_ID, "staff-form"),  # the module's check holds
        ("Анонс на завтра", 1, "search"),
        ("Мастер и Маргарита", 1, "search"),
    ],
)
async def test_the_composed_router_answers_as_a_tree_of_routers_does(
    text: str, user_id: int, expected: str
) -> None:
    flat = compose("libbot", *_modules())
    message = _message(text, user_id)
    assert await _tree().propagate_event("message", message) == expected
    assert await flat.propagate_event("message", message) == expected
    assert flat.sub_routers == []


async def test_a_message_nobody_handles_stays_unhandled() -> None:
    only = Routes("menu")
    only.message(F.text == "Меню")(_named("menu"))
    assert await compose("libbot", only).propagate_event("message", _message("?", 1)) is UNHANDLED


def test_every_check_runs_in_the_event_loop_not_in_a_worker_thread() -> None:
    """aiogram hands a plain-function filter to a thread; magic filters are wrapped."""
    flat = compose("libbot", *_modules())
    checks = [check for handler in flat.message.handlers for check in handler.filters or ()]
    assert checks, "the staff and menu checks are there"
    assert all(check.awaitable for check in checks)


def test_a_module_can_be_composed_into_any_number_of_bots() -> None:
    """An aiogram router joins one parent only; declared modules are composed afresh."""
    modules = _modules()
    first, second = Dispatcher(), Dispatcher()
    first.include_router(compose("libbot", *modules))
    second.include_router(compose("libbot", *modules))
    assert len(modules[0].declared) == 1, "composing changes nothing in the declaration"


def test_flags_given_to_a_module_mark_each_of_its_handlers() -> None:
    menu, form = Routes("menu"), Routes("form")
    menu.message(F.text == "Меню")(_named("menu"))
    form.message(F.text)(_named("answer"))
    flat = compose("libbot", menu, form, flags={"menu": {LEAVES_FORMS: True}})
    marked = [handler.flags.get(LEAVES_FORMS, False) for handler in flat.message.handlers]
    assert marked == [True, False]


async def test_a_form_state_is_checked_in_the_loop_and_still_tells_steps_apart() -> None:
    class Form(StatesGroup):
        name = State()

    form = Routes("form")
    form.message(Form.name)(_named("name"))
    flat = compose("libbot", form)
    assert all(check.awaitable for check in flat.message.handlers[0].filters or ())
    message = _message("Анна", 1)
    assert await flat.propagate_event("message", message, raw_state="Form:name") == "name"
    assert await flat.propagate_event("message", message, raw_state=None) is UNHANDLED


def test_every_declared_handler_has_its_place_in_the_conversation() -> None:
    """A module's handlers answer only if its `Routes` is listed in `handlers.PARTS`."""
    import importlib
    import pkgutil

    import handlers

    placed = {id(part.declared) for part in handlers.PARTS}
    for module_info in pkgutil.iter_modules(handlers.__path__):
        module = importlib.import_module(f"handlers.{module_info.name}")
        for name, value in vars(module).items():
            if isinstance(value, Routes) and value.declared:
                assert id(value) in placed, f"handlers.{module_info.name}.{name} is not in PARTS"
