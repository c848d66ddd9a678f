"""core/metrics.py on a real FastAPI app over real HTTP (uvicorn on 127.0.0.1): latency by route template,
SSE streaming untouched, request ids, and Dramatiq queue depth read from the real Redis."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import redis
import uvicorn
from fastapi import FastAPI
from fastapi.responses import StreamingResponse
from prometheus_client import CollectorRegistry

from core.metrics import instrument_app


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def served(services: dict[str, str]) -> Iterator[tuple[str, CollectorRegistry]]:
    registry = CollectorRegistry()
    app = FastAPI()

    @app.get("/api/interviews/{interview_id}")
    async def get_interview(interview_id: str) -> dict[str, str]:
        return {"id": interview_id}

    @app.get("/api/boom")
    async def boom() -> None:
        raise RuntimeError("boom")

    @app.get("/api/events")
    async def events() -> StreamingResponse:
        async def gen() -> AsyncIterator[bytes]:
            for i in range(3):
                yield f"id: {i}\ndata: tick\n\n".encode()
                await asyncio.sleep(0.05)

        return StreamingResponse(gen(), media_type="text/event-stream")

    instrument_app(app, registry=registry, queue_depth_redis_url=services["REDIS_URL"], queues=["evaluation"])
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}", registry
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _sample(registry: CollectorRegistry, name: str, labels: dict[str, str]) -> float:
    value = registry.get_sample_value(name, labels)
    return value or 0.0


def test_latency_is_labelled_by_route_template(served: tuple[str, CollectorRegistry]) -> None:
    base, registry = served
    labels = {"method": "GET", "route": "/api/interviews/{interview_id}", "status": "200"}
    before = _sample(registry, "rehearsal_http_request_duration_seconds_count", labels)
    for i in range(3):
        assert httpx.get(f"{base}/api/interviews/{i}").status_code == 200
    assert _sample(registry, "rehearsal_http_request_duration_seconds_count", labels) == before + 3
    body = httpx.get(f"{base}/api/metrics").text
    assert 'route="/api/interviews/{interview_id}"' in body
    assert "/api/interviews/1" not in body  # concrete paths never become labels
    httpx.get(f"{base}/no/such/path")
    assert (
        _sample(registry, "rehearsal_http_requests_total", {"method": "GET", "route": "<unmatched>", "status": "404"})
        >= 1
    )


def test_errors_are_counted_as_500(served: tuple[str, CollectorRegistry]) -> None:
    base, registry = served
    with httpx.Client() as client:
        response = client.get(f"{base}/api/boom")
    assert response.status_code == 500
    assert (
        _sample(registry, "rehearsal_http_requests_total", {"method": "GET", "route": "/api/boom", "status": "500"})
        >= 1
    )


def test_event_streams_are_not_buffered(served: tuple[str, CollectorRegistry]) -> None:
    base, registry = served
    chunks: list[str] = []
    with httpx.stream("GET", f"{base}/api/events") as response:
        assert response.headers["content-type"].startswith("text/event-stream")
        for chunk in response.iter_text():
            chunks.append(chunk)
    assert "".join(chunks).count("data: tick") == 3
    assert len(chunks) >= 2, "events arrived one by one, not as one buffered body"
    labels = {"method": "GET", "route": "/api/events", "status": "200"}
    assert _sample(registry, "rehearsal_http_request_duration_seconds_count", labels) >= 1


def test_request_id_is_echoed_or_generated(served: tuple[str, CollectorRegistry]) -> None:
    base, _ = served
    given = httpx.get(f"{base}/api/interviews/x", headers={"X-Request-ID": "abc-123"})
    assert given.headers["x-request-id"] == "abc-123"
    unsafe = httpx.get(f"{base}/api/interviews/x", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"
    assert len(unsafe.headers["x-request-id"]) == 32


def test_queue_depth_comes_from_redis(served: tuple[str, CollectorRegistry], redis_client: redis.Redis) -> None:
    base, _ = served
    keys = ["dramatiq:evaluation", "dramatiq:evaluation.DQ", "dramatiq:evaluation.XQ"]
    redis_client.delete(*keys)
    try:
        redis_client.rpush("dramatiq:evaluation", "m1", "m2")
        redis_client.rpush("dramatiq:evaluation.DQ", "m3")
        redis_client.zadd("dramatiq:evaluation.XQ", {"m4": 1.0})
        body = httpx.get(f"{base}/api/metrics").text
    finally:
        redis_client.delete(*keys)
    metrics: dict[str, Any] = {}
    for line in body.splitlines():
        if line.startswith("rehearsal_queue_messages{"):
            name, value = line.rsplit(" ", 1)
            metrics[name] = float(value)
    assert metrics['rehearsal_queue_messages{queue="evaluation",state="ready"}'] == 2
    assert metrics['rehearsal_queue_messages{queue="evaluation",state="delayed"}'] == 1
    assert metrics['rehearsal_queue_messages{queue="evaluation",state="dead"}'] == 1
    assert "rehearsal_queue_redis_up 1.0" in body
