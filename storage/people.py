"""People, their consent and their roles.

Operations here are each one transaction and hand back `PersonView` snapshots,
never live ORM objects, so handlers cannot lazily touch the database later.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload

from storage.db import Database
from storage.models import Consent, Person, PersonRole, Role
from storage.people_cache import cache_for
from storage.types import utcnow

# Touching last_seen_at on every update would turn every read into a write.
LAST_SEEN_RESOLUTION = timedelta(minutes=5)
SUPPORTED_LANGUAGES = ("ru", "en")
# The roles an admin gives and takes in the bot; admins come from the config only.
GRANTABLE = (Role.STAFF, Role.EXPERT)


@dataclass(frozen=True, slots=True)
class PersonView:
    id: int
    platform: str
    platform_user_id: str
    language: str
    consent: Consent
    display_name: str | None = None
    organisation: str | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)

    @property
    def messenger_id(self) -> str:
        return f"{self.platform}:{self.platform_user_id}"

    def has(self, role: Role) -> bool:
        """Admins can do everything staff can."""
        return role in self.roles or (role is Role.STAFF and Role.ADMIN in self.roles)

    @property
    def may_keep_texts(self) -> bool:
        """Whether what they type may be stored: with their consent — or when it is their
        work (staff and experts' actions are the library's records of its work)."""
        return self.consent is Consent.GIVEN or self.has(Role.STAFF) or self.has(Role.EXPERT)

    def with_roles(self, extra: frozenset[Role]) -> PersonView:
        return PersonView(
            id=self.id,
            platform=self.platform,
            platform_user_id=self.platform_user_id,
            language=self.language,
            consent=self.consent,
            display_name=self.display_name,
            organisation=self.organisation,
            roles=self.roles | extra,
        )


def language_from_hint(hint: str | None) -> str:
    """Russian first: only a messenger that says English gets English."""
    code = (hint or "").split("-")[0].lower()
    return code if code in SUPPORTED_LANGUAGES else "ru"


def _view(person: Person, account: tuple[str, str] | None = None) -> PersonView:
    """The person as seen from one of their accounts (by default the preferred one):
    handlers answer, and take files, in the messenger the update came from."""
    platform, platform_user_id = account or (person.platform, person.platform_user_id)
    return PersonView(
        id=person.id,
        platform=platform,
        platform_user_id=platform_user_id,
        language=person.language,
        consent=Consent(person.consent),
        display_name=person.display_name,
        organisation=person.organisation,
        roles=frozenset(Role(r.role) for r in person.roles),
    )


async def resolve(
    db: Database, platform: str, platform_user_id: str, *, language_hint: str | None = None
) -> PersonView:
    """Load the person behind a messenger account, creating them on first contact.

    Only the messenger id and language are stored here: nothing personal before consent.
    """
    cache = cache_for(db)
    key = (platform, platform_user_id)
    known = cache.get(key)
    if known is not None:
        return known
    read_at = cache.generation
    now = utcnow()
    # A read first (on SQLite it need not queue for the writer's turn: the first update
    # of everyone in a burst comes here), a write only when last seen long ago.
    async with db.reading() as session:
        person = await _owner(session, platform, platform_user_id)
        if person is not None:
            stale = now - person.last_seen_at > LAST_SEEN_RESOLUTION
            view = _view(person, key)
    if person is not None:
        if stale:
            async with db.transaction() as session:
                await session.execute(
                    update(Person).where(Person.id == view.id).values(last_seen_at=now)
                )
        cache.put(key, view, view.id, read_at=read_at)  # refused if a change came meanwhile
        return view
    try:
        async with db.transaction() as session:
            person = Person(
                platform=platform,
                platform_user_id=platform_user_id,
                language=language_from_hint(language_hint),
                consent=Consent.UNKNOWN,
                created_at=now,
                last_seen_at=now,
                roles=[],
            )
            session.add(person)
            await session.flush()
            created = _view(person)
        # Nobody else can have changed a person created this instant: theirs is current.
        cache.put(key, created, created.id, read_at=cache.generation)
        return created
    except IntegrityError:
        # Two first messages raced; the other one created the row.
        async with db.transaction() as session:
            person = await session.scalar(
                select(Person).where(
                    Person.platform == platform, Person.platform_user_id == platform_user_id
                )
            )
            assert person is not None
            return _view(person)


async def get(db: Database, person_id: int) -> PersonView | None:
    async with db.transaction() as session:
        person = await session.get(Person, person_id)
        return _view(person) if person else None


async def find(db: Database, platform: str, platform_user_id: str) -> PersonView | None:
    async with db.transaction() as session:
        person = await _owner(session, platform, platform_user_id)
        return _view(person, (platform, platform_user_id)) if person else None


async def _owner(session: AsyncSession, platform: str, platform_user_id: str) -> Person | None:
    """The person behind an account: their own row, or the one it was linked to."""
    from storage.identity import PersonAccount

    # One round trip for the person and their roles (every update asks for them).
    own = await session.execute(
        select(Person)
        .options(joinedload(Person.roles))
        .where(Person.platform == platform, Person.platform_user_id == platform_user_id)
    )
    found = own.unique().scalar_one_or_none()
    if found is not None:
        return found
    linked = await session.execute(
        select(Person)
        .options(joinedload(Person.roles))
        .join(PersonAccount, PersonAccount.person_id == Person.id)
        .where(
            PersonAccount.platform == platform, PersonAccount.platform_user_id == platform_user_id
        )
    )
    return linked.unique().scalar_one_or_none()


async def set_consent(
    db: Database, person_id: int, consent: Consent, *, display_name: str | None = None
) -> None:
    """Record the answer; a given consent may store the messenger profile name."""
    async with db.transaction() as session:
        values: dict[str, object] = {"consent": consent, "consent_at": utcnow()}
        if consent is Consent.GIVEN:
            values["display_name"] = display_name[:200] if display_name else None
        else:
            values.update(display_name=None, phone=None, email=None, organisation=None)
        await session.execute(update(Person).where(Person.id == person_id).values(**values))


async def set_language(db: Database, person_id: int, language: str) -> None:
    async with db.transaction() as session:
        await session.execute(
            update(Person)
            .where(Person.id == person_id)
            .values(language=language_from_hint(language))
        )


async def grant(db: Database, person_id: int, role: Role, *, granted_by: int | None) -> bool:
    """Give a role; False when the person already had it."""
    async with db.transaction() as session:
        if await session.get(PersonRole, (person_id, str(role))) is not None:
            return False
        session.add(
            PersonRole(
                person_id=person_id, role=role, granted_by_id=granted_by, granted_at=utcnow()
            )
        )
        return True


async def revoke(db: Database, person_id: int, role: Role) -> bool:
    """Take a role away; False when the person did not have it."""
    async with db.transaction() as session:
        result = await session.execute(
            delete(PersonRole).where(PersonRole.person_id == person_id, PersonRole.role == role)
        )
        return bool(result.rowcount)


class RoleChange(enum.StrEnum):
    GRANTED = "granted"
    REVOKED = "revoked"
    UNCHANGED = "unchanged"  # they had it already, or did not have it
    UNKNOWN = "unknown"  # no one has this messenger account here


@dataclass(frozen=True, slots=True)
class RoleResult:
    change: RoleChange
    person: PersonView | None = None  # whose role it is (None: no such person)


async def grant_to_account(
    db: Database, platform: str, platform_user_id: str, role: Role, *, granted_by: int | None
) -> RoleResult:
    """An admin gives `role` to whoever writes to the bot from this messenger account
    (an account linked to a person counts as theirs)."""
    if role not in GRANTABLE:
        raise ValueError(f"{role} is not given in the bot")
    target = await find(db, platform, platform_user_id)
    if target is None:
        return RoleResult(RoleChange.UNKNOWN)
    granted = await grant(db, target.id, role, granted_by=granted_by)
    return RoleResult(RoleChange.GRANTED if granted else RoleChange.UNCHANGED, target)


async def revoke_from(db: Database, person_id: int, role: Role) -> RoleResult:
    """An admin takes `role` away; unchanged when the person is gone or did not hold it."""
    target = await get(db, person_id)
    if target is None or not await revoke(db, person_id, role):
        return RoleResult(RoleChange.UNCHANGED, target)
    return RoleResult(RoleChange.REVOKED, target)


async def with_role(db: Database, role: Role) -> list[PersonView]:
    async with db.transaction() as session:
        rows = await session.scalars(
            select(Person)
            .join(PersonRole, PersonRole.person_id == Person.id)
            .where(PersonRole.role == role)
            .order_by(Person.id)
        )
        return [_view(p) for p in rows]


@dataclass(frozen=True, slots=True)
class Details:
    """What a person told us last time in a form (kept only with consent)."""

    name: str | None
    organisation: str | None
    contact: str | None


async def details(db: Database, person_id: int) -> Details:
    async with db.transaction() as session:
        person = await session.get(Person, person_id)
        if person is None or person.consent != Consent.GIVEN:
            return Details(None, None, None)
        return Details(person.display_name, person.organisation, person.phone or person.email)


async def remember_details(
    db: Database,
    person_id: int,
    *,
    name: str | None,
    organisation: str | None,
    contact: str | None,
) -> None:
    """Keep a form's name, organisation and contact for next time — only with consent."""
    async with db.transaction() as session:
        person = await session.get(Person, person_id)
        if person is None or person.consent != Consent.GIVEN:
            return
        if name:
            person.display_name = name[:200]
        if organisation:
            person.organisation = organisation[:300]
        if contact:
            if "@" in contact:
                person.email = contact[:200]
            else:
                person.phone = contact[:40]
