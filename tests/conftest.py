"""Session-wide real services for the whole suite: one embedded PostgreSQL and one Redis, migrated to head.

Tests that need model servers, workers or the media server start them through fixtures in their own
`conftest.py` (shared per session), and stop every process they start.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import redis

from launcher.embedded import EmbeddedPostgres, EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent

pytest_plugins = [
    "tests.llm_fixtures",
    "tests.stack_fixtures",
]  # real llama-server fixtures (llama_tiny, llama_smol, …)


@pytest.fixture(scope="session", autouse=True)
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    base = tmp_path_factory.mktemp("services")
    pg = EmbeddedPostgres(base / "postgres")
    rd = EmbeddedRedis(base / "redis", persist=False)
    saved = dict(os.environ)
    try:
        db_url = os.environ.get("TEST_DATABASE_URL") or pg.start()
        redis_url = os.environ.get("TEST_REDIS_URL") or rd.start()
        os.environ.update(
            {
                "DATABASE_URL": db_url,
                "REDIS_URL": redis_url,
                "ENVIRONMENT": "test",
                "LOG_FORMAT": "console",
                "VAR_DIR": str(base / "var"),
                "SECRET_KEY": "test-secret",
            }
        )
        from core.settings import get_settings

        get_settings.cache_clear()
        from core.db.migrate import upgrade

        upgrade(db_url)
        yield {"DATABASE_URL": db_url, "REDIS_URL": redis_url}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        rd.stop()
        pg.stop()


@pytest.fixture(scope="session")
def service_env(services: dict[str, str]) -> dict[str, str]:
    """Environment for subprocesses (workers, API, media) pointed at the test services."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT)
    return env


@pytest.fixture
def redis_client(services: dict[str, str]) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(services["REDIS_URL"])
    yield client
    client.close()


@pytest.fixture
async def db_session(services: dict[str, str]) -> AsyncIterator[object]:
    from core.db.engine import get_sessionmaker

    async with get_sessionmaker()() as session:
        yield session


@pytest.fixture
def unique_email() -> str:
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


@pytest.fixture(scope="module", autouse=True)
def fresh_queues() -> Iterator[None]:
    """Every test module starts with empty job queues: jobs an earlier module left behind (answers submitted with no
    worker running) must not be picked up by this module's workers. Workers themselves are module-scoped."""
    # From the environment the session-wide `services` fixture set. A module that defines its own `services` fixture
    # (tests/deploy: compose services) shadows it and uses no Redis: nothing to clear.
    if "REDIS_URL" not in os.environ:
        yield
        return
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    try:
        keys = list(client.scan_iter(match="dramatiq:*", count=500))
        if keys:
            client.delete(*keys)
        yield
    finally:
        client.close()
