"""Prometheus metrics for the web services, and the `/api/metrics` endpoint Prometheus scrapes.

`instrument_app(app)` (called once by the API's app factory) adds:
- a pure ASGI middleware (SSE-safe: it never buffers a body) recording request latency by *route template*
  (`/api/interviews/{interview_id}`, never the concrete path, so label cardinality stays bounded),
- the request-id middleware (`core.logging.http`: asgi-correlation-id),
- `GET /api/metrics` in the Prometheus text format, including the Dramatiq queue depths read from Redis.

Worker-side job metrics (processed, failed, retried, duration, in progress) come from Dramatiq's own Prometheus
middleware (enabled by `WORKER_METRICS_PORT`, see `core/broker.py`); llama-server exports its own with `--metrics`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import generate_latest
from prometheus_client.registry import Collector

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNMATCHED_ROUTE = "<unmatched>"
METRICS_PATH = "/api/metrics"
# Latency buckets sized for this product: fast JSON routes (ms) up to slow uploads/LLM-backed calls (tens of s).
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class HttpMetrics:
    """The API's request metrics, registered once per registry (tests use a private registry)."""

    def __init__(self, registry: CollectorRegistry = REGISTRY, prefix: str = "rehearsal") -> None:
        self.latency = Histogram(
            f"{prefix}_http_request_duration_seconds",
            "Time to the last response byte (to the response headers for event streams), by route template.",
            ("method", "route", "status"),
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.requests = Counter(
            f"{prefix}_http_requests",
            "HTTP requests by route template and status.",
            ("method", "route", "status"),
            registry=registry,
        )
        self.in_progress = Gauge(
            f"{prefix}_http_requests_in_progress",
            "Requests (including open event streams) currently being served.",
            ("method",),
            registry=registry,
        )


_default_metrics: HttpMetrics | None = None


def default_http_metrics() -> HttpMetrics:
    global _default_metrics
    if _default_metrics is None:
        _default_metrics = HttpMetrics()
    return _default_metrics


def route_template(scope: Scope) -> str:
    """The matched route's path template (Starlette stores the route in the scope after routing)."""
    route = scope.get("route")
    path = getattr(route, "path_format", None) or getattr(route, "path", None)
    return path if isinstance(path, str) and path else UNMATCHED_ROUTE


class MetricsMiddleware:
    """Records latency per route template without touching the response body (so SSE still streams)."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics | None = None, skip_paths: Sequence[str] = ()) -> None:
        self.app = app
        self.metrics = metrics or default_http_metrics()
        self.skip_paths = frozenset(skip_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("path") in self.skip_paths:
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET"))
        started = time.perf_counter()
        status = 500
        streaming = False
        recorded = False

        def record() -> None:
            nonlocal recorded
            if recorded:
                return
            recorded = True
            labels = (method, route_template(scope), str(status))
            self.metrics.latency.labels(*labels).observe(time.perf_counter() - started)
            self.metrics.requests.labels(*labels).inc()

        async def send_wrapper(message: Message) -> None:
            nonlocal status, streaming
            if message["type"] == "http.response.start":
                status = int(message["status"])
                for name, value in message.get("headers", ()):
                    if name.lower() == b"content-type" and value.startswith(b"text/event-stream"):
                        streaming = True
                if streaming:
                    record()  # an event stream's "latency" is its time to open, not its lifetime
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                record()

        self.metrics.in_progress.labels(method).inc()
        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            self.metrics.in_progress.labels(method).dec()
            record()  # errors and client disconnects are counted too (status 500 if no response started)


class QueueDepthCollector(Collector):
    """Dramatiq queue depth, read from Redis at scrape time (the broker keeps no such gauge itself).

    Reports the ready messages (`dramatiq:<queue>`), the messages held back for a retry's delay
    (`dramatiq:<queue>.DQ`) and dead-lettered messages (`dramatiq:<queue>.XQ`).
    """

    def __init__(self, redis_url: str, queues: Iterable[str], namespace: str = "dramatiq") -> None:
        self.redis_url = redis_url
        self.queues = tuple(queues)
        self.namespace = namespace
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.redis_url, socket_connect_timeout=2, socket_timeout=2)
        return self._client

    def describe(self) -> list[GaugeMetricFamily]:
        return [self._family()]

    def _family(self) -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "rehearsal_queue_messages", "Messages waiting in a Dramatiq queue, by state.", labels=("queue", "state")
        )

    def collect(self) -> Iterable[GaugeMetricFamily]:
        import redis

        family = self._family()
        up = GaugeMetricFamily("rehearsal_queue_redis_up", "Whether Redis answered the queue-depth scrape.")
        try:
            client = self._redis()
            pipe = client.pipeline(transaction=False)
            for queue in self.queues:
                pipe.llen(f"{self.namespace}:{queue}")  # ready messages: a list
                pipe.llen(f"{self.namespace}:{queue}.DQ")  # delayed messages: the `<queue>.DQ` queue, also a list
                pipe.zcard(f"{self.namespace}:{queue}.XQ")  # dead-lettered messages: a sorted set
            counts = pipe.execute()
        except (redis.RedisError, OSError):
            up.add_metric([], 0.0)
            yield up
            return
        for index, queue in enumerate(self.queues):
            ready, delayed, dead = counts[index * 3 : index * 3 + 3]
            family.add_metric([queue, "ready"], float(ready))
            family.add_metric([queue, "delayed"], float(delayed))
            family.add_metric([queue, "dead"], float(dead))
        up.add_metric([], 1.0)
        yield family
        yield up


_queue_collector: QueueDepthCollector | None = None


def register_queue_depth(redis_url: str, queues: Iterable[str], registry: CollectorRegistry = REGISTRY) -> None:
    """Export the depth of `queues` (idempotent for the default registry)."""
    global _queue_collector
    if registry is REGISTRY:
        if _queue_collector is not None:
            return
        _queue_collector = QueueDepthCollector(redis_url, queues)
        registry.register(_queue_collector)
    else:
        registry.register(QueueDepthCollector(redis_url, queues))


def render_metrics(registry: CollectorRegistry = REGISTRY) -> bytes:
    return generate_latest(registry)


def instrument_app(
    app: FastAPI,
    *,
    metrics_path: str = METRICS_PATH,
    registry: CollectorRegistry = REGISTRY,
    queue_depth_redis_url: str | None = None,
    queues: Iterable[str] | None = None,
) -> None:
    """Add request ids, latency metrics and the metrics endpoint to a FastAPI app (call once, at creation).

    Queue depths are exported when a Redis URL is given (defaults to `REDIS_URL` from settings).
    """
    from fastapi import Response
    from starlette.concurrency import run_in_threadpool

    if queue_depth_redis_url is None:
        from core.settings import get_settings

        queue_depth_redis_url = get_settings().redis_url
    if queue_depth_redis_url:
        from core.jobs import QUEUE_EVALUATION, QUEUE_VISION

        register_queue_depth(queue_depth_redis_url, queues or (QUEUE_EVALUATION, QUEUE_VISION), registry)

    metrics = default_http_metrics() if registry is REGISTRY else HttpMetrics(registry)

    async def metrics_endpoint() -> Response:
        # The queue-depth collector does blocking Redis I/O: keep it off the event loop.
        body = await run_in_threadpool(render_metrics, registry)
        return Response(content=body, media_type=CONTENT_TYPE_LATEST)

    app.add_api_route(metrics_path, metrics_endpoint, methods=["GET"], include_in_schema=False)
    # Added last = outermost: the request id is bound before the metrics middleware and the app run.
    app.add_middleware(MetricsMiddleware, metrics=metrics, skip_paths=(metrics_path,))
    from core.logging.http import RequestIdMiddleware

    app.add_middleware(RequestIdMiddleware)
