"""Pick the reader for a file: by --format, else by extension, else by sniffing its start."""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from pathlib import Path

from storage.catalogue.csvfile import read_csv
from storage.catalogue.irbis import read_irbis
from storage.catalogue.marc import is_utf8, read_iso2709, read_marcxml
from storage.catalogue.records import BibRecord, SkipRecord

FORMATS = ("marc21", "rusmarc", "marcxml", "irbis", "csv")
TITLE_HEADINGS = ("title", "название", "заглавие")  # a CSV header names the title column


class UnknownFormat(Exception):
    pass


def normalise_encoding(name: str | None) -> str | None:
    """A known encoding name, MARC-8 spelled any way; UnknownFormat for anything else."""
    if not name:
        return None
    if name.replace("-", "").replace("_", "").lower() == "marc8":
        return "marc-8"
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise UnknownFormat(f"unknown encoding {name!r}; e.g. utf-8, cp1251, marc-8") from None


def _head(path: Path, size: int = 4096) -> bytes:
    with path.open("rb") as handle:
        return handle.read(size)


def sniff(path: Path) -> str:
    head = _head(path)
    text = head.lstrip(b"\xef\xbb\xbf \r\n\t")
    if text.startswith(b"<"):
        return "marcxml"
    if text.startswith(b"#") and b":" in text[:12]:
        return "irbis"
    if len(text) >= 24 and text[:5].isdigit() and b"\x1e" in head:
        return "iso2709"
    first_line = text.split(b"\n", 1)[0]
    encoding = "utf-8" if is_utf8(first_line) else "cp1251"
    heading = first_line.decode(encoding, errors="replace").lower()
    if any(word in heading for word in TITLE_HEADINGS) and (
        b"," in first_line or b";" in first_line
    ):
        return "csv"
    suffix = path.suffix.lower()
    by_suffix = {
        ".mrc": "iso2709",
        ".iso": "iso2709",
        ".xml": "marcxml",
        ".csv": "csv",
        ".txt": "irbis",
    }
    if suffix in by_suffix:
        return by_suffix[suffix]
    raise UnknownFormat(
        f"{path.name}: cannot tell the format; pass --format ({', '.join(FORMATS)})"
    )


def read_records(
    path: Path, *, format: str | None = None, encoding: str | None = None
) -> Iterator[BibRecord | SkipRecord]:
    kind = format or sniff(path)
    encoding = normalise_encoding(encoding)
    if kind in ("marc21", "rusmarc", "iso2709"):
        flavour = kind if kind != "iso2709" else None
        if _head(path, 64).lstrip().startswith(b"<"):
            return read_marcxml(path, flavour=flavour)
        return read_iso2709(path, flavour=flavour, encoding=encoding)
    if kind == "marcxml":
        return read_marcxml(path)
    if kind == "irbis":
        return read_irbis(path, encoding=encoding)
    if kind == "csv":
        return read_csv(path, encoding=encoding)
    raise UnknownFormat(f"unknown format {kind!r}; expected one of: {', '.join(FORMATS)}")
