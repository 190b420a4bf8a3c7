"""What a typed message is taken for: one `Decision`, with the reason staff see.

The order of the checks is the policy:
1. nothing to read (emoji, punctuation) → say what the bot understands;
2. a title in quotes → the catalogue;
3. the library FAQ when it matches closely (a staff-written answer beats a rule);
4. rules for the library's facts and the reader's own things (hours, address, contacts,
   «Мои книги», events, consultations, subscriptions, a librarian asked for by name);
5. the FAQ when it matches well enough, the catalogue when the message asks for a book;
6. greetings and thanks, when that is all the message says;
7. a short message that reads like a title or an author → the catalogue;
8. anything else is a sentence the bot cannot place: it says so and offers a librarian.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.kernel.config import Branch, ConsultationTopic
from storage.front_door.faq_index import FaqChoice, FaqIndex
from storage.front_door.words import Typed

READ_CHARS = 500  # a long story is read by its beginning: that is where the question is

FAQ_SURE = 0.85  # beats the rules (with two words shared): staff wrote it for this question
FAQ_GOOD = 0.6  # answers when no rule did
FAQ_MAYBE = 0.4  # offered as «Возможно, вы об этом» with the way to a librarian
TITLE_WORDS = 6  # a message this short without a sentence's marks may be a title
LONGEST_WORD = 40  # letters: a longer «word» is a key held down, not Russian or English
LONGEST_SEARCH = 25  # words: a longer message is a story to tell a person, not a search


class Route(enum.StrEnum):
    EMPTY = "empty"
    GREETING = "greeting"
    THANKS = "thanks"
    HOURS = "hours"
    ADDRESS = "address"
    CONTACTS = "contacts"
    LOANS = "loans"
    EVENTS = "events"
    CONSULTATION = "consultation"
    SUBSCRIPTIONS = "subscriptions"
    UNSUBSCRIBE = "unsubscribe"
    LIBRARIAN = "librarian"
    FAQ = "faq"
    FAQ_MAYBE = "faq_maybe"
    CATALOGUE = "catalogue"
    UNKNOWN = "unknown"


class Span(enum.StrEnum):
    """A stretch of days a question names («на этой неделе», «в выходные»)."""

    NONE = ""
    DAY = "day"  # `weekday` or `day_offset` says which
    WEEK = "week"
    WEEKEND = "weekend"


RECENT_DECISIONS = 256  # decisions kept per door (see FrontDoor.decide)


@dataclass(frozen=True)
class Decision:
    route: Route
    reason: str
    # A day named: 0 = Monday … 6 = Sunday, or today / tomorrow as an offset from today.
    weekday: int | None = None
    day_offset: int | None = None
    span: Span = Span.NONE
    branch_id: str = ""
    topic_id: str = ""  # a consultation topic recognised
    event_kind: str = ""  # storage.events.models.EventKind value
    signup: bool = False  # «хочу записаться на …»
    open_now: bool = False  # «вы сейчас открыты?»
    faq: FaqChoice | None = None
    query: str = ""  # what to look for in the catalogue
    sure: bool = True  # for the catalogue: asked for a book, not just short
    sentence: bool = False  # reads as a sentence, not a title
    greeted: bool = False  # began with «здравствуйте»: the answer greets back
    holiday: bool = False  # a holiday or a date named: the usual week may not hold

    @property
    def note(self) -> str:
        """The staff-visible line in the activity log."""
        return f"front door: {self.route.value} ({self.reason})"


WEEKDAY_CUES = (
    ("понедельн", "пн"),
    ("вторник", "вт"),
    ("", "ср"),  # «сред…» also begins «среди»: the forms of «среда» are listed below
    ("четверг", "чт"),
    ("пятниц", "пт"),
    ("суббот", "сб"),
    ("воскресен", "вс"),
)
ENGLISH_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
FIRST_PERSON = frozenset(
    "я мне меня мной мы нам нас нами мой моя моё мое мою моего моей мои моих наш наша наши".split()  # noqa: SIM905 - a word list reads better as text
)
OPENERS = frozenset(
    """как что где когда почему зачем можно скажите подскажите помогите объясните сколько
    how what where when why can could""".split()  # noqa: SIM905
)
LEADING = frozenset("а и ну так вот ой".split())  # noqa: SIM905 - «а где у вас туалет?»
GREETINGS = frozenset(
    """привет приветик здравствуйте здравствуй здрасте здрасьте приветствую добрый доброе
    доброго день вечер утро утра дня вечера времени суток hello hi hey хай салют""".split()  # noqa: SIM905
)
THANKS = frozenset(
    """спасибо спс пасиб благодарю благодарим благодарна благодарен thanks thank you мерси
    сенкс большое огромное вам вас""".split()  # noqa: SIM905
)
BYE = frozenset("до свидания пока всего доброго хорошего bye goodbye".split())  # noqa: SIM905
# Words of a message addressed to the library: not a title (no «Искать в каталоге» under it).
ADDRESSED_TO_LIBRARY = frozenset(
    "вы вас вам ваш ваша ваше ваши библиотека библиотеке библиотеки".split()  # noqa: SIM905
)
SMALL_TALK = frozenset("как дела у вас how are you".split())  # noqa: SIM905
# Words that carry no request of their own around a greeting or thanks.
ACKNOWLEDGEMENTS = frozenset(
    """и а все всё понятно ясно ок окей ok okay да нет ага угу хорошо ладно отлично супер
    бот ботик алло эй""".split()  # noqa: SIM905
)
HELP = frozenset("помогите помощь help помоги".split())  # noqa: SIM905 - «Помогите»: with what?
COURTESY = GREETINGS | THANKS | BYE | ACKNOWLEDGEMENTS | HELP

# Consultation topics recognised by the default ids (a library's own topics are also
# recognised by the words of their names).
TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "registration": ("устав", "минюст", "регистрац нко", "зарегистрир", "учредител"),
    "accounting": ("бухгалт", "налог", "бухучет", "отчетност"),
    "legal": ("юрист", "юридич", "юрид", "правов", "законодател", "договор"),
    "grants": ("грант", "фпг", "конкурс проект"),
    "expertise": ("экспертиз", "провер заявк", "оцен заявк"),
    "pr": ("пиар", "соцсет", "smm", "смм", "продвижен"),
    "volunteers": ("волонтер", "доброволь"),
    "fundraising": ("фандрайз", "пожертвован", "сбор средств"),
    "social_business": ("соцпредприним", "социальн предприним"),
}


@dataclass(frozen=True)
class Place:
    """A branch as readers name it: distinctive words of its name, its codes, its street."""

    branch_id: str
    cues: tuple[str, ...]


def _branch_cues(branch: Branch) -> Place:
    generic = {"библиотека", "библиотеки", "библиотек", "филиал", "им", "имени", "городская"}
    words = [w for w in Typed.read(branch.name).words if w not in generic and len(w) > 2]
    cues = [w[: max(4, len(w) - 2)] for w in words if not w.isdigit()]
    numbers = [w for w in Typed.read(branch.name).words if w.isdigit()]
    cues += [f"филиал {n}" for n in numbers]
    cues += [c.casefold() for c in branch.codes if len(c) >= 2]
    street = [w for w in Typed.read(branch.address).words if len(w) >= 5 and not w.isdigit()]
    cues += [w[: len(w) - 1] for w in street[:1]]
    return Place(branch.id, tuple(dict.fromkeys(cues)))


def _topic_cues(topic: ConsultationTopic) -> tuple[str, ...]:
    own = TOPIC_CUES.get(topic.id)
    if own is not None:  # a default topic: its own cues, not the words of its name
        return own
    generic = {"и", "в", "по", "с", "вопросы", "другое", "работа", "нко", "проектной"}
    named = [
        w[: max(5, len(w) - 2)]
        for w in Typed.read(topic.name).words
        if w not in generic and len(w) >= 6
    ]
    return tuple(named)


class FrontDoor:
    """The rules for one library (its branches and consultation topics) and its FAQ."""

    def __init__(
        self,
        branches: Sequence[Branch] = (),
        topics: Sequence[ConsultationTopic] = (),
        faq: FaqIndex | None = None,
    ) -> None:
        self.places = [_branch_cues(b) for b in branches]
        self.topics = [(t.id, _topic_cues(t)) for t in topics if t.listed]
        self.faq = faq or FaqIndex([])
        self._recent: dict[str, Decision] = {}

    def with_faq(self, faq: FaqIndex) -> FrontDoor:
        door = FrontDoor.__new__(FrontDoor)
        door.places, door.topics, door.faq = self.places, self.topics, faq
        door._recent = {}
        return door

    def decide(self, text: str) -> Decision:
        """The decision about `text`. One typed message is decided more than once (is it
        for an open question? then for the front door), so the last few are kept; a
        decision depends only on the text and this door (no clock), and a new FAQ makes
        a new door."""
        kept = self._recent.get(text)
        if kept is None:
            if len(self._recent) >= RECENT_DECISIONS:
                del self._recent[next(iter(self._recent))]
            kept = self._recent[text] = self._decide(text)
        return kept

    def _decide(self, text: str) -> Decision:
        typed = Typed.read(text[:READ_CHARS])
        if not typed.words:
            return Decision(Route.EMPTY, "no words")
        if not typed.has_letters:  # a number: an ISBN, a year, an inventory number
            return Decision(Route.CATALOGUE, "a number", query=text[:200], sure=False)
        if max(len(w) for w in typed.words) > LONGEST_WORD:
            return Decision(Route.UNKNOWN, "no words of a language", sentence=True)
        greeted = bool(typed.words[0] in GREETINGS and typed.words[0] not in {"день", "утро"})
        sentence = _sentence(typed, text)
        if typed.quoted and len(typed.quoted) >= 2:
            return Decision(Route.CATALOGUE, "title in quotes", query=typed.quoted, greeted=greeted)
        faq = self.faq.best(typed)
        if faq is not None and faq.score >= FAQ_SURE and len(faq.matched) >= 2:
            return _faq(faq, greeted, sentence)
        decision = self._rule(typed)
        if decision is not None:
            return replace(decision, greeted=greeted, sentence=sentence)
        seeking = _seeking(typed) if len(typed.words) <= LONGEST_SEARCH else None
        if seeking:
            return Decision(
                Route.CATALOGUE,
                f"asks for a book ({seeking})",
                query=text[:200],
                greeted=greeted,
                sentence=sentence,
            )
        if faq is not None and faq.score >= FAQ_GOOD:
            return _faq(faq, greeted, sentence)
        book = _book_noun(typed) if not sentence else None
        if book:
            return Decision(Route.CATALOGUE, f"names a book ({book})", query=text[:200])
        courtesy = _courtesy(typed)
        if courtesy is not None:
            return courtesy
        if faq is not None and faq.score >= FAQ_MAYBE:
            return Decision(
                Route.FAQ_MAYBE,
                f"faq #{faq.entry_id} maybe, score {faq.score}",
                faq=faq,
                greeted=greeted,
                sentence=sentence,
            )
        if not sentence and len(typed.words) <= TITLE_WORDS:
            return Decision(
                Route.CATALOGUE, "short, may be a title or an author", query=text[:200], sure=False
            )
        return Decision(
            Route.UNKNOWN, "a sentence no rule or FAQ entry fits", greeted=greeted, sentence=True
        )

    # --- the rules --------------------------------------------------------------------

    def _rule(self, typed: Typed) -> Decision | None:
        for rule in (
            _unsubscribe,
            _librarian,
            self._loans,
            self._events,
            self._hours,
            self._address,
            _contacts,
            self._consultation,
            _subscriptions,
        ):
            decision = rule(typed)
            if decision is not None:
                return decision
        return None

    def _branch(self, typed: Typed) -> str:
        for place in self.places:
            if any(typed.phrase(c) if " " in c else typed.cue(c) for c in place.cues):
                return place.branch_id
        return ""

    def _loans(self, typed: Typed) -> Decision | None:
        cue = (
            typed.cue("продли", "продле", "продлн", "продлев", "формуляр", "задолж", "просроч")
            or typed.cue("renew", "my books", "due date")
            or typed.cue("должник")
            or _phrases(
                typed,
                "сдать книг",
                "сдавать книг",
                "сдать кни",
                "когда сдава",
                "когда сдать",
                "когда верн",
                "срок сдач",
                "срок возврат",
                "на руках",
                "мои книг",
                "моих книг",
                "взятые книг",
                "взял книг",
                "взяла книг",
                "брал книг",
                "брала книг",
                "что у меня",
                "книги у меня",
            )
        )
        if not cue:
            return None
        if typed.phrase("когда верн") and not typed.exact(*FIRST_PERSON) and typed.quoted:
            return None  # «когда вернут «…»» asks about someone else's copy
        return Decision(Route.LOANS, f"loans ({cue})")

    def _events(self, typed: Typed) -> Decision | None:
        cue = typed.cue(
            "мероприят",
            "афиш",
            "событи",
            "встреч",
            "митап",
            "лекци",
            "семинар",
            "тренинг",
            "вебинар",
            "концерт",
            "выставк",
            "кружк",
            "кружок",
            "презентац",
            "экскурс",
            "анонс",
            "мастер-класс",
            "мастеркласс",
        ) or _phrases(typed, "мастер класс", "куда сходить", "что интересн", "что у вас будет")
        if not cue:
            return None
        kind = ""
        if typed.exact("нко", "нко.") or typed.cue("некоммерч", "митап"):
            kind = "meetup"
        if typed.cue("семинар", "тренинг", "вебинар", "обучен"):
            kind = "training"
        if typed.phrase("день консультац"):
            kind = "consultation_day"
        signup = bool(typed.cue("записат", "запиши", "запишит", "зарегистр", "регистрац", "попаст"))
        weekday, offset, span = _days(typed)
        return Decision(
            Route.EVENTS,
            f"events ({cue})",
            weekday=weekday,
            day_offset=offset,
            span=span,
            event_kind=kind,
            signup=signup,
            branch_id=self._branch(typed),
        )

    def _hours(self, typed: Typed) -> Decision | None:
        work = typed.cue(
            "работа", "работ", "открыт", "открыв", "закрыв", "закрыт", "откроет"
        ) or typed.exact("open", "opened", "close", "closed", "closing")
        when = typed.exact("когда", "сколько", "скольки", "часы", "часов", "время", "when") or (
            typed.cue("расписан", "режим", "график")
        )
        weekday, offset, span = _days(typed)
        named_day = weekday is not None or offset is not None or span is not Span.NONE
        now = typed.exact("сейчас", "now")
        short = len(typed.words) <= 2  # «работаете?», «открыто?»
        cue = None
        if work and (when or named_day or now or short or typed.exact("ли", "вы", "open")):
            cue = f"{'when' if when else 'now' if now else 'day'}+{work}"
        elif typed.cue("расписан", "выходн", "санитарн", "перерыв", "обед", "праздн"):
            cue = typed.cue("расписан", "выходн", "санитарн", "перерыв", "обед", "праздн")
        elif typed.phrase("часы работ") or typed.phrase("opening hours"):
            cue = "часы работы"
        elif typed.cue("график", "режим") and typed.exact("у", "ваш", "вас", "какой", "каков"):
            cue = "график"
        if cue is None:
            return None
        if span is Span.WEEKEND and typed.cue("выходн") and not work:
            span = Span.NONE  # «у вас есть выходные?»: the week's hours answer it
        return Decision(
            Route.HOURS,
            f"hours ({cue})",
            holiday=bool(typed.cue("праздн") or _DATE.search(typed.raw)),
            weekday=weekday,
            day_offset=offset,
            span=span,
            branch_id=self._branch(typed),
            open_now=bool(now) or (not named_day and bool(typed.cue("открыт")) and not when),
        )

    def _address(self, typed: Typed) -> Decision | None:
        cue = typed.cue(
            "адрес", "находит", "располож", "проезд", "остановк", "добратьс", "доехат", "проехат"
        ) or _phrases(
            typed,
            "где вы",
            "где библиотек",
            "где филиал",
            "где детск",
            "где централ",
            "как добрат",
            "как пройти",
            "как доех",
            "как проех",
            "как вас найти",
            "как найти вас",
            "как найти библиотек",
            "where are",
            "where is",
        )
        if cue and cue.startswith("адрес") and typed.cue("электрон", "почт", "email"):
            return None  # «адрес электронной почты»: the contacts
        if not cue:
            return None
        return Decision(Route.ADDRESS, f"address ({cue})", branch_id=self._branch(typed))

    def _consultation(self, typed: Typed) -> Decision | None:
        for topic_id, cues in self.topics:
            cue = next((c for c in cues if (typed.phrase(c) if " " in c else typed.cue(c))), None)
            if cue:
                return Decision(Route.CONSULTATION, f"topic {topic_id} ({cue})", topic_id=topic_id)
        cue = typed.cue("консультац", "консультир", "проконсульт")
        if cue:
            return Decision(Route.CONSULTATION, f"consultation ({cue})")
        return None


def _phrases(typed: Typed, *phrases: str) -> str | None:
    return next((p for p in phrases if typed.phrase(p)), None)


def _unsubscribe(typed: Typed) -> Decision | None:
    cue = (
        typed.cue("отпис", "отпиш", "unsubscrib")
        or _phrases(
            typed,
            "не присыл",
            "не пиши",
            "не пишите",
            "не отправл",
            "не беспоко",
            "не хочу получ",
            "не надо присыл",
            "хватит присыл",
            "хватит писа",
            "перестаньте",
            "прекратите",
            "больше не",
        )
        or typed.exact("спам", "stop", "стоп")
        or (typed.exact("хватит") and typed.cue("писа", "присыл", "слат", "рассыл"))
    )
    if not cue:
        return None
    if cue == "больше не" and not typed.cue("рассыл", "сообщен", "уведомл", "присыл", "писат"):
        return None
    return Decision(Route.UNSUBSCRIBE, f"unsubscribe ({cue})")


def _subscriptions(typed: Typed) -> Decision | None:
    cue = typed.cue("подпис", "подпиш", "рассылк", "уведомлен", "оповещ", "новост")
    return Decision(Route.SUBSCRIPTIONS, f"subscriptions ({cue})") if cue else None


def _librarian(typed: Typed) -> Decision | None:
    who = typed.cue("библиотекар", "оператор", "сотрудник", "администратор") or typed.exact(
        "человек", "человеком", "человеку", "живой", "живым", "librarian", "human"
    )
    act = typed.cue(
        "позов", "позвать", "связ", "поговор", "спрос", "задать", "переключ", "соедин", "напис"
    ) or typed.exact("хочу", "нужен", "нужна", "можно", "ask", "talk")
    if who and act:
        return Decision(Route.LIBRARIAN, f"asks for a person ({who})")
    return None


def _contacts(typed: Typed) -> Decision | None:
    cue = (
        typed.cue("телефон", "позвони", "позвоню", "email", "e-mail", "имейл", "емейл", "сайт")
        or typed.exact("почта", "почту", "почты", "почте", "почтой", "мейл", "phone", "вк")
        or typed.exact("вконтакте", "contacts", "contact")
        or _phrases(typed, "номер телефон", "связаться с вами", "с вами связ", "как связат")
    )
    if cue and _PHONE.search(typed.raw):
        return None  # «мой телефон 8-900-…»: the reader's number, not a question about ours
    return Decision(Route.CONTACTS, f"contacts ({cue})") if cue else None


def _seeking(typed: Typed) -> str | None:
    """Words of someone looking for a book, in a sentence or not («ищу книгу о войне»,
    «есть ли у вас Гарри Поттер», «посоветуйте что почитать»)."""
    return typed.cue(
        "ищу", "найти", "найдит", "посоветуй", "почитат", "подбер", "подобрат"
    ) or _phrases(
        typed,
        "есть ли у вас",
        "есть у вас",
        "у вас есть",
        "имеется ли",
        "в наличии",
        "что-нибудь про",
        "что нибудь про",
        "что-то про",
        "нужна книг",
        "нужен учебник",
        "нужно пособи",
    )


def _book_noun(typed: Typed) -> str | None:
    """A short text that names a kind of book («книги про войну», «роман Толстого»); in a
    sentence these only mention one («я потеряла книгу»)."""
    return typed.cue(
        "книг",
        "книжк",
        "роман",
        "повест",
        "автор",
        "произведен",
        "учебник",
        "пособи",
        "журнал",
        "издани",
        "энциклопед",
        "словар",
        "сборник",
        "стихотворен",
        "book",
    ) or typed.exact("рассказ", "рассказы", "рассказов", "стихи", "стихов")


def _courtesy(typed: Typed) -> Decision | None:
    """«Спасибо большое!», «Здравствуйте», «до свидания»: when that is all there is."""
    small_talk = typed.phrase("как дела") or typed.phrase("how are")
    if typed.count_not_in(COURTESY | SMALL_TALK if small_talk else COURTESY) > 0:
        return None
    if any(w in THANKS and w not in {"большое", "огромное", "вам", "вас"} for w in typed.words):
        return Decision(Route.THANKS, "thanks")
    if typed.phrase("до свидан") or typed.exact("пока", "bye", "goodbye"):
        return Decision(Route.THANKS, "goodbye")
    if any(w in GREETINGS or w in HELP for w in typed.words):
        return Decision(Route.GREETING, "greeting")
    if all(w in ACKNOWLEDGEMENTS for w in typed.words):
        return Decision(Route.THANKS, "acknowledged")
    return None


def _faq(faq: FaqChoice, greeted: bool, sentence: bool) -> Decision:
    # The entry and the score, not the words matched: those are the reader's.
    return Decision(
        Route.FAQ,
        f"faq #{faq.entry_id}, score {faq.score}",
        faq=faq,
        greeted=greeted,
        sentence=sentence,
    )


def _days(typed: Typed) -> tuple[int | None, int | None, Span]:
    for day, (prefix, short) in enumerate(WEEKDAY_CUES):
        if (prefix and typed.cue(prefix)) or typed.exact(short, ENGLISH_DAYS[day]):
            return day, None, Span.DAY
        wednesday = day == 2 and typed.exact("среда", "среду", "среды", "среде", "средам")
        if wednesday and not typed.phrase("доступн сред"):
            return day, None, Span.DAY
    if typed.exact("сегодня", "today"):
        return None, 0, Span.DAY
    if typed.exact("завтра", "tomorrow"):
        return None, 1, Span.DAY
    if typed.exact("послезавтра"):
        return None, 2, Span.DAY
    if typed.phrase("на выходн") or typed.phrase("в выходн") or typed.exact("weekend"):
        return None, None, Span.WEEKEND
    if typed.phrase("эт неделе") or typed.phrase("на неделе") or typed.phrase("this week"):
        return None, None, Span.WEEK
    return None, None, Span.NONE


_QUESTION_MARK = re.compile(r"\?\s*$")
_PHONE = re.compile(r"(\+?\d[\d\s()-]{6,}\d)")
_DATE = re.compile(
    r"\b\d{1,2}(\s*[./]\s*\d{1,2}|\s+(январ|феврал|март|апрел|ма[яй]|июн|июл|август|сентябр|октябр|ноябр|декабр))",
    re.IGNORECASE,
)


def _sentence(typed: Typed, text: str) -> bool:
    """Reads as something said to a person, not as a title typed into a search box."""
    words = typed.words
    return (
        len(words) > 2 * TITLE_WORDS
        or bool(typed.exact(*FIRST_PERSON))
        or (words[0] in OPENERS and len(words) > 2)
        or (len(words) > 2 and words[0] in LEADING and words[1] in OPENERS)
        or (bool(_QUESTION_MARK.search(text.strip())) and len(words) > 3)
        or typed.phrase("что делать")
        or bool(typed.exact("ли", "пожалуйста", "помогите", "подскажите"))
        or (len(words) > 2 and "не" in words)
        # «потеряла», «порвала», «забыла»: a verb's past, not «правила» or «школа»
        or any(len(w) >= 6 and w.endswith(("яла", "ала", "ыла", "ела")) for w in words)
    )
