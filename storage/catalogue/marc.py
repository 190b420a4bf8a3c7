"""MARC 21 and RUSMARC files (ISO 2709 or MARCXML) read with pymarc.

Encoding of ISO 2709 files is detected from the bytes, because leaders lie: a Russian
export often says MARC-8 (leader/09 blank) while the data is CP1251. A damaged record
becomes a SkipRecord that says what is wrong and where; reading goes on after it.
What a record means (its flavour, title, copies) is `marc_records`' part.
"""

from __future__ import annotations

import codecs
import warnings
import xml.sax
import xml.sax.handler
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pymarc

from storage.catalogue.marc_records import convert
from storage.catalogue.records import BibRecord, SkipRecord

RECORD_END = b"\x1d"
ENCODINGS = ("utf-8", "cp1251", "marc-8")


def is_utf8(sample: bytes) -> bool:
    """Whether a sample (possibly cut mid-character at its end) is UTF-8."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """UTF-8 if the bytes decode as UTF-8; MARC-8 if they use its escapes; else CP1251."""
    if is_utf8(sample):
        return "utf-8"
    if b"\x1b(N" in sample or b"\x1b$1" in sample or b"\x1b(B" in sample:
        return "marc-8"
    return "cp1251"


def parse_raw(raw: bytes, encoding: str) -> pymarc.Record:
    """Parse one ISO 2709 record in a known encoding, whatever its leader claims."""
    if encoding == "utf-8":
        options = {"force_utf8": True}
    else:
        # Leader/09 'a' would make pymarc decode as UTF-8: tell it the truth instead.
        raw = raw[:9] + b" " + raw[10:]
        options = {"file_encoding": "iso8859-1" if encoding == "marc-8" else encoding}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # odd subfield codes are repaired by pymarc
        return pymarc.Record(data=raw, to_unicode=True, **options)


MAX_RECORD = 99_999  # ISO 2709: five digits of record length, the terminator included
READ_SIZE = 1 << 16
LEADER = 24
BLANK = b"\r\n \x00\x1a"  # line breaks, padding and a DOS end-of-file between records
OVERLONG = (
    f"damaged record: no record terminator within {MAX_RECORD:,} bytes "
    "(the ISO 2709 maximum); skipped to the next terminator"
)


def _frames(stream: BinaryIO) -> Iterator[tuple[int, bytes] | SkipRecord]:
    """Each record's bytes (terminator left off) with its byte offset, read in small pieces.

    The terminator is looked for at most MAX_RECORD bytes past a record's start: a record
    without one there cannot be ISO 2709, so it becomes a SkipRecord and reading resumes
    after the next terminator. Memory stays under MAX_RECORD + READ_SIZE whatever the file
    holds; a file without terminators once grew the import past twice its size (#18).
    The last record may lack its terminator: the parser judges it by its leader.
    """
    buffer = b""
    base = 0  # file offset of buffer[0]
    start = 0  # where the current record starts in buffer (or the search resumes, skipping)
    skipping = False
    while True:
        limit = len(buffer) if skipping else min(len(buffer), start + MAX_RECORD)
        end = buffer.find(RECORD_END, start, limit)
        if end >= 0:
            if not skipping:
                yield base + start, buffer[start:end]
            skipping = False
            start = end + 1
            continue
        if skipping:
            start = len(buffer)
        elif len(buffer) - start >= MAX_RECORD:
            yield SkipRecord(OVERLONG, where=f"byte {base + start}")
            skipping = True
            start += MAX_RECORD  # searched already
        block = stream.read(READ_SIZE)
        if not block:
            if not skipping and start < len(buffer):
                yield base + start, buffer[start:]
            return
        base += start
        buffer = buffer[start:] + block
        start = 0


def _framing_problem(raw: bytes) -> str | None:
    """What is wrong with a record's leader before pymarc sees it (pymarc needs the length)."""
    if len(raw) < LEADER:
        return f"damaged record: shorter than its {LEADER}-byte leader"
    if not raw[:5].isdigit():
        return "damaged record: the leader's record length is not 5 digits"
    return None


def _diagnosis(raw: bytes, exc: Exception, encoding: str) -> str:
    """Why pymarc refused a record, in words that say what is wrong with the file."""
    base = raw[12:17]
    if int(raw[:5]) > len(raw) + 1:
        return "damaged record: truncated (shorter than its leader says)"
    if not base.isdigit() or not LEADER < int(base) <= len(raw):
        return "damaged record: the leader's base address of data is outside the record"
    directory = raw[LEADER : int(base) - 1]
    if len(directory) % 12 or not all(
        directory[entry + 3 : entry + 12].isdigit() for entry in range(0, len(directory), 12)
    ):
        return "damaged record: its directory is damaged"
    if isinstance(exc, UnicodeDecodeError):
        return f"damaged record: its text is not {encoding} (see --encoding)"
    return f"damaged record: unreadable ({type(exc).__name__})"


def read_iso2709(
    path: Path, *, flavour: str | None = None, encoding: str | None = None
) -> Iterator[BibRecord | SkipRecord]:
    """Records of an ISO 2709 file; a damaged one becomes a SkipRecord with the reason.

    Each SkipRecord says where: the record's number and its byte offset (`dd skip=`,
    a hex viewer), so the exporting system's record can be found.
    """
    if encoding is None:
        with path.open("rb") as handle:
            encoding = detect_encoding(handle.read(200_000))
    number = 0
    with path.open("rb") as handle:
        for frame in _frames(handle):
            number += 1
            if isinstance(frame, SkipRecord):
                frame.where = f"#{number} at {frame.where}"
                yield frame
                continue
            offset, chunk = frame
            if not chunk.strip(BLANK):
                number -= 1
                continue
            raw = chunk.lstrip(b"\r\n")
            where = f"#{number} at byte {offset + len(chunk) - len(raw)}"
            problem = _framing_problem(raw)
            if problem:
                yield SkipRecord(problem, where=where)
                continue
            try:
                record = parse_raw(raw + RECORD_END, encoding)
            except (
                pymarc.exceptions.PymarcException,
                ValueError,
                UnicodeDecodeError,
                IndexError,
            ) as exc:
                yield SkipRecord(_diagnosis(raw, exc, encoding), where=where)
                continue
            try:
                yield convert(record, flavour)
            except SkipRecord as skip:
                skip.where = where
                yield skip


def read_marcxml(path: Path, *, flavour: str | None = None) -> Iterator[BibRecord | SkipRecord]:
    """Records of a MARCXML file, parsed as a stream (pymarc's SAX handler)."""
    pending: list[pymarc.Record] = []
    handler = pymarc.XmlHandler()
    handler.process_record = pending.append  # type: ignore[method-assign]
    parser = xml.sax.make_parser()
    parser.setContentHandler(handler)
    parser.setFeature(xml.sax.handler.feature_namespaces, 1)
    try:
        with path.open("rb") as stream:
            while block := stream.read(1 << 16):
                parser.feed(block)
                yield from _converted(pending, flavour)
            parser.close()
    except xml.sax.SAXException as exc:
        yield SkipRecord(f"not well-formed MARCXML: {exc.getMessage()}")
    yield from _converted(pending, flavour)


def _converted(
    pending: list[pymarc.Record], flavour: str | None
) -> Iterator[BibRecord | SkipRecord]:
    while pending:
        record = pending.pop(0)
        try:
            yield convert(record, flavour)
        except SkipRecord as skip:
            yield skip
