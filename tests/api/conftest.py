"""Real API processes (`python -m api`) and a real evaluation worker, shared per session."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from launcher.llama import LlamaServer, free_port
from tests.recording_proxy import RecordingProxy, recording_proxy

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ApiProcess:
    base_url: str
    proc: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def start_api(env: dict[str, str], tmp: Path, **overrides: str) -> ApiProcess:
    port = free_port()
    env = {**env, "API_HOST": "127.0.0.1", "API_PORT": str(port), **overrides}
    log = tmp / f"api-{port}.log"
    proc = subprocess.Popen(
        [sys.executable, "-m", "api"], env=env, cwd=ROOT, stdout=log.open("wb"), stderr=subprocess.STDOUT
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"API exited: {log.read_text()[-2000:]}")
        try:
            httpx.get(f"{base}/api/health", timeout=5)
            return ApiProcess(base, proc, log)
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise TimeoutError("API did not start")


def start_worker(env: dict[str, str], tmp: Path, *args: str) -> subprocess.Popen[bytes]:
    log = tmp / f"worker-{uuid.uuid4().hex[:6]}.log"
    return subprocess.Popen(
        [sys.executable, "-m", "worker", "evaluation", "--processes", "1", "--threads", "2", *args],
        env=env,
        cwd=ROOT,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, 15)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()


@pytest.fixture(scope="session")
def question_proxy(llama_smol: LlamaServer) -> Iterator[RecordingProxy]:
    """The question model as the API sees it, through a recording proxy (to check the real prompts)."""
    with recording_proxy("127.0.0.1", llama_smol.port) as proxy:
        yield proxy


@pytest.fixture(scope="session")
def api_env(service_env: dict[str, str], llama_smol: LlamaServer, question_proxy: RecordingProxy) -> dict[str, str]:
    return {
        **service_env,
        "LLM_QUESTION__BASE_URLS": question_proxy.base_url,
        "LLM_QUESTION__MAX_TOKENS": "96",
        "LLM_EVALUATOR__BASE_URLS": llama_smol.base_url,
        "MEDIA_URL": f"http://127.0.0.1:{free_port()}",  # nothing listens: media reported down, API still works
        "LOGIN_RATE_LIMIT": "5",
    }


@pytest.fixture(scope="session")
def api(api_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    server = start_api(api_env, tmp_path_factory.mktemp("api"))
    yield server
    server.stop()


# Module scope: a worker left running would take other tests' `evaluation` jobs from the shared Redis.
@pytest.fixture(scope="module")
def eval_worker(api_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[bytes]]:
    proc = start_worker(api_env, tmp_path_factory.mktemp("worker"))
    yield proc
    stop_process(proc)


@dataclass
class SseEvent:
    event: str
    data: Any
    id: str | None = None


@dataclass
class User:
    client: httpx.AsyncClient
    email: str
    info: dict[str, Any] = field(default_factory=dict)


COMMENT = ":"  # SseEvent.event of a comment line (only with `comments=True`); its text is the data


async def iter_sse(response: httpx.Response, *, comments: bool = False) -> AsyncIterator[SseEvent]:
    event: str = "message"
    data: list[str] = []
    eid: str | None = None
    async for line in response.aiter_lines():
        if comments and line.startswith(":"):
            yield SseEvent(COMMENT, line[1:].strip())
        elif line == "":
            if data:
                yield SseEvent(event, json.loads("\n".join(data)), eid)
            event, data, eid = "message", [], None  # the next event starts
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())
        elif line.startswith("id:"):
            eid = line[3:].strip()


Consumer = Callable[[AsyncIterator[SseEvent]], Awaitable[None]]


async def listening(user: User, interview_id: str, consume: Consumer, **headers: str) -> asyncio.Task[None]:
    """Run `consume` over the interview's live events in a task; return once the server has said `: connected` —
    from then on every published event reaches `consume`, so the caller may act at once (no sleep-and-hope)."""
    connected = asyncio.Event()

    async def run() -> None:
        async with user.client.stream("GET", f"/api/interviews/{interview_id}/events", headers=headers) as resp:
            assert resp.status_code == 200, await resp.aread()
            events = iter_sse(resp, comments=True)
            async for ev in events:
                if ev.event == COMMENT and ev.data == "connected":
                    break
            connected.set()
            await consume(ev async for ev in events if ev.event != COMMENT)

    task = asyncio.create_task(run())
    ready = asyncio.create_task(connected.wait())
    await asyncio.wait({task, ready}, timeout=60, return_when=asyncio.FIRST_COMPLETED)
    if not connected.is_set():
        ready.cancel()
        if task.done():
            task.result()  # raises what went wrong
        task.cancel()
        raise AssertionError("the event stream never said ': connected'")
    return task


async def stream_question(user: User, interview_id: str) -> list[SseEvent]:
    return await stream_next(user.client, interview_id)


async def stream_next(client: httpx.AsyncClient, interview_id: str) -> list[SseEvent]:
    """The events of one `questions/next` stream, up to `done` or `error`."""
    events = []
    async with client.stream("POST", f"/api/interviews/{interview_id}/questions/next") as resp:
        assert resp.status_code == 200, await resp.aread()
        async for ev in iter_sse(resp):
            events.append(ev)
            if ev.event in ("done", "error"):
                break
    return events


NewUser = Callable[..., Any]


@pytest.fixture
async def new_user(api: ApiProcess) -> AsyncIterator[NewUser]:
    clients: list[httpx.AsyncClient] = []

    async def make(base_url: str | None = None) -> User:
        client = httpx.AsyncClient(base_url=base_url or api.base_url, timeout=httpx.Timeout(120, connect=5))
        clients.append(client)
        email = f"cand-{uuid.uuid4().hex[:10]}@example.com"
        r = await client.post("/api/auth/signup", json={"email": email, "password": "correct horse 1", "locale": "en"})
        assert r.status_code == 201, r.text
        return User(client, email, r.json())

    yield make
    for c in clients:
        await c.aclose()


INTERVIEW = {
    "role": "Backend engineer",
    "role_preset": "backend",
    "seniority": "mid",
    "language": "en",
    "job_description": "We build payment APIs in Python with PostgreSQL and Redis.",
    "resume_text": "Five years of Python; built a ledger service.",
    "num_questions": 3,
    "consent_camera": False,
    "consent_voice": True,
}
