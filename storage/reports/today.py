"""«📊 Сегодня»: the day's cases, not its logged interactions.

The activity log has a row for every step of a conversation — one expertise request filled
in over nine messages is nine rows. Staff want to know how much work came in, so each kind
is counted in its own unit: a request is one submitted request (from the requests table),
a registration one place taken, a search one answer of the catalogue, a renewal one book
renewed, and the people are those who wrote, each once.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from bot.kernel.config import Config
from storage.consultations.models import ConsultationRequest, RequestStatus
from storage.db import Database
from storage.models import Activity, ActivityKind, Person, PersonRole, Role
from storage.reports.collect import SYSTEM_PLATFORM, classify
from storage.reports.periods import Period, days
from storage.reports.work import Kind

# The cases in the order the screen shows them; each key names its line and its unit.
CASES = (
    "consultations",  # requests received (one per submitted form)
    "expertise",  # expertise requests received
    "resolved",  # requests resolved today, whenever received
    "registrations",  # places taken at events, waiting list included, by readers or staff
    "cancellations",  # places given up
    "attended",  # participants ticked as present
    "catalogue",  # catalogue searches answered (pages and opened records not counted)
    "holds",  # hold requests
    "purchases",  # purchase suggestions
    "watches",  # «Сообщить, когда вернут»
    "loans",  # «Мои книги» shown
    "renewals",  # books renewed (refusals not counted)
    "library_info",  # addresses and hours shown
    "faq",  # typed questions answered from the library FAQ
    "links",  # reader tickets linked
    "subscriptions",  # subscriptions taken
)
_TALLIED = {
    Kind.CATALOGUE: "catalogue",
    Kind.HOLD: "holds",
    Kind.PURCHASE: "purchases",
    Kind.WATCH: "watches",
    Kind.LOANS: "loans",
    Kind.RENEWAL: "renewals",
    Kind.LIBRARY_INFO: "library_info",
    Kind.FAQ: "faq",
    Kind.SUBSCRIPTION: "subscriptions",
}
# Registration outcomes as the event handlers log them (a place's status, by the reader or
# «added by staff: …»).
_PLACE_TAKEN = ("confirmed", "waitlisted", "offered")
_PLACE_GIVEN_UP = ("cancelled", "declined offer")
# Rows that are library work, not a reader's: their authors are not counted as people.
_STAFF_KINDS = (ActivityKind.STAFF_ACTION, ActivityKind.ROLE_CHANGE)
_WORKERS = (Role.STAFF, Role.EXPERT, Role.ADMIN)


@dataclass(frozen=True)
class Today:
    period: Period  # today, in the library's zone
    cases: dict[str, int]  # every key of CASES, zeros included
    people: int  # readers who wrote to the bot today, each once

    @property
    def empty(self) -> bool:
        return not self.people and not any(self.cases.values())


def _case(kind: str, status: str) -> str | None:
    """Which case a logged (kind, status) is, or None for a step of one counted elsewhere."""
    if kind == ActivityKind.EVENT_REGISTRATION:
        outcome = status.removeprefix("added by staff: ")
        if outcome in _PLACE_TAKEN:
            return "registrations"
        if outcome in _PLACE_GIVEN_UP:
            return "cancellations"
        return "attended" if status == "attended" else None
    if kind == ActivityKind.READER_LINK:
        return "links" if status == "linked" else None
    found = classify(kind, status)
    if found is None or not found[2]:  # a prompt, a page, a refused renewal, an unsubscribe
        return None
    return _TALLIED.get(found[0])


async def count(db: Database, config: Config, now: datetime) -> Today:
    """Today's cases, from the tables that hold them and the log's outcome rows."""
    zone = config.library.zone
    local = now.astimezone(zone).date()
    today = days(local, local, zone)
    cases: Counter[str] = Counter({key: 0 for key in CASES})
    since, until = today.start, today.end
    async with db.transaction() as session:
        received = await session.execute(
            select(ConsultationRequest.expertise, func.count())
            .where(
                ConsultationRequest.received_at >= since,
                ConsultationRequest.received_at < until,
            )
            .group_by(ConsultationRequest.expertise)
        )
        for expertise, number in received.all():
            cases["expertise" if expertise else "consultations"] += number
        cases["resolved"] = (
            await session.scalar(
                select(func.count())
                .select_from(ConsultationRequest)
                .where(
                    ConsultationRequest.status == RequestStatus.RESOLVED.value,
                    ConsultationRequest.closed_at >= since,
                    ConsultationRequest.closed_at < until,
                )
            )
            or 0
        )
        logged = await session.execute(
            select(Activity.kind, Activity.status, func.count())
            .where(Activity.occurred_at >= since, Activity.occurred_at < until)
            .group_by(Activity.kind, Activity.status)
        )
        for kind, status, number in logged.all():
            case = _case(kind, status or "")
            if case is not None:
                cases[case] += number
        writers = await session.execute(
            select(Person.id, Person.platform, Person.platform_user_id)
            .join(Activity, Activity.person_id == Person.id)
            .where(
                Activity.occurred_at >= since,
                Activity.occurred_at < until,
                Activity.platform != SYSTEM_PLATFORM,
                Activity.kind.not_in([k.value for k in _STAFF_KINDS]),
            )
            .distinct()
        )
        workers = set(
            await session.scalars(
                select(PersonRole.person_id).where(PersonRole.role.in_([r.value for r in _WORKERS]))
            )
        )
        admins = set(config.staff.admins)
        people = sum(
            1
            for person_id, platform, user_id in writers.all()
            if person_id not in workers and f"{platform}:{user_id}" not in admins
        )
    return Today(today, {key: cases[key] for key in CASES}, people)
