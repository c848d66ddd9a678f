"""Media server fixtures: the real `python -m media` subprocess on 127.0.0.1 (offline whisper STT), interviews
created directly in the database, and media tokens issued like the API does."""

from __future__ import annotations

import contextlib
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from core.media_tokens import MediaGrant, issue
from tests.conftest import ROOT

SECRET = "test-secret"  # tests/conftest.py sets SECRET_KEY to this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def whisper_dir() -> Path:
    from core.settings import Settings
    from launcher.models_whisper import provision

    target = ROOT / "var" / "models" / "whisper-base"  # git-ignored, shared with `make provision`
    provision(Settings(whisper_model_dir=target))
    return target


@pytest.fixture(scope="session")
def speech_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("audio") / "speech.wav"
    subprocess.run(
        [
            "espeak-ng",
            "-v",
            "en-us",
            "-s",
            "150",
            "-w",
            str(path),
            "Hello, my name is Alice and I love building reliable software systems.",
        ],
        check=True,
    )
    return path


@pytest.fixture(scope="session", autouse=True)
def _pin_client_ice() -> None:
    # The test process is the WebRTC client: keep its candidates on loopback too.
    from media.app import restrict_host_addresses

    restrict_host_addresses(["127.0.0.1"])


@contextlib.contextmanager
def media_process(env: dict[str, str], ready: Callable[[dict[str, Any]], bool]) -> Iterator[tuple[str, int]]:
    """`python -m media` on a free port with `env`; yields (URL, pid) once `/health` satisfies `ready`, then stops
    it."""
    port = free_port()
    env = {**env, "MEDIA_HOST": "127.0.0.1", "MEDIA_PORT": str(port)}
    proc = subprocess.Popen([sys.executable, "-m", "media"], cwd=ROOT, env=env)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"media server exited with {proc.returncode}")
            with contextlib.suppress(httpx.HTTPError):
                if ready(httpx.get(f"{base_url}/health", timeout=2).json()):
                    break
            if time.monotonic() > deadline:
                raise RuntimeError("media server did not become ready")
            time.sleep(0.3)
        yield base_url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def media_server(service_env: dict[str, str], whisper_dir: Path) -> Iterator[dict[str, object]]:
    env = dict(service_env)
    env.update(
        {
            "MEDIA_HOST_ADDRESSES": "127.0.0.1",
            "STT_PROVIDER": "whisper",
            "WHISPER_MODEL_DIR": str(whisper_dir),
            "MEDIA_FRAME_INTERVAL_S": "2",
            "MEDIA_STATUS_POLL_S": "1",
        }
    )
    env.pop("DEEPGRAM_API_KEY", None)
    with media_process(env, lambda health: health["stt"]["status"] == "ready") as (base_url, pid):
        yield {"url": base_url, "pid": pid}


InterviewFactory = Callable[..., Awaitable[dict[str, uuid.UUID]]]


@pytest.fixture
async def make_interview(services: dict[str, str]) -> InterviewFactory:
    from tests.factories import create_interview

    async def factory(*, camera: bool = True, voice: bool = True, language: str = "en") -> dict[str, uuid.UUID]:
        seeded = await create_interview(camera=camera, voice=voice, language=language)
        return {"user_id": seeded.user_id, "interview_id": seeded.interview_id, "question_id": seeded.question_id}

    return factory


def token_for(ids: dict[str, uuid.UUID], *, camera: bool = True, language: str = "en", ttl: float = 120) -> str:
    grant = MediaGrant(
        user_id=ids["user_id"],
        interview_id=ids["interview_id"],
        camera=camera,
        language=language,
        expires_at=time.time() + ttl,
    )
    return issue(SECRET, grant)
