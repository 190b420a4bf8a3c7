"""A fake IRBIS64 server on 127.0.0.1, framing requests and answers as the real one does.

It serves the tests (`tests/fakes/irbis_server.py` re-exports it) and the practice
library of `libbot demo --library-system irbis64` (`bot/demo/irbis.py`), which is why it
lives in the package: the demo must not import `tests/`.

Framing follows the public ManagedIrbis server and client sources: a request is the
length of the rest and `\\n`, then `\\n`-ended lines (command, workstation, command,
client id, query number, password, user name, three empty lines, the parameters); an
answer is `\\r\\n`-ended lines (command, client id, query number, the length of the
rest, the server version — only for registration — five empty lines, the return code,
the data), after which the connection is closed. Names are Windows-1251, record text
and search expressions UTF-8. A read answers `MFN#STATUS`, `0#VERSION`, `TAG#VALUE`
lines; a write answers the new maximal MFN as its code, then `MFN#STATUS` and one line
`0#VERSION` + `\\x1e`-separated fields.

What it serves: registration with users and passwords (-3337 a client id already
registered, -3333 an unknown user or a request from an unregistered client, -4444 a
wrong password), read (C, with the lock flag: -602 when someone else holds the lock,
-140 outside the database, -603 a logically deleted record with its text), write (D: MFN
0 is a new record; -602 locked by another client, -608 an older version than the
stored one; the lock is kept when asked, released otherwise), unlock (Q), max MFN (O,
the MFN the next record gets), search (K), format (G: `@brief` and a small subset of
the format language — `v200^a`, `'literals'`, commas; anything else is -8888, honestly
unsupported), nop (N), unregister (B).

Search uses an inverted index built from `prefixes` (a constructor argument): each
prefix names the fields (and subfield) it indexes, whole values or words, uppercased as
IRBIS's dictionary is. Expressions: `"RI=123"`, `"T=МАСТЕР$"` (right truncation),
`A * B` (and), `A + B` (or), `A ^ B` (and not), parentheses. Deleted records are not
found. Lock ownership is by client id (the desk is `DESK`): a simplification of the
real server's lock flag that lets tests tell «locked by the desk» from «locked by us».

Faults, switchable at any time:
- `timeout` — read the request, never answer;
- `deaf` — accept the connection, never read from it (the request cannot be sent);
- `drop` — close the connection after reading the request;
- `garbage` — answer bytes that are not IRBIS;
- `cut` — carry the command out, send half of the answer, close (a server that died
  while answering);
- `fault_commands` — limit the faults above to these commands (e.g. `{"D"}`), and
  `apply_before_fault` — carry a timed-out, dropped or garbled command out first (a
  write stored, its answer lost);
- `canned` — answers to send byte for byte, one per request, whatever was asked (an
  answer copied from documentation or a real server's capture);
- `wrong_password` — every registration gets -4444;
- `go_down()` / `come_up()` — stop listening / listen again on the same port;
- `forget_clients()` — a restarted server: the next request gets -3333;
- `locked(db, mfn)` / `release(db, mfn)` — the desk holds the record's lock;
- `desk_edit(db, mfn, change)` — the desk changes a record behind the client's back
  (its version goes up); `delete(db, mfn)` — the desk deletes it logically.
`requests` counts requests per command, `received` keeps them (with their raw bytes).

No dependency on ../shared: databases come from IRBIS text exchange strings
(`load_text`), Record lists (`load_records`) or a master file a test wrote
(`load_master`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from storage.irbis64.master import read_master
from storage.irbis64.records import (
    LAST_VERSION,
    LOCKED,
    LOGICALLY_DELETED,
    SHORT_DELIMITER,
    WIRE_DELIMITER,
    Record,
    RecordFormatError,
    parse_record_lines,
    records_from_exchange,
)

ANSI = "cp1251"
UTF = "utf-8"
DESK = "desk"
SERVER_VERSION = "64.2014.1"
CLIENT_TIME_LIVE = 30
INI_TEXT = "[MAIN]\r\nSTTMNU=stt.mnu\r\nDBNNAMECAT=dbnam2.mnu\r\n[PRIVATE]\r\nDBRDR=RDR"
MAX_REQUEST_BYTES = 8 * 1024 * 1024
REQUEST_READ_SECONDS = 10.0
HANG_SECONDS = 60.0  # longer than any client timeout in the tests; stop() ends it early

NOT_REGISTERED, ALREADY_REGISTERED, WRONG_PASSWORD = -3333, -3337, -4444
MFN_OUT_OF_RANGE, RECORD_LOCKED, DELETED, VERSION_ERROR = -140, -602, -603, -608
NO_DATABASE, GENERAL_ERROR, WRONG_PROTOCOL = -400, -8888, -2222


@dataclass(frozen=True)
class Index:
    """What one search prefix indexes: a field, optionally one subfield, whole or by words."""

    tag: int
    code: str | None = None
    words: bool = False


DEFAULT_PREFIXES: dict[str, tuple[Index, ...]] = {
    "RI=": (Index(30),),  # reader's ticket
    "TEL=": (Index(17),),  # reader's phone, as the desk typed it
    "IN=": (Index(910, "b"), Index(910, "h")),  # inventory number or barcode
    "HI=": (Index(910, "h"),),  # barcode
    "T=": (Index(200, "a", words=True),),  # title words
    "A=": (Index(700, "a"), Index(701, "a")),  # author's surname
    "B=": (Index(10, "a"),),  # ISBN, as catalogued
    "I=": (Index(903),),  # shelf code
}


@dataclass
class Received:
    """One request as it arrived."""

    command: str
    workstation: str
    client_id: str
    query_id: str
    username: str
    password: str
    params: list[bytes]
    raw: bytes


@dataclass
class _Database:
    records: list[Record] = field(default_factory=list)
    locks: dict[int, str] = field(default_factory=dict)  # MFN → owner client id or DESK
    index: dict[str, set[int]] = field(default_factory=dict)


class FakeIrbis:
    """An IRBIS64 server for the tests: `await FakeIrbis(...).start()`, or `async with`."""

    def __init__(
        self,
        *,
        users: Mapping[str, str] | None = None,
        prefixes: Mapping[str, Sequence[Index]] | None = None,
        page_size: int = 32000,
    ) -> None:
        self.users = dict(users if users is not None else {"librarian": "secret"})
        self.prefixes = dict(prefixes if prefixes is not None else DEFAULT_PREFIXES)
        self.page_size = page_size
        self.host = "127.0.0.1"
        self.port = 0
        self.requests: Counter[str] = Counter()
        self.received: list[Received] = []
        self.clients: dict[str, str] = {}  # client id → user name
        # faults
        self.timeout = False
        self.deaf = False
        self.drop = False
        self.garbage = False
        self.cut = False
        self.canned: list[bytes] = []  # answers to send as they are, one per request
        self.wrong_password = False
        self.fault_commands: set[str] | None = None
        self.apply_before_fault = False
        self._databases: dict[str, _Database] = {}
        self._server: asyncio.AbstractServer | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._stopping = asyncio.Event()

    # --- life -------------------------------------------------------------------------

    async def start(self) -> FakeIrbis:
        await self._listen()
        return self

    async def stop(self) -> None:
        self._stopping.set()
        await self.go_down()

    async def __aenter__(self) -> FakeIrbis:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def go_down(self) -> None:
        """Stop listening and cut the connections: the client gets «connection refused»."""
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        for writer in list(self._writers):
            writer.close()

    async def come_up(self) -> None:
        """Listen again, on the same port."""
        if self._server is None:
            await self._listen()

    @property
    def down(self) -> bool:
        return self._server is None

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(self._serve, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    # --- data -------------------------------------------------------------------------

    def load_text(self, database: str, text: str) -> list[int]:
        """Add the records of an IRBIS text export; returns their MFNs."""
        return self.load_records(database, records_from_exchange(text))

    def load_master(self, database: str, mst_path: Path) -> list[int]:
        """Add the records of an IRBIS64 master file (deleted ones stay deleted)."""
        return self.load_records(database, read_master(mst_path, include_deleted=True))

    def load_records(self, database: str, records: Iterable[Record]) -> list[int]:
        base = self._databases.setdefault(database.upper(), _Database())
        mfns = []
        for record in records:
            stored = record.copy()
            stored.mfn = len(base.records) + 1
            stored.version = max(stored.version, 1)
            stored.status &= LOGICALLY_DELETED
            base.records.append(stored)
            self._reindex(base, stored)
            mfns.append(stored.mfn)
        return mfns

    def records(self, database: str) -> list[Record]:
        """Copies of the database's records, in MFN order (for assertions)."""
        return [record.copy() for record in self._db(database).records]

    def record(self, database: str, mfn: int) -> Record:
        return self._db(database).records[mfn - 1].copy()

    def desk_edit(
        self, database: str, mfn: int, change: Callable[[Record], None] | None = None
    ) -> Record:
        """The desk changes a record (or just saves it again): its version goes up."""
        base = self._db(database)
        record = base.records[mfn - 1].copy()
        if change is not None:
            change(record)
        record.mfn = mfn
        record.version = base.records[mfn - 1].version + 1
        base.records[mfn - 1] = record
        self._reindex(base, record)
        return record.copy()

    def delete(self, database: str, mfn: int) -> None:
        """The desk deletes a record logically."""
        self.desk_edit(database, mfn, lambda record: _set_status(record, LOGICALLY_DELETED))

    def locked(self, database: str, mfn: int) -> None:
        """The desk opens the record for editing: it holds the lock until `release`."""
        self._db(database).locks[mfn] = DESK

    def release(self, database: str, mfn: int) -> None:
        self._db(database).locks.pop(mfn, None)

    def lock_owner(self, database: str, mfn: int) -> str | None:
        """Who holds the record's lock: a client id, `DESK`, or None."""
        return self._db(database).locks.get(mfn)

    def forget_clients(self) -> None:
        """As after a server restart: every registered client is unknown again."""
        self.clients.clear()

    def search_terms(self, database: str, term: str) -> list[int]:
        """The MFNs the index holds under one term (for assertions)."""
        return sorted(self._db(database).index.get(term.upper(), ()))

    def _db(self, database: str) -> _Database:
        return self._databases[database.upper()]

    def _reindex(self, base: _Database, record: Record) -> None:
        for mfns in base.index.values():
            mfns.discard(record.mfn)
        if record.deleted:
            return
        for prefix, sources in self.prefixes.items():
            for source in sources:
                for found in record.all(source.tag):
                    value = found.head if source.code is None else found.sub(source.code)
                    for term in _terms(value or "", source.words):
                        base.index.setdefault(prefix.upper() + term, set()).add(record.mfn)

    # --- the connection ---------------------------------------------------------------

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        try:
            if self.deaf:  # accept, never read: the client cannot even send its request
                await self._hang()
                return
            request = await self._read_request(reader)
            if request is None:
                return
            self.requests[request.command] += 1
            self.received.append(request)
            if self.canned:
                writer.write(self.canned.pop(0))
                await writer.drain()
                return
            faulty = self.fault_commands is None or request.command in self.fault_commands
            fault = faulty and (self.timeout or self.drop or self.garbage or self.cut)
            if fault and not self.cut and not self.apply_before_fault:
                await self._fail(writer)
                return
            answer = self._answer(request)
            if fault and self.cut:  # the server died while sending: half of the answer
                writer.write(answer[: len(answer) // 2 + 20])
                await writer.drain()
                return
            if fault:
                await self._fail(writer)
                return
            writer.write(answer)
            await writer.drain()
        except (OSError, ValueError, asyncio.IncompleteReadError, TimeoutError):
            pass  # a client that went away or sent something that is not a request
        finally:
            self._writers.discard(writer)
            writer.close()

    async def _fail(self, writer: asyncio.StreamWriter) -> None:
        if self.garbage:
            writer.write(b"HTTP/1.1 400 Bad Request\r\n\r\nnot irbis\r\n")
            await writer.drain()
        elif self.timeout:
            await self._hang()
        # drop: just close

    async def _hang(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(HANG_SECONDS):
                await self._stopping.wait()

    async def _read_request(self, reader: asyncio.StreamReader) -> Received | None:
        async with asyncio.timeout(REQUEST_READ_SECONDS):
            length_line = await reader.readuntil(b"\n")
            length = int(length_line.strip() or b"-1")
            if not 0 < length <= MAX_REQUEST_BYTES:
                return None
            body = await reader.readexactly(length)
        lines = body.split(b"\n")
        if len(lines) < 10:
            return None
        text = [line.decode(ANSI, errors="replace") for line in lines[:7]]
        params = lines[10:]
        if params and params[-1] == b"":
            params.pop()  # the newline ending the last parameter
        return Received(
            command=text[0],
            workstation=text[1],
            client_id=text[3],
            query_id=text[4],
            password=text[5],
            username=text[6],
            params=params,
            raw=length_line + body,
        )

    # --- commands ---------------------------------------------------------------------

    def _answer(self, request: Received) -> bytes:
        command = request.command
        if command == "A":
            return self._register(request)
        if request.client_id not in self.clients:
            return _packet(request, NOT_REGISTERED)
        handler = {
            "B": self._unregister,
            "C": self._read,
            "D": self._write,
            "G": self._format,
            "K": self._search,
            "N": lambda r: _packet(r, 0),
            "O": self._max_mfn,
            "Q": self._unlock,
        }.get(command)
        if handler is None:
            return _packet(request, WRONG_PROTOCOL)
        try:
            return handler(request)
        except (IndexError, ValueError, RecordFormatError):
            return _packet(request, WRONG_PROTOCOL)

    def _register(self, request: Received) -> bytes:
        if request.client_id in self.clients:
            return _packet(request, ALREADY_REGISTERED)
        username, password = _ansi(request.params[0]), _ansi(request.params[1])
        if username not in self.users:
            return _packet(request, NOT_REGISTERED)
        if self.wrong_password or self.users[username] != password:
            return _packet(request, WRONG_PASSWORD)
        self.clients[request.client_id] = username
        data = f"{CLIENT_TIME_LIVE}\r\n{INI_TEXT}\r\n".encode(ANSI)
        return _packet(request, 0, data, version=SERVER_VERSION)

    def _unregister(self, request: Received) -> bytes:
        self.clients.pop(request.client_id, None)
        return _packet(request, 0)

    def _base(self, request: Received) -> _Database | None:
        return self._databases.get(_ansi(request.params[0]).upper())

    def _max_mfn(self, request: Received) -> bytes:
        base = self._base(request)
        if base is None:
            return _packet(request, NO_DATABASE)
        return _packet(request, len(base.records) + 1)

    def _read(self, request: Received) -> bytes:
        base = self._base(request)
        if base is None:
            return _packet(request, NO_DATABASE)
        mfn, lock = int(request.params[1]), int(request.params[2] or b"0")
        if not 0 < mfn <= len(base.records):
            return _packet(request, MFN_OUT_OF_RANGE)
        owner = base.locks.get(mfn)
        if lock and owner not in (None, request.client_id):
            return _packet(request, RECORD_LOCKED)
        record = base.records[mfn - 1]
        if lock and not record.deleted:
            base.locks[mfn] = request.client_id
        status = record.status | LAST_VERSION | (LOCKED if mfn in base.locks else 0)
        lines = [f"{record.mfn}#{status}", f"0#{record.version}"]
        lines += [f"{f.tag}#{f.value}" for f in record.fields]
        data = "".join(line + "\r\n" for line in lines).encode(UTF) + b"\r\n"
        return _packet(request, DELETED if record.deleted else 0, data)

    def _write(self, request: Received) -> bytes:
        base = self._base(request)
        if base is None:
            return _packet(request, NO_DATABASE)
        lock, _actualize = int(request.params[1]), int(request.params[2])
        text = request.params[3].decode(UTF)
        record = parse_record_lines(text.split(WIRE_DELIMITER))
        if record.mfn == 0:
            record.mfn = len(base.records) + 1
            record.version = 1
            base.records.append(record)
        else:
            if record.mfn > len(base.records):
                return _packet(request, MFN_OUT_OF_RANGE)
            if base.locks.get(record.mfn) not in (None, request.client_id):
                return _packet(request, RECORD_LOCKED)
            stored = base.records[record.mfn - 1]
            if record.version != stored.version:
                return _packet(request, VERSION_ERROR)
            record.version = stored.version + 1
            base.records[record.mfn - 1] = record
        record.status &= LOGICALLY_DELETED
        if lock:
            base.locks[record.mfn] = request.client_id
        else:
            base.locks.pop(record.mfn, None)
        self._reindex(base, record)
        status = record.status | LAST_VERSION | (LOCKED if lock else 0)
        rest = SHORT_DELIMITER.join(
            [f"0#{record.version}", *(f"{f.tag}#{f.value}" for f in record.fields)]
        )
        data = f"{record.mfn}#{status}\r\n{rest}\r\n".encode(UTF)
        return _packet(request, len(base.records) + 1, data)

    def _unlock(self, request: Received) -> bytes:
        base = self._base(request)
        if base is None:
            return _packet(request, NO_DATABASE)
        for line in request.params[1:]:
            if line.strip():
                base.locks.pop(int(line), None)
        return _packet(request, 0)

    def _search(self, request: Received) -> bytes:
        base = self._base(request)
        if base is None:
            return _packet(request, NO_DATABASE)
        expression = request.params[1].decode(UTF)
        wanted, first = int(request.params[2] or b"0"), int(request.params[3] or b"1")
        try:
            found = sorted(_Search(expression, base.index).run())
        except SyntaxError:
            return _packet(request, GENERAL_ERROR)
        count = self.page_size if wanted <= 0 else min(wanted, self.page_size)
        page = found[max(first, 1) - 1 :][:count]
        data = "".join(f"{line}\r\n" for line in [len(found), *page]).encode(UTF)
        return _packet(request, 0, data)

    def _format(self, request: Received) -> bytes:
        base = self._base(request)
        if base is None:
            return _packet(request, NO_DATABASE)
        fmt = request.params[1].decode(UTF if request.params[1][:1] == b"!" else ANSI)
        mfns = [int(line) for line in request.params[3:] if line.strip()]
        texts = []
        for mfn in mfns:
            if not 0 < mfn <= len(base.records):
                return _packet(request, MFN_OUT_OF_RANGE)
            text = _format(fmt, base.records[mfn - 1])
            if text is None:
                return _packet(request, GENERAL_ERROR)
            texts.append(text)
        if len(texts) == 1:
            return _packet(request, 0, f"{texts[0]}\r\n".encode(UTF))
        lines = "".join(f"{mfn}#{text}\r\n" for mfn, text in zip(mfns, texts, strict=True))
        return _packet(request, 0, lines.encode(UTF))


def _packet(request: Received, code: int, data: bytes = b"", *, version: str = "") -> bytes:
    """An answer as the server frames it: three header lines, the length of the rest, the
    version line, five empty lines, the code, the data."""
    rest = b"\r\n" * 5 + f"{code}\r\n".encode(ANSI) + data
    head = f"{request.command}\r\n{request.client_id}\r\n{request.query_id}\r\n"
    return (head + f"{len(rest)}\r\n{version}\r\n").encode(ANSI) + rest


def _ansi(raw: bytes) -> str:
    return raw.decode(ANSI, errors="replace")


def _set_status(record: Record, bit: int) -> None:
    record.status |= bit


_WORD = re.compile(r"\w+")


def _terms(value: str, words: bool) -> list[str]:
    value = value.strip().upper()
    if not value:
        return []
    return _WORD.findall(value) if words else [value]


class _Search:
    """IRBIS search expressions over the index: terms, `*`, `+`, `^`, parentheses."""

    _TOKEN = re.compile(r'\s*("[^"]*"|\(|\)|\*|\+|\^|[^\s()*+^"]+)')

    def __init__(self, expression: str, index: Mapping[str, set[int]]) -> None:
        self.index = index
        self.tokens: list[str] = []
        position = 0
        expression = expression.strip()
        while position < len(expression):
            match = self._TOKEN.match(expression, position)
            if match is None:
                raise SyntaxError(expression)
            self.tokens.append(match.group(1))
            position = match.end()
            while position < len(expression) and expression[position].isspace():
                position += 1

    def run(self) -> set[int]:
        if not self.tokens:
            raise SyntaxError("empty expression")
        result = self._or()
        if self.tokens:
            raise SyntaxError(f"unexpected {self.tokens[0]!r}")
        return result

    def _or(self) -> set[int]:
        result = self._and()
        while self.tokens and self.tokens[0] == "+":
            self.tokens.pop(0)
            result = result | self._and()
        return result

    def _and(self) -> set[int]:
        result = self._term()
        while self.tokens and self.tokens[0] in ("*", "^"):
            operator = self.tokens.pop(0)
            other = self._term()
            result = result & other if operator == "*" else result - other
        return result

    def _term(self) -> set[int]:
        if not self.tokens:
            raise SyntaxError("expression ends too early")
        token = self.tokens.pop(0)
        if token == "(":
            result = self._or()
            if not self.tokens or self.tokens.pop(0) != ")":
                raise SyntaxError("no closing parenthesis")
            return result
        if token in (")", "*", "+", "^"):
            raise SyntaxError(f"unexpected {token!r}")
        term = token.strip('"').strip().upper()
        if term.endswith("$"):
            stem = term[:-1]
            return {mfn for key, mfns in self.index.items() if key.startswith(stem) for mfn in mfns}
        return set(self.index.get(term, ()))


_FORMAT_ITEM = re.compile(r"\s*(?:v(\d+)(?:\^(\w))?|'([^']*)')\s*(?:,|$)", re.IGNORECASE)


def _format(fmt: str, record: Record) -> str | None:
    """`@brief` or a format of `vTAG`, `vTAG^X` and `'literal'` items; None: unsupported."""
    fmt = fmt.lstrip("!").strip()
    if fmt.lower() == "@brief":
        author, title = record.fv(700, "a"), record.fv(200, "a") or ""
        return f"{author}. {title}" if author else title
    if fmt.startswith("@"):
        return None
    out: list[str] = []
    position = 0
    while position < len(fmt):
        match = _FORMAT_ITEM.match(fmt, position)
        if match is None or match.end() == position:
            return None
        tag, code, literal = match.groups()
        if literal is not None:
            out.append(literal)
        else:
            value = record.fv(int(tag), code)
            out.append(value or "")
        position = match.end()
    return "".join(out)
