"""User text lives in the locale files, complete in both languages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.kernel.i18n import Locales, Markup, normalise_label

ROOT = Path(__file__).resolve().parents[1]
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def test_russian_and_english_have_the_same_messages() -> None:
    locales = Locales()
    assert locales.keys["ru"] == locales.keys["en"]


def _literal_keys() -> set[str]:
    """Every texts("…") / key="…" literal used by the code."""
    keys: set[str] = set()
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("bot/**/*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "texts"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                keys.add(node.args[0].value)
            if (
                isinstance(node, ast.keyword)
                and node.arg == "key"
                and isinstance(node.value, ast.Constant)
            ):
                keys.add(node.value.value)
    return keys


def test_every_key_the_code_uses_exists() -> None:
    known = Locales().keys["ru"]
    missing = _literal_keys() - known
    assert not missing


@pytest.mark.parametrize(
    "path",
    sorted([*ROOT.glob("handlers/*.py"), *ROOT.glob("broadcasts/views/*.py")]),
    ids=lambda p: p.name,
)
def test_handlers_hold_no_user_facing_literals(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and CYRILLIC.search(node.value)
    ]
    assert not literals


def test_arguments_are_escaped_but_markup_is_not() -> None:
    texts = Locales().texts("ru")
    assert "&lt;b&gt;" in texts("catalogue-nothing", query="<b>")
    assert "<b>x</b>" in texts("catalogue-nothing", query=Markup("<b>x</b>"))


def test_russian_plural_and_fallback_to_russian() -> None:
    locales = Locales()
    assert locales.texts("de")("menu-about") == locales.texts("ru")("menu-about")


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("о библиотеке", "ℹ️ О библиотеке"),
        ("  О   БИБЛИОТЕКЕ ", "ℹ️ О библиотеке"),
        ("найти книгу", "🔎 Найти книгу"),
    ],
)
def test_typed_labels_match_buttons(typed: str, label: str) -> None:
    assert normalise_label(typed) == normalise_label(label)
