"""One person across messengers: linking Telegram, VK and MAX accounts with a one-time code.

A person asks for a code in one messenger and types it in another (any two of the three;
a third joins the same way, from either linked account). The two `people` rows become
one: everything the account that typed the code owned (loans link, registrations,
requests, subscriptions, watches, activity) moves to the person who asked for the code,
whose messenger stays the preferred one (where broadcasts and reminders go, once per
person); the other account becomes an alias in `person_accounts`, so it keeps talking to
the same person. The person can then choose the preferred messenger.

Safety: codes are eight digits, live ten minutes and are used once; an account that types
five wrong codes waits half an hour; accounts of staff, experts or admins are never
merged through the bot (a librarian talked into typing a stranger's code would hand
over the staff role).
"""

from __future__ import annotations

import enum
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, String, UniqueConstraint, and_, delete, exists, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.kernel.config import MESSENGERS
from storage.catalogue.models import CatalogueWatch
from storage.circulation.hashing import GuardKeys
from storage.circulation.models import LinkGuard, ReaderLink
from storage.consultations.models import ConsultationRequest, RequestEntry
from storage.db import Database
from storage.events.models import SEATED, Event, Registration, RegistrationStatus
from storage.models import Activity, Base, Consent, Person, PersonRole
from storage.outbox import OutboxMessage
from storage.subscriptions import Subscription, SubscriptionOffer
from storage.types import UTCDateTime, utcnow

CODE_LIFETIME = timedelta(minutes=10)
# Eight digits: guessing one of the codes alive at a moment takes millions of tries, and
# an account gets five before it is locked out.
CODE_DIGITS = 8
MAX_FAILURES = 5
LOCK = timedelta(minutes=30)
# The messengers a person may link (the demo console is none of them).
LINKABLE = MESSENGERS


