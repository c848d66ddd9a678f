"""Replicas of one model role, and which one gets the next request.

A replica is any OpenAI-compatible server. For llama-server we also know its health (`/health`: 200 when ready,
503 while the model loads) and slot usage (`/slots`); for other servers (vLLM, Ollama, hosted APIs) health falls
back to `GET /v1/models` and slots are unknown. Health is refreshed in the background at most every
`health_interval_s`, and at once when a request fails, so the request path never waits for a probe unless no
replica is known to be healthy.
"""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
import openai
from openai import AsyncOpenAI

from core.llm.errors import LLMUnavailable
from core.settings import LLMRoleSettings

MAX_DOWN_S = 30.0


def server_root(url: str) -> str:
    """`http://h:8081/v1/` → `http://h:8081` (health and slots live at the root, the OpenAI API under /v1)."""
    root = url.strip().rstrip("/")
    return root.removesuffix("/v1")


def sdk_http_client(timeout: openai.Timeout) -> Any:
    """The HTTP client for the OpenAI SDK (httpx2 for openai ≥ 3), shared by the SDK and LangChain per replica.

    Idle connections are dropped after 2 s: llama-server (cpp-httplib) closes keep-alive connections after 5 s,
    and a client reusing one at that moment gets "server disconnected without a response"."""
    try:
        import httpx2 as sdk_httpx  # type: ignore[import-not-found,unused-ignore]
    except ImportError:  # openai < 3
        import httpx as sdk_httpx  # type: ignore[no-redef,unused-ignore]
    limits = sdk_httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=2.0)
    return openai.DefaultAsyncHttpxClient(timeout=timeout, limits=limits)


def stream_http_client(settings: LLMRoleSettings) -> httpx.AsyncClient:
    """The HTTP client for streamed chat: raw SSE lines parsed with `json.loads`, no SDK models per chunk.

    The SDK costs ~0.2 ms of CPU per streamed token (a pydantic object per chunk) — as much as a small model's
    whole decode step on a shared core — and ~2 ms before the request leaves. Same keep-alive rule as above."""
    key = settings.api_key.get_secret_value()
    return httpx.AsyncClient(
        timeout=httpx.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s),
        limits=httpx.Limits(max_connections=1000, max_keepalive_connections=100, keepalive_expiry=2.0),
        headers={"Authorization": f"Bearer {key}"} if key else {},
    )


def affinity_weight(key: str, root: str) -> int:
    """Rendezvous (highest-random-weight) hash of a key on a replica: stable across processes and restarts."""
    return int.from_bytes(hashlib.blake2b(f"{key}|{root}".encode(), digest_size=8).digest(), "big")


@dataclass(eq=False)
class Replica:
    root: str
    client: AsyncOpenAI
    stream_http: httpx.AsyncClient  # streamed chat (see stream_http_client)
    http: Any = None  # the SDK's HTTP client (see sdk_http_client), reused by LangChain's ChatOpenAI
    healthy: bool = True  # optimistic until the first probe: a fresh process must not wait for it
    status: str = "unknown"  # ok | loading | down | unknown
    checked_at: float = 0.0
    down_until: float = 0.0
    failures: int = 0
    slots_total: int | None = None
    slots_busy: int | None = None
    model_id: str | None = None
    inflight: int = 0  # requests from this process right now
    served: int = 0
    last_error: str = ""

    @property
    def openai_base_url(self) -> str:
        return f"{self.root}/v1"

    def load(self) -> float:
        """Busy fraction (0 = idle); from the server's slot report or, when unknown, our own in-flight count."""
        if self.slots_total:
            busy = max(self.slots_busy or 0, self.inflight)
            return busy / self.slots_total
        return float(self.inflight)

    def full(self) -> bool:
        return bool(self.slots_total) and self.load() >= 1.0

    def snapshot(self) -> dict[str, Any]:
        idle = None
        if self.slots_total is not None:
            idle = max(0, self.slots_total - (self.slots_busy or 0))
        return {
            "url": self.root,
            "status": self.status,
            "healthy": self.usable(),
            "model": self.model_id,
            "slots_idle": idle,
            "slots_total": self.slots_total,
            "inflight": self.inflight,
            "served": self.served,
        }

    def usable(self, now: float | None = None) -> bool:
        return self.healthy and (now or time.monotonic()) >= self.down_until


