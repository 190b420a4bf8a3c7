"""The layer contract in pyproject.toml holds: imports run one way, from the app down
through the conversation, the notices and storage to the shared kernel, with no circles
inside a package. A change that breaks it fails here with import-linter's explanation.

import-linter runs in its own process: it configures logging on start (`dictConfig`), which
would switch off every logger of this test process.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_imports_run_one_way() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint_imports), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "BROKEN" not in done.stdout
