"""An asyncio IRBIS64 client: one TCP connection per request, every call bounded in time.

See the package docstring for why this is our own client rather than cbsvibpyirbis.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Callable, Iterable, Sequence
from types import TracebackType

from storage.irbis64.errors import (
    ALREADY_REGISTERED,
    LOGICALLY_DELETED,
    MFN_OUT_OF_RANGE,
    NOT_REGISTERED,
    PHYSICALLY_DELETED,
    RECORD_LOCKED,
    VERSION_ERROR,
    WRONG_PASSWORD,
    IrbisAnswerLost,
    IrbisError,
    IrbisUnavailable,
    NoSuchRecord,
    RecordLocked,
    VersionConflict,
    WrongPassword,
)
from storage.irbis64.records import (
    LOGICALLY_DELETED as DELETED_BIT,
)
from storage.irbis64.records import (
    SHORT_DELIMITER,
    WIRE_DELIMITER,
    Record,
    RecordFormatError,
    parse_record_lines,
    record_lines,
)
from storage.irbis64.transport import exchange
from storage.irbis64.wire import (
    Answer,
    ansi,
    encode_request,
    number,
    utf,
)

log = logging.getLogger(__name__)

REGISTER, UNREGISTER = "A", "B"
READ, WRITE, FORMAT, SEARCH = "C", "D", "G", "K"
NOP, MAX_MFN, UNLOCK = "N", "O", "Q"
# Codes meaning "the server does not know this client": it forgot us (restart, idle
# timeout); register again and repeat the request, which the server did not run.
_FORGOTTEN = (NOT_REGISTERED, -3334)
# Commands whose effect may have happened even when the answer is unreadable.
_CHANGES = frozenset({WRITE})
_READ_MANY_AT_ONCE = 4
# More MFNs than any library database holds: a server paging on forever is not believed.
MAX_FOUND = 20_000_000


class Irbis64Client:
    """A registered IRBIS64 client (`connect()` once, or `async with`)."""

    def __init__(
        self,
        host: str,
        port: int,
        username: str,
        password: str,
        *,
        workstation: str = "C",
        timeout: float = 10.0,
    ) -> None:
        self.host = host
        self.port = port
        self.username = username
        self._password = password
        self.workstation = workstation
        self.timeout = timeout
        self.client_id = 0
        self.server_version = ""
        self.ini_text = ""
        self._query_id = 0
        self._registered = False
        self._register_lock = asyncio.Lock()

    # --- session ----------------------------------------------------------------------

    async def connect(self) -> None:
        """Register with the server (command A); does nothing when already registered."""
        async with self._register_lock:
            if not self._registered:
                await self._register()

    async def close(self) -> None:
        """Unregister (command B); never raises — a server that is gone forgets us anyway."""
        if not self._registered:
            return
        self._registered = False
        try:
            await self._exchange(UNREGISTER, [ansi(self.username)])
        except IrbisError as exc:
            log.info("IRBIS64 unregister of client %s failed: %s", self.client_id, exc)

    async def __aenter__(self) -> Irbis64Client:
        await self.connect()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def _register(self) -> None:
        for _ in range(5):
            self.client_id = 100_000 + secrets.randbelow(900_000)
            self._query_id = 0
            answer = await self._exchange(REGISTER, [ansi(self.username), ansi(self._password)])
            if answer.code == ALREADY_REGISTERED:
                continue  # another client drew the same id
            if answer.code in (WRONG_PASSWORD, NOT_REGISTERED):
                raise WrongPassword.from_code(answer.code, f"IRBIS64 login as {self.username}")
            if answer.code < 0:
                raise IrbisError.from_code(answer.code, "IRBIS64 registration")
            self.server_version = answer.version
            lines = answer.lines("cp1251")
            self.ini_text = "\n".join(lines[1:])
            self._registered = True
            return
        raise IrbisError("IRBIS64 registration: every client id drawn was taken", -3337)

    # --- commands ---------------------------------------------------------------------

    async def nop(self) -> None:
        """A no-op request: tells the server we are alive, and whether it is."""
        answer = await self._call(NOP, [])
        _check(answer, "nop")

    async def max_mfn(self, database: str) -> int:
        """What the server calls the maximal MFN: the MFN the next new record will get.

        Existing records are numbered 1 … `max_mfn - 1`. (Client libraries document it
        so; ManagedIrbis's own server answers the last MFN instead. To be safe with
        either, sync with `read_many(db, range(1, max_mfn + 1))`, which leaves out an
        MFN that is not there.)
        """
        answer = await self._call(MAX_MFN, [ansi(database)])
        _check(answer, f"max MFN of {database}")
        return answer.code

    async def read(self, database: str, mfn: int, *, lock: bool = False) -> Record:
        """Read one record; `lock=True` also locks it for us until we write or unlock it.

        A logically deleted record is returned with `deleted` set. Raises RecordLocked
        when locking a record someone else holds, NoSuchRecord outside the database.
        """
        answer = await self._call(READ, [ansi(database), number(mfn), number(int(lock))])
        context = f"read {database} MFN {mfn}"
        if answer.code == RECORD_LOCKED:
            raise RecordLocked.from_code(answer.code, context)
        if answer.code in (MFN_OUT_OF_RANGE, *PHYSICALLY_DELETED):
            raise NoSuchRecord.from_code(answer.code, context)
        if answer.code < 0 and answer.code not in LOGICALLY_DELETED:
            raise IrbisError.from_code(answer.code, context)
        lines = answer.lines()
        if not lines and answer.code in LOGICALLY_DELETED:
            return Record(mfn=mfn, status=DELETED_BIT)
        record = _record(lines, READ, context)
        if answer.code in LOGICALLY_DELETED:
            record.status |= DELETED_BIT
        return record

    async def write(
        self, database: str, record: Record, *, lock: bool = False, actualize: bool = True
    ) -> Record:
        """Write a record (MFN 0: a new one) and return it as stored, with its new version.

        The server refuses a record locked by someone else (RecordLocked) and one changed
        since it was read (VersionConflict). A write whose answer does not come raises
        IrbisAnswerLost: it may have been stored, so it is not repeated here.
        """
        text = WIRE_DELIMITER.join(record_lines(record))
        params = [ansi(database), number(int(lock)), number(int(actualize)), utf(text)]
        answer = await self._call(WRITE, params)
        context = f"write {database} MFN {record.mfn}"
        if answer.code == RECORD_LOCKED:
            raise RecordLocked.from_code(answer.code, context)
        if answer.code == VERSION_ERROR:
            raise VersionConflict.from_code(answer.code, context)
        if answer.code in (MFN_OUT_OF_RANGE, *PHYSICALLY_DELETED):
            raise NoSuchRecord.from_code(answer.code, context)
        _check(answer, context)
        lines = answer.lines()
        if not lines:
            raise IrbisAnswerLost(f"{context}: stored, but the answer has no record", 0)
        rest = lines[1].split(SHORT_DELIMITER) if len(lines) > 1 else []
        return _record([lines[0], *rest], WRITE, context)

    async def update(
        self, database: str, mfn: int, change: Callable[[Record], bool | None]
    ) -> Record | None:
        """Read a record under its lock, let `change` edit it in place, write it back.

        This is how IRBIS's own workstations edit a record, and it keeps the lock tidy:
        `change` returning False means nothing to write (the lock is released, None is
        returned); `change` raising releases the lock too. A record someone else holds
        raises RecordLocked with nothing locked by us; a write the server refuses
        (RecordLocked, VersionConflict, any error code) or that was never sent releases
        our lock and raises. IrbisAnswerLost propagates untouched: whether the write —
        and the release that comes with it — happened is unknown, so the caller reports
        it unconfirmed and re-reads later.
        """
        try:
            record = await self.read(database, mfn, lock=True)
        except (RecordLocked, NoSuchRecord, WrongPassword):
            raise  # refused: nothing of ours is locked
        except (IrbisError, asyncio.CancelledError):
            # The server may have locked it before the answer was lost, garbled or given
            # up on: release (a lock IRBIS keeps until an administrator clears it would
            # stop the desk lending from this record).
            await self._release_surely(database, mfn)
            raise
        try:
            wanted = change(record)
        except BaseException:
            await self._release_surely(database, mfn)
            raise
        if wanted is False:
            await self._release_surely(database, mfn)
            return None
        try:
            return await self.write(database, record)
        except IrbisAnswerLost:
            raise
        except (IrbisError, asyncio.CancelledError):
            await self._release_surely(database, mfn)
            raise

    async def _release_surely(self, database: str, mfn: int) -> None:
        """Release our lock even when the task asking is being cancelled."""
        await asyncio.shield(self._release(database, mfn))

    async def _release(self, database: str, mfn: int) -> None:
        try:
            await self.unlock(database, [mfn])
        except IrbisError as exc:
            log.warning("IRBIS64 could not release %s MFN %s: %s", database, mfn, exc)

    async def unlock(self, database: str, mfns: Sequence[int]) -> None:
        """Release our locks on these records (command Q)."""
        if not mfns:
            return
        answer = await self._call(UNLOCK, [ansi(database), *(number(m) for m in mfns)])
        _check(answer, f"unlock {database} {list(mfns)[:5]}")

    async def search(
        self, database: str, expression: str, *, first: int = 1, limit: int = 0
    ) -> list[int]:
        """MFNs found by a search expression such as `"RI=12345"` (limit 0: all of them).

        The server answers in pages; this asks for the next page until it has them all.
        """
        found: list[int] = []
        start = max(1, first)
        while True:
            wanted = 0 if limit <= 0 else limit - len(found)
            params = [
                ansi(database),
                utf(expression),
                number(wanted),
                number(start),
                b"",  # no format: MFNs only
                number(0),
                number(0),
                b"",
            ]
            answer = await self._call(SEARCH, params)
            _check(answer, f"search {database}")  # what was looked for may be personal
            lines = answer.lines()
            try:
                total = int(lines[0]) if lines else 0
                page = [int(line.split("#", 1)[0]) for line in lines[1:] if line]
            except ValueError:
                raise IrbisUnavailable(f"search {database}: not a list of MFNs") from None
            found += page
            if len(found) > MAX_FOUND:
                raise IrbisUnavailable(f"search {database}: more than {MAX_FOUND} MFNs")
            start += len(page)
            if not page or start > total or (limit > 0 and len(found) >= limit):
                return found[:limit] if limit > 0 else found

    async def read_many(self, database: str, mfns: Iterable[int]) -> list[Record]:
        """Read several records, a few at a time, in the given order.

        Records that are gone (NoSuchRecord) are left out; deleted ones come back with
        `deleted` set, so a sync can drop them. Any other failure stops the rest and is
        raised.
        """
        wanted = list(mfns)
        found: list[Record | None] = [None] * len(wanted)
        turns = iter(range(len(wanted)))

        async def reader() -> None:
            for index in turns:  # the readers share one queue of positions
                with contextlib.suppress(NoSuchRecord):
                    found[index] = await self.read(database, wanted[index])

        try:
            async with asyncio.TaskGroup() as readers:
                for _ in range(min(_READ_MANY_AT_ONCE, len(wanted))):
                    readers.create_task(reader())
        except* IrbisError as failed:
            raise failed.exceptions[0] from None
        return [record for record in found if record is not None]

    async def search_read(
        self, database: str, expression: str, *, limit: int = 100
    ) -> list[Record]:
        """The records a search finds (at most `limit`), deleted ones left out."""
        mfns = await self.search(database, expression, limit=limit)
        return [r for r in await self.read_many(database, mfns) if not r.deleted]

    async def format_record(self, database: str, fmt: str, mfn: int) -> str:
        """The server's formatting of one record (`@brief`, or a format text like `v200^a`)."""
        line = ansi(fmt) if fmt.startswith("@") else utf(fmt if fmt.startswith("!") else "!" + fmt)
        answer = await self._call(FORMAT, [ansi(database), line, number(1), number(mfn)])
        _check(answer, f"format {database} MFN {mfn}")
        return answer.text().strip("\r\n")

    # --- transport --------------------------------------------------------------------

    async def _call(self, command: str, params: list[bytes]) -> Answer:
        """Send a command as a registered client; re-register once if the server forgot us."""
        await self.connect()
        used = self.client_id
        answer = await self._exchange(command, params)
        if answer.code in _FORGOTTEN:
            log.warning(
                "IRBIS64 server forgot client %s (%s); registering again", used, answer.code
            )
            async with self._register_lock:
                if self.client_id == used:  # nobody registered again meanwhile
                    self._registered = False
                    await self._register()
            answer = await self._exchange(command, params)
        return answer

    async def _exchange(self, command: str, params: list[bytes]) -> Answer:
        """One connection: send the request, read the answer until the server closes."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.timeout
        self._query_id += 1
        packet = encode_request(
            command,
            workstation=self.workstation,
            client_id=self.client_id,
            query_id=self._query_id,
            username=self.username,
            password=self._password,
            params=params,
        )
        where = f"IRBIS64 {self.host}:{self.port} command {command}"
        return await exchange(
            self.host,
            self.port,
            packet,
            command,
            deadline=deadline,
            may_change=command in _CHANGES,
            where=where,
        )


def search_term(prefix: str, value: str, *, truncate: bool = False) -> str:
    """A quoted search term from text a person typed, e.g. `search_term("RI=", ticket)`.

    Inside double quotes `+ * ^ ( )` are part of the term, not operators; IRBIS has no
    escape for a quote inside one, so quotes are dropped, as is a trailing `$` (right
    truncation is the caller's choice: `truncate=True`), and line breaks.
    """
    cleaned = " ".join(value.replace('"', " ").split()).rstrip("$").strip()
    return f'"{prefix}{cleaned}{"$" if truncate else ""}"'


def _check(answer: Answer, context: str) -> None:
    if answer.code < 0:
        raise IrbisError.from_code(answer.code, context)


def _record(lines: list[str], command: str, context: str) -> Record:
    try:
        return parse_record_lines(lines)
    except RecordFormatError as exc:
        kind = IrbisAnswerLost if command in _CHANGES else IrbisUnavailable
        raise kind(f"{context}: the record in the answer is damaged ({exc})") from None
