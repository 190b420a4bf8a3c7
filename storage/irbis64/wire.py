"""The IRBIS64 packet format, client side: how a request is framed and an answer read.

A request is one TCP connection: the length of the rest in ASCII and `\\n`, then
lines ending in `\\n` — command code, workstation, command code again, client id,
query number, password, user name, three empty lines — then the command's
parameters, one a line. The server answers with lines ending in `\\r\\n` — command
code, client id, query number, the length of the rest, the server version (filled
only for registration), five empty lines — then the return code (negative is an
error) and the command's data, and closes the connection.

Header and name lines are Windows-1251 ("ANSI"); record text and search expressions
are UTF-8 (IRBIS64 2014 and later).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

ANSI = "cp1251"
UTF = "utf-8"
ANSWER_HEADER_LINES = 10
# An answer bigger than this is not an IRBIS answer to our requests (the largest are a
# search page of MFNs or one record): stop reading instead of filling memory.
MAX_ANSWER_BYTES = 32 * 1024 * 1024


class GarbledAnswer(ValueError):
    """Bytes that are not an IRBIS answer to the request that was sent."""


def ansi(text: str) -> bytes:
    return _one_line(text).encode(ANSI, errors="replace")


def utf(text: str) -> bytes:
    return _one_line(text).encode(UTF)


def number(value: int) -> bytes:
    return str(int(value)).encode("ascii")


def _one_line(text: str) -> str:
    return text.replace("\r", " ").replace("\n", " ")


def encode_request(
    command: str,
    *,
    workstation: str,
    client_id: int,
    query_id: int,
    username: str,
    password: str,
    params: Sequence[bytes],
) -> bytes:
    """The bytes of one request packet."""
    header = [
        ansi(command),
        ansi(workstation),
        ansi(command),
        number(client_id),
        number(query_id),
        ansi(password),
        ansi(username),
        b"",
        b"",
        b"",
    ]
    body = b"".join(line + b"\n" for line in [*header, *params])
    return number(len(body)) + b"\n" + body


@dataclass(frozen=True, slots=True)
class Answer:
    """A parsed answer: the return code, the server version and the data after the code."""

    command: str
    client_id: int
    query_id: int
    version: str
    code: int
    data: bytes

    def text(self) -> str:
        return self.data.decode(UTF, errors="replace")

    def lines(self, encoding: str = UTF) -> list[str]:
        """The data's lines (`\\r\\n`-separated), without the empty tail."""
        lines = self.data.decode(encoding, errors="replace").split("\r\n")
        while lines and not lines[-1]:
            lines.pop()
        return lines


def _check_length(raw: bytes, length_line: bytes) -> None:
    """A server that died while answering closes the connection mid-answer: a record cut
    short would parse, and writing it back would lose fields. The fourth line gives a
    length; the public sources agree it is there but not on what it counts (what follows
    the version line, or the whole answer), and no client we read checks it. So the
    answer is refused only when even the whole of it is shorter than that length: never
    a complete answer, whichever reading a real server follows, and every cut that
    leaves less than the length (with the reading this fake and ManagedIrbis's tests
    follow, any cut longer than the header). A line that is not a number is let pass."""
    if not length_line.strip().isdigit():
        return
    if len(raw) < int(length_line):
        raise GarbledAnswer(f"answer cut short: {len(raw)} bytes of {int(length_line)}")


def parse_answer(raw: bytes, command: str) -> Answer:
    """Parse an answer to `command`, or raise GarbledAnswer."""
    parts = raw.split(b"\r\n", ANSWER_HEADER_LINES + 1)
    if len(parts) < ANSWER_HEADER_LINES + 1:
        raise GarbledAnswer(f"answer too short ({len(raw)} bytes)")
    if parts[0].decode(ANSI, errors="replace") != command:
        raise GarbledAnswer(f"answer to command {parts[0][:20]!r}, expected {command!r}")
    try:
        client_id = int(parts[1] or b"0")
        query_id = int(parts[2] or b"0")
        code = int(parts[ANSWER_HEADER_LINES])
    except ValueError as exc:
        raise GarbledAnswer(f"not a number in the answer header: {exc}") from None
    data = parts[ANSWER_HEADER_LINES + 1] if len(parts) > ANSWER_HEADER_LINES + 1 else b""
    _check_length(raw, parts[3])
    return Answer(
        command=command,
        client_id=client_id,
        query_id=query_id,
        version=parts[4].decode(ANSI, errors="replace"),
        code=code,
        data=data,
    )
