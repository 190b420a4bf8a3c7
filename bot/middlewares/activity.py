"""Write one activity row per inbound update, after the handler has refined it.

The middleware makes an `ActivityNote` with defaults taken from the update; a
handler that knows better asks for `activity` and sets its kind, content or status.
A failing handler is logged with status 'error' and the exception still propagates
to the error handler, so the user gets an apology.

Two privacy rules are kept here, for every handler at once:
- before a person consents (or after they refuse), their rows keep only the bare fact —
  kind, time, outcome — never what they typed (`BEFORE_CONSENT`);
- an answer typed inside a form (a name, a phone, an organisation) is logged as the
  form's step, never as the answer: the form's own record (a registration, a request)
  keeps it, where /forget and the retention rules find it.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.middlewares.scope import group_message
from storage import activity
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind
from storage.people import PersonView

log = logging.getLogger(__name__)
# What a row says of a message sent before consent.
BEFORE_CONSENT = "message before consent"


def _private(
    note: ActivityNote, person: PersonView | None, typed: str | None, form_step: str | None
) -> ActivityNote:
    """The note as it may be stored (see the module's privacy rules)."""
    if note.kind is ActivityKind.CONSENT:
        return note  # the answer to the consent question is the fact to keep
    if person is None or not person.may_keep_texts:
        # The notes stay: handlers put counted facts there (hits, a reason chosen from
        # buttons), never what was typed.
        note.content, note.customer = BEFORE_CONSENT, None
    elif form_step is not None and typed is not None and note.content == typed:
        note.content = f"[{form_step}]"
    return note


def _describe(update: Update) -> tuple[ActivityKind, str | None]:
    if update.message is not None:
        message = update.message
        return ActivityKind.MESSAGE, message.text or message.caption or f"[{message.content_type}]"
    if update.callback_query is not None:
        return ActivityKind.BUTTON, update.callback_query.data
    return ActivityKind.MESSAGE, f"[{update.event_type}]"


class ActivityMiddleware(BaseMiddleware):
    def __init__(self, db: Database) -> None:
        self.db = db
        # Updates being handled now: their rows are written together (see activity.record).
        self._in_progress = 0

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        if group_message(event):
            return await handler(event, data)  # not a conversation with the bot: no record
        if not isinstance(event, Update):
            return await handler(event, data)
        person: PersonView | None = data.get("person")
        kind, content = _describe(event)
        note = ActivityNote(
            platform=data.get("platform", "telegram"),
            kind=kind,
            person_id=person.id if person else None,
            content=content,
            customer=person.display_name if person else None,
            executor=activity.BOT_EXECUTOR,
            update_id=event.update_id,
        )
        data["activity"] = note
        form_step: str | None = data.get("raw_state")
        self._in_progress += 1
        try:
            try:
                result = await handler(event, data)
            except Exception:
                note.status = "error"
                await self._write(_private(note, person, content, form_step))
                raise
            await self._write(_private(note, person, content, form_step))
            return result
        finally:
            self._in_progress -= 1

    async def _write(self, note: ActivityNote) -> None:
        """Never raises: a lost row must not cost the reader their answer."""
        if note.skip:
            return
        try:
            await activity.record(self.db, note, expected=self._in_progress)
        except Exception:
            log.exception("could not record activity for update %s", note.update_id)
