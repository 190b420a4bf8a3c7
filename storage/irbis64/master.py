"""IRBIS64 master files: the `.mst` records and the `.xrf` cross-reference beside them.

Libraries that can copy their database files (IBIS.MST + IBIS.XRF) get a catalogue
import without a running server. The layout, as ManagedIrbis's and PythonIrbis's
public readers describe it and the shared test files confirm (all integers 32-bit
big-endian; 64-bit offsets stored low half first):

- MST control record, 36 bytes at offset 0: reserved, next MFN (the MFN a new record
  gets), offset of the free space (low, high), type, record count, three reserved.
- XRF: 12 bytes per MFN from MFN 1: record offset in the MST (low, high) and flags
  (1 logically deleted, 2 physically deleted, 4 absent, 8 not actualized, 64 locked).
- MST record: a 32-byte leader — MFN, record length, offset of the previous version
  (low, high), base (where the field data starts), number of fields, version, status —
  then a directory of (tag, position from base, length) per field, then the field
  data in UTF-8. Older versions of a record stay in the file, chained backwards;
  the XRF points at the current one.

Reading trusts nothing in the file: every offset and length is checked against the
file's size and the record's own length before anything is read, so a damaged or
hostile file raises `MasterFileError` naming the MFN instead of hanging or allocating
what the file claims.
"""

from __future__ import annotations

import struct
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from storage.irbis64.records import (
    ABSENT,
    LAST_VERSION,
    LOGICALLY_DELETED,
    PHYSICALLY_DELETED,
    Field,
    Record,
    clean_value,
)

CONTROL = struct.Struct(">9I")
XRF_ENTRY = struct.Struct(">3I")
LEADER = struct.Struct(">8I")
DIRECTORY_ENTRY = struct.Struct(">3I")
# No real record comes near this (IRBIS64 records are tens of kilobytes at most); a
# larger length is damage, and we refuse to read it into memory.
MAX_RECORD_BYTES = 16 * 1024 * 1024


class MasterFileError(ValueError):
    """A master file that cannot be read as IRBIS64 (`mfn` says where, 0 for the file)."""

    def __init__(self, path: Path, mfn: int, problem: str, *, rest_unreadable: bool = True) -> None:
        where = f"MFN {mfn}" if mfn else "control record"
        super().__init__(f"{path.name}: {where}: {problem}")
        self.path = path
        self.mfn = mfn
        # False: only this record is damaged, the ones after it can still be read.
        self.rest_unreadable = rest_unreadable


def xrf_beside(mst_path: Path) -> Path:
    """The `.xrf` with the same name next to the `.mst`, whatever the letter case."""
    wanted = mst_path.stem.lower() + ".xrf"
    for candidate in (mst_path.with_suffix(".xrf"), mst_path.with_suffix(".XRF")):
        if candidate.is_file():
            return candidate
    if mst_path.parent.is_dir():
        for candidate in mst_path.parent.iterdir():
            if candidate.name.lower() == wanted and candidate.is_file():
                return candidate
    raise MasterFileError(mst_path, 0, f"no {mst_path.stem}.xrf beside it")


