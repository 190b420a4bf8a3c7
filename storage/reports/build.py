"""A report's content for one period: the work sheets, the request register and the channel
mix, gathered from the database and turned into rows. Nothing is counted twice: the indicators
(`storage.reports.indicators`) are computed from these rows, not from another query.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime

from bot.kernel.config import Config
from storage import people
from storage.consultations.register import RegisterLine, register_lines
from storage.db import Database
from storage.reports import collect, offline
from storage.reports import grants as grant_sheet
from storage.reports import ratings as rating_sheet
from storage.reports.collect import DayTally, HeldEvent, SentBroadcast, SentDigest
from storage.reports.periods import Period
from storage.reports.work import ORGANISATION_SEPARATOR, Kind, Work, WorkRow, shorten
from storage.spreadsheets import sheet_time
from storage.work import records

BOT = "чат-бот"
READERS = "читатели"
# Events written by a tool rather than a person: `libbot events import`, the demo's seed.
TOOL_AUTHORS = ("libbot", "demo")
_MESSENGER_ID = re.compile(r"^(telegram|vk|max|console):(-?\d+)$")
EVENT_KIND = {
    "meetup": Kind.MEETUP,
    "training": Kind.TRAINING,
    "public": Kind.PUBLIC_EVENT,
    "consultation_day": Kind.CONSULTATION_DAY,
}
EVENT_SHEET = {
    Kind.TRAINING: Work.TRAININGS,
    Kind.CONSULTATION_DAY: Work.CONSULTATIONS,
}  # the rest (meetups, public and other events) are public events
DAILY_CONTENT = {
    Kind.CATALOGUE: "Справки по каталогу через чат-бот",
    Kind.HOLD: "Бронирование книг через чат-бот",
    Kind.PURCHASE: "Предложения о покупке книг",
    Kind.WATCH: "Подписки на уведомление о поступлении книги",
    Kind.LOANS: "Справки о книгах на формуляре",
    Kind.RENEWAL: "Продление книг через чат-бот",
    Kind.LIBRARY_INFO: "Справки о библиотеке (адреса, часы работы)",
    Kind.FAQ: "Ответы на вопросы читателей из частых вопросов (чат-бот)",
    Kind.SUBSCRIPTION: "Подписка на рассылки библиотеки",
}
OUTCOME_NAMES = {
    "found": "найдено",
    "not found": "не найдено",
    "suggested": "с исправлением запроса",
    "renewed": "продлено",
    "refused": "отказано",
    "unavailable": "система недоступна",
    "unconfirmed": "не подтверждено",
    "answered": "ответ дан",
    "subscribed": "подписались",
    "unsubscribed": "отписались",
}


@dataclass
class ReportData:
    period: Period
    library: str
    branch: str | None  # the branch's name when the report is for one branch
    made_at: datetime  # local, naive
    work: dict[Work, list[WorkRow]] = field(default_factory=dict)
    requests: list[RegisterLine] = field(default_factory=list)
    events: list[HeldEvent] = field(default_factory=list)
    channels: dict[str, int] = field(default_factory=dict)
    grants: list[grant_sheet.GrantRow] = field(default_factory=list)  # «Гранты» (#27)
    ratings: list[rating_sheet.RatingRow] = field(default_factory=list)  # «Оценки» (#26)

    @property
    def library_wide(self) -> bool:
        """Requests and enquiries are not tied to a branch: only a whole-library report has
        them."""
        return self.branch is None

    def rows(self, *sheets: Work) -> list[WorkRow]:
        return [row for name in sheets or tuple(Work) for row in self.work.get(name, [])]


def _clip(text: str, limit: int) -> str:
    return shorten(text, limit)


def _organisation_key(name: str) -> str:
    """«АНО "Добрые руки"», АНО «Добрые руки» and ано добрые руки are one organisation."""
    return re.sub(r"[\W_]+", " ", name.casefold()).strip()


class Organisations:
    """One spelling per organisation across the whole report, the first one met, so that
    the distinct names in «Заказчик» are the distinct organisations."""

    def __init__(self) -> None:
        self.names: dict[str, str] = {}

    def canonical(self, names: tuple[str, ...]) -> list[str]:
        found: list[str] = []
        for name in names:
            key = _organisation_key(name)
            if not key:
                continue
            shown = self.names.setdefault(key, " ".join(name.replace(";", ",").split()))
            if shown not in found:
                found.append(shown)
        return found


def request_row(line: RegisterLine) -> WorkRow:
    return WorkRow(
        content=_clip(f"{line.topic}: {line.content}", 300),
        at=line.received,
        responsible=line.responsible,
        customer=line.requester,
        executor=line.executors,
        notes=f"№ {line.number}; {line.outcome}",
        kind=Kind.REQUEST,
        amount=1 if line.resolved is not None else 0,
    )


@dataclass(frozen=True, slots=True)
class EventAuthor:
    """Who put an event on, as the work sheet names them: «Ответственный» is the person
    (their name, else their messenger id), «Исполнитель» the person's name — or the library
    when no person is known (an imported event), never a branch: a branch is a place."""

    responsible: str
    executor: str


async def event_authors(
    db: Database, created_by: set[str | None], library: str
) -> dict[str | None, EventAuthor]:
    """Each event author as a person: a name stays, a messenger id becomes the name of the
    person behind it when they gave one, a tool («libbot events import») is nobody."""
    found: dict[str | None, EventAuthor] = {}
    for author in created_by:
        text = " ".join((author or "").split())
        if not text or text.split()[0].casefold() in TOOL_AUTHORS:
            found[author] = EventAuthor("", library)
        elif match := _MESSENGER_ID.match(text):
            person = await people.find(db, match[1], match[2])
            name = person.display_name if person else None
            found[author] = EventAuthor(name or text, name or library)
        else:
            found[author] = EventAuthor(text, text)
    return found


def event_place(event: HeldEvent, branches: dict[str, str]) -> str:
    """The branch and the room: where the event was held."""
    branch = branches.get(event.branch_id or "", event.branch_id or "")
    return ", ".join(part for part in (branch, event.room or "") if part)


def event_row(
    event: HeldEvent, author: EventAuthor, place: str, organisations: Organisations
) -> WorkRow:
    kind = EVENT_KIND.get(event.kind, Kind.OTHER_EVENT)
    if event.attendance_marked:
        notes = f"пришли {event.attended} из {event.registered} записавшихся"
    else:
        notes = f"посещаемость не отмечалась: по записи {event.registered}"
    if event.waitlisted:
        notes += f"; в листе ожидания {event.waitlisted}"
    if place:
        notes = f"место: {place}; {notes}"
    return WorkRow(
        content=_clip(event.title, 300),
        at=event.starts_at,
        responsible=author.responsible,
        customer=ORGANISATION_SEPARATOR.join(organisations.canonical(event.organisations)),
        executor=author.executor,
        notes=notes,
        kind=kind,
        amount=event.participants,
    )


def _outcomes(tally: DayTally) -> str:
    parts = [
        f"{label}: {tally.outcomes[name]}"
        for name, label in OUTCOME_NAMES.items()
        if tally.outcomes[name]
    ]
    return ", ".join(parts)


def daily_row(day: date, kind: Kind, tally: DayTally) -> WorkRow:
    return WorkRow(
        content=DAILY_CONTENT[kind],
        at=day,
        responsible="",
        # Not a head count: after /forget a person's rows cannot be told apart.
        customer=READERS,
        executor=BOT,
        notes=_outcomes(tally) or f"обращений: {sum(tally.outcomes.values())}",
        kind=kind,
        amount=tally.amount,
    )


def audience_label(config: Config, broadcast: SentBroadcast) -> str:
    audience = broadcast.audience
    if audience.everyone:
        label = "все пользователи чат-бота"
    elif audience.nko:
        label = "НКО (указавшие организацию)"
    elif audience.event_id is not None:
        label = f"записавшиеся на мероприятие № {audience.event_id}"
    else:
        topic = config.subscriptions.topic(audience.topic or "")
        label = f"подписчики темы «{topic.name if topic else audience.topic}»"
    branches = {b.id: b.name for b in config.library.branches}
    if audience.branch:
        label += f", {branches.get(audience.branch, audience.branch)}"
    return label


def broadcast_row(config: Config, broadcast: SentBroadcast) -> WorkRow:
    notes = f"доставлено {broadcast.reached}, не доставлено {broadcast.not_reached}"
    if broadcast.blocked:
        notes += f" (из них заблокировали бота {broadcast.blocked})"
    if broadcast.status == "recalled":
        notes += f"; отозвана, удалено из чатов {broadcast.recalled}"
    return WorkRow(
        content=_clip(broadcast.text, 300),
        at=broadcast.started_at,
        responsible=broadcast.author or "",
        customer=audience_label(config, broadcast),
        executor=BOT,
        notes=notes,
        kind=Kind.BROADCAST,
        amount=broadcast.reached,
    )


def digest_row(config: Config, digest: SentDigest) -> WorkRow:
    return WorkRow(
        content=f"Афиша мероприятий на неделю ({digest.week})",
        at=digest.first_sent,
        responsible="",
        customer=f"подписчики темы «{_digest_topic(config)}»",
        executor=BOT,
        notes=f"доставлено {digest.reached}, не доставлено {digest.not_reached}",
        kind=Kind.DIGEST,
        amount=digest.reached,
    )


def _digest_topic(config: Config) -> str:
    topic = config.subscriptions.topic(config.subscriptions.digest_topic or "")
    return topic.name if topic else (config.subscriptions.digest_topic or "")


async def gather(
    db: Database,
    config: Config,
    period: Period,
    *,
    now: datetime,
    branch_id: str | None = None,
) -> ReportData:
    """Everything one period's report shows. `now` bounds "held": an event later today in the
    current quarter has not happened yet."""
    branches = {b.id: b.name for b in config.library.branches}
    data = ReportData(
        period=period,
        library=config.library.name,
        branch=branches.get(branch_id, branch_id) if branch_id else None,
        made_at=sheet_time(now, period.zone),
        work={name: [] for name in Work},
    )
    organisations = Organisations()
    data.events = await collect.held_events(db, period, now=now, branch_id=branch_id)
    authors = await event_authors(db, {e.created_by for e in data.events}, config.library.name)
    for event in data.events:
        place = event_place(event, branches)
        row = event_row(event, authors[event.created_by], place, organisations)
        data.work[EVENT_SHEET.get(row.kind, Work.PUBLIC)].append(row)
    if data.library_wide:
        names = {t.id: t.name for t in config.consultations.topics}
        data.requests = await register_lines(
            db, period.zone, start=period.start, end=period.end, topic_names=names
        )
        for line in data.requests:
            sheet = Work.EXPERTISE if line.expertise else Work.CONSULTATIONS
            data.work[sheet].append(request_row(line))
        for (day, kind), tally in sorted((await collect.daily_tallies(db, period)).items()):
            sheet = Work.PROMOTION if kind is Kind.SUBSCRIPTION else Work.ENQUIRIES
            data.work[sheet].append(daily_row(day, kind, tally))
        data.channels = await collect.channel_mix(db, period)
        found = await records.in_period(db, period)  # work recorded by hand
        for sheet, rows in offline.place(found, config.work, period.zone).items():
            data.work[sheet] += rows
        for digest in await collect.digests(db, period):
            data.work[Work.PROMOTION].append(digest_row(config, digest))
        data.grants = await grant_sheet.rows(db, period)
        data.ratings = await rating_sheet.rows(db, period, names)
    for broadcast in await collect.broadcasts(db, period, branch_id=branch_id):
        data.work[Work.PROMOTION].append(broadcast_row(config, broadcast))
    return data
