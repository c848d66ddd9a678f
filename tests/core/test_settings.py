"""Settings: `.env.example` documents every variable with its real default; bad values fail in one line."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.errors import ConfigError
from core.llm import role_base_urls
from core.preflight import check_database, check_redis
from core.settings import ROOT_DIR, LLMRoleSettings, Settings

EXAMPLE = ROOT_DIR / ".env.example"


def _documented() -> dict[str, str]:
    out = {}
    for line in EXAMPLE.read_text().splitlines():
        if line and not line.startswith("#") and "=" in line:
            name, _, value = line.partition("=")
            out[name.strip()] = value.strip()
    return out


def _expected_names() -> set[str]:
    names = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, LLMRoleSettings):
            names |= {f"{name.upper()}__{sub.upper()}" for sub in annotation.model_fields}
        else:
            names.add(name.upper())
    return names


def test_every_setting_is_documented_and_nothing_else() -> None:
    documented = set(_documented())
    expected = _expected_names()
    assert expected - documented == set(), "add these to .env.example"
    assert documented - expected == set(), "these are not settings (comment them out or remove them)"


def test_documented_defaults_are_the_real_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in list(os.environ):
        if key.upper() in _expected_names() or "__" in key:
            monkeypatch.delenv(key)
    from_example = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    defaults = Settings(_env_file=None)  # type: ignore[call-arg]
    assert from_example.model_dump() == defaults.model_dump()


def test_nested_group_keeps_its_defaults_when_one_variable_is_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LLM_EVALUATOR__BASE_URLS", "http://a:1, http://b:2")
    s = Settings(_env_file=None)  # type: ignore[call-arg]
    assert s.llm_evaluator.base_urls == ["http://a:1", "http://b:2"]
    assert s.llm_evaluator.temperature == 0.1 and s.llm_evaluator.max_tokens == 1100


def _run(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    return subprocess.run(
        [sys.executable, *args], env={**clean, "PYTHONPATH": str(ROOT_DIR), **env}, capture_output=True, text=True,
        timeout=60, cwd=Path(ROOT_DIR),
    )  # fmt: skip


def test_unparsable_database_url_is_one_line_naming_the_variable() -> None:
    result = _run("-m", "api", DATABASE_URL="mysql://nope", REDIS_URL="redis://127.0.0.1:1")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "api: configuration error: DATABASE_URL: unsupported scheme 'mysql' (expected postgresql://)"
    ]


def test_unreachable_redis_is_one_line_naming_the_variable(services: dict[str, str]) -> None:
    for entry in (["-m", "api"], ["-m", "worker", "evaluation"]):
        result = _run(*entry, DATABASE_URL=services["DATABASE_URL"], REDIS_URL="redis://127.0.0.1:1/0")
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and ": configuration error: REDIS_URL: cannot reach Redis" in lines[0]
        assert "Traceback" not in result.stderr


def test_unreachable_database_names_the_variable() -> None:
    s = Settings(_env_file=None, database_url="postgresql://u:secret@127.0.0.1:1/db")  # type: ignore[call-arg]
    with pytest.raises(ConfigError) as err:
        check_database(s)
    assert err.value.variable == "DATABASE_URL" and "secret" not in str(err.value)
    with pytest.raises(ConfigError, match="REDIS_URL"):
        check_redis(Settings(_env_file=None, redis_url="redis://127.0.0.1:1"))  # type: ignore[call-arg]


def _clean_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> Settings:
    for key in list(os.environ):
        if key.upper() in _expected_names() or "__" in key:
            monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return Settings(_env_file=None)  # type: ignore[call-arg]


def test_local_urls_follow_their_ports_unless_set(monkeypatch: pytest.MonkeyPatch) -> None:
    # The reported bug: MEDIA_PORT=8101 started the media server on 8101, the API kept calling 8001.
    moved = _clean_settings(monkeypatch, MEDIA_PORT="8101", API_PORT="8100", LLAMA_QUESTION_PORT="9101")
    assert moved.media_url == "http://127.0.0.1:8101"
    assert moved.api_url == "http://127.0.0.1:8100"
    assert role_base_urls("question", moved) == ["http://127.0.0.1:9101"]
    assert role_base_urls("evaluator", moved) == ["http://127.0.0.1:8082"]
    assert moved.llama_port("question") == 9101  # what the launcher starts (tests/model_servers/test_launcher.py)

    wildcard = _clean_settings(monkeypatch, MEDIA_HOST="0.0.0.0", MEDIA_PORT="8101", API_HOST="::")
    assert wildcard.media_url == "http://127.0.0.1:8101"
    assert wildcard.api_url == "http://[::1]:8000"

    explicit = _clean_settings(
        monkeypatch, MEDIA_PORT="8101", MEDIA_URL="http://media:8001", LLM_QUESTION__BASE_URLS="http://llm:8080"
    )
    assert explicit.media_url == "http://media:8001"  # another host: set, never derived
    assert role_base_urls("question", explicit) == ["http://llm:8080"]


def test_frontend_dev_proxy_defaults_to_the_api_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """`npm run dev` proxies /api to REHEARSAL_API_URL, else to a default that must be where the API listens by
    default (a different API_PORT needs REHEARSAL_API_URL: the launcher does not run Vite)."""
    vite = (ROOT_DIR / "frontend" / "vite.config.ts").read_text()
    default = re.search(r"REHEARSAL_API_URL\s*\?\?\s*['\"]([^'\"]+)['\"]", vite)
    assert default, "vite.config.ts no longer names its API target default"
    assert default.group(1) == _clean_settings(monkeypatch).api_url
