"""Cold-start benchmark: how long a new user waits for the first line of `libbot`.

    python bench/cold_start.py [--runs 5]

Each case runs `libbot` as a fresh child process (a clean environment, its own folder),
the way a librarian meets it: `libbot run` with a config that has no token (it must say so),
`libbot demo` with «/start» piped in (a new demo library each run), and `libbot --help`.
The clock stops at the first line on stdout or stderr, and again when the process ends.
Prints the median and the worst of each; the last line printed is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_SECONDS = 2.0


def libbot() -> list[str]:
    """The installed console script next to this Python, else `python -m bot`."""
    script = shutil.which("libbot", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "bot"]


def timed(args: list[str], folder: Path, stdin: bytes) -> tuple[float, float, str]:
    """Seconds to the first output line and to the end, and that first line."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBBOT_")}
    env["HOME"] = str(folder)
    started = time.monotonic()
    process = subprocess.Popen(
        [*libbot(), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=folder,
        env=env,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    process.stdin.write(stdin)
    process.stdin.close()
    first = process.stdout.readline()
    first_at = time.monotonic() - started
    process.stdout.read()
    process.wait(timeout=300)
    return first_at, time.monotonic() - started, first.decode("utf-8", "replace").strip()


def case(name: str, args: list[str], runs: int, stdin: bytes = b"") -> dict[str, object]:
    firsts: list[float] = []
    ends: list[float] = []
    line = ""
    for _ in range(runs):
        with tempfile.TemporaryDirectory(prefix="libbot-cold-") as tmp:
            folder = Path(tmp)
            (folder / "config.toml").write_text("[library]\nname = 'Тест'\n", encoding="utf-8")
            first, end, line = timed(args, folder, stdin)
        firsts.append(first)
        ends.append(end)
    result = {
        "first_line_median_s": round(statistics.median(firsts), 2),
        "first_line_max_s": round(max(firsts), 2),
        "exit_median_s": round(statistics.median(ends), 2),
        "first_line": line,
    }
    print(
        f"{name:<22} first line {result['first_line_median_s']:5.2f} s "
        f"(worst {result['first_line_max_s']:.2f}), ends {result['exit_median_s']:5.2f} s"
        f" — {line[:60]!r}"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each case (default: 5)")
    args = parser.parse_args()
    results = {
        "run_without_token": case("libbot run (no token)", ["run"], args.runs),
        "demo_piped_start": case("libbot demo < /start", ["demo"], args.runs, b"/start\n"),
        "help": case("libbot --help", ["--help"], args.runs),
    }
    worst = max(float(r["first_line_median_s"]) for r in results.values())  # type: ignore[arg-type]
    print(
        json.dumps(
            {
                "runs": args.runs,
                "target_first_line_s": TARGET_SECONDS,
                "within_target": worst <= TARGET_SECONDS,
                **results,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
