"""How a request's card answers staff and experts (`request_desk`): shown with the buttons
their role gets, redrawn where it was pressed after a step, why a step was refused, the
attachments. Nothing here decides what may be done."""

from __future__ import annotations

import contextlib

from aiogram.exceptions import TelegramBadRequest
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.consultation_notices import is_librarian, to_faq_row
from broadcasts.views.keyboards import inline
from broadcasts.views.request_view import desk_card, desk_rows
from handlers.consultation import log_step
from storage.activity import ActivityNote
from storage.consultations.models import Author, RequestStatus
from storage.consultations.requests import Actor, Attachment, RequestView
from storage.consultations.transitions import Outcome, Refusal, Refused

# A question to a librarian in these states has had an answer: staff may keep it in the
# library FAQ (the press itself checks there is one).
ANSWERED = (RequestStatus.AWAITING, RequestStatus.RESOLVED)


def card_markup(texts: Texts, request: RequestView, role: Author) -> InlineKeyboardMarkup:
    rows = desk_rows(texts, request, expert=role is Author.EXPERT)
    if role is Author.STAFF and is_librarian(request) and request.status in ANSWERED:
        rows.append(to_faq_row(texts, request))
    return inline(texts, *rows)


async def show_card(
    target: Message, texts: Texts, config: Config, request: RequestView, role: Author
) -> None:
    await target.answer(
        desk_card(texts, config, request), reply_markup=card_markup(texts, request, role)
    )


async def refresh_card(
    target: Message | None, texts: Texts, config: Config, request: RequestView, role: Author
) -> None:
    """The pressed card shows the new state (in the staff chat everyone sees it)."""
    if target is None:
        return
    # Not modified, or too old to edit: the next card shown is fresh anyway.
    with contextlib.suppress(TelegramBadRequest):
        await target.edit_text(
            desk_card(texts, config, request), reply_markup=card_markup(texts, request, role)
        )


REFUSALS = {
    Refusal.CLOSED: "desk-already-closed",
    Refusal.NO_EXPERT: "desk-expert-gone",
    Refusal.GONE: "desk-not-found",
}


def refusal_text(texts: Texts, refused: Refused) -> str:
    if refused.reason is Refusal.TAKEN and refused.request is not None:
        return texts("desk-taken-by", name=refused.request.responsible_name or "—")
    return texts(REFUSALS.get(refused.reason, "desk-not-now"))


async def send_files(
    target: Message, texts: Texts, request: RequestView, files: list[Attachment], platform: str
) -> None:
    """Attachments travel by the messenger's file id: files from another messenger are
    named, not sent (their ids mean nothing here)."""
    caption = texts("desk-file-of", number=request.id)
    for file in files:
        if file.platform != platform:
            await target.answer(
                texts("desk-file-elsewhere", name=file.name or "—", platform=file.platform)
            )
        elif file.kind == "photo":
            await target.answer_photo(file.file_id, caption=caption)
        else:
            await target.answer_document(file.file_id, caption=caption)
    if not files:
        await target.answer(texts("desk-no-files"))


def target_of(query: CallbackQuery) -> Message | None:
    """The card pressed, when the press came with its message."""
    return query.message if isinstance(query.message, Message) else None


async def after_press(
    query: CallbackQuery,
    texts: Texts,
    config: Config,
    outcome: Outcome,
    actor: Actor,
    activity: ActivityNote,
    done_key: str,
) -> None:
    """A step taken on the card: a short pop-up, and the card redrawn as it is now."""
    if isinstance(outcome, Refused):
        activity.status = f"refused: {outcome.reason}"
        await query.answer(refusal_text(texts, outcome), show_alert=True)
        if outcome.request is not None:
            await refresh_card(target_of(query), texts, config, outcome.request, actor.role)
        return
    log_step(activity, config, outcome.request, actor, done_key.removeprefix("desk-"))
    await query.answer(texts.plain(done_key, number=outcome.request.id))
    await refresh_card(target_of(query), texts, config, outcome.request, actor.role)
