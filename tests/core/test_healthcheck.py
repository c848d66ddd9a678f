"""`python -m core.healthcheck` as the containers run it: against a real Dramatiq worker's heartbeat in Redis, and
against a real HTTP server."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator

import dramatiq
import pytest

from core.broker import build_broker
from core.settings import get_settings


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "core.healthcheck", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def worker(services: dict[str, str]) -> Iterator[dramatiq.Worker]:
    get_settings.cache_clear()
    broker = build_broker(get_settings(), asyncio=False)
    broker.declare_queue("evaluation")
    w = dramatiq.Worker(broker, queues={"evaluation"}, worker_threads=1)
    w.start()  # emits after_worker_boot: the heartbeat starts
    try:
        yield w
    finally:
        w.stop()
        broker.close()


def test_worker_check_follows_the_heartbeat(worker: dramatiq.Worker, service_env: dict[str, str]) -> None:
    ok = _run(service_env, "worker", "evaluation")
    assert ok.returncode == 0, ok.stderr
    assert "healthy" in ok.stdout
    assert "evaluation" in ok.stdout
    other_queue = _run(service_env, "worker", "vision")
    assert other_queue.returncode == 1
    assert "no live worker heartbeat for queue 'vision'" in other_queue.stderr


def test_worker_check_fails_once_the_worker_stops(service_env: dict[str, str], services: dict[str, str]) -> None:
    get_settings.cache_clear()
    broker = build_broker(get_settings(), asyncio=False)
    broker.declare_queue("evaluation")
    w = dramatiq.Worker(broker, queues={"evaluation"}, worker_threads=1)
    w.start()
    assert _run(service_env, "worker", "evaluation").returncode == 0
    w.stop()  # the heartbeat key is deleted on shutdown
    broker.close()
    assert _run(service_env, "worker", "evaluation").returncode == 1


def test_worker_check_reports_unreachable_redis(service_env: dict[str, str]) -> None:
    env = dict(service_env, REDIS_URL="redis://127.0.0.1:1/0")
    result = _run(env, "worker", "evaluation")
    assert result.returncode == 1
    assert "cannot reach Redis" in result.stderr
    unset = {k: v for k, v in service_env.items() if k != "REDIS_URL"}
    unset["REDIS_URL"] = ""
    assert _run(unset, "worker", "evaluation").returncode == 2


class _Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/health" else 503)
        self.send_header("Content-Length", "0")
        self.end_headers()


def test_http_check(service_env: dict[str, str]) -> None:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        assert _run(service_env, "http", f"{base}/health").returncode == 0
        down = _run(service_env, "http", f"{base}/api/health")
        assert down.returncode == 1
        assert "503" in down.stderr
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()
    assert _run(service_env, "http", f"{base}/health").returncode == 1  # nothing listening any more
    assert _run(service_env, "http", "file:///etc/passwd").returncode == 2
    assert _run(service_env, "bogus").returncode == 2
