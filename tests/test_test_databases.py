"""Two test runs on one PostgreSQL server never drop each other's schema (#18, finding 8)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.run_database import POSTGRES_TEST_DATABASE, RUN_DATABASE_PREFIX

ROOT = Path(__file__).resolve().parents[1]


def database_of_another_run(**env: str) -> str:
    """The scratch database name a second test process on this machine would use."""
    script = "from tests.run_database import POSTGRES_TEST_DATABASE as d; print(d)"
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin", **env},
    )
    return done.stdout.strip()


def test_another_run_gets_its_own_database() -> None:
    other = database_of_another_run()
    assert other.startswith(RUN_DATABASE_PREFIX)
    assert other != POSTGRES_TEST_DATABASE


def test_the_database_name_can_be_chosen() -> None:
    assert database_of_another_run(LIBBOT_TEST_DATABASE="libbot_ci_42") == "libbot_ci_42"
