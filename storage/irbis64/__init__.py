"""IRBIS64, the library system most Russian municipal libraries run: its TCP protocol,
its records and its master files (the foundation of the `irbis64` library-system
connector, which lives in `storage/circulation/irbis/`).

Why our own client and not `cbsvibpyirbis`
------------------------------------------
`cbsvibpyirbis` (MIT, the PyPI port of ManagedIrbis) speaks the protocol, but its
`Connection` uses blocking sockets with no timeout (`socket.connect`, one `send` that
may not send a long record whole, `recv` until the server closes), so a server that
accepts and never answers would hang a worker thread forever, and every call would
need a thread to keep the event loop free; its `*_async` methods pass `loop=` to
`asyncio.open_connection`, which Python 3.10 removed; its `read_record` cannot ask for
the record lock (it sends a version number there); errors come back as return values
(None, `False`, 0), not exceptions we could act on. The protocol is
small — one TCP connection per request, a dozen header lines, a return code — so this
package speaks it directly over `asyncio.open_connection`, with one deadline per call,
and turns every failure into an exception the connector can act on. The wire format
follows the public ManagedIrbis / PythonIrbis sources and documentation (request and
answer framing, command codes, error codes); no code was taken from them.

The client (`Irbis64Client`, `storage/irbis64/client.py`)
----------------------------------------------------------
One TCP connection a call (`transport.py`), framed as `wire.py` describes.

    async with Irbis64Client(host, 6666, "librarian", "secret", workstation="C",
                             timeout=10.0) as irbis:
        mfns = await irbis.search("RDR", '"RI=12345"')        # → [MFN, …]
        reader = await irbis.read("RDR", mfns[0], lock=True)  # → Record, locked for us
        loan = reader.all(40)[0]
        reader.replace_field(loan, loan.with_sub("e", "20260115"))
        stored = await irbis.write("RDR", reader)             # → Record, new version; unlocks
        await irbis.unlock("RDR", [reader.mfn])  # only when we read with lock and gave up

- `connect()` registers (command A), idempotent; `close()` unregisters (B), never raises.
- `max_mfn(db)` → the MFN the next new record gets (records are 1 … max_mfn − 1).
- `read(db, mfn, *, lock=False)` → `Record` (a logically deleted one has `.deleted`).
- `write(db, record, *, lock=False, actualize=True)` → the record as stored (new
  `version`); `record.mfn == 0` creates a record. The server keeps record versions: a
  record changed since it was read → `VersionConflict`; locked by another client →
  `RecordLocked`.
- `search_term(prefix, value, *, truncate=False)` → `'"RI=12345"'` from text a person
  typed, its quotes and `$` made inert: build every expression from it.
- `update(db, mfn, change)` → read under lock, `change(record)` edits in place (return
  False: nothing to write), write back; the lock is released on every path except a
  lost answer. The safe way to edit a reader record the desk may be editing too.
- `unlock(db, mfns)`, `search(db, expression, *, first=1, limit=0)` → MFNs (all pages),
  `read_many(db, mfns)` → records (gone ones left out), `search_read(db, expression,
  *, limit=100)` → non-deleted records, `format_record(db, fmt, mfn)` → text, `nop()`.

Every call is bounded by `timeout` (connect + send + answer together). Errors
(`storage/irbis64/errors.py`), all `IrbisError` with `.code` (the server's negative
return code, 0 when there was none):

- `IrbisUnavailable` — could not connect, timed out before the request was fully sent,
  or a read got an answer that is not IRBIS. Nothing happened on the server.
- `IrbisAnswerLost` — the request was sent and no (readable) answer came in time. A
  write may have been stored: report it unconfirmed, re-read before any retry.
- `NO_ANSWER` = `(IrbisUnavailable, IrbisAnswerLost)`: catch it where any missing
  answer means the same (live availability falling back to the nightly index).
- `WrongPassword` (-4444, or unknown user at registration), `RecordLocked` (-602),
  `VersionConflict` (-608), `NoSuchRecord` (-140, physically deleted).
A server that forgot the client (-3333, e.g. after a restart) is registered with again
once, automatically, and the request repeated (the server did not run it).

Records (`storage/irbis64/records.py`)
--------------------------------------
`Field(tag, value)` — immutable; `value` is field text with `^a…^b…` subfields;
`.sub(code)` (case-insensitive), `.subfields()`, `.with_sub(code, value)` → copy,
`.without_sub(code)`, `.head` (text before the first `^`).
`Record(mfn, version, status, fields)` — `.all(tag)`, `.first(tag)`, `.fv(tag, code=None)`,
`.add(tag, value)`, `.replace_field(old, new)`, `.copy()`, `.deleted`, `.locked`.
Text forms: `record_lines` / `parse_record_lines` (the wire's `MFN#STATUS`, `0#VERSION`,
`TAG#VALUE`), `parse_exchange` / `records_from_exchange` / `to_exchange` (the
`#TAG: value` … `*****` text export).

Master files (`storage/irbis64/master.py`)
------------------------------------------
`read_master(path)` yields the records of an IRBIS64 `.mst` with its `.xrf` beside it
(deleted ones skipped unless asked for); a damaged file raises `MasterFileError` naming
the MFN, or with `on_damaged=callback` a damaged record is reported and skipped (damage
nothing after can be read past, such as a short XRF, is raised either way).
`write_master(path, records)` writes a pair (for tests and for the fake server).
"""

from storage.irbis64.client import Irbis64Client, search_term
from storage.irbis64.errors import (
    NO_ANSWER,
    IrbisAnswerLost,
    IrbisError,
    IrbisUnavailable,
    NoSuchRecord,
    RecordLocked,
    VersionConflict,
    WrongPassword,
)
from storage.irbis64.records import Field, Record

__all__ = [
    "NO_ANSWER",
    "Field",
    "Irbis64Client",
    "IrbisAnswerLost",
    "IrbisError",
    "IrbisUnavailable",
    "NoSuchRecord",
    "Record",
    "RecordLocked",
    "VersionConflict",
    "WrongPassword",
    "search_term",
]
