"""The steps of «Новое мероприятие» (`handlers.staff_event_new`): the form's states, the
question each step asks, the preview, and going on from one step to the next — or back to
the preview when staff are redoing one step from it («Изменить»).

`Wizard` holds what every step answers with (the message to answer under, the texts, the
config, the form); the `InWizard` filter hands it to the step's handler.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiogram.filters import Filter
from aiogram.filters.callback_data import CallbackQueryFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, Message

from bot.kernel.config import Config
from bot.kernel.i18n import Texts
from broadcasts.views.callbacks import StaffEventAction, StaffEventCb
from broadcasts.views.event_view import date_examples, end_example, event_card, long_when
from broadcasts.views.keyboards import button, inline
from handlers.staff_event_buttons import Found, cb, pressed
from storage.events import drafts
from storage.events.models import EventKind
from storage.types import utcnow

Action = StaffEventAction
Row = list[InlineKeyboardButton]
KINDS = list(EventKind)
STEPS = ("title", "kind", "starts", "ends", "branch", "room", "seats", "description")
# What «Изменить» offers on the preview; a new branch also asks its room again.
CHANGEABLE = ("title", "kind", "starts", "ends", "branch", "seats", "description")
AFTER_CHANGE = {"branch": "room"}


class NewEvent(StatesGroup):
    title = State()
    kind = State()
    starts = State()
    ends = State()
    branch = State()
    room = State()
    seats = State()
    description = State()
    preview = State()


# The steps at which each wizard button is answered. Pressed at any other (an old
# message's button) it is not the wizard's: it goes on to the modules after it.
BUTTON_STEPS: dict[StaffEventAction, tuple[State, ...]] = {
    Action.KIND: (NewEvent.kind,),
    Action.BRANCH: (NewEvent.branch,),
    Action.UNLIMITED: (NewEvent.seats,),
    Action.SKIP: (NewEvent.ends, NewEvent.room, NewEvent.description),
    Action.CHANGE: (NewEvent.preview,),
    Action.DRAFT: (NewEvent.preview,),
    Action.DROP: NewEvent.__all_states__,
    Action.PUBLISH: (NewEvent.preview,),
}


def branch_ids(config: Config) -> list[str | None]:
    """What the branch buttons stand for, by `page`: none (outside the branches), then
    each branch of the config."""
    return [None, *(branch.id for branch in config.library.branches)]


def skip_row(texts: Texts) -> Row:
    return [button(texts("events-skip-button"), cb(Action.SKIP))]


def unlimited_row(texts: Texts) -> Row:
    return [button(texts("staff-new-unlimited"), cb(Action.UNLIMITED))]


@dataclass(frozen=True)
class Wizard:
    """One staff member's draft in the making, and where the next question goes."""

    target: Message
    texts: Texts
    config: Config
    state: FSMContext

    async def say(self, text: str, *rows: Row) -> None:
        await self.target.answer(text, reply_markup=inline(self.texts, *rows))

    async def tell(self, key: str, *rows: Row) -> None:
        """The text of `key`, with these buttons and «В меню»."""
        await self.say(self.texts(key), *rows)

    async def ask(self, step: str) -> None:
        """Put the form at `step` and ask its question (the preview is the last «step»)."""
        await self.state.set_state(getattr(NewEvent, step))
        draft = await self.state.get_data()
        if step == "preview":
            await self.preview(draft)
            return
        text, rows = self.question(step, draft)
        await self.say(text, *rows)

    def question(self, step: str, draft: drafts.Draft) -> tuple[str, list[Row]]:
        """The question of `step`, with its buttons."""
        texts, config = self.texts, self.config
        if step == "title":
            return texts("staff-new-title"), []
        if step == "kind":
            kinds = enumerate(KINDS)
            rows = [
                [button(texts(f"event-kind-{k.value}"), cb(Action.KIND, page=i))] for i, k in kinds
            ]
            return texts("staff-new-kind"), rows
        if step == "starts":
            return texts("staff-new-when", **date_examples(texts, config, utcnow())), []
        if step == "ends":
            starts = drafts.moment(draft, "starts") or utcnow()
            return texts("staff-new-ends", example=end_example(config, starts)), [skip_row(texts)]
        if step == "branch":
            branches = enumerate(config.library.branches, start=1)
            rows = [[button(b.name[:60], cb(Action.BRANCH, page=i))] for i, b in branches]
            rows.append([button(texts("staff-new-no-branch"), cb(Action.BRANCH))])
            return texts("staff-new-branch"), rows
        if step == "seats":
            return texts("staff-new-seats"), [unlimited_row(texts)]
        return texts(f"staff-new-{step}"), [skip_row(texts)]  # room, description: optional

    async def preview(self, draft: drafts.Draft) -> None:
        """The card as readers will see it, its times read back in words, and the choice."""
        texts, config = self.texts, self.config
        event = drafts.draft_view(draft)
        end = "none"
        if event.ends_at is not None:
            zone = config.library.zone
            same_day = (
                event.ends_at.astimezone(zone).date() == event.starts_at.astimezone(zone).date()
            )
            end = (
                f"{event.ends_at.astimezone(zone):%H:%M}"
                if same_day
                else long_when(texts, config, event.ends_at)
            )
        start = long_when(texts, config, event.starts_at)
        head = texts("staff-new-preview", start=start, end=end)
        await self.say(
            f"{head}\n\n{event_card(texts, config, event)}",
            [button(texts("staff-new-publish"), cb(Action.PUBLISH))],
            [
                button(texts("staff-new-change"), cb(Action.CHANGE)),
                button(texts("staff-new-drop"), cb(Action.DROP)),
            ],
        )

    async def done(self, step: str, **values: Any) -> None:
        """Keep this step's answer and go on: to the next step, or back to the preview when
        staff are changing one step from it."""
        await self.state.update_data(**values)
        if (await self.state.get_data()).get("review"):
            following = AFTER_CHANGE.get(step, "preview")
        else:
            index = STEPS.index(step) + 1
            following = STEPS[index] if index < len(STEPS) else "preview"
        await self.ask(following)

    async def take(self, step: str, value: object, refusal: str, *rows: Row) -> None:
        """This step's answer as checked (None: refused, and `refusal` said with `rows`; the
        form stays at the step for another try)."""
        if value is None:
            await self.tell(refusal, *rows)
            return
        await self.done(step, **{step: value})

    async def redo(self, step: str) -> None:
        """Ask `step` again, then come back to the preview."""
        await self.state.update_data(review=True)
        await self.ask(step)


class InWizard(Filter):
    """The `Wizard` for this message or press (a press whose message Telegram no longer
    shows goes on to the wizard's quiet answer)."""

    async def __call__(
        self, update: Message | CallbackQuery, texts: Texts, config: Config, state: FSMContext
    ) -> Found:
        target = update if isinstance(update, Message) else update.message
        if not isinstance(target, Message):
            return False
        return {"wizard": Wizard(target, texts, config, state)}


class AtItsStep(Filter):
    """A wizard button pressed at a step that answers it (see `BUTTON_STEPS`)."""

    async def __call__(
        self, query: CallbackQuery, callback_data: StaffEventCb, raw_state: str | None = None
    ) -> bool:
        steps = BUTTON_STEPS.get(callback_data.action, ())
        return any(step.state == raw_state for step in steps)


def at_its_step(action: StaffEventAction) -> tuple[CallbackQueryFilter, AtItsStep]:
    """Filters for a press of this wizard button at a step that answers it."""
    return pressed(action), AtItsStep()