@dataclass(eq=False)
class ReplicaPool:
    role: str
    settings: LLMRoleSettings
    replicas: list[Replica] = field(default_factory=list)
    _refreshing: asyncio.Task[None] | None = field(default=None, repr=False)
    _rr: itertools.count[int] = field(default_factory=itertools.count, repr=False)
    _http: httpx.AsyncClient | None = field(default=None, repr=False)

    @classmethod
    def from_urls(cls, role: str, urls: list[str], settings: LLMRoleSettings) -> ReplicaPool:
        pool = cls(role=role, settings=settings)
        timeout = openai.Timeout(settings.read_timeout_s, connect=settings.connect_timeout_s)
        for url in dict.fromkeys(server_root(u) for u in urls if u.strip()):
            http = sdk_http_client(timeout)
            client = AsyncOpenAI(
                base_url=f"{url}/v1",
                api_key=settings.api_key.get_secret_value() or "not-needed",
                timeout=timeout,
                max_retries=0,  # the pool retries on another replica instead
                http_client=http,
            )
            pool.replicas.append(Replica(root=url, client=client, http=http, stream_http=stream_http_client(settings)))
        if not pool.replicas:
            raise LLMUnavailable(role, "no base URL configured")
        return pool

    # --- health ------------------------------------------------------------------------------------------
    def _probe_client(self) -> httpx.AsyncClient:
        if self._http is None:
            key = self.settings.api_key.get_secret_value()
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            # Probes must be quick: a hung host may not hold up requests that could go elsewhere.
            timeout = httpx.Timeout(min(2.0, self.settings.connect_timeout_s + 1.0))
            self._http = httpx.AsyncClient(timeout=timeout, headers=headers)
        return self._http

    async def probe(self, replica: Replica) -> None:
        http = self._probe_client()
        now = time.monotonic()
        replica.checked_at = now
        try:
            resp = await http.get(f"{replica.root}/health")
            if resp.status_code == 200:
                replica.status = "ok"
                await self._probe_slots(http, replica)
            elif resp.status_code == 503:
                replica.status = "loading"
            elif resp.status_code in (401, 403, 404, 405):
                # Not a llama-server (or /health hidden): the OpenAI model list is the liveness check.
                models = await http.get(f"{replica.root}/v1/models")
                replica.status = "ok" if models.status_code == 200 else "down"
                if models.status_code != 200:
                    replica.last_error = f"GET /v1/models: HTTP {models.status_code}"
            else:
                replica.status = "down"
                replica.last_error = f"GET /health: HTTP {resp.status_code}"
        except (httpx.HTTPError, OSError) as exc:
            replica.status = "down"
            replica.last_error = type(exc).__name__
        if replica.status == "ok":
            replica.healthy = True
            replica.failures = 0
            replica.down_until = 0.0
            if replica.model_id is None:
                await self._probe_model(http, replica)
        else:
            replica.healthy = False

    async def _probe_slots(self, http: httpx.AsyncClient, replica: Replica) -> None:
        try:
            resp = await http.get(f"{replica.root}/slots")
            if resp.status_code == 200 and isinstance(slots := resp.json(), list):
                replica.slots_total = len(slots)
                replica.slots_busy = sum(1 for s in slots if isinstance(s, dict) and s.get("is_processing"))
                return
        except (httpx.HTTPError, OSError, ValueError):
            pass
        replica.slots_total = replica.slots_busy = None

    async def _probe_model(self, http: httpx.AsyncClient, replica: Replica) -> None:
        try:
            resp = await http.get(f"{replica.root}/v1/models")
            data = resp.json().get("data") if resp.status_code == 200 else None
            if data and isinstance(data[0], dict):
                replica.model_id = str(data[0].get("id") or "") or None
        except (httpx.HTTPError, OSError, ValueError, AttributeError):
            pass

    async def refresh(self) -> None:
        await asyncio.gather(*(self.probe(r) for r in self.replicas))

    def _refresh_in_background(self) -> None:
        if self._refreshing is None or self._refreshing.done():
            self._refreshing = asyncio.get_running_loop().create_task(self.refresh())

    async def _wait_refresh(self) -> None:
        self._refresh_in_background()
        assert self._refreshing is not None
        await asyncio.shield(self._refreshing)

    # --- selection ---------------------------------------------------------------------------------------
    async def pick(self, exclude: set[str] | frozenset[str] = frozenset(), *, affinity: str | None = None) -> Replica:
        """The least-loaded usable replica not in `exclude`, preferring ones with a free slot.

        With an `affinity` key (an interview id) the choice is the key's rendezvous-hash favourite among the usable
        replicas with a free slot: every call of one interview lands on the replica whose prompt cache holds that
        interview's prefix, keys spread evenly, and when a replica goes down or is full only its keys move."""
        now = time.monotonic()
        if any(now - r.checked_at > self.settings.health_interval_s for r in self.replicas):
            self._refresh_in_background()
        candidates = [r for r in self.replicas if r.root not in exclude and r.usable(now)]
        if not candidates:
            await self._wait_refresh()  # maybe one came back (a restarted server, a finished model load)
            now = time.monotonic()
            candidates = [r for r in self.replicas if r.root not in exclude and r.usable(now)]
        if not candidates:
            states = ", ".join(f"{r.root} {r.status}" for r in self.replicas)
            raise LLMUnavailable(self.role, f"no healthy replica ({states})")
        with_room = [r for r in candidates if not r.full()] or candidates
        if affinity is not None:
            return max(with_room, key=lambda r: affinity_weight(affinity, r.root))
        turn = next(self._rr)
        # Round-robin among equally loaded replicas, so two idle servers both get work.
        ranked = sorted(enumerate(with_room), key=lambda ir: (ir[1].load(), (ir[0] - turn) % len(with_room)))
        return ranked[0][1]

    def mark_failed(self, replica: Replica, reason: str) -> None:
        """Take the replica out of rotation for a growing while and re-probe everyone in the background."""
        replica.failures += 1
        replica.healthy = False
        replica.status = "down"
        replica.last_error = reason
        replica.down_until = time.monotonic() + min(MAX_DOWN_S, 0.5 * 2 ** (replica.failures - 1))
        self._refresh_in_background()

    def mark_ok(self, replica: Replica) -> None:
        replica.served += 1
        replica.failures = 0

    def by_root(self, url: str) -> Replica | None:
        root = server_root(url)
        return next((r for r in self.replicas if r.root == root), None)

    async def aclose(self) -> None:
        if self._refreshing is not None and not self._refreshing.done():
            self._refreshing.cancel()
        for replica in self.replicas:
            await replica.client.close()  # closes replica.http too
            await replica.stream_http.aclose()
        if self._http is not None:
            await self._http.aclose()
            self._http = None
