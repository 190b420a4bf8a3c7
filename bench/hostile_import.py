"""Hostile-import benchmark: time and peak memory of `libbot import-catalogue` on bad files.

    python bench/hostile_import.py              # 300 MB files
    python bench/hostile_import.py --mb 30      # a quick look

Issue #18 found that an ISO 2709 file without record terminators (0x1D) made the import
grow without bound (300 MB → 694 MB RSS and 125 s) before it said only «ValueError».
This writes, in a temporary directory that is removed afterwards:
  * `samples` — the real RUSMARC sample file (81 records): the figures of a normal run;
  * `no_terminators` — the same records repeated to --mb with every 0x1D removed
    (an export whose terminators were lost: one endless «record»);
  * `junk` — --mb of seeded random bytes (a 0x1D about every 256 bytes: a million
    damaged «records», each to be reported and counted, none to be imported).
Each is imported by the real command (`python -m bot import-catalogue`) in its own
process into a fresh SQLite database; its wall time, exit code, first output line and
peak RSS (`os.wait4`'s ru_maxrss of that process alone) are printed. Memory should stay
flat: the hostile files' peak within a few MB of the samples'.
The last line printed is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "marc"
SAMPLE = SHARED / "nlr_rusmarc_test1.iso"
PIECE = 1 << 20


def write_no_terminators(path: Path, megabytes: int) -> None:
    """Real records back to back with their terminators lost, to the given size."""
    body = SAMPLE.read_bytes().replace(b"\x1d", b"")
    with path.open("wb") as out:
        written = 0
        while written < megabytes * PIECE:
            out.write(body)
            written += len(body)


def write_junk(path: Path, megabytes: int) -> None:
    """Seeded random bytes, written a piece at a time (the benchmark itself stays small)."""
    rng = random.Random(20261122)
    with path.open("wb") as out:
        for _ in range(megabytes):
            out.write(rng.randbytes(PIECE))


def run_import(folder: Path, name: str, path: Path) -> dict[str, object]:
    """`libbot import-catalogue FILE` in a process of its own, into a fresh database."""
    work = folder / name
    work.mkdir()
    config = work / "config.toml"
    config.write_text(
        f"[library]\nname = 'bench'\n\n[database]\nurl = 'sqlite+aiosqlite:///{work / 'db.sqlite3'}'\n",
        encoding="utf-8",
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIBBOT_")}
    env["HOME"] = str(work)
    subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade", "--config", str(config)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    started = time.perf_counter()
    with (work / "out.txt").open("wb") as out, (work / "err.txt").open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "import-catalogue", "--config", str(config), str(path)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
        # wait4 gives this child's own rusage; RUSAGE_CHILDREN would be the largest child so far.
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
    seconds = time.perf_counter() - started
    output = (work / "out.txt").read_text(encoding="utf-8", errors="replace").splitlines()
    errors = (work / "err.txt").read_text(encoding="utf-8", errors="replace").splitlines()
    return {
        "file_mb": round(path.stat().st_size / PIECE, 1),
        "seconds": round(seconds, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # kilobytes on Linux
        "exit_code": process.returncode,
        "first_line": output[0] if output else "",
        "output_lines": len(output),
        "stderr_last": errors[-1] if errors else "",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=300, help="size of each hostile file")
    parser.add_argument(
        "--only",
        choices=("samples", "no_terminators", "junk"),
        action="append",
        help="run only these variants (repeatable; default: all three)",
    )
    args = parser.parse_args()
    variants = args.only or ["samples", "no_terminators", "junk"]
    result: dict[str, object] = {"mb": args.mb}
    with tempfile.TemporaryDirectory(prefix="libbot-hostile-") as temp:
        folder = Path(temp)
        for name in variants:
            if name == "samples":
                path = SAMPLE
            else:
                path = folder / f"{name}.mrc"
                started = time.perf_counter()
                (write_no_terminators if name == "no_terminators" else write_junk)(path, args.mb)
                print(f"{name}: wrote {args.mb} MB in {time.perf_counter() - started:.1f} s")
            figures = run_import(folder, name, path)
            if path != SAMPLE:
                path.unlink()
            result[name] = figures
            print(f"{name}: {json.dumps(figures, ensure_ascii=False)}")
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
