"""Contests: what a valid one is, adding, changing and closing one, and the lists readers see
(open now, closing soon, by topic).

Everything typed by staff or read from a file goes through the same checks here (`read_*`),
so the bot's form and `libbot grants import` refuse the same things for the same reasons.
A deadline is a moment: typed as a local date (and time) in the contest's time zone — the
library's unless told — and stored in UTC; a date alone means the end of that day.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select

from bot.kernel.dates import WhenError, read_written_date
from storage.db import Database
from storage.grants import queued
from storage.grants.models import Contest
from storage.types import utcnow

NAME_LIMIT, OPERATOR_LIMIT, LINK_LIMIT, ELIGIBLE_LIMIT, TAGS_LIMIT = 300, 200, 500, 500, 300
TAG_LIMIT = 60
AMOUNT_LIMIT = 10**11  # roubles: a typo past a hundred billion is not a grant
CLOSING_SOON = timedelta(days=14)
# Operators offered as buttons; any other is typed.
OPERATORS = (
    "Фонд президентских грантов",
    "Региональная программа",
    "Муниципальная программа",
    "Корпоративный фонд",
)
# Topics offered when a contest is added; any other word is a topic too.
SUGGESTED_TAGS = ("социальная поддержка", "культура", "образование", "молодёжь", "экология")
# A typed message that is only a wish to see the grants calendar («гранты», «конкурсы»).
CALENDAR_CUE = re.compile(
    r"^\W*(гранты?|конкурсы?|гранты и конкурсы|грантовые конкурсы|календарь грантов)\W*$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(\d[\d\s\u00a0.,]*)\s*(млн|миллион\w*|тыс\w*|т\.?р\.?)?", re.IGNORECASE)


class Invalid(ValueError):
    """A value staff typed or a file held that a contest cannot have; the message says why
    in words staff can act on."""


@dataclass(frozen=True, slots=True)
class ContestDraft:
    """A contest as staff give it, checked."""

    name: str
    deadline: datetime  # aware, UTC
    zone: str
    operator: str = ""
    link: str | None = None
    opens_at: datetime | None = None
    results_at: datetime | None = None
    amount_min: int | None = None
    amount_max: int | None = None
    eligible: str = ""
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContestView:
    id: int
    draft: ContestDraft
    closed: bool
    source: str

    @property
    def name(self) -> str:
        return self.draft.name

    def is_open(self, now: datetime) -> bool:
        opens = self.draft.opens_at
        return not self.closed and self.draft.deadline > now and (opens is None or opens <= now)


# --- checks -------------------------------------------------------------------------------


def clean(text: str | None) -> str:
    return " ".join((text or "").split())


def read_name(text: str) -> str:
    name = clean(text)
    if not name:
        raise Invalid("нет названия конкурса")
    if len(name) > NAME_LIMIT:
        raise Invalid(f"название длиннее {NAME_LIMIT} символов")
    return name


def read_operator(text: str | None) -> str:
    operator = clean(text)
    if len(operator) > OPERATOR_LIMIT:
        raise Invalid(f"оператор длиннее {OPERATOR_LIMIT} символов")
    return operator


def read_link(text: str | None) -> str | None:
    """An http(s) address, or nothing; anything else (javascript:, a file path) is refused."""
    link = (text or "").strip()
    if not link:
        return None
    if len(link) > LINK_LIMIT or any(c.isspace() for c in link):
        raise Invalid("ссылка должна быть одним адресом без пробелов")
    parts = urlsplit(link)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise Invalid("ссылка должна начинаться с http:// или https://")
    return link


def read_zone(text: str | None, default: str) -> str:
    name = (text or "").strip() or default
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise Invalid(f"неизвестный часовой пояс {name!r} (пример: Europe/Moscow)") from None
    return name


def read_moment(text: str | None, zone: str, *, end_of_day: bool) -> datetime | None:
    """«31.03.2027», «31.03.2027 18:00» or «2027-03-31» in `zone`, as UTC; a date alone is
    the end of that day (a deadline) or its start (an opening). Empty is None."""
    value = clean(text)
    if not value:
        return None
    try:
        found = read_written_date(value, ZoneInfo(zone))
    except WhenError:
        raise Invalid(f"нет такой даты: {value!r}") from None
    if found is None:
        raise Invalid(f"не дата: {value!r} (пример: 31.03.2027 или 31.03.2027 18:00)")
    local, whole_day = found
    if whole_day and end_of_day:
        local = local.replace(hour=23, minute=59)
    return local.astimezone(ZoneInfo("UTC"))


def read_deadline(text: str | None, zone: str, now: datetime) -> datetime:
    """A deadline still ahead."""
    found = read_moment(text, zone, end_of_day=True)
    if found is None:
        raise Invalid("нет срока подачи")
    if found <= now:
        raise Invalid("срок подачи уже прошёл")
    return found


def _number(digits: str, unit: str | None) -> int:
    digits = re.sub(r"[\s\u00a0]", "", digits).rstrip(".,")
    factor = 1
    if unit:
        factor = 1_000_000 if _millions(unit) else 1_000
    if factor > 1:
        value = float(digits.replace(",", "."))
    else:
        value = float(re.sub(r"[.,]\d{1,2}$", "", digits).replace(".", "").replace(",", ""))
    return round(value * factor)


def _millions(unit: str | None) -> bool:
    return (unit or "").casefold().startswith(("млн", "миллион"))


def _sums(value: str) -> list[int]:
    """The sums typed, in roubles. «2 млн 500 тыс» is one sum; a bare number under a
    thousand is refused — «1,5» is surely millions, and no grant is a few roubles."""
    found: list[tuple[int, str | None]] = []
    joined_to = -1  # where a millions sum ended: thousands right after it add to it
    for match in _NUMBER.finditer(value):
        if not re.search(r"\d", match[1]):
            continue
        unit = match[2]
        number = _number(match[1], unit)
        if not unit and number < 1_000:
            raise Invalid("укажите сумму в рублях, например 1,5 млн")
        after_millions = joined_to >= 0 and not value[joined_to : match.start()].strip(" .")
        if unit and not _millions(unit) and after_millions:
            found[-1] = (found[-1][0] + number, unit)
            joined_to = -1
            continue
        found.append((number, unit))
        joined_to = match.end() if _millions(unit) else -1
    return [number for number, _ in found]


def read_amounts(text: str | None) -> tuple[int | None, int | None]:
    """«от 100 000 до 3 000 000», «50 тыс – 1,5 млн», «до 500 000»: the range in roubles; a
    single sum is the most a grant gives unless it says «от»."""
    value = clean(text).casefold()
    if not value:
        return None, None
    found = _sums(value)
    if not found or len(found) > 2:
        raise Invalid(f"не сумма: {text!r} (пример: от 100 000 до 3 000 000)")
    if any(n > AMOUNT_LIMIT for n in found):
        raise Invalid("сумма слишком велика")
    if len(found) == 2:
        low, high = found
        if low > high:
            raise Invalid("меньшая сумма больше большей")
        return low, high
    return (found[0], None) if value.startswith("от") else (None, found[0])


def read_amount(text: str | None) -> int | None:
    """One sum in roubles (an application's requested or granted sum)."""
    value = clean(text).casefold()
    if not value:
        return None
    found = _sums(value)
    if len(found) != 1 or found[0] > AMOUNT_LIMIT:
        raise Invalid(f"не сумма: {text!r} (пример: 450 000)")
    return found[0]


def read_tags(text: str | None) -> tuple[str, ...]:
    """Topics separated by commas or semicolons, lower case, each once."""
    tags: list[str] = []
    for part in re.split(r"[,;\n]", text or ""):
        tag = clean(part).casefold().strip("#")
        if not tag:
            continue
        if len(tag) > TAG_LIMIT:
            raise Invalid(f"тема длиннее {TAG_LIMIT} символов: {tag[:20]}…")
        if tag not in tags:
            tags.append(tag)
    if len(", ".join(tags)) > TAGS_LIMIT:
        raise Invalid(f"темы вместе длиннее {TAGS_LIMIT} символов")
    return tuple(tags)


def read_eligible(text: str | None) -> str:
    eligible = clean(text)
    if len(eligible) > ELIGIBLE_LIMIT:
        raise Invalid(f"«кто может подать» длиннее {ELIGIBLE_LIMIT} символов")
    return eligible


def checked(draft: ContestDraft) -> ContestDraft:
    """The whole contest: an opening after the deadline or results before it are refused."""
    if draft.opens_at is not None and draft.opens_at >= draft.deadline:
        raise Invalid("приём заявок открывается после срока подачи")
    if draft.results_at is not None and draft.results_at < draft.deadline:
        raise Invalid("итоги раньше срока подачи")
    return draft


# --- the rows -----------------------------------------------------------------------------


def _view(row: Contest) -> ContestView:
    draft = ContestDraft(
        name=row.name,
        deadline=row.deadline,
        zone=row.zone,
        operator=row.operator,
        link=row.link,
        opens_at=row.opens_at,
        results_at=row.results_at,
        amount_min=row.amount_min,
        amount_max=row.amount_max,
        eligible=row.eligible,
        tags=tuple(t for t in row.tags.split(",") if t),
    )
    return ContestView(row.id, draft, row.closed_at is not None, row.source)


def _columns(draft: ContestDraft) -> dict[str, object]:
    return {
        "name": draft.name,
        "deadline": draft.deadline,
        "zone": draft.zone,
        "operator": draft.operator,
        "link": draft.link,
        "opens_at": draft.opens_at,
        "results_at": draft.results_at,
        "amount_min": draft.amount_min,
        "amount_max": draft.amount_max,
        "eligible": draft.eligible,
        "tags": ",".join(draft.tags),
    }


async def add(db: Database, draft: ContestDraft, *, by: str, source: str = "bot") -> ContestView:
    draft = checked(draft)
    async with db.transaction() as session:
        row = Contest(**_columns(draft), created_by=by[:200], source=source)
        session.add(row)
        await session.flush()
        return _view(row)


async def change(db: Database, contest_id: int, **fields: object) -> ContestView | None:
    """Change some fields of a contest (checked as a whole); None when there is no such."""
    async with db.transaction() as session:
        row = await session.get(Contest, contest_id)
        if row is None:
            return None
        draft = checked(replace(_view(row).draft, **fields))  # type: ignore[arg-type]
        if draft.deadline != row.deadline:
            await queued.drop_reminders(session, contest_id, "deadline changed")
        for name, value in _columns(draft).items():
            setattr(row, name, value)
        return _view(row)


async def close(db: Database, contest_id: int) -> bool:
    """Take a contest off the calendar (cancelled, a mistake); its applications stay."""
    async with db.transaction() as session:
        row = await session.get(Contest, contest_id)
        if row is None or row.closed_at is not None:
            return False
        row.closed_at = utcnow()
        await queued.drop_reminders(session, contest_id, "contest closed")
        return True


async def get(db: Database, contest_id: int) -> ContestView | None:
    async with db.transaction() as session:
        row = await session.get(Contest, contest_id)
        return _view(row) if row is not None else None


async def listed(
    db: Database, now: datetime, *, within: timedelta | None = None, tag: str | None = None
) -> list[ContestView]:
    """Contests still taking applications (or to open), soonest deadline first; `within`
    keeps those closing before now + within, `tag` those of one topic."""
    query = select(Contest).where(Contest.closed_at.is_(None), Contest.deadline > now)
    if within is not None:
        query = query.where(Contest.deadline <= now + within)
    async with db.transaction() as session:
        rows = (await session.execute(query.order_by(Contest.deadline, Contest.id))).scalars()
        found = [_view(row) for row in rows]
    return [c for c in found if tag is None or tag in c.draft.tags]


async def open_now(db: Database, now: datetime) -> list[ContestView]:
    return [c for c in await listed(db, now) if c.is_open(now)]


async def tags(db: Database, now: datetime) -> list[str]:
    """The topics of the contests on the calendar, most used first."""
    counts: dict[str, int] = {}
    for contest in await listed(db, now):
        for tag in contest.draft.tags:
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t))


async def all_contests(db: Database, *, include_closed: bool = False) -> list[ContestView]:
    """Every contest for staff, the latest deadline first."""
    query = select(Contest)
    if not include_closed:
        query = query.where(Contest.closed_at.is_(None))
    async with db.transaction() as session:
        rows = await session.execute(query.order_by(Contest.deadline.desc(), Contest.id.desc()))
        return [_view(row) for row in rows.scalars()]


async def same_exists(db: Database, name: str, deadline: datetime) -> bool:
    """A contest of this name and deadline is on the calendar (an import run twice)."""
    async with db.transaction() as session:
        found = await session.execute(
            select(Contest.id).where(Contest.name == name, Contest.deadline == deadline)
        )
        return found.first() is not None


def by_ids(contests: Sequence[ContestView]) -> dict[int, ContestView]:
    return {c.id: c for c in contests}
