"""[library_system] and [reminders]: where readers' loans live and what they are told."""

from __future__ import annotations

import codecs
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator

from bot.kernel.config.base import Section


class Koha(Section):
    # The Koha server's base address; libbot calls its REST API under /api/v1.
    url: str = ""
    # Either an API user (Koha's RESTBasicAuth) or an OAuth client (client credentials).
    user: str = ""
    password: SecretStr | None = None
    client_id: str = ""
    client_secret: SecretStr | None = None

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("expected the Koha address like 'https://koha.library.ru'")
        return value.rstrip("/")


class Sip2(Section):
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 6001
    # The self-check terminal account (SIP2 login, message 93); empty: no login.
    user: str = ""
    password: SecretStr | None = None
    location: str = ""
    institution: str = ""
    # SIP2 says cp850, which has no Cyrillic; Russian systems speak UTF-8 or cp1251.
    encoding: str = "utf-8"
    checksums: bool = True

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        try:
            codecs.lookup(value)
        except LookupError:
            raise ValueError(f"unknown encoding {value!r}; e.g. 'utf-8', 'cp1251'") from None
        return value


class IrbisPrefixes(Section):
    """Search prefixes of the library's FSTs (dictionary terms are `prefix + value`).

    Libraries' FSTs differ; these are IRBIS64's stock ones."""

    ticket: str = "RI="  # RDR, field 30
    phone: str = "TEL="  # RDR, field 17
    # Title words (200^a): finds a record the catalogue knows by neither 903 nor a copy.
    title: str = "T="
    # Author and ISBN: the bot does not search by them today; kept with the others so the
    # library's FST prefixes are written down in one place.
    author: str = "A="
    isbn: str = "B="
    inventory: str = "IN="  # 910^b
    barcode: str = "IN="  # 910^h: stock FSTs index barcodes with inventory numbers
    # The shelf code (903): finds a title in the catalogue and its orders (orders database).
    code: str = "I="
    # RDR: inventory numbers of the books a reader has (40^b); finds the due date of a copy
    # on loan for the catalogue card. Empty: the card shows no due dates.
    loaned_copy: str = "HI="


class Irbis64(Section):
    """An IRBIS64 server (port 6666) and the bot's own IRBIS user."""

    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 6666
    username: str = ""
    password: SecretStr | None = None
    # The workstation code the bot registers as: "C" (Каталогизатор) reads every database;
    # "K" (Книговыдача) is what IRBIS's own circulation registers as.
    workstation: Annotated[str, Field(min_length=1, max_length=1)] = "C"
    catalogue_databases: Annotated[list[str], Field(min_length=1)] = ["IBIS"]  # noqa: RUF012
    reader_database: Annotated[str, Field(min_length=1)] = "RDR"
    # The readers' orders database (e.g. "RQST"): holds listed and placed there, and
    # «someone is waiting» refusals; empty: no holds from IRBIS.
    orders_database: str = ""
    prefixes: IrbisPrefixes = IrbisPrefixes()
    # 910^d storage place → branch id, for places the branches' `codes` do not name.
    branches: dict[str, str] = {}  # noqa: RUF012 - pydantic copies it
    # The RDR field holding the reader's password when verification = "password"
    # (IRBIS's stock RDR worksheet keeps the web password in field 130).
    password_field: Annotated[str, Field(pattern=r"^\d{1,4}(\^[0-9A-Za-z])?$")] = "130"
    # The catalogue card asks IRBIS for its copies' statuses at most this long, then shows
    # the nightly index with «данные на HH:MM».
    live_timeout_seconds: Annotated[float, Field(gt=0, le=30)] = 2.0
    # Whether a copy on loan shows its due date (read from the reader record that has it).
    show_due_dates: bool = True


class LibrarySystem(Section):
    """Where loans live and how readers prove a ticket is theirs («Мои книги»)."""

    # none: «Мои книги» explains how to renew by phone; local: loans imported from CSV.
    kind: Literal["none", "local", "koha", "sip2", "irbis64"] = "none"
    verification: Literal["password", "surname_birth_year", "desk_code", "phone"] = "password"
    # With verification "phone": the proof asked after the ticket when the shared number
    # names no reader or several (a family phone), or the messenger cannot share one (VK).
    phone_fallback: Literal["password", "surname_birth_year", "desk_code"] = "desk_code"
    link_max_failures: Annotated[int, Field(ge=1, le=50)] = 5
    link_lock_minutes: Annotated[int, Field(ge=1, le=7 * 24 * 60)] = 30
    desk_code_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 24
    timeout_seconds: Annotated[float, Field(gt=0, le=120)] = 10.0
    # Renewal rules of the `local` and `irbis64` systems (Koha and SIP2 apply their own).
    renewal_days: Annotated[int, Field(ge=1, le=365)] = 14
    max_renewals: Annotated[int, Field(ge=0, le=100)] = 2
    renew_before_days: Annotated[int, Field(ge=0, le=365)] = 0  # 0: any time before due
    overdue_limit_days: Annotated[int, Field(ge=0, le=3650)] = 30
    holds_block_renewal: bool = True
    koha: Koha = Koha()
    sip2: Sip2 = Sip2()
    irbis64: Irbis64 = Irbis64()

    @model_validator(mode="after")
    def _complete(self) -> LibrarySystem:
        if self.kind == "koha" and not self.koha.url:
            raise ValueError("kind 'koha' needs [library_system.koha] url")
        if self.kind == "koha" and not (self.koha.user or self.koha.client_id):
            raise ValueError("kind 'koha' needs [library_system.koha] user or client_id")
        if self.kind == "sip2" and self.verification == "surname_birth_year":
            raise ValueError(
                "SIP2 does not tell the year of birth: use verification 'password' or 'desk_code'"
            )
        if self.verification == "phone" and self.kind in ("none", "sip2"):
            raise ValueError(
                f"kind {self.kind!r} cannot find readers by phone: use verification "
                "'password', 'surname_birth_year' or 'desk_code'"
            )
        if self.kind == "irbis64" and not self.irbis64.username:
            raise ValueError("kind 'irbis64' needs [library_system.irbis64] username")
        return self


class Reminders(Section):
    """Due-date and pickup reminders for linked readers (each reader may turn them off)."""

    days_before: Annotated[int, Field(ge=0, le=30)] = 3  # 0: no advance reminder
    on_due_date: bool = True
    overdue_max: Annotated[int, Field(ge=0, le=10)] = 3  # weekly, at most this many
    hold_ready: bool = True
    check_minutes: Annotated[int, Field(ge=1, le=1440)] = 60
