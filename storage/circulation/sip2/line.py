"""The line to the ACS: one TCP connection of a self-check terminal, used one request at
a time.

It logs in (93) when an account is configured, asks whether the ACS is online (99) and
which messages it supports, frames requests with sequence numbers and checksums, honours
the ACS's «resend» (96) and asks for a resend (97) of an answer that fails its checksum,
and opens a new connection when the ACS closed the old one. What it cannot know — whether
a request that went out unanswered was applied — it says with `Unanswered`.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from dataclasses import dataclass
from typing import TypeVar

from pysip2 import (
    ACSStatusResponse,
    LoginRequest,
    LoginResponse,
    RequestACSResend,
    RequestSCResend,
    SCStatusRequest,
    SIP2ChecksumError,
    SIP2Error,
    SIPMessage,
    SIPResponse,
    decode_message,
    encode_message,
)

from bot.kernel.config import Sip2

# The package's name: log lines read as they did before the package was split.
log = logging.getLogger("storage.circulation.sip2")

Reply = TypeVar("Reply", bound=SIPResponse)

_RENEW_ALL_FLAG = 15  # position of 65 in the ACS status BX "supported messages"
_HOLD_FLAG = 13  # position of 15


class NotApplied(Exception):
    """The ACS could not be asked (or said it could not read us): nothing changed."""


class Unsayable(NotApplied):
    """A value cannot be put on the wire (a '|' in it, or not in the line's encoding)."""


class Unanswered(Exception):
    """The request went out but no usable answer came back: it may have been applied."""

    def __init__(self, reason: str, *, closed: bool = False) -> None:
        super().__init__(reason)
        self.closed = closed  # the ACS closed the connection without a word


@dataclass(slots=True)
class _Link:
    """One TCP connection to the ACS, already logged in and checked online."""

    reader: asyncio.StreamReader
    writer: asyncio.StreamWriter

    def alive(self) -> bool:
        return not (self.reader.at_eof() or self.writer.is_closing())

    async def read_frame(self) -> bytes:
        try:
            # Some ACSs end frames with CR LF: the LF arrives at the start of the next one.
            return (await self.reader.readuntil(b"\r")).lstrip(b"\n")
        except asyncio.IncompleteReadError as exc:
            raise Unanswered("the SIP2 server closed the connection", closed=True) from exc
        except asyncio.LimitOverrunError as exc:
            raise Unanswered("the SIP2 server sent an endless frame") from exc
        except OSError as exc:
            raise Unanswered(f"the connection broke: {exc}", closed=True) from exc


class Sip2Line:
    """The terminal's connection to one ACS; requests wait their turn."""

    def __init__(self, settings: Sip2, *, timeout: float) -> None:
        self._settings = settings
        self._timeout = timeout
        self._lock = asyncio.Lock()
        self._link: _Link | None = None
        self._retired: list[asyncio.StreamWriter] = []
        self._sequence = 0
        # What the ACS status (99 → BX) says it supports; until then, everything.
        self.renew_all_supported = True
        self.holds_supported = True
        self.address = f"{settings.host}:{settings.port}"

    def terminal_password(self) -> str:
        secret = self._settings.password
        return secret.get_secret_value() if secret is not None else ""

    async def ask(
        self, request: SIPMessage, expect: type[Reply], *, idempotent: bool = True
    ) -> Reply:
        """Send one request and read its answer, reconnecting when the connection broke.

        A read whose connection turns out to have been closed by the ACS while idle is
        asked once more on a fresh connection; a renewal never is.
        """
        async with self._lock:
            for attempt in (1, 2):
                link, fresh = await self._usable_link()
                frame = self._frame(request)  # after the greeting: sequence numbers stay in order
                done = False
                try:
                    reply = await self._exchange(link, frame, expect)
                    done = True
                    return reply
                except Unanswered as exc:
                    if not (idempotent and exc.closed and not fresh and attempt == 1):
                        raise
                    log.info("SIP2 connection to %s was closed; asking again", self.address)
                finally:
                    if not done:  # lost answers, cancellation: the line's state is unknown
                        self._forget()
        raise AssertionError("unreachable")  # pragma: no cover

    async def connect(self) -> None:
        """Open and greet a connection now, so the ACS status is known before asking."""
        async with self._lock:
            await self._usable_link()

    async def close(self) -> None:
        async with self._lock:
            self._forget()
            await self._bury()

    def _frame(self, message: SIPMessage) -> bytes:
        checksums = self._settings.checksums
        sequence = self._sequence
        if checksums:
            self._sequence = (sequence + 1) % 10
        try:
            return encode_message(
                message,
                sequence_number=sequence if checksums else None,
                checksum=checksums,
                encoding=self._settings.encoding,
            )
        except (SIP2Error, ValueError) as exc:  # UnicodeEncodeError is a ValueError
            raise Unsayable(f"cannot encode {type(message).__name__}: {exc}") from exc

    async def _exchange(self, link: _Link, frame: bytes, expect: type[Reply]) -> Reply:
        """Write the frame and return the answer, honouring 96 (resend) once and asking
        with 97 once when the answer fails its checksum."""
        command = frame[:2].decode("ascii")
        log.debug("SIP2 → %s", command)  # never the frame: it may carry passwords
        resent = asked_again = False
        try:
            async with asyncio.timeout(self._timeout):
                link.writer.write(frame)
                while True:
                    raw = await link.read_frame()
                    try:
                        decoded = decode_message(raw, encoding=self._settings.encoding)
                    except SIP2ChecksumError as exc:
                        if asked_again:
                            raise Unanswered("answers keep failing their checksum") from exc
                        asked_again = True
                        link.writer.write(self._resend_request())
                        continue
                    except (SIP2Error, ValueError) as exc:
                        raise Unanswered(f"unreadable answer to {command}: {exc}") from exc
                    if isinstance(decoded.message, RequestSCResend):
                        if resent:
                            raise NotApplied(f"the SIP2 server could not read {command} twice")
                        resent = True
                        link.writer.write(frame)
                        continue
                    break
        except TimeoutError as exc:
            raise Unanswered(f"no answer to {command} within {self._timeout:g} s") from exc
        reply = decoded.message
        if not isinstance(reply, expect):
            raise Unanswered(f"{type(reply).__name__} in answer to {command}")
        expected_sequence = int(frame[-8:-7]) if self._settings.checksums else None
        if decoded.sequence_number not in (None, expected_sequence):
            raise Unanswered(f"answer to {command} carries another sequence number")
        return reply

    def _resend_request(self) -> bytes:
        return encode_message(
            RequestACSResend(),
            checksum=self._settings.checksums,
            encoding=self._settings.encoding,
        )

    async def _usable_link(self) -> tuple[_Link, bool]:
        """The open connection, or a new one; True when it was opened just now."""
        if self._link is not None and self._link.alive():
            return self._link, False
        if self._link is not None:
            log.info("SIP2 connection to %s was closed by the server; reconnecting", self.address)
            self._forget()
        self._link = await self._open()
        return self._link, True

    async def _open(self) -> _Link:
        await self._bury()
        settings = self._settings
        try:
            async with asyncio.timeout(self._timeout):
                reader, writer = await asyncio.open_connection(settings.host, settings.port)
        except OSError as exc:  # refused, unreachable, and TimeoutError too
            reason = str(exc) or "no answer"
            raise NotApplied(f"cannot connect to the SIP2 server {self.address}: {reason}") from exc
        link = _Link(reader, writer)
        greeted = False
        try:
            await self._greet(link)
            greeted = True
        except Unanswered as exc:
            raise NotApplied(
                f"the SIP2 server {self.address} broke off the greeting: {exc}"
            ) from exc
        finally:
            if not greeted:
                writer.close()
                self._retired.append(writer)
        log.info("SIP2 connection to %s open", self.address)
        return link

    async def _greet(self, link: _Link) -> None:
        """Log in (93) when an account is configured, then ask for the ACS status (99)."""
        settings = self._settings
        if settings.user:
            login = LoginRequest(
                uid_algorithm="0",
                pwd_algorithm="0",
                login_user_id=settings.user,
                login_password=self.terminal_password(),
                location_code=settings.location or None,
            )
            answer = await self._exchange(link, self._frame(login), LoginResponse)
            if answer.ok != "1":
                raise NotApplied(
                    f"the SIP2 server {self.address} refused the login of {settings.user!r}: "
                    "check [library_system.sip2] user and password"
                )
        status_request = SCStatusRequest(
            status_code="0", max_print_width="000", protocol_version="2.00"
        )
        status = await self._exchange(link, self._frame(status_request), ACSStatusResponse)
        if status.online_status != "Y":
            raise NotApplied(f"the SIP2 server {self.address} says it is offline")
        self.renew_all_supported = status.supported_messages[_RENEW_ALL_FLAG] == "Y"
        self.holds_supported = status.supported_messages[_HOLD_FLAG] == "Y"

    def _forget(self) -> None:
        """Drop the connection without waiting; `_bury` waits for it later."""
        if self._link is not None:
            self._link.writer.close()
            self._retired.append(self._link.writer)
            self._link = None

    async def _bury(self) -> None:
        retired, self._retired = self._retired, []
        for writer in retired:
            with suppress(OSError):
                await writer.wait_closed()
