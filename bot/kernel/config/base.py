"""What every configuration section shares: unknown keys are refused, values are frozen."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol, TypeVar

from pydantic import BaseModel, ConfigDict


class ConfigError(Exception):
    """A configuration problem, already phrased as one line for the operator."""


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Identified(Protocol):
    @property
    def id(self) -> str: ...


Entry = TypeVar("Entry", bound=_Identified)


def refuse_repeated_ids(entries: list[Entry]) -> list[Entry]:
    """A list of topics whose ids are all different; else the alphabetically first repeat.

    Topics are found by id (callback data, subscriptions), so two with one id would make
    the second unreachable.
    """
    ids = [entry.id for entry in entries]
    duplicated = sorted({i for i in ids if ids.count(i) > 1})
    if duplicated:
        raise ValueError(f"topic id {duplicated[0]!r} is used twice")
    return entries


def by_id(entries: Iterable[Entry], wanted: str) -> Entry | None:
    """The entry with this id, or None."""
    return next((entry for entry in entries if entry.id == wanted), None)
