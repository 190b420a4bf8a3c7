"""The guard against guessing a reader's PIN: lock the account that guesses, only slow
down the ticket it guesses.

Ticket numbers are sequential, so a lock on the *ticket* would let anyone shut any reader
out of «Мои книги» with five wrong PINs, half an hour at a time, for ever. So:

* A messenger account that fails `max_failures` times (5 by default; any tickets, each
  failure within `lock` of the one before) is locked for `lock` (30 minutes): it cannot
  try any ticket until then, and is told when it may try again.
* A ticket is never locked. From its `max_failures`-th failure on (from any accounts), the
  next check of it waits `FIRST_WAIT` (15 s) after the last failure, doubling with each
  further failure up to `LONGEST_WAIT` (5 min): the real owner with the right PIN is at
  most five minutes from linking, while a guesser gets at most 12 tries an hour at that
  ticket — weeks for a four-digit PIN — and burns an account every five tries.
* Each check of a slowed-down ticket claims its turn first (`locked_until` of the ticket's
  row: "no other check before"), so many accounts trying at once still get one check per
  wait between them, not one each.
* An episode ends `lock` after the ticket's last failure, or when someone links the ticket.
  Staff hear once per episode: when the ticket reaches `max_failures` failures, with how
  many accounts tried (`TicketAlarm`).

Rows are keyed by `GuardKeys` (HMAC with the installation secret); which accounts tried a
ticket is one row per pair, so they can be counted without storing who they were. The
nightly retention purge (`storage.retention`) drops rows a day past their last failure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.kernel.config import Config
from storage.circulation.hashing import GuardKeys
from storage.circulation.models import LinkGuard
from storage.db import Database
from storage.installation import installation_secret
from storage.types import utcnow

FIRST_WAIT = timedelta(seconds=15)
LONGEST_WAIT = timedelta(minutes=5)
_TRIED = "tried"


@dataclass(frozen=True, slots=True)
class GuardPolicy:
    """The numbers, the keys and the clock (tests pass their own clock)."""

    keys: GuardKeys
    max_failures: int = 5
    lock: timedelta = timedelta(minutes=30)
    clock: Callable[[], datetime] = utcnow

    @classmethod
    def from_config(cls, config: Config, *, clock: Callable[[], datetime] = utcnow) -> GuardPolicy:
        settings = config.library_system
        return cls(
            keys=GuardKeys(partial(installation_secret, config.data_dir)),
            max_failures=settings.link_max_failures,
            lock=timedelta(minutes=settings.link_lock_minutes),
            clock=clock,
        )

    def wait_after(self, failures: int) -> timedelta:
        """How long a ticket with this many failures waits after the last (none below N)."""
        if failures < self.max_failures:
            return timedelta(0)
        doublings = min(failures - self.max_failures, 16)
        return min(FIRST_WAIT * 2**doublings, LONGEST_WAIT)

    def ticket_key(self, ticket: str) -> str:
        return self.keys.key("ticket", ticket)

    def account_key(self, account: str) -> str:
        return self.keys.key("account", account)

    def tried_prefix(self, ticket: str) -> str:
        return f"{_TRIED}:{self.keys.digest(_TRIED, ticket, 32)}:"

    def tried_key(self, ticket: str, account: str) -> str:
        return self.tried_prefix(ticket) + self.keys.digest(_TRIED, f"{ticket}\0{account}", 32)


@dataclass(frozen=True, slots=True)
class Admission:
    """Whether a check may go ahead now; if not, until when the account is locked or
    when the ticket may be checked again."""

    account_locked_until: datetime | None = None
    ticket_open_at: datetime | None = None

    @property
    def admitted(self) -> bool:
        return self.account_locked_until is None and self.ticket_open_at is None


@dataclass(frozen=True, slots=True)
class TicketAlarm:
    """A ticket just reached the threshold: what staff are told (no ticket, no accounts)."""

    failures: int
    accounts: int


@dataclass(frozen=True, slots=True)
class Failure:
    failures_left: int  # for this account, before it is locked
    account_locked_until: datetime | None
    alarm: TicketAlarm | None


def _stale(guard: LinkGuard, now: datetime, lock: timedelta) -> bool:
    return guard.last_failure_at is None or now - guard.last_failure_at > lock


async def account_locked_until(db: Database, policy: GuardPolicy, account: str) -> datetime | None:
    now = policy.clock()
    async with db.transaction() as session:
        return await session.scalar(
            select(LinkGuard.locked_until).where(
                LinkGuard.key == policy.account_key(account), LinkGuard.locked_until > now
            )
        )


async def admit(db: Database, policy: GuardPolicy, ticket: str, account: str) -> Admission:
    """Check the account's lock and the ticket's wait; a slowed-down ticket's turn is
    claimed here, in the same transaction, so concurrent checks cannot share it."""
    now = policy.clock()
    async with db.transaction() as session:
        mine = await session.get(LinkGuard, policy.account_key(account))
        if mine is not None and mine.locked_until is not None and mine.locked_until > now:
            return Admission(account_locked_until=mine.locked_until)
        guard = await session.get(LinkGuard, policy.ticket_key(ticket), with_for_update=True)
        if guard is None or _stale(guard, now, policy.lock):
            return Admission()
        wait = policy.wait_after(guard.failures)
        if not wait:
            return Admission()
        assert guard.last_failure_at is not None
        open_at = guard.last_failure_at + wait
        if guard.locked_until is not None:
            open_at = max(open_at, guard.locked_until)
        if open_at > now:
            return Admission(ticket_open_at=open_at)
        guard.locked_until = now + wait  # this check's turn; a failure replaces it
        return Admission()


async def record_failure(db: Database, policy: GuardPolicy, ticket: str, account: str) -> Failure:
    now = policy.clock()
    async with db.transaction() as session:
        mine = await _counted(session, policy.account_key(account), now, policy.lock, lockable=True)
        locked = None
        if mine.failures >= policy.max_failures:
            locked = mine.locked_until = now + policy.lock
        guard = await _counted(session, policy.ticket_key(ticket), now, policy.lock)
        guard.locked_until = None  # the turn this check claimed is over
        if guard.failures == 1:  # a new episode: forget who tried in the last one
            await session.execute(
                delete(LinkGuard).where(LinkGuard.key.startswith(policy.tried_prefix(ticket)))
            )
        await _counted(session, policy.tried_key(ticket, account), now, policy.lock)
        alarm = None
        if guard.failures == policy.max_failures:
            await session.flush()
            accounts = await session.scalar(
                select(func.count()).where(
                    LinkGuard.key.startswith(policy.tried_prefix(ticket)),
                    LinkGuard.last_failure_at > now - policy.lock,
                )
            )
            alarm = TicketAlarm(failures=guard.failures, accounts=int(accounts or 0))
        left = max(policy.max_failures - mine.failures, 0)
        return Failure(failures_left=left, account_locked_until=locked, alarm=alarm)


async def _counted(
    session: AsyncSession, key: str, now: datetime, lock: timedelta, *, lockable: bool = False
) -> LinkGuard:
    """The row for `key` with one more failure: a fresh count if the last failure was
    more than `lock` ago, or (`lockable`: an account) once its lock has run out."""
    guard = await session.get(LinkGuard, key, with_for_update=True)
    if guard is None:
        guard = LinkGuard(key=key, failures=0)
        session.add(guard)
    lock_over = lockable and guard.locked_until is not None and guard.locked_until <= now
    if _stale(guard, now, lock) or lock_over:
        guard.failures, guard.locked_until = 0, None
    guard.failures += 1
    guard.last_failure_at = now
    return guard


async def clear(db: Database, policy: GuardPolicy, ticket: str, account: str) -> None:
    """A linked ticket ends its episode, and the account proved it guesses nothing."""
    async with db.transaction() as session:
        await session.execute(
            delete(LinkGuard).where(
                or_(
                    LinkGuard.key.in_([policy.ticket_key(ticket), policy.account_key(account)]),
                    LinkGuard.key.startswith(policy.tried_prefix(ticket)),
                )
            )
        )


async def forget(
    db: Database, policy: GuardPolicy, tickets: Sequence[str], accounts: Sequence[str]
) -> None:
    """/forget: the guard rows of the person's tickets and accounts go too. (Rows of other
    tickets this account tried are keyed by both and cannot be found; they go with the
    nightly purge a day after the last failure.)"""
    keys = [policy.ticket_key(t) for t in tickets] + [policy.account_key(a) for a in accounts]
    if not keys:
        return
    async with db.transaction() as session:
        await session.execute(
            delete(LinkGuard).where(
                or_(
                    LinkGuard.key.in_(keys),
                    *(LinkGuard.key.startswith(policy.tried_prefix(t)) for t in tickets),
                )
            )
        )


def mask_ticket(ticket: str) -> str:
    """«…001»: enough for staff to match a reader who calls, not enough to name them."""
    return f"…{ticket[-3:]}" if len(ticket) > 3 else "…"
