"""One real API process for the abuse suite, with strict limits and its log captured to a file, the tiny question
model behind a recording proxy (to read the exact prompts), and users.

Everything a test sends that must never be logged goes into SENSITIVE; after every test, and once more when the API
has stopped (lines logged after a response), its log must contain none of it — whatever order the tests run in."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from launcher.llama import LlamaServer, free_port
from tests.api.conftest import ApiProcess, User, start_api
from tests.recording_proxy import RecordingProxy, recording_proxy

SECRET_KEY = "abuse-suite-secret-key-0123456789abcdef"
PASSWORD = "abuse password 1"
SSE_LIMIT = 3
LOGIN_LIMIT = 5
SENSITIVE: set[str] = {SECRET_KEY, PASSWORD}


def leaked_secrets(log_dir: Path) -> list[str]:
    text = "\n".join(p.read_text(errors="replace") for p in log_dir.glob("*.log"))
    assert text, "the API wrote no log at all"
    return [s[:12] + "…" for s in SENSITIVE if s and s in text]


@pytest.fixture(autouse=True)
def no_secret_logged(abuse_log: Path) -> Iterator[None]:
    yield
    if any(abuse_log.glob("*.log")):  # the API has started
        assert not (leaked := leaked_secrets(abuse_log)), f"logged: {leaked}"


@pytest.fixture(scope="session")
def abuse_proxy(llama_tiny: LlamaServer) -> Iterator[RecordingProxy]:
    with recording_proxy("127.0.0.1", llama_tiny.port) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def abuse_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("abuse-api")


@pytest.fixture(scope="session")
def abuse_api(
    service_env: dict[str, str], llama_tiny: LlamaServer, abuse_proxy: RecordingProxy, abuse_log: Path
) -> Iterator[ApiProcess]:
    server = start_api(
        {
            **service_env,
            "SECRET_KEY": SECRET_KEY,
            "LOG_LEVEL": "DEBUG",  # the most talkative level: secrets must not appear even there
            "LOG_FORMAT": "json",
            "LLM_QUESTION__BASE_URLS": abuse_proxy.base_url,
            "LLM_QUESTION__MAX_TOKENS": "48",
            "LLM_EVALUATOR__BASE_URLS": llama_tiny.base_url,
            "MEDIA_URL": f"http://127.0.0.1:{free_port()}",
            "LOGIN_RATE_LIMIT": str(LOGIN_LIMIT),
            "SSE_MAX_CONNECTIONS_PER_USER": str(SSE_LIMIT),
            "MAX_UPLOAD_BYTES": str(512 * 1024),
        },
        abuse_log,
    )
    yield server
    server.stop()
    assert not (leaked := leaked_secrets(abuse_log)), f"logged: {leaked}"


@pytest.fixture
async def make_user(abuse_api: ApiProcess) -> AsyncIterator[object]:
    clients: list[httpx.AsyncClient] = []

    async def make() -> User:
        client = httpx.AsyncClient(base_url=abuse_api.base_url, timeout=httpx.Timeout(60, connect=5))
        clients.append(client)
        email = f"abuse-{uuid.uuid4().hex[:10]}@example.com"
        r = await client.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "locale": "en"})
        assert r.status_code == 201, r.text
        return User(client, email, r.json())

    yield make
    for c in clients:
        await c.aclose()
