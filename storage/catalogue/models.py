"""Catalogue tables. The full-text index table (`catalogue_search`) is dialect-specific
(SQLite FTS5 or PostgreSQL tsvector + GIN) and is created by the migration, not here."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class CatalogueRecord(Base):
    __tablename__ = "catalogue_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    # "001:<control number>" or "isbn:<isbn13>|<title>": what makes re-import idempotent.
    source_key: Mapped[str] = mapped_column(String(300), unique=True)
    source_format: Mapped[str] = mapped_column(String(16))
    title: Mapped[str] = mapped_column(String(1000))
    subtitle: Mapped[str | None] = mapped_column(String(1000))
    authors: Mapped[str | None] = mapped_column(String(1000))  # "Булгаков, М. А.; Иванов, И."
    series: Mapped[str | None] = mapped_column(String(500))
    subjects: Mapped[str | None] = mapped_column(Text)
    publisher: Mapped[str | None] = mapped_column(String(500))
    year: Mapped[str | None] = mapped_column(String(20))
    isbns: Mapped[str | None] = mapped_column(String(500))  # normalised ISBN-13s, space-separated
    content_hash: Mapped[str] = mapped_column(String(40))
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)
    # When an import last saw the record: a full export withdraws records it did not see.
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CatalogueItem(Base):
    """One copy (exemplar) of a record, as the library's system describes it."""

    __tablename__ = "catalogue_items"
    __table_args__ = (UniqueConstraint("record_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_records.id", ondelete="CASCADE"), index=True
    )
    item_key: Mapped[str] = mapped_column(String(120))  # barcode, inventory number or position
    # As exported (sigla, branch code); mapped to a configured branch when shown.
    location_code: Mapped[str | None] = mapped_column(String(120))
    call_number: Mapped[str | None] = mapped_column(String(200))
    barcode: Mapped[str | None] = mapped_column(String(120))
    inventory_number: Mapped[str | None] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[date | None] = mapped_column(Date)
    withdrawn: Mapped[bool] = mapped_column(Boolean, default=False)


class CatalogueTerm(Base):
    """Every distinct stem in titles and authors: the vocabulary for «Возможно, вы искали…»."""

    __tablename__ = "catalogue_terms"

    term: Mapped[str] = mapped_column(String(100), primary_key=True)
    word: Mapped[str] = mapped_column(String(100))  # one surface form, for the suggestion
    length: Mapped[int] = mapped_column(Integer)

    __table_args__ = (Index("ix_catalogue_terms_length", "length"),)


class CatalogueWatch(Base):
    """«Сообщить, когда вернут»: a person waiting for a copy of a record to be back."""

    __tablename__ = "catalogue_watches"
    __table_args__ = (UniqueConstraint("person_id", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    record_id: Mapped[int] = mapped_column(
        ForeignKey("catalogue_records.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
