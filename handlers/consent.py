"""Consent to personal data processing (152-ФЗ): the answer to the question asked at /start."""

from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import ConsentAnswer, ConsentCb
from handlers.common import show_menu
from handlers.routes import Routes
from handlers.subscriptions import offer as offer_subscriptions
from storage import people
from storage.activity import ActivityNote
from storage.db import Database
from storage.models import ActivityKind, Consent
from storage.people import PersonView

routes = Routes(__name__)


@routes.callback_query(ConsentCb.filter())
async def answer_consent(
    query: CallbackQuery,
    callback_data: ConsentCb,
    texts: Texts,
    person: PersonView,
    db: Database,
    config: Config,
    activity: ActivityNote,
) -> None:
    given = callback_data.answer is ConsentAnswer.YES
    consent = Consent.GIVEN if given else Consent.REFUSED
    await people.set_consent(db, person.id, consent, display_name=query.from_user.full_name)
    activity.kind = ActivityKind.CONSENT
    activity.content = consent.value
    activity.customer = query.from_user.full_name if given else None
    await query.answer()
    if isinstance(query.message, Message):
        await query.message.edit_reply_markup(reply_markup=None)
        await show_menu(
            query.message, texts, person, key="consent-given" if given else "consent-refused"
        )
        await offer_subscriptions(query.message, texts, config, db, person)