class PersonAccount(Base):
    """Another messenger account of a person (the person's own row holds the preferred one)."""

    __tablename__ = "person_accounts"
    __table_args__ = (UniqueConstraint("platform", "platform_user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))
    platform_user_id: Mapped[str] = mapped_column(String(64))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AccountLinkCode(Base):
    __tablename__ = "account_link_codes"

    code: Mapped[str] = mapped_column(String(12), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    platform: Mapped[str] = mapped_column(String(16))  # where it was shown
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Outcome(enum.StrEnum):
    LINKED = "linked"
    WRONG = "wrong"  # no such code, or it expired
    LOCKED = "locked"  # too many wrong codes
    SAME_MESSENGER = "same_messenger"  # typed where it was shown (or in the same messenger)
    ALREADY = "already"  # the two accounts are one person already
    # Both have an account in the same messenger (two VK accounts, say): which would get
    # the announcements there is nobody's guess, so they are not merged.
    TWO_IN_ONE = "two_in_one"
    STAFF = "staff"  # a person with a role: not through the bot


@dataclass(frozen=True)
class LinkResult:
    outcome: Outcome
    person_id: int | None = None  # the merged person
    failures_left: int = 0
    locked_until: datetime | None = None
    moved_ticket_dropped: bool = False  # both had a ticket linked: the asker's was kept


async def issue_code(db: Database, person_id: int, platform: str) -> str:
    """A fresh eight-digit code for this person (earlier ones stop working)."""
    now = utcnow()
    async with db.transaction() as session:
        await session.execute(
            delete(AccountLinkCode).where(
                (AccountLinkCode.person_id == person_id) | (AccountLinkCode.expires_at <= now)
            )
        )
        while True:
            code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
            if await session.get(AccountLinkCode, code) is None:
                break
        session.add(
            AccountLinkCode(
                code=code, person_id=person_id, platform=platform, expires_at=now + CODE_LIFETIME
            )
        )
        return code


async def code_for(db: Database, person_id: int, platform: str, *, privileged: bool) -> str | None:
    """A code for the person to type in their other messenger; None for a person with a
    role (`privileged`: from the config too, which the database does not know) — staff,
    experts and admins are never linked through the bot."""
    return None if privileged else await issue_code(db, person_id, platform)


def other_messengers(platform: str, served: Iterable[str] = LINKABLE) -> tuple[str, ...]:
    """Where a code shown in `platform` may be typed: the other messengers the library
    serves (`served`), or every other one when it serves none besides this."""
    others = tuple(p for p in LINKABLE if p != platform and p in served)
    return others or tuple(p for p in LINKABLE if p != platform)


async def _has_role(session: AsyncSession, person_id: int) -> bool:
    found = await session.scalar(select(exists().where(PersonRole.person_id == person_id)))
    return bool(found)


async def redeem(
    db: Database,
    code: str,
    *,
    keys: GuardKeys,
    person_id: int,
    platform: str,
    account: str,
    privileged: bool = False,
) -> LinkResult:
    """The person behind `platform`/`account` typed `code`: merge them into its owner.

    `keys` are the link guard's (keyed with the installation secret), so the guard row
    does not name the account. `privileged`: the person holds a role, perhaps one from the
    config the database does not know — refused before the code is even looked at."""
    if privileged:
        return LinkResult(Outcome.STAFF)
    now = utcnow()
    guard = keys.key("account-link", f"{platform}:{account}")
    async with db.transaction() as session:
        lock = await session.get(LinkGuard, guard)
        if lock is not None and lock.locked_until is not None and lock.locked_until > now:
            return LinkResult(Outcome.LOCKED, locked_until=lock.locked_until)
        found = await session.get(AccountLinkCode, code.strip())
        if found is None or found.expires_at <= now:
            return await _failed(session, guard, now)
        owner_id = found.person_id
        if owner_id == person_id:
            return LinkResult(
                Outcome.ALREADY if found.platform != platform else Outcome.SAME_MESSENGER
            )
        if found.platform == platform:
            return LinkResult(Outcome.SAME_MESSENGER)
        if await _has_role(session, owner_id) or await _has_role(session, person_id):
            return LinkResult(Outcome.STAFF)
        if await _platforms(session, owner_id) & await _platforms(session, person_id):
            return LinkResult(Outcome.TWO_IN_ONE)
        await session.delete(found)
        if lock is not None:
            await session.delete(lock)
        dropped = await _merge(session, keep=owner_id, gone=person_id)
        return LinkResult(Outcome.LINKED, person_id=owner_id, moved_ticket_dropped=dropped)


async def _platforms(session: AsyncSession, person_id: int) -> set[str]:
    """The messengers of a person's accounts: their own row's and their aliases'."""
    own = await session.scalar(select(Person.platform).where(Person.id == person_id))
    aliases = await session.scalars(
        select(PersonAccount.platform).where(PersonAccount.person_id == person_id)
    )
    return {*aliases, *([own] if own else [])}


async def _failed(session: AsyncSession, key: str, now: datetime) -> LinkResult:
    guard = await session.get(LinkGuard, key)
    if guard is None:
        guard = LinkGuard(key=key, failures=0)
        session.add(guard)
    if guard.last_failure_at is not None and now - guard.last_failure_at > LOCK:
        guard.failures, guard.locked_until = 0, None
    guard.failures += 1
    guard.last_failure_at = now
    if guard.failures >= MAX_FAILURES:
        guard.locked_until = now + LOCK
        guard.failures = 0
        return LinkResult(Outcome.LOCKED, locked_until=guard.locked_until)
    return LinkResult(Outcome.WRONG, failures_left=MAX_FAILURES - guard.failures)


async def _merge(session: AsyncSession, *, keep: int, gone: int) -> bool:
    """Move everything of person `gone` to `keep`; True if `gone`'s ticket link was dropped."""
    # Rows that may exist once per person: the kept person's win.
    kept_link = await session.get(ReaderLink, keep)
    gone_link = await session.get(ReaderLink, gone)
    dropped = kept_link is not None and gone_link is not None
    if gone_link is not None and kept_link is None:
        await session.execute(
            update(ReaderLink).where(ReaderLink.person_id == gone).values(person_id=keep)
        )
    await _move_unique(session, Subscription, ("topic", "branch_id"), keep, gone)
    await _move_unique(session, CatalogueWatch, ("record_id",), keep, gone)
    await _merge_registrations(session, keep=keep, gone=gone)
    if await session.get(SubscriptionOffer, keep) is None:
        await session.execute(
            update(SubscriptionOffer)
            .where(SubscriptionOffer.person_id == gone)
            .values(person_id=keep)
        )
    # Rows that only point at the person.
    for model, column in (
        (Activity, Activity.person_id),
        (ConsultationRequest, ConsultationRequest.person_id),
        (RequestEntry, RequestEntry.author_person_id),
        (OutboxMessage, OutboxMessage.person_id),
    ):
        await session.execute(update(model).where(column == gone).values({column.key: keep}))
    kept = await session.get(Person, keep)
    other = await session.get(Person, gone)
    assert kept is not None
    assert other is not None
    if kept.consent != Consent.GIVEN and other.consent == Consent.GIVEN:
        kept.consent, kept.consent_at = other.consent, other.consent_at
    for field in ("display_name", "phone", "email", "organisation"):
        if getattr(kept, field) is None and kept.consent == Consent.GIVEN:
            setattr(kept, field, getattr(other, field))
    aliases = [(other.platform, other.platform_user_id)]
    aliases += [
        (a.platform, a.platform_user_id)
        for a in await session.scalars(select(PersonAccount).where(PersonAccount.person_id == gone))
    ]
    await session.execute(delete(PersonAccount).where(PersonAccount.person_id == gone))
    await session.delete(other)
    await session.flush()
    now = utcnow()
    session.add_all(
        PersonAccount(person_id=keep, platform=p, platform_user_id=u, linked_at=now)
        for p, u in aliases
    )
    return dropped


async def _merge_registrations(session: AsyncSession, *, keep: int, gone: int) -> None:
    """One place per event: where both had one, the better stays (confirmed, then offered,
    then waiting) and the other's seat goes back to the event."""
    theirs = list(await session.scalars(select(Registration).where(Registration.person_id == gone)))
    for row in theirs:
        mine = await session.scalar(
            select(Registration).where(
                Registration.event_id == row.event_id, Registration.person_id == keep
            )
        )
        if mine is None:
            row.person_id = keep
            continue
        better, worse = (row, mine) if _rank(row) > _rank(mine) else (mine, row)
        if worse.status in SEATED:
            event = await session.get(Event, worse.event_id, with_for_update=True)
            if event is not None:
                event.taken = max(event.taken - 1, 0)
        await session.delete(worse)
        await session.flush()
        better.person_id = keep


def _rank(row: Registration) -> int:
    return {
        RegistrationStatus.CONFIRMED: 3,
        RegistrationStatus.OFFERED: 2,
        RegistrationStatus.WAITLISTED: 1,
    }.get(RegistrationStatus(row.status), 0)


async def _move_unique(
    session: AsyncSession, model: type, unique: tuple[str, ...], keep: int, gone: int
) -> None:
    """Re-point `gone`'s rows at `keep`, dropping those `keep` already has an equal of."""
    mine = model.person_id  # type: ignore[attr-defined]
    twin = model.__table__.alias()  # type: ignore[attr-defined]
    same = and_(twin.c.person_id == keep, *(twin.c[c] == getattr(model, c) for c in unique))
    await session.execute(delete(model).where(mine == gone, exists().where(same)))
    await session.execute(update(model).where(mine == gone).values(person_id=keep))


async def accounts(db: Database, person_id: int) -> list[tuple[str, str]]:
    """Every messenger account of a person, the preferred one first."""
    async with db.transaction() as session:
        person = await session.get(Person, person_id)
        if person is None:
            return []
        others = await session.execute(
            select(PersonAccount.platform, PersonAccount.platform_user_id)
            .where(PersonAccount.person_id == person_id)
            .order_by(PersonAccount.id)
        )
        return [(person.platform, person.platform_user_id), *((p, u) for p, u in others)]


@dataclass(frozen=True)
class LinkStatus:
    """A person's messengers as the «Связать аккаунты» screen shows them."""

    platforms: tuple[str, ...]  # the preferred one first
    # This account's messenger is not the preferred one: «Присылать сюда» is offered.
    may_prefer: bool

    @property
    def linked(self) -> bool:
        return len(set(self.platforms)) > 1

    @property
    def preferred(self) -> str:
        return self.platforms[0]


async def status(db: Database, person_id: int, platform: str) -> LinkStatus:
    """Which messengers the person uses, seen from their account in `platform`."""
    platforms = tuple(found for found, _account in await accounts(db, person_id))
    linked = len(set(platforms)) > 1
    return LinkStatus(platforms, may_prefer=linked and platforms[0] != platform)


async def prefer(db: Database, person_id: int, platform: str) -> bool:
    """Make the person's account on `platform` the preferred one (swap with the alias)."""
    async with db.transaction() as session:
        person = await session.get(Person, person_id, with_for_update=True)
        if person is None:
            return False
        if person.platform == platform:
            return True
        alias = await session.scalar(
            select(PersonAccount).where(
                PersonAccount.person_id == person_id, PersonAccount.platform == platform
            )
        )
        if alias is None:
            return False
        old = (person.platform, person.platform_user_id)
        new = (alias.platform, alias.platform_user_id)
        # Through a placeholder: both pairs are unique in their own table.
        alias.platform, alias.platform_user_id = "swap", f"{person_id}"
        await session.flush()
        person.platform, person.platform_user_id = new
        await session.flush()
        alias.platform, alias.platform_user_id = old
        return True
