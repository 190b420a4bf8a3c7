"""One IRBIS64 request on its own TCP connection, bounded by a deadline.

Where it fails decides what the caller may assume, so each stage has its error:
no connection, or the request not wholly sent by the deadline → `IrbisUnavailable`
(the server runs a request only once all of it has come: it is length-prefixed);
sent but no answer, or the connection cut → `IrbisAnswerLost`; an answer that is not
IRBIS → `IrbisUnavailable` for a read, `IrbisAnswerLost` for a command that changes
data (it may have been carried out).
"""

from __future__ import annotations

import asyncio

from storage.irbis64.errors import IrbisAnswerLost, IrbisUnavailable
from storage.irbis64.wire import MAX_ANSWER_BYTES, Answer, GarbledAnswer, parse_answer


async def exchange(
    host: str,
    port: int,
    packet: bytes,
    command: str,
    *,
    deadline: float,
    may_change: bool,
    where: str,
) -> Answer:
    """Connect, send `packet`, read the answer until the server closes, parse it."""
    garbled = IrbisAnswerLost if may_change else IrbisUnavailable
    try:
        async with asyncio.timeout_at(deadline):
            reader, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        raise IrbisUnavailable(f"{where}: no connection in time") from None
    except OSError as exc:
        raise IrbisUnavailable(f"{where}: cannot connect ({exc})") from None
    answered = False
    try:
        try:
            async with asyncio.timeout_at(deadline):
                writer.write(packet)
                await writer.drain()
        except (TimeoutError, OSError) as exc:
            raise IrbisUnavailable(f"{where}: request not sent ({exc!r})") from None
        try:
            async with asyncio.timeout_at(deadline):
                raw = await _read_to_end(reader)
        except TimeoutError:
            raise IrbisAnswerLost(f"{where}: no answer in time") from None
        except OSError as exc:
            raise IrbisAnswerLost(f"{where}: answer lost ({exc})") from None
        except GarbledAnswer as exc:
            raise garbled(f"{where}: not an IRBIS answer ({exc})") from None
        answered = True
    finally:
        if answered:
            writer.close()  # the server has closed its side; nothing left to flush
        else:
            writer.transport.abort()  # do not wait to flush what it never read
    if not raw:
        raise IrbisAnswerLost(f"{where}: the server closed the connection without answering")
    try:
        return parse_answer(raw, command)
    except GarbledAnswer as exc:
        raise garbled(f"{where}: not an IRBIS answer ({exc})") from None


async def _read_to_end(reader: asyncio.StreamReader) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while chunk := await reader.read(65536):
        size += len(chunk)
        if size > MAX_ANSWER_BYTES:
            raise GarbledAnswer(f"answer longer than {MAX_ANSWER_BYTES} bytes")
        chunks.append(chunk)
    return b"".join(chunks)
