"""The conversation's routers, walked once per update instead of router by router.

Each handler module builds its own router and `handlers.build_router` lists them in the
order they are tried: that composition is how the conversation reads. aiogram walks such a
tree anew for every update — for each router a middleware wrap, a root-filter check and
several copies of the update's data, about 15 µs a router here; a typed catalogue question
passes all 29 routers before the search answers it (py-spy: an eighth of the bot's time
under load). `flatten` turns the tree, once at start, into one router holding the same
handlers in the same order, each with its routers' filters in front of its own: the same
answers, one walk.
"""

from __future__ import annotations

from dataclasses import replace

from aiogram import Router
from aiogram.dispatcher.event.handler import FilterObject, HandlerObject


def flatten(root: Router) -> Router:
    """One router that answers every update as `root` and its sub-routers would.

    The root's own filters and middlewares stay the flat router's; a sub-router may have
    filters (they move onto its handlers) but no middleware or start-up hook of its own —
    there would be nowhere to keep it, so that is refused when the bot is built.
    """
    flat = Router(name=root.name)
    for name, observer in root.observers.items():
        target = flat.observers[name]
        target._handler.filters = list(observer._handler.filters or ())
        for inner in observer.middleware:
            target.middleware(inner)
        for outer in observer.outer_middleware:
            target.outer_middleware(outer)
        target.handlers.extend(observer.handlers)
        for child in root.sub_routers:
            target.handlers.extend(_handlers(child, name, []))
    for hook in ("startup", "shutdown"):
        getattr(flat, hook).handlers.extend(getattr(root, hook).handlers)
    return flat


def _handlers(router: Router, name: str, inherited: list[FilterObject]) -> list[HandlerObject]:
    """The router's handlers for one kind of event, then its sub-routers', in aiogram's order."""
    observer = router.observers[name]
    if observer.middleware or observer.outer_middleware:
        raise ValueError(f"router {router.name!r} has a {name} middleware of its own")
    if router.startup.handlers or router.shutdown.handlers:
        raise ValueError(f"router {router.name!r} has a start-up or shutdown hook of its own")
    filters = [*inherited, *(observer._handler.filters or ())]
    found = [
        replace(handler, filters=[*filters, *(handler.filters or ())]) if filters else handler
        for handler in observer.handlers
    ]
    for child in router.sub_routers:
        found += _handlers(child, name, filters)
    return found
