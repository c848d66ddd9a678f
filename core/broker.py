"""The Dramatiq broker on Redis, with middleware chosen on purpose.

Dramatiq's defaults retry a failed job 20 times over about a week — wrong for LLM jobs, where the candidate is
waiting. Retries here are bounded with exponential backoff; every actor also states its own `max_retries`.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
from typing import Any

import dramatiq
import redis
from dramatiq.brokers.redis import RedisBroker
from dramatiq.middleware import (
    AgeLimit,
    Callbacks,
    CurrentMessage,
    Middleware,
    Pipelines,
    Retries,
    ShutdownNotifications,
    TimeLimit,
)
from dramatiq.middleware.asyncio import AsyncIO

from core.errors import ConfigError
from core.settings import Settings, get_settings

HEARTBEAT_PREFIX = "rehearsal:workers:"
HEARTBEAT_TTL_S = 15


def require_redis_url(settings: Settings) -> str:
    if not settings.redis_url:
        raise ConfigError("REDIS_URL", "not set; `make run` provides the embedded Redis, or point it at your server")
    return settings.redis_url


class WorkerHeartbeat(Middleware):
    """Each worker process announces which queues it consumes, so `/api/health` can tell workers are alive."""

    def __init__(self, redis_url: str) -> None:
        self.redis_url = redis_url
        self._stop = threading.Event()

    def after_worker_boot(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        key = f"{HEARTBEAT_PREFIX}{socket.gethostname()}:{os.getpid()}"
        declared = getattr(worker, "queues", None) or broker.get_declared_queues()
        queues = ",".join(sorted(q for q in declared if not q.endswith((".DQ", ".XQ"))))
        client = redis.Redis.from_url(self.redis_url, socket_timeout=2)

        def beat() -> None:
            while not self._stop.is_set():
                with contextlib.suppress(redis.RedisError):  # Redis restarting: the next beat catches up
                    client.set(key, queues, ex=HEARTBEAT_TTL_S)
                self._stop.wait(HEARTBEAT_TTL_S / 3)
            with contextlib.suppress(redis.RedisError):
                client.delete(key)

        threading.Thread(target=beat, name="heartbeat", daemon=True).start()

    def before_worker_shutdown(self, broker: dramatiq.Broker, worker: dramatiq.Worker) -> None:
        self._stop.set()


def build_broker(settings: Settings | None = None, *, asyncio: bool = True) -> RedisBroker:
    settings = settings or get_settings()
    url = require_redis_url(settings)
    middleware: list[Any] = [
        AgeLimit(max_age=3_600_000),  # a job nobody ran for an hour is stale: the candidate has moved on
        TimeLimit(time_limit=settings.evaluation_time_limit_s * 1000),
        ShutdownNotifications(),
        Callbacks(),
        Pipelines(),
        Retries(max_retries=3, min_backoff=1_000, max_backoff=60_000),
        CurrentMessage(),
        WorkerHeartbeat(url),
    ]
    if settings.worker_metrics_port:
        from dramatiq.middleware.prometheus import Prometheus

        os.environ.setdefault("dramatiq_prom_port", str(settings.worker_metrics_port))
        middleware.insert(0, Prometheus())
    if asyncio:
        middleware.append(AsyncIO())
    # Heartbeat the Redis connection so a Redis restart is noticed, and requeue unacked work from dead workers fast:
    # every live worker process refreshes its heartbeat at least once a second (its delay-queue consumer polls), so
    # 20 s of silence means a dead process; maintenance (the Lua requeue of dead workers' messages) runs on 2 % of
    # commands instead of Dramatiq's 0.1 %, so a SIGKILLed worker's job is redelivered within about half a minute.
    return RedisBroker(  # type: ignore[no-untyped-call]
        url=url,
        middleware=middleware,
        heartbeat_timeout=20_000,
        maintenance_chance=20_000,
        dead_message_ttl=86_400_000,
    )


_broker: RedisBroker | None = None


def get_broker() -> RedisBroker:
    """The process-wide broker, installed as Dramatiq's global broker on first use."""
    global _broker
    if _broker is None:
        _broker = build_broker()
        dramatiq.set_broker(_broker)
    return _broker


def set_broker(broker: RedisBroker) -> None:
    global _broker
    _broker = broker
    dramatiq.set_broker(broker)
