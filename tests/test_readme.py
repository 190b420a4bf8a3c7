"""The README says what the product does today: every command and option staff can type,
every privacy setting, and no «not yet» for what is built (#19: stale lines)."""

from __future__ import annotations

import argparse
import re
import tomllib
from pathlib import Path

from bot.cli import _parser

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands() -> dict[str, argparse.ArgumentParser]:
    parser = _parser()
    found: dict[str, argparse.ArgumentParser] = {}
    for action in parser._actions:  # argparse keeps its subcommands only here
        if isinstance(action, argparse._SubParsersAction):
            found.update(action.choices)
    return found


def commands_table() -> str:
    start = README.index("## Commands")
    return README[start : README.index("\n## ", start + 1)]


def test_every_command_is_in_the_commands_table() -> None:
    table = commands_table()
    missing = [name for name in commands() if f"libbot {name}" not in table]
    assert missing == []


def test_every_broadcast_option_is_in_the_commands_table() -> None:
    line = next(row for row in commands_table().splitlines() if "`libbot broadcast" in row)
    options = {
        option
        for action in commands()["broadcast"]._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--config")
    }
    assert sorted(o for o in options if o not in line) == []


def test_every_privacy_setting_is_explained() -> None:
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    section = README[README.index("## Персональные данные") :]
    assert [key for key in example["privacy"] if key not in section] == []


def test_nothing_built_is_called_not_yet() -> None:
    assert not re.search(r"Not yet: VK batches", README)
