"""Who may work on a request, and how, decided for every press whatever the button says:
staff on every request; an expert only on those passed to them, and only answering them
(not taking one or passing it on); most work needs the request still open. Experts act
under their directory name, the register's «исполнитель».
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from storage.consultations import directory
from storage.consultations.models import Author
from storage.consultations.requests import Actor, RequestView, get, open_requests
from storage.consultations.transitions import Refusal
from storage.db import Database
from storage.models import Role


class Worker(Protocol):
    """Whoever presses, as the bot knows them (`storage.people.PersonView`; named by what is
    used, since `storage.people` reaches every feature's tables for /forget)."""

    @property
    def id(self) -> int: ...
    @property
    def display_name(self) -> str | None: ...
    @property
    def messenger_id(self) -> str: ...
    def has(self, role: Role) -> bool: ...


class Work(enum.Enum):
    """What staff or an expert do with a request."""

    SHOW = enum.auto()
    TAKE = enum.auto()
    PASS_ON = enum.auto()  # choose an expert and pass it to them
    ANSWER = enum.auto()
    NOTE = enum.auto()
    MEET = enum.auto()  # offer meeting times
    CLOSE = enum.auto()
    THREAD = enum.auto()
    FILES = enum.auto()
    GIVE_BACK = enum.auto()  # an expert hands it back to staff


STAFF_ONLY = frozenset({Work.TAKE, Work.PASS_ON})
NEEDS_OPEN = frozenset(
    {Work.TAKE, Work.PASS_ON, Work.ANSWER, Work.MEET, Work.CLOSE, Work.GIVE_BACK}
)


@dataclass(frozen=True, slots=True)
class Permitted:
    request: RequestView
    actor: Actor


@dataclass(frozen=True, slots=True)
class Denied:
    """Not this person's to see: the request is GONE, or NOT_YOURS (nothing about it told)."""

    reason: Refusal


@dataclass(frozen=True, slots=True)
class Closed:
    """Theirs to work on, but this work needs the request open."""

    request: RequestView
    actor: Actor


def role_on(person: Worker, request: RequestView) -> Author | None:
    """STAFF for staff, EXPERT for the expert the request is passed to, else None."""
    if person.has(Role.STAFF):
        return Author.STAFF
    if person.has(Role.EXPERT) and request.expert_person_id == person.id:
        return Author.EXPERT
    return None


async def actor_of(db: Database, person: Worker, role: Author, fallback: str | None) -> Actor:
    """Experts act under their directory name; others under their own (`fallback`: the
    messenger's name when they never gave the bot one)."""
    if role is Author.EXPERT:
        entry = await directory.expert_of(db, person.id)
        if entry is not None:
            return Actor(person.id, entry.name, role)
    return Actor(person.id, person.display_name or fallback or person.messenger_id, role)


async def may_work(
    db: Database, person: Worker, request_id: int, work: Work, fallback: str | None = None
) -> Permitted | Denied | Closed:
    """May this person do `work` with the request now?"""
    request = await get(db, request_id)
    if request is None:
        return Denied(Refusal.GONE)
    role = role_on(person, request)
    if role is None or (role is Author.EXPERT and work in STAFF_ONLY):
        return Denied(Refusal.NOT_YOURS)
    actor = await actor_of(db, person, role, fallback)
    if work in NEEDS_OPEN and not request.is_open:
        return Closed(request, actor)
    return Permitted(request, actor)


async def standing(
    db: Database, person: Worker, request_id: int, fallback: str | None = None
) -> Permitted | Denied:
    """May this person work on the request at all? (What they type after a button: the
    step itself then says whether the request still allows it.)"""
    request = await get(db, request_id)
    role = role_on(person, request) if request is not None else None
    if request is None or role is None:
        return Denied(Refusal.NOT_YOURS)
    return Permitted(request, await actor_of(db, person, role, fallback))


async def worklist(db: Database, person: Worker, *, mine: bool) -> list[RequestView]:
    """The open requests a person works on: staff all of them (or those they are responsible
    for), an expert those passed to them."""
    if person.has(Role.STAFF):
        return await open_requests(db, responsible_id=person.id if mine else None)
    return await open_requests(db, expert_person_id=person.id)
