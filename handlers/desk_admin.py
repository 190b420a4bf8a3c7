"""«Для сотрудников» → «Обращения»: open requests (an expert sees theirs), the expert
directory, the FAQ per topic, and the request register of the quarter as XLSX."""

from __future__ import annotations

from datetime import UTC, datetime

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import BufferedInputFile, CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Locales, Texts
from broadcasts.views.callbacks import DeskAction, DeskCb
from broadcasts.views.keyboards import button, inline
from broadcasts.views.request_view import status_name, topic_name
from handlers.filters import HasAnyRole, MenuButton
from handlers.roles import parse_messenger_id
from storage import people
from storage.activity import ActivityNote
from storage.consultations import directory
from storage.consultations import requests as desk
from storage.consultations.register import build_register, register_xlsx
from storage.db import Database
from storage.models import ActivityKind, Role
from storage.people import PersonView

ADMIN_ACTIONS = {
    DeskAction.LIST,
    DeskAction.EXPERTS,
    DeskAction.EXPERT_ADD,
    DeskAction.EXPERT_DROP,
    DeskAction.FAQ,
    DeskAction.FAQ_ADD,
    DeskAction.FAQ_DROP,
    DeskAction.REGISTER,
}
EXPERT_STEPS = ("name", "topics", "organisation", "contact", "messenger")
SKIP = ("-", "—")


class DirectoryForm(StatesGroup):
    expert = State()
    faq_question = State()
    faq_answer = State()


def _cb(action: DeskAction, id_: int = 0, other: int = 0) -> str:
    return DeskCb(action=action, id=id_, other=other).pack()


