"""How a consultation request's steps are written in the work sheet (the activity log):
its kind (a consultation, a project expertise, or a question to a librarian — «справка»)
and one line per step. Used by the request form, the requester's «Мои обращения», the
staff desk and «Спросить библиотекаря»."""

from __future__ import annotations

from bot.kernel.config import LIBRARIAN_TOPIC, Config
from storage.activity import ActivityNote
from storage.consultations.requests import Actor, RequestView
from storage.models import ActivityKind


def request_kind(config: Config, topic_id: str) -> ActivityKind:
    if topic_id == LIBRARIAN_TOPIC.id:
        return ActivityKind.LIBRARIAN_QUESTION
    topic = config.consultations.topic(topic_id)
    return (
        ActivityKind.PROJECT_EXPERTISE if topic and topic.expertise else ActivityKind.CONSULTATION
    )


def log_step(
    activity: ActivityNote,
    config: Config,
    request: RequestView,
    actor: Actor | None,
    what: str,
    *,
    notes: str | None = None,
) -> None:
    """One request step in the work sheet: the request's kind, «№ 12 Тема: what»,
    заказчик, ответственный, исполнитель (None: the requester acting themselves)."""
    activity.kind = request_kind(config, request.topic)
    topic = config.consultations.topic(request.topic)
    activity.content = f"№{request.id} {topic.name if topic else request.topic}: {what}"
    activity.customer = request.customer
    activity.about_person_id = request.person_id
    activity.responsible = request.responsible_name or (actor.name if actor else None)
    if actor is not None:
        activity.executor = actor.name
    activity.status = request.status.value
    activity.notes = notes
