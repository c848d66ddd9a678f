"""`make run`'s stack: embedded PostgreSQL/Redis when the URLs are unset (data kept between runs), the user's
servers when they are set, and nothing left running after stop()."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import httpx
import psutil
import pytest

from core.settings import Settings
from launcher.llama import free_port
from launcher.stack import Stack


def _stack(var: Path, **env: str) -> Stack:
    overrides = {
        "VAR_DIR": str(var),
        "API_PORT": str(free_port()),
        # Both model roles point elsewhere: this test is about the database, the broker and the supervisor.
        "LLM_QUESTION__BASE_URLS": "http://127.0.0.1:9",
        "LLM_EVALUATOR__BASE_URLS": "http://127.0.0.1:9",
        "MEDIA_URL": "http://127.0.0.1:9",
        **env,
    }
    saved = dict(os.environ)
    for key in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(key, None)
    os.environ.update(overrides)
    try:
        settings = Settings()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    child_env = {**overrides}
    stack = Stack(settings, env_overrides=child_env, echo=False, services=["api"])
    # Children must not inherit the test session's URLs when the stack is meant to embed its own.
    if "DATABASE_URL" not in env:
        stack.env_overrides["DATABASE_URL"] = ""
    if "REDIS_URL" not in env:
        stack.env_overrides["REDIS_URL"] = ""
    return stack


def _descendants() -> set[int]:
    return {p.pid for p in psutil.Process().children(recursive=True)}


def test_embedded_services_keep_data_between_runs(tmp_path: Path) -> None:
    before = _descendants()
    email = f"{uuid.uuid4().hex}@example.com"
    first = _stack(tmp_path)
    first.start(timeout_s=120)
    try:
        assert first._pg is not None and first._redis is not None
        assert (tmp_path / "postgres" / "PG_VERSION").exists()  # the cluster lives under VAR_DIR
        assert (tmp_path / "redis" / "redis.sock").exists()
        r = httpx.post(f"{first.base_url}/api/auth/signup", json={"email": email, "password": "long enough"})
        assert r.status_code == 201, r.text
        assert httpx.get(f"{first.base_url}/api/health").json()["components"]["database"]["status"] == "ok"
    finally:
        first.stop()
    assert _descendants() - before == set(), "processes left behind after stop()"

    second = _stack(tmp_path)
    second.start(timeout_s=120)
    try:
        r = httpx.post(f"{second.base_url}/api/auth/login", json={"email": email, "password": "long enough"})
        assert r.status_code == 200, "the account from the first run is gone"
    finally:
        second.stop()
    assert _descendants() - before == set()


def test_external_urls_start_no_embedded_server(tmp_path: Path, services: dict[str, str]) -> None:
    stack = _stack(tmp_path, DATABASE_URL=services["DATABASE_URL"], REDIS_URL=services["REDIS_URL"])
    stack.start(timeout_s=120)
    try:
        assert stack._pg is None and stack._redis is None
        assert not (tmp_path / "postgres").exists() and not (tmp_path / "redis").exists()
        assert httpx.get(f"{stack.base_url}/api/health").json()["components"]["redis"]["status"] == "ok"
    finally:
        stack.stop()


@pytest.mark.parametrize("var", ["DATABASE_URL", "REDIS_URL"])
def test_bad_external_url_fails_fast_naming_it(tmp_path: Path, services: dict[str, str], var: str) -> None:
    good = {"DATABASE_URL": services["DATABASE_URL"], "REDIS_URL": services["REDIS_URL"]}
    bad = {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/x", "REDIS_URL": "redis://127.0.0.1:1/0"}
    stack = _stack(tmp_path, **{**good, var: bad[var]})
    from core.errors import ConfigError

    with pytest.raises(ConfigError) as err:
        stack.start(timeout_s=30)
    assert err.value.variable == var


def test_media_port_alone_moves_the_server_and_the_apis_calls(tmp_path: Path, services: dict[str, str]) -> None:
    """The reported bug: MEDIA_PORT=8101 started the media server on 8101 while the API kept calling 8001 (health:
    media down). With MEDIA_URL unset, both ends follow the port."""
    stack = _stack(
        tmp_path,
        DATABASE_URL=services["DATABASE_URL"],
        REDIS_URL=services["REDIS_URL"],
        MEDIA_PORT=str(free_port()),
        MEDIA_URL="",
    )
    stack.services = ["api", "media"]
    stack.start(timeout_s=120)
    try:
        deadline = time.monotonic() + 90
        media: dict[str, object] = {}
        while time.monotonic() < deadline:  # the media server may answer a moment after the API
            media = httpx.get(f"{stack.base_url}/api/health", timeout=10).json()["components"]["media"]
            if media["status"] == "ok":
                break
            time.sleep(0.5)
        assert media["status"] == "ok", media
    finally:
        stack.stop()
