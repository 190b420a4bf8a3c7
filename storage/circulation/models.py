"""Tables for «Мои книги»: which ticket a messenger account is linked to, the guards
against guessing, desk codes, and the `local` library system's own loans.

Secrets (PINs, surname + year of birth, desk codes) are stored only as salted
scrypt hashes; the ticket-guard keys are hashes too, so the table of failed
attempts holds no ticket numbers.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class ReaderLink(Base):
    """A messenger account linked to a reader ticket. Several accounts (Telegram, VK) may
    share a ticket; one account has one ticket."""

    __tablename__ = "reader_links"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    ticket: Mapped[str] = mapped_column(String(64), index=True)
    patron_ref: Mapped[str] = mapped_column(String(64))
    reader_name: Mapped[str | None] = mapped_column(String(200))
    reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class LinkGuard(Base):
    """Failed linking attempts per ticket and per messenger account, and the lock they earn."""

    __tablename__ = "link_guards"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class DeskCode(Base):
    """A one-time code staff gave a reader at the desk to link their ticket."""

    __tablename__ = "desk_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(64), index=True)
    code_hash: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


# --- the `local` library system -------------------------------------------------------


class LocalPatron(Base):
    __tablename__ = "local_patrons"

    ticket: Mapped[str] = mapped_column(String(64), primary_key=True)  # upper-case, no spaces
    name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(200))
    identity_hash: Mapped[str | None] = mapped_column(String(200))  # surname + year of birth
    blocked: Mapped[str | None] = mapped_column(String(200))  # why, as the export says
    debt: Mapped[bool] = mapped_column(Boolean, default=False)
    # The export's phone numbers, normalised (ten digits, comma-separated): for linking by phone.
    phones: Mapped[str | None] = mapped_column(String(200))


class LocalLoan(Base):
    __tablename__ = "local_loans"
    __table_args__ = (UniqueConstraint("ticket", "barcode", "issued"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(64), index=True)
    barcode: Mapped[str] = mapped_column(String(64), index=True)
    title: Mapped[str] = mapped_column(Text)
    issued: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date, index=True)
    renewals: Mapped[int] = mapped_column(Integer, default=0)


class LocalHold(Base):
    __tablename__ = "local_holds"

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(64), index=True)
    barcode: Mapped[str] = mapped_column(String(64), default="", index=True)
    title: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # HoldStatus
    branch: Mapped[str | None] = mapped_column(String(200))
    pickup_until: Mapped[date | None] = mapped_column(Date)


class LocalRenewal(Base):
    """A renewal made in the bot, for staff to mirror into their own records."""

    __tablename__ = "local_renewals"
    __table_args__ = (Index("ix_local_renewals_loan", "ticket", "barcode", "issued"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket: Mapped[str] = mapped_column(String(64))
    barcode: Mapped[str] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(Text)
    issued: Mapped[date] = mapped_column(Date)
    old_due: Mapped[date] = mapped_column(Date)
    new_due: Mapped[date] = mapped_column(Date)
    renewals: Mapped[int] = mapped_column(Integer)
    renewed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)


# --- holds asked for from the catalogue ------------------------------------------------


class ReaderHold(Base):
    """«Забронировать» on a catalogue card: one row per reader and record, so a second
    press is recognised instead of sending staff a second hold, and staff answer the
    reader from the card in the staff chat. It goes with the person (/forget)."""

    __tablename__ = "reader_holds"
    __table_args__ = (UniqueConstraint("person_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_records.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(1000))  # for the answer, if the record goes
    branch_id: Mapped[str | None] = mapped_column(String(32))  # the pickup branch chosen
    status: Mapped[str] = mapped_column(String(16))  # storage.circulation.hold_requests.State
    system_ref: Mapped[str | None] = mapped_column(String(64))  # the hold's id in the system
    pickup_until: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