def quarter_start(local: datetime) -> datetime:
    month = 3 * ((local.month - 1) // 3) + 1
    return local.replace(month=month, day=1, hour=0, minute=0, second=0, microsecond=0)


async def show_list(
    target: Message, texts: Texts, config: Config, db: Database, person: PersonView, mine: bool
) -> None:
    staff = person.has(Role.STAFF)
    if staff:
        found = await desk.open_requests(db, responsible_id=person.id if mine else None)
    else:
        found = await desk.open_requests(db, expert_person_id=person.id)
    rows: list[list[InlineKeyboardButton]] = [
        [
            button(
                texts(
                    "desk-list-line",
                    number=r.id,
                    status=status_name(texts, r.status, staff=True),
                    topic=topic_name(texts, config, r.topic),
                ),
                _cb(DeskAction.SHOW, r.id),
            )
        ]
        for r in found
    ]
    if staff:
        rows.append(
            [
                button(texts("desk-list-all"), _cb(DeskAction.LIST)),
                button(texts("desk-list-mine"), _cb(DeskAction.LIST, other=1)),
            ]
        )
        rows.append(
            [
                button(texts("desk-experts"), _cb(DeskAction.EXPERTS)),
                button(texts("desk-faq"), _cb(DeskAction.FAQ)),
            ]
        )
        rows.append([button(texts("desk-register"), _cb(DeskAction.REGISTER))])
    key = "desk-list-title" if found else "desk-list-empty"
    await target.answer(texts(key, count=len(found)), reply_markup=inline(texts, *rows))


async def show_experts(target: Message, texts: Texts, config: Config, db: Database) -> None:
    experts = await directory.experts(db)
    lines = [texts("desk-experts-title")]
    rows = []
    for e in experts:
        topics = ", ".join(topic_name(texts, config, t) for t in e.competences) or "—"
        lines.append(
            texts(
                "desk-expert-line",
                name=e.name,
                topics=topics,
                organisation=e.organisation or "none",
                contact=e.contact or "none",
                bot="yes" if e.person_id else "no",
            )
        )
        rows.append(
            [
                button(
                    texts("desk-expert-drop", name=e.name[:40]),
                    _cb(DeskAction.EXPERT_DROP, other=e.id),
                )
            ]
        )
    if not experts:
        lines.append(texts("desk-experts-empty"))
    rows.append([button(texts("desk-expert-add"), _cb(DeskAction.EXPERT_ADD))])
    await target.answer("\n".join(lines), reply_markup=inline(texts, *rows))


async def show_faq_topic(
    target: Message, texts: Texts, config: Config, db: Database, index: int
) -> None:
    topic = config.consultations.topics[index]
    entries = await directory.faq(db, topic.id)
    lines = [texts("desk-faq-topic", topic=topic_name(texts, config, topic.id))]
    lines += [f"• {e.question}" for e in entries] or [texts("desk-faq-empty")]
    rows = [
        [
            button(
                texts("desk-faq-drop", question=e.question[:40]),
                _cb(DeskAction.FAQ_DROP, other=e.id),
            )
        ]
        for e in entries
    ]
    if len(entries) < directory.FAQ_PER_TOPIC:
        rows.append([button(texts("desk-faq-add"), _cb(DeskAction.FAQ_ADD, other=index))])
    rows.append([button(texts("desk-faq"), _cb(DeskAction.FAQ))])
    # Staff text is escaped as a whole: questions are what staff typed.
    await target.answer(
        texts("desk-faq-screen", body="\n".join(lines)), reply_markup=inline(texts, *rows)
    )


def build_router(locales: Locales) -> Router:
    router = Router(name=__name__)
    router.message.filter(HasAnyRole(Role.STAFF, Role.EXPERT))
    router.callback_query.filter(HasAnyRole(Role.STAFF, Role.EXPERT))

    @router.message(Command("requests"))
    @router.message(MenuButton(locales, "menu-expert"))
    async def requests_menu(
        message: Message,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        await state.clear()
        activity.kind = ActivityKind.STAFF_ACTION
        activity.status = "requests"
        await show_list(message, texts, config, db, person, mine=False)

    @router.callback_query(DeskCb.filter(F.action.in_(ADMIN_ACTIONS)))
    async def pressed(
        query: CallbackQuery,
        callback_data: DeskCb,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        action, other = callback_data.action, callback_data.other
        activity.kind = ActivityKind.STAFF_ACTION
        activity.responsible = person.display_name or query.from_user.full_name
        target = query.message if isinstance(query.message, Message) else None
        if action is not DeskAction.LIST and not person.has(Role.STAFF):
            activity.status = "denied"
            await query.answer(texts("staff-only"), show_alert=True)
            return
        await query.answer()
        if target is None:
            return
        if action is DeskAction.LIST:
            await show_list(target, texts, config, db, person, mine=other == 1)
        elif action is DeskAction.EXPERTS:
            await show_experts(target, texts, config, db)
        elif action is DeskAction.EXPERT_DROP:
            activity.status = "expert removed"
            dropped = await directory.deactivate_expert(db, other)
            await target.answer(texts("desk-expert-dropped" if dropped else "desk-expert-gone"))
            await show_experts(target, texts, config, db)
        elif action is DeskAction.EXPERT_ADD:
            await _expert_step(target, texts, config, state, skip=other == 1)
        elif action is DeskAction.FAQ:
            topics = config.consultations.topics
            if other and other <= len(topics):
                await show_faq_topic(target, texts, config, db, other - 1)
                return
            rows = [
                [button(topic_name(texts, config, t.id), _cb(DeskAction.FAQ, other=i + 1))]
                for i, t in enumerate(topics)
            ]
            await target.answer(texts("desk-faq-title"), reply_markup=inline(texts, *rows))
        elif action is DeskAction.FAQ_ADD:
            if other >= len(config.consultations.topics):
                return
            await state.set_state(DirectoryForm.faq_question)
            await state.set_data({"topic": other})
            await target.answer(texts("desk-faq-ask-question"), reply_markup=inline(texts))
        elif action is DeskAction.FAQ_DROP:
            entry = await directory.faq_entry(db, other)
            if entry is not None and await directory.delete_faq(db, other):
                activity.status = "faq removed"
                ids = [t.id for t in config.consultations.topics]
                if entry.topic in ids:
                    await show_faq_topic(target, texts, config, db, ids.index(entry.topic))
        elif action is DeskAction.REGISTER:
            zone = config.library.zone
            local_now = datetime.now(UTC).astimezone(zone)
            start = quarter_start(local_now)
            names = {t.id: t.name for t in config.consultations.topics}
            register = await build_register(
                db, zone, start=start.astimezone(UTC), topic_names=names
            )
            title = texts(
                "desk-register-title", start=f"{start:%d.%m.%Y}", end=f"{local_now:%d.%m.%Y}"
            )
            activity.status = "register exported"
            await target.answer_document(
                BufferedInputFile(
                    register_xlsx(register, title),
                    filename=f"requests-{start:%Y}-Q{(start.month - 1) // 3 + 1}.xlsx",
                ),
                caption=texts("desk-register-caption", count=len(register.rows)),
            )

    @router.message(DirectoryForm.expert, F.text)
    async def expert_answer(
        message: Message,
        texts: Texts,
        config: Config,
        db: Database,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        activity.kind = ActivityKind.STAFF_ACTION
        data = await state.get_data()
        step = EXPERT_STEPS[int(data.get("step", 0))]
        text = " ".join((message.text or "").split())
        value: object = text
        if step == "name" and not 2 <= len(text) <= 200:
            await message.answer(texts("desk-expert-bad-name"))
            return
        if step == "topics":
            value = _topics_from(text, config, texts("desk-all-topics-word"))
            if value is None:
                await message.answer(texts("desk-expert-bad-topics"))
                return
        if step in ("organisation", "contact") and text.lower() in SKIP:
            value = ""
        if step == "messenger" and text.lower() not in SKIP:
            parsed = parse_messenger_id(text, "telegram")
            found = await people.find(db, *parsed) if parsed else None
            if found is None:
                await message.answer(texts("desk-expert-bad-id"))
                return
            value = found.id
        elif step == "messenger":
            value = 0
        await state.update_data({step: value})
        await _expert_step(message, texts, config, state, db=db, advance=True, activity=activity)

    @router.message(DirectoryForm.faq_question, F.text)
    async def faq_question(message: Message, texts: Texts, state: FSMContext) -> None:
        text = " ".join((message.text or "").split())
        if not 3 <= len(text) <= 300:
            await message.answer(texts("desk-faq-bad"))
            return
        await state.update_data(question=text)
        await state.set_state(DirectoryForm.faq_answer)
        await message.answer(texts("desk-faq-ask-answer"), reply_markup=inline(texts))

    @router.message(DirectoryForm.faq_answer, F.text)
    async def faq_answer(
        message: Message,
        texts: Texts,
        config: Config,
        db: Database,
        person: PersonView,
        state: FSMContext,
        activity: ActivityNote,
    ) -> None:
        text = (message.text or "").strip()
        if not 3 <= len(text) <= 4000:
            await message.answer(texts("desk-faq-bad"))
            return
        data = await state.get_data()
        await state.clear()
        index = int(data.get("topic", 0))
        if index >= len(config.consultations.topics):
            return
        topic = config.consultations.topics[index]
        activity.kind = ActivityKind.STAFF_ACTION
        activity.status = "faq added"
        activity.content = topic.name
        added = await directory.add_faq(
            db, topic.id, str(data.get("question")), text, author=person.display_name
        )
        if added is None:
            await message.answer(texts("desk-faq-full"))
        await show_faq_topic(message, texts, config, db, index)

    @router.message(DirectoryForm.expert)
    @router.message(DirectoryForm.faq_question)
    @router.message(DirectoryForm.faq_answer)
    async def not_text(message: Message, texts: Texts) -> None:
        await message.answer(texts("desk-send-text"))

    return router


def _topics_from(text: str, config: Config, every: str) -> list[str] | None:
    """«1, 3», «все» (`every`, in the staff member's language), or topic ids."""
    topics = config.consultations.topics
    if text.lower() in (every.lower(), "all", "*"):
        return [t.id for t in topics]
    chosen = []
    for part in text.replace(";", ",").replace(" ", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if part.isdigit() and 1 <= int(part) <= len(topics):
            chosen.append(topics[int(part) - 1].id)
        elif config.consultations.topic(part) is not None:
            chosen.append(part)
        else:
            return None
    return chosen or None


async def _expert_step(
    target: Message,
    texts: Texts,
    config: Config,
    state: FSMContext,
    *,
    skip: bool = False,
    advance: bool = False,
    db: Database | None = None,
    activity: ActivityNote | None = None,
) -> None:
    """Ask the next question of «Добавить эксперта», or save the expert after the last."""
    if await state.get_state() != DirectoryForm.expert.state:
        await state.set_state(DirectoryForm.expert)
        await state.set_data({"step": 0})
        step = 0
    else:
        data = await state.get_data()
        step = int(data.get("step", 0))
        if skip and EXPERT_STEPS[step] in ("organisation", "contact", "messenger"):
            await state.update_data(
                {EXPERT_STEPS[step]: 0 if EXPERT_STEPS[step] == "messenger" else ""}
            )
            advance = True
        if advance:
            step += 1
            await state.update_data(step=step)
    if step >= len(EXPERT_STEPS):
        data = await state.get_data()
        await state.clear()
        if db is None:
            return
        person_id = int(data.get("messenger") or 0) or None
        expert = await directory.add_expert(
            db,
            name=str(data.get("name")),
            competences=list(data.get("topics") or []),
            organisation=str(data.get("organisation") or ""),
            contact=str(data.get("contact") or ""),
            person_id=person_id,
        )
        if person_id is not None:
            await people.grant(db, person_id, Role.EXPERT, granted_by=None)
        if activity is not None:
            activity.status = "expert added"
            activity.content = expert.name
        await target.answer(
            texts("desk-expert-added", name=expert.name, bot="yes" if person_id else "no")
        )
        await show_experts(target, texts, config, db)
        return
    name = EXPERT_STEPS[step]
    rows = []
    if name in ("organisation", "contact", "messenger"):
        rows.append([button(texts("desk-skip"), _cb(DeskAction.EXPERT_ADD, other=1))])
    numbered = "\n".join(
        f"{i}. {topic_name(texts, config, t.id)}"
        for i, t in enumerate(config.consultations.topics, start=1)
    )
    await target.answer(
        texts(f"desk-expert-ask-{name}", topics=numbered), reply_markup=inline(texts, *rows)
    )
