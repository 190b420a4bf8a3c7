"""The layer contract in pyproject.toml holds: imports run one way, from the app down
through the conversation, the notices and storage to the shared kernel, with no circles
inside a package. A change that breaks it fails here with import-linter's explanation."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[1]


def test_imports_run_one_way(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(ROOT)
    monkeypatch.syspath_prepend(str(ROOT))
    exit_code = lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "BROKEN" not in report
