"""What an import did, in numbers that add up: records read, added, updated, unchanged,
withdrawn, and skipped with their reasons and a few places to look.

Staff read `headline()` first (in Russian, in the bot); the CLI prints `lines()`.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

EXAMPLES_KEPT = 20
# Reasons are counted one line each; a hostile file could make every reason different
# («unknown status 'x1'», 'x2', …), so past this many the rest share one line.
REASONS_KEPT = 100
OTHER_REASONS = "other reasons"


@dataclass
class ImportSummary:
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn_records: int = 0
    items_withdrawn: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)  # "file #12 at byte 3456: reason"
    seconds: float = 0.0
    dry_run: bool = False
    withdrawal_refused: str | None = None  # why a --full import did not withdraw anything

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    @property
    def imported(self) -> int:
        """Records the catalogue holds from these files: added, updated or already there."""
        return self.added + self.updated + self.unchanged

    def skip(self, reason: str, place: str) -> None:
        """Count a skipped record under its reason; keep the first few with their place."""
        if reason not in self.skipped and len(self.skipped) >= REASONS_KEPT:
            reason = OTHER_REASONS
        self.skipped[reason] += 1
        if len(self.examples) < EXAMPLES_KEPT:
            self.examples.append(f"{place}: {reason}")

    def headline(self) -> str:
        """The line staff read first, in their language: did the catalogue get the records?"""
        if self.dry_run:
            return (
                f"Пробный импорт (ничего не изменено): записей можно импортировать: "
                f"{self.imported}, пропущено: {self.skipped_total}"
            )
        return f"Импортировано записей: {self.imported}, пропущено: {self.skipped_total}"

    def lines(self) -> list[str]:
        verb = "would be " if self.dry_run else ""
        lines = [
            f"read {self.read} records in {self.seconds:.1f} s"
            + (f" ({self.read / self.seconds:.0f}/s)" if self.seconds > 0 else ""),
            f"{verb}added {self.added}, {verb}updated {self.updated}, unchanged {self.unchanged}",
            f"{verb}withdrawn: {self.withdrawn_records} records, {self.items_withdrawn} copies",
            f"skipped {self.skipped_total}",
        ]
        lines += [f"  {count} × {reason}" for reason, count in self.skipped.most_common()]
        lines += [f"  e.g. {example}" for example in self.examples]
        if self.skipped_total > len(self.examples) > 0:
            lines.append(f"  … and {self.skipped_total - len(self.examples)} more")
        if self.withdrawal_refused:
            lines.append(f"nothing withdrawn: {self.withdrawal_refused}")
        if self.dry_run:
            lines.append("dry run: nothing was changed")
        return lines
