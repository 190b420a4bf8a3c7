"""The fake IRBIS64 server of the tests: the one the demo runs (`bot/demo/irbis_server.py`).

See that module for what it serves and the faults it plays.
"""

from bot.demo.irbis_server import (
    DEFAULT_PREFIXES,
    DESK,
    FakeIrbis,
    Index,
    Received,
)

__all__ = ["DEFAULT_PREFIXES", "DESK", "FakeIrbis", "Index", "Received"]
