"""Shared plumbing for the benchmarks that drive the real product over HTTP (bench.api, bench.load, tests/load):
private PostgreSQL + Redis in a temporary directory, real `python -m api` processes on 127.0.0.1, users and SSE."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "bench password 1"  # noqa: S105 - throwaway accounts in a throwaway database
INTERVIEW: dict[str, Any] = {
    "role": "Backend engineer",
    "role_preset": "backend",
    "seniority": "mid",
    "language": "en",
    "job_description": "We build payment APIs in Python with PostgreSQL and Redis.",
    "resume_text": "Five years of Python; built a ledger service.",
    "num_questions": 5,
    "consent_camera": False,
    "consent_voice": False,
}


def scaled(n: float, minimum: float = 1) -> int:
    """`n` iterations (or seconds) scaled by BENCH_SCALE, which `python -m bench` sets below 1 on a machine slower
    or busier than the development machine: fewer iterations, so every module still completes."""
    scale = float(os.environ.get("BENCH_SCALE", "1") or 1)
    return max(int(minimum), round(n * min(1.0, max(0.0, scale))))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def private_services(prefix: str = "bench-") -> Iterator[dict[str, str]]:
    """Embedded PostgreSQL + Redis of this run only, migrated; yields the environment for subprocesses."""
    from launcher.embedded import EmbeddedPostgres, EmbeddedRedis

    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        pg, rd = EmbeddedPostgres(Path(tmp) / "pg"), EmbeddedRedis(Path(tmp) / "redis", persist=False)
        try:
            db_url, redis_url = pg.start(), rd.start()
            from core.db.migrate import upgrade

            upgrade(db_url)
            yield dict(
                os.environ,
                PYTHONPATH=str(ROOT),
                DATABASE_URL=db_url,
                REDIS_URL=redis_url,
                SECRET_KEY="bench-secret",  # noqa: S106
                VAR_DIR=str(Path(tmp) / "var"),
                LOG_LEVEL="WARNING",
                ENVIRONMENT="test",
                TMPDIR_BENCH=tmp,
            )
        finally:
            rd.stop()
            pg.stop()


@dataclass
class Api:
    base_url: str
    proc: subprocess.Popen[bytes]

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def rss_mib(self) -> float:
        """Resident memory of the API process (and its children), MiB."""
        import psutil

        proc = psutil.Process(self.proc.pid)
        return float(sum(p.memory_info().rss for p in [proc, *proc.children(recursive=True)]) / 2**20)


def start_api(env: dict[str, str], log: Path | None = None, **overrides: str) -> Api:
    port = free_port()
    env = {**env, "API_HOST": "127.0.0.1", "API_PORT": str(port), **overrides}
    out = log.open("ab") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "api"],
        env=env,
        cwd=ROOT,
        stdout=out,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the API exited with {proc.returncode}")
        with contextlib.suppress(httpx.HTTPError):
            httpx.get(f"{base}/api/health", timeout=5)
            return Api(base, proc)
        time.sleep(0.2)
    os.killpg(proc.pid, signal.SIGKILL)
    raise TimeoutError("the API did not start within 60 s")


async def signed_up(base_url: str, **client_args: Any) -> httpx.AsyncClient:
    client_args.setdefault("timeout", httpx.Timeout(300, connect=10))
    # Plain HTTP on 127.0.0.1: skip loading the CA store, 25 ms of the load generator's event loop per client, which
    # bench.load's arrivals otherwise add to every request in flight.
    client_args.setdefault("verify", False)
    client = httpx.AsyncClient(base_url=base_url, **client_args)
    email = f"bench-{uuid.uuid4().hex[:12]}@example.com"
    r = await client.post("/api/auth/signup", json={"email": email, "password": PASSWORD, "locale": "en"})
    r.raise_for_status()
    return client


async def sse_events(response: httpx.Response) -> AsyncIterator[tuple[str, Any]]:
    """(event, data) pairs from an SSE response; comments are skipped."""
    event, data = "message", list[str]()
    async for line in response.aiter_lines():
        if line == "":
            if data:
                yield event, json.loads("\n".join(data))
            event, data = "message", list[str]()
        elif line.startswith("event:"):
            event = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].strip())


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def row(
    benchmark: str,
    metric: str,
    value: float,
    anchor: str,
    anchor_value: float,
    target: str,
    unit: str,
    ndigits: int = 2,
) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "metric": metric,
        "value": round(value, ndigits),
        "anchor": anchor,
        "anchor_value": round(anchor_value, ndigits),
        "ratio": round(value / anchor_value, 3) if anchor_value else float("nan"),
        "target": target,
        "unit": unit,
    }


async def seed_interviews(count: int, *, camera: bool = True, voice: bool = False) -> list[tuple[uuid.UUID, uuid.UUID]]:
    """`count` users with one interview each, written straight to the database (no sign-in needed for a bench row).
    Returns (user_id, interview_id) pairs; disposes the engine so the caller's event loop can end cleanly."""
    from core.db.engine import dispose_engine, get_sessionmaker
    from core.db.models import Interview, Language, User

    seeded: list[tuple[uuid.UUID, uuid.UUID]] = []
    try:
        async with get_sessionmaker()() as session:
            for _ in range(count):
                user = User(email=f"bench-{uuid.uuid4().hex[:8]}@example.com", password_hash="x")  # noqa: S106
                session.add(user)
                await session.flush()
                interview = Interview(
                    user_id=user.id,
                    role="bench",
                    seniority="mid",
                    language=Language.en,
                    num_questions=1,
                    consent_camera=camera,
                    consent_voice=voice,
                )
                session.add(interview)
                await session.flush()
                seeded.append((user.id, interview.id))
            await session.commit()
    finally:
        await dispose_engine()
    return seeded


BACKGROUND_NICE = 10


def background(pid: int) -> None:
    """Lower every thread of process `pid` to `BACKGROUND_NICE` (Linux nice values are per thread; threads it starts
    later inherit it). For a co-located service that runs on its own host in production: it gets the CPU the measured
    processes leave idle instead of taking their turn."""
    for tid in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(ProcessLookupError):  # a thread that ended meanwhile
            os.setpriority(os.PRIO_PROCESS, int(tid), BACKGROUND_NICE)


def bench_llama(role: str, settings: Any, *, model: Path, alias: str, parallel: int, ctx: int) -> Any:
    """A real llama-server for a benchmark (not started): one thread, free port on 127.0.0.1."""
    from launcher.llama import LlamaServer

    return LlamaServer.for_role(
        role,  # type: ignore[arg-type]
        settings,
        free_port(),
        overrides={
            "LLAMA_ARG_MODEL": str(model),
            "LLAMA_ARG_ALIAS": alias,
            "LLAMA_ARG_N_PARALLEL": str(parallel),
            "LLAMA_ARG_CTX_SIZE": str(ctx),
            "LLAMA_ARG_THREADS": "1",
        },
    )
