"""Grant deadlines and results: reminders 14 and 3 days before a contest's deadline to those
who follow its topics or prepare an application to it, and, after its results date, one
question to the member who prepared an application: was it supported?

Like the event reminders, a sweep turns what is due into personal notices in the outbox,
each with a dedupe key per person, contest, deadline and kind, so a second sweep or a second
process adds nothing: each reminder goes once. A moved deadline is a new one, with its own
reminders; the queued ones naming the old date, or a cancelled contest's, are dropped by
`storage.grants.contests` (`storage.grants.queued`). Nothing is enqueued during quiet hours; what is
due at night waits for the morning's sweep. A reminder left unsent past the deadline expires.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.kernel.config import Config
from bot.kernel.i18n import Locales
from broadcasts.views.grant_view import GrantAction, cb, deadline
from storage import outbox
from storage.db import Database
from storage.grants import applications, contests, queued, subscriptions
from storage.models import Person
from storage.outbox import Notice

log = logging.getLogger(__name__)

# (purpose, how long before the deadline it becomes due), the later one first; the purposes
# are `storage.grants.queued.DEADLINE_PURPOSES`, which a moved deadline drops.
REMINDERS = (("grant_3d", timedelta(days=3)), ("grant_14d", timedelta(days=14)))
RESULT_QUESTION_DAYS = 30  # asked for a month after the results date, then it lapses


async def sweep_grant_reminders(
    db: Database, locales: Locales, config: Config, *, now: datetime
) -> int:
    """Enqueue the deadline reminders and result questions due now; how many were added."""
    if config.notifications.is_quiet(now.astimezone(config.library.zone).time()):
        return 0
    notices = await _deadline_notices(db, locales, config, now)
    notices += await _result_questions(db, locales, now)
    added = await outbox.enqueue(db, notices)
    if added:
        log.info("grants: %s reminders and questions enqueued", added)
    return added


async def _deadline_notices(
    db: Database, locales: Locales, config: Config, now: datetime
) -> list[Notice]:
    notices = []
    library_zone = config.library.timezone
    for contest in await contests.listed(db, now, within=REMINDERS[-1][1]):
        left = contest.draft.deadline - now
        purpose = next(p for p, before in REMINDERS if left <= before)
        for person in await subscriptions.followers(db, contest.id, contest.draft.tags):
            texts = locales.texts(person.language)
            notices.append(
                _notice(
                    person,
                    text=texts(
                        f"grants-reminder-{purpose.removeprefix('grant_')}",
                        name=contest.name,
                        when=deadline(contest, library_zone),
                    ),
                    purpose=purpose,
                    key=queued.reminder_key(purpose, contest.id, contest.draft.deadline, person.id),
                    expires=contest.draft.deadline,
                    buttons=[
                        {
                            "text": texts("grants-open-card"),
                            "callback_data": cb(GrantAction.CARD, contest.id),
                        },
                    ],
                )
            )
    return notices


async def _result_questions(db: Database, locales: Locales, now: datetime) -> list[Notice]:
    notices = []
    lapse = timedelta(days=RESULT_QUESTION_DAYS)
    waiting = await applications.awaiting_result(db, now, since=now - lapse)
    if not waiting:
        return notices
    async with db.transaction() as session:
        found = [await session.get(Person, each.person_id) for each in waiting]
        people = {p.id: p for p in found if p}
    for application, person_id, results_at in waiting:
        person = people.get(person_id)
        if person is None:
            continue
        texts = locales.texts(person.language)
        notices.append(
            _notice(
                person,
                text=texts("grants-result-question", name=application.contest_name),
                purpose="grant_result",
                key=f"grant_result:{application.id}",
                expires=results_at + lapse,
                buttons=[
                    {"text": texts(key), "callback_data": cb(GrantAction.RESULT, application.id, n)}
                    for n, key in (
                        (1, "grants-result-supported"),
                        (2, "grants-result-rejected"),
                        (3, "grants-result-unknown"),
                    )
                ],
            )
        )
    return notices


def _notice(
    person: Person,
    *,
    text: str,
    purpose: str,
    key: str,
    expires: datetime,
    buttons: list[dict[str, str]],
) -> Notice:
    return Notice(
        platform=person.platform,
        chat_id=person.platform_user_id,
        person_id=person.id,
        text=text,
        purpose=purpose,
        dedupe_key=key,
        expires_at=expires,
        buttons=buttons,
    )
