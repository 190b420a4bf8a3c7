"""This test run's scratch database name: its own, so two runs on one PostgreSQL server
never drop each other's schema. `LIBBOT_TEST_DATABASE` names it, or the process does.
(A module of its own, light to import: a test starts a second process to check it.)"""

from __future__ import annotations

import os

RUN_DATABASE_PREFIX = "libbot_test_"
POSTGRES_TEST_DATABASE = (
    os.environ.get("LIBBOT_TEST_DATABASE") or f"{RUN_DATABASE_PREFIX}{os.getpid()}"
)
