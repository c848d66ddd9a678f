"""`GET /api/health`: the status of every component; 503 when a required one is down (not merely degraded)."""

from __future__ import annotations

import asyncio
from typing import Any, Literal

import httpx
import redis.asyncio as aioredis
from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import text

from api.deps import RedisDep, SettingsDep
from core import llm
from core.broker import HEARTBEAT_PREFIX
from core.db.engine import get_engine
from core.jobs import QUEUE_EVALUATION, QUEUE_VISION
from core.settings import Settings

router = APIRouter(tags=["health"])

# A down required component makes the product unusable (503); the others degrade one feature.
REQUIRED = {"database", "redis", "question_model", "evaluator_model", "worker_evaluation"}
TIMEOUT_S = 3.0


class HealthOut(BaseModel):
    status: Literal["ok", "degraded", "down"]
    components: dict[str, dict[str, Any]]


async def _database() -> dict[str, Any]:
    async with get_engine().connect() as conn:
        await conn.execute(text("SELECT 1"))
    return {"status": "ok"}


async def _redis(client: aioredis.Redis) -> dict[str, Any]:
    await client.ping()
    return {"status": "ok"}


async def _workers(client: aioredis.Redis) -> dict[str, dict[str, Any]]:
    counts = {QUEUE_EVALUATION: 0, QUEUE_VISION: 0}
    async for key in client.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=200):
        raw = await client.get(key) or b""
        for queue in (raw.decode() if isinstance(raw, bytes) else raw).split(","):
            if queue in counts:
                counts[queue] += 1
    return {f"worker_{queue}": {"status": "ok" if n else "down", "processes": n} for queue, n in counts.items()}


async def _media(settings: Settings) -> dict[str, dict[str, Any]]:
    async with httpx.AsyncClient(timeout=TIMEOUT_S) as client:
        body = (await client.get(f"{settings.media_url}/health")).raise_for_status().json()
    stt = body.get("stt") or {}
    # Providers report their own words ("ready", "loading", "ok", …); health speaks ok / degraded / down.
    state = str(stt.get("status", "unknown"))
    stt_status = "ok" if state in {"ok", "ready"} else ("degraded" if state in {"loading", "degraded"} else "down")
    return {
        "media": {"status": body.get("status", "ok"), "peers": body.get("peers")},
        "stt": {"status": stt_status, "provider": stt.get("provider"), "state": state},
    }


async def _guard(name: str, coro: Any) -> dict[str, dict[str, Any]]:
    try:
        result = await asyncio.wait_for(coro, TIMEOUT_S)
    except Exception as exc:  # a health check reports failures, it never raises
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if name == "media":
            return {"media": {"status": "down", "error": reason}, "stt": {"status": "unknown"}}
        return {name: {"status": "down", "error": reason}}
    return result if name in {"workers", "media"} else {name: result}


@router.get("/health", response_model=HealthOut, responses={503: {"model": HealthOut}})
async def health(response: Response, redis: RedisDep, settings: SettingsDep) -> HealthOut:
    checks = await asyncio.gather(
        _guard("database", _database()),
        _guard("redis", _redis(redis)),
        _guard("question_model", llm.role_health("question")),
        _guard("evaluator_model", llm.role_health("evaluator")),
        _guard("workers", _workers(redis)),
        _guard("media", _media(settings)),
    )
    components: dict[str, dict[str, Any]] = {}
    for part in checks:
        components.update(part)
    # A model role with some replicas up still serves (the client skips the others): degraded, not down. Otherwise
    # one replica loading after a scale-out would fail every api readiness probe at once.
    down_required = [n for n in REQUIRED if components.get(n, {}).get("status") not in ("ok", "degraded")]
    all_ok = all(c.get("status") == "ok" for c in components.values())
    status = "down" if down_required else ("ok" if all_ok else "degraded")
    if down_required:
        response.status_code = 503
    return HealthOut(status=status, components=components)
