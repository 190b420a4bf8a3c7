"""Configuration mistakes stop start-up with one line that names the key."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bot.kernel.config import ConfigError, load_config, parse_config
from tests.conftest import library_config, make_config

ROOT = Path(__file__).resolve().parents[1]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_is_valid_and_documents_every_key() -> None:
    config = load_config(ROOT / "config.example.toml")
    assert config.library.timezone == "Europe/Moscow"
    assert [b.id for b in config.library.branches] == ["central", "children"]
    example = tomllib.loads((ROOT / "config.example.toml").read_text(encoding="utf-8"))
    for section, model in type(config).model_fields.items():
        if section == "base_dir":
            continue
        annotation = model.annotation
        assert section in example, f"[{section}] missing from config.example.toml"
        documented = set(example[section]) | _commented_keys(section)
        for key in annotation.model_fields:  # type: ignore[union-attr]
            assert key in documented, f"[{section}] {key} is not documented"


def _commented_keys(section: str) -> set[str]:
    """Keys shown commented out (secrets) in the example's section."""
    text = (ROOT / "config.example.toml").read_text(encoding="utf-8")
    block = text.split(f"[{section}]", 1)[1].split("\n[", 1)[0]
    return {
        line[1:].split("=")[0].strip()
        for line in block.splitlines()
        if line.startswith("# ") and " = " in line and line[2:3].isalpha() and line[2].islower()
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[library]\nname='X'\n[telegram]\ntokne='1:a'\n",
            "[telegram] tokne: unknown key; expected one of: token,",
        ),
        (
            "[library]\nname='X'\n[telegam]\n",
            "[telegam]: unknown section; expected one of: library,",
        ),
        ("[telegram]\nmode='polling'\n", "[library]: required key is missing"),
        (
            "[library]\nname='X'\n[telegram]\nmode='poling'\n",
            "[telegram] mode: Input should be 'polling' or 'webhook'",
        ),
        (
            "[library]\nname='X'\ntimezone='Europe/Moskow'\n",
            "[library] timezone: unknown time zone 'Europe/Moskow'",
        ),
        (
            "[library]\nname='X'\n[[library.branches]]\nid='a'\nname='A'\n[library.branches.hours]\nmon='10-19'\n",
            "[library] branches[0].hours.mon: expected opening hours like '10:00-19:00'",
        ),
        (
            "[library]\nname='X'\n[telegram]\ntoken='nonsense'\n",
            "[telegram] token: expected a token from @BotFather",
        ),
        (
            "[library]\nname='X'\n[telegram]\nmode='webhook'\n",
            "[telegram]: mode 'webhook' needs webhook_url",
        ),
        (
            "[library]\nname='X'\n[staff]\nadmins=['vk:abc']\n",
            "[staff] admins[0]: expected a Telegram id",
        ),
        (
            "[library]\nname='X'\n[database]\nurl='mysql://x'\n",
            "[database] url: expected 'sqlite+aiosqlite:///path'",
        ),
        (
            "[library]\nname='X'\n[vk]\ntoken='vk1.a.x'\n",
            "[vk]: a VK token needs group_id",
        ),
        (
            "[library]\nname='X'\n[vk]\ngroup_id='club123'\n",
            "[vk] group_id: Input should be a valid integer",
        ),
        (
            "[library]\nname='X'\n[vk]\napi_server='api.vk.ru'\n",
            "[vk] api_server: expected a base URL like 'https://api.vk.ru'",
        ),
        (
            "[library]\nname='X'\n[staff]\nchat_messenger='icq'\n",
            "[staff] chat_messenger: Input should be 'telegram', 'vk' or 'max'",
        ),
        ("[library\nname='X'\n", "not valid TOML"),
    ],
)
def test_mistakes_are_named_in_one_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_config(write(tmp_path, text))
    message = str(error.value)
    assert expected in message
    assert "\n" not in message


def test_missing_file_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"config file not found: .*config.example.toml"):
        load_config(tmp_path / "nope.toml")


def test_secrets_come_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LIBBOT_TELEGRAM__TOKEN", "123:from-env")
    monkeypatch.setenv("LIBBOT_DATABASE__URL", "postgresql+asyncpg://u@h/db")
    config = parse_config(
        library_config(telegram={"token": "1:from-file"}), source="t", base_dir=tmp_path
    )
    assert config.telegram.token is not None
    assert config.telegram.token.get_secret_value() == "123:from-env"
    assert config.database_url == "postgresql+asyncpg://u@h/db"
    assert "from-env" not in repr(config)


def test_config_path_from_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "[library]\nname='Из переменной'\n")
    monkeypatch.setenv("LIBBOT_CONFIG", str(path))
    assert load_config().library.name == "Из переменной"


def test_default_database_is_sqlite_beside_the_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "[library]\nname='X'\n"))
    assert (
        config.database_url
        == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'libbot-data' / 'libbot.sqlite3'}"
    )


def test_cli_reports_a_typo_without_a_traceback(tmp_path: Path) -> None:
    path = write(tmp_path, "[library]\nname='X'\n[telegram]\napi_sever='http://127.0.0.1:1'\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "[telegram] api_sever: unknown key" in lines[0]


def test_run_without_a_token_says_which_key(tmp_path: Path) -> None:
    path = write(tmp_path, "[library]\nname='X'\n")
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "libbot: [telegram] token, [vk] token or [max] token is required to run: set one in the "
        "config or LIBBOT_TELEGRAM__TOKEN / LIBBOT_VK__TOKEN / LIBBOT_MAX__TOKEN"
    )


def test_run_with_the_staff_chat_on_an_unserved_messenger_says_so(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "[library]\nname='X'\n[telegram]\ntoken='1:abc'\n"
        "[staff]\nchat_id=2000000001\nchat_messenger='vk'\n",
    )
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--config", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "libbot: [staff] chat_messenger is 'vk' but [vk] token is not set: "
        "the staff chat could not be reached"
    )


def test_the_docker_deployment_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    """deploy/config.docker.toml with the secrets deploy/libbot.env.example names."""
    deploy = Path(__file__).resolve().parents[1] / "deploy"
    for line in (deploy / "libbot.env.example").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            monkeypatch.setenv(key, value)
    monkeypatch.setenv("LIBBOT_TELEGRAM__TOKEN", "123456:valid-token")
    config = load_config(deploy / "config.docker.toml")
    assert config.telegram.mode == "webhook"
    assert config.database_url.startswith("postgresql+asyncpg://")
    assert config.redis.url == "redis://redis:6379/0"


def test_the_librarian_topic_is_always_there_and_never_listed(tmp_path: Path) -> None:
    """«Вопрос библиотекарю» carries typed questions to staff: it exists whether the
    library lists its own topics or keeps the defaults, and «Консультация» never shows it."""
    for sections in ({}, {"consultations": {"topics": [{"id": "legal", "name": "Юрист"}]}}):
        config = make_config(tmp_path, **sections)
        topic = config.consultations.topic("librarian")
        assert topic is not None
        assert topic.name == "Вопрос библиотекарю"
        assert "librarian" not in [t.id for _, t in config.consultations.listed]
