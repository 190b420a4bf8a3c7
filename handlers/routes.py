"""Handlers declared at module level, composed into a fresh aiogram router for each bot.

Every handler module says `routes = Routes(__name__)` and decorates module-level functions
with `@routes.message(...)` or `@routes.callback_query(...)` — aiogram's own idiom, except
that nothing is attached to a router when the module is imported. `compose` then builds one
router with aiogram's public `register`, holding every handler in the order the modules are
listed, each with its module's filters in front of its own:

- any number of dispatchers can be built in one process (tests, the demo, several
  messengers), where an aiogram router can join only one parent;
- an update is matched in one walk of one router. aiogram walks a tree of routers anew
  for each update (a middleware wrap, a root filter and copies of the update's data per
  router, about 15 µs each); a typed catalogue question used to pass 29 routers before the
  search answered it — an eighth of the bot's time under load (`bench/throughput.py`).
- plain-function filters (every `F.…` magic filter) are checked in the event loop: aiogram
  hands a filter that is not a coroutine function to a worker thread, a thread hop for each
  such filter of each update, and ours are quick, pure checks of the update.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiogram import Router
from aiogram.filters import Filter
from magic_filter import MagicFilter

Handler = Callable[..., Any]

#: Handler flag: answering this message abandons any half-filled form (menu buttons,
#: commands). `LeaveForms` middleware reads it.
LEAVES_FORMS = "leaves_forms"


class InLoop(Filter):
    """A plain-function check (a magic filter, a form state) run as a coroutine: the same
    answer without a thread hop. It receives the arguments its function names, as aiogram
    would pass them."""

    def __init__(self, check: Callable[..., Any]) -> None:
        self.check = check
        self.magic = isinstance(check, MagicFilter)
        if self.magic:
            self.params: set[str] = set()
            self.varkw = False
            return
        signature = inspect.signature(check)
        self.params = {
            p.name
            for p in list(signature.parameters.values())[1:]  # the first is the event
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        }
        self.varkw = any(p.kind is p.VAR_KEYWORD for p in signature.parameters.values())

    async def __call__(self, event: Any, **data: Any) -> Any:
        if self.magic:
            return self.check.resolve(event)  # type: ignore[attr-defined]
        given = data if self.varkw else {k: v for k, v in data.items() if k in self.params}
        return self.check(event, **given)

    def __str__(self) -> str:
        return f"InLoop({self.check!r})"


def _in_loop(check: Any) -> Any:
    """aiogram runs a check that is not a coroutine function in a worker thread."""
    if isinstance(check, Filter) or not callable(check):
        return check
    if isinstance(check, MagicFilter):
        return InLoop(check)
    function = inspect.unwrap(check)
    if inspect.iscoroutinefunction(function) or inspect.iscoroutinefunction(
        type(function).__call__  # an object whose __call__ is a coroutine function
    ):
        return check
    return InLoop(check)


@dataclass(frozen=True)
class Declared:
    """One handler as its module declared it."""

    event: str  # aiogram's observer name: "message", "callback_query", "error"…
    callback: Handler
    filters: tuple[Any, ...]
    flags: dict[str, Any]


@dataclass
class Routes:
    """A module's handlers, in the order it declares them, and the filters of them all."""

    name: str
    declared: list[Declared] = field(default_factory=list)
    common: dict[str, list[Any]] = field(default_factory=dict)

    def filter(self, event: str, *filters: Any) -> None:
        """Filters in front of every `event` handler of this module (a role check, say)."""
        self.common.setdefault(event, []).extend(filters)

    def on(self, event: str, *filters: Any, **flags: Any) -> Callable[[Handler], Handler]:
        def declare(callback: Handler) -> Handler:
            self.declared.append(Declared(event, callback, filters, flags))
            return callback

        return declare

    def message(self, *filters: Any, **flags: Any) -> Callable[[Handler], Handler]:
        return self.on("message", *filters, **flags)

    def callback_query(self, *filters: Any, **flags: Any) -> Callable[[Handler], Handler]:
        return self.on("callback_query", *filters, **flags)

    def error(self, *filters: Any, **flags: Any) -> Callable[[Handler], Handler]:
        return self.on("error", *filters, **flags)


def compose(
    name: str,
    *modules: Routes,
    flags: Mapping[str, dict[str, Any]] | None = None,
    filters: Mapping[str, Mapping[str, Sequence[Any]]] | None = None,
) -> Router:
    """One router answering as the modules, tried in this order, would.

    `flags` maps a module's name to flags added to each of its handlers (the navigation
    modules' messages leave forms); `filters` maps it to checks put in front of its
    handlers of an event (only private chats, say), before the module's own.
    """
    router = Router(name=name)
    for routes in modules:
        added = (flags or {}).get(routes.name, {})
        placed = (filters or {}).get(routes.name, {})
        for declared in routes.declared:
            observer = router.observers[declared.event]
            checks = (
                *placed.get(declared.event, ()),
                *routes.common.get(declared.event, ()),
                *declared.filters,
            )
            observer.register(
                declared.callback,
                *map(_in_loop, checks),
                flags={**declared.flags, **added},
            )
    return router