class MasterFile:
    """An open MST/XRF pair: `next_mfn`, `read(mfn)`, and iteration over the records."""

    def __init__(self, mst_path: Path) -> None:
        self.path = Path(mst_path)
        self.xrf_path = xrf_beside(self.path)
        self._mst: BinaryIO = self.path.open("rb")
        self._xrf: BinaryIO = self.xrf_path.open("rb")
        self._mst_size = self.path.stat().st_size
        self._xrf_size = self.xrf_path.stat().st_size
        head = self._mst.read(CONTROL.size)
        if len(head) < CONTROL.size:
            self.close()
            raise MasterFileError(self.path, 0, "shorter than the control record")
        control = CONTROL.unpack(head)
        self.next_mfn = control[1]
        if self.next_mfn < 1:
            self.close()
            raise MasterFileError(self.path, 0, f"next MFN {self.next_mfn} is not a record number")

    def close(self) -> None:
        self._mst.close()
        self._xrf.close()

    def __enter__(self) -> MasterFile:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __iter__(self) -> Iterator[Record]:
        return self.records()

    def records(
        self,
        *,
        include_deleted: bool = False,
        on_damaged: Callable[[MasterFileError], None] | None = None,
    ) -> Iterator[Record]:
        """Records MFN 1 … next MFN − 1; deleted ones only when asked (with `.deleted`).

        A damaged record raises MasterFileError, or — given `on_damaged` — is reported
        there and skipped; damage that leaves nothing after it readable (the XRF ends)
        is raised either way.
        """
        for mfn in range(1, self.next_mfn):
            try:
                record = self.read(mfn)
            except MasterFileError as damaged:
                if on_damaged is None or damaged.rest_unreadable:
                    raise
                on_damaged(damaged)
                continue
            if record is not None and (include_deleted or not record.deleted):
                yield record

    def read(self, mfn: int) -> Record | None:
        """The current version of a record, or None when the MFN holds no record."""
        position = (mfn - 1) * XRF_ENTRY.size
        if mfn < 1 or position + XRF_ENTRY.size > self._xrf_size:
            raise MasterFileError(self.path, mfn, "beyond the end of the XRF")
        self._xrf.seek(position)
        low, high, flags = XRF_ENTRY.unpack(self._xrf.read(XRF_ENTRY.size))
        offset = low | (high << 32)
        if flags & (PHYSICALLY_DELETED | ABSENT) or (offset == 0 and flags == 0):
            return None
        return self._record_at(mfn, offset, flags)

    def _record_at(self, mfn: int, offset: int, flags: int) -> Record:
        def damaged(problem: str) -> MasterFileError:
            return MasterFileError(self.path, mfn, problem, rest_unreadable=False)

        if offset < CONTROL.size or offset + LEADER.size > self._mst_size:
            raise damaged(f"offset {offset} outside the MST ({self._mst_size} bytes)")
        self._mst.seek(offset)
        leader = LEADER.unpack(self._mst.read(LEADER.size))
        found_mfn, length, _back_low, _back_high, base, count, version, status = leader
        if found_mfn != mfn:
            raise damaged(f"the XRF points at the record of MFN {found_mfn}")
        if count > (length - LEADER.size) // DIRECTORY_ENTRY.size:
            raise damaged(f"{count} fields do not fit in a {length}-byte record")
        if base != LEADER.size + count * DIRECTORY_ENTRY.size or base > length:
            raise damaged(f"field data starts at {base}, not after the directory")
        if length > MAX_RECORD_BYTES or offset + length > self._mst_size:
            raise damaged(f"record length {length} runs past the file or any real record")
        body = self._mst.read(length - LEADER.size)
        if len(body) != length - LEADER.size:
            raise damaged("the MST ends inside the record")
        data = memoryview(body)[base - LEADER.size :]
        fields: list[Field] = []
        for index in range(count):
            tag, start, size = DIRECTORY_ENTRY.unpack_from(body, index * DIRECTORY_ENTRY.size)
            if start + size > len(data):
                raise damaged(f"field {tag} ({start}+{size}) runs past the record")
            value = bytes(data[start : start + size]).decode("utf-8", errors="replace")
            fields.append(Field(tag, value))
        return Record(mfn=mfn, version=version, status=status | flags, fields=fields)


def read_master(
    mst_path: Path,
    *,
    include_deleted: bool = False,
    on_damaged: Callable[[MasterFileError], None] | None = None,
) -> Iterator[Record]:
    """The records of an IRBIS64 master file (its `.xrf` beside it), in MFN order.

    See `MasterFile.records` for `include_deleted` and `on_damaged`.
    """
    with MasterFile(mst_path) as master:
        yield from master.records(include_deleted=include_deleted, on_damaged=on_damaged)


def write_master(mst_path: Path, records: Iterable[Record]) -> Path:
    """Write records as a new MST/XRF pair numbered from MFN 1; returns the XRF's path.

    Each record is written once (no version chain); a logically deleted record keeps
    its flag. Enough for tests and demos, not for a database IRBIS will then update.
    """
    mst_path = Path(mst_path)
    xrf_path = mst_path.with_suffix(".XRF" if mst_path.suffix.isupper() else ".xrf")
    body = bytearray()
    xrf = bytearray()
    offset = CONTROL.size
    mfn = 0
    for mfn, record in enumerate(records, start=1):
        values = [clean_value(f.value).encode("utf-8") for f in record.fields]
        base = LEADER.size + DIRECTORY_ENTRY.size * len(values)
        length = base + sum(len(v) for v in values)
        deleted = record.status & LOGICALLY_DELETED
        body += LEADER.pack(
            mfn, length, 0, 0, base, len(values), max(record.version, 1), LAST_VERSION | deleted
        )
        position = 0
        for field, value in zip(record.fields, values, strict=True):
            body += DIRECTORY_ENTRY.pack(field.tag, position, len(value))
            position += len(value)
        body += b"".join(values)
        xrf += XRF_ENTRY.pack(offset & 0xFFFFFFFF, offset >> 32, deleted)
        offset += length
    control = CONTROL.pack(0, mfn + 1, offset & 0xFFFFFFFF, offset >> 32, 0, 0, 0, 0, 0)
    mst_path.write_bytes(control + bytes(body))
    xrf_path.write_bytes(bytes(xrf))
    return xrf_path
