"""`libbot run` stops on SIGTERM or Ctrl+C within a second or two, whatever it is waiting
for (#19: under systemd a stop hung while the Bot API was unreachable)."""

from __future__ import annotations

import asyncio
import signal
import socket
import time
from pathlib import Path

import pytest

from tests.test_cli import clean_env, libbot


def closed_port() -> int:
    """A port on this machine where nothing listens: connections are refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
async def test_run_stops_at_once_while_the_bot_api_is_unreachable(
    tmp_path: Path, stop_signal: signal.Signals
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(
        "[library]\nname = 'Библиотека'\n"
        "[telegram]\ntoken = '123:ABC'\n"
        f"api_server = 'http://127.0.0.1:{closed_port()}'\n",
        encoding="utf-8",
    )
    process = await asyncio.create_subprocess_exec(
        *libbot(),
        "run",
        "--config",
        str(config),
        stderr=asyncio.subprocess.PIPE,
        env=clean_env(tmp_path),
    )
    assert process.stderr is not None
    seen = b""
    try:
        async with asyncio.timeout(60):
            while b"retrying" not in seen:
                line = await process.stderr.readline()
                assert line, seen.decode()
                seen += line
        process.send_signal(stop_signal)
        asked = time.monotonic()
        _, rest = await asyncio.wait_for(process.communicate(), 30)
        took = time.monotonic() - asked
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    # Typically well under a second; the margin is for a loaded CI machine.
    assert took < 5, f"stopped {took:.1f} s after the signal"
    assert process.returncode == 0, (seen + rest).decode()
    assert b"Traceback" not in rest
