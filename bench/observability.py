"""Cost of the observability layer, measured side by side in one run.

- JSON logging with context ids and redaction (core/logging/) vs the stdlib's plain formatter on the same record.
- The metrics + request-id middlewares (core/metrics.py) vs the bare ASGI app, per in-process request.
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from typing import Any

from prometheus_client import CollectorRegistry

from core.logging import build_handler, log_context
from core.logging.http import RequestIdMiddleware
from core.metrics import HttpMetrics, MetricsMiddleware

N_LOG = 20_000
N_REQ = 20_000


def _log_rate(handler: logging.Handler) -> float:
    logger = logging.Logger("bench")  # detached from the root logger
    logger.addHandler(handler)
    started = time.perf_counter()
    with log_context(request_id="r" * 32, interview_id="i" * 36):
        for i in range(N_LOG):
            logger.info("evaluation %s stored for answer %d", "ok", i, extra={"score": 4, "answer": "secret text"})
    return N_LOG / (time.perf_counter() - started)


async def _app(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})


async def _request_rate(app: Any) -> float:
    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/api/x", "headers": [], "route": None}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        pass

    started = time.perf_counter()
    for _ in range(N_REQ):
        await app(dict(scope), receive, send)
    return N_REQ / (time.perf_counter() - started)


def _row(benchmark: str, metric: str, value: float, anchor: str, anchor_value: float, target: str) -> dict[str, Any]:
    return {
        "benchmark": benchmark,
        "metric": metric,
        "value": round(value, 1),
        "anchor": anchor,
        "anchor_value": round(anchor_value, 1),
        "ratio": round(value / anchor_value, 3),
        "target": target,
        "unit": "ops/s",
    }


def run() -> list[dict[str, Any]]:
    plain = logging.StreamHandler(io.StringIO())
    plain.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    ours = build_handler("bench", "json", io.StringIO())
    plain_rate, json_rate = _log_rate(plain), _log_rate(ours)

    bare = asyncio.run(_request_rate(_app))
    wrapped = RequestIdMiddleware(MetricsMiddleware(_app, HttpMetrics(CollectorRegistry(), prefix="bench")))
    instrumented = asyncio.run(_request_rate(wrapped))
    return [
        _row("logging", "json+redaction lines/s", json_rate, "stdlib plain formatter", plain_rate, "ratio ≥ 0.1"),
        _row("http middleware", "instrumented requests/s", instrumented, "bare ASGI app", bare, "≥ 10,000 req/s"),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
