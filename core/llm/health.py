"""Per-role health and slot usage, for `/api/health` and metrics."""

from __future__ import annotations

from typing import Any

from core.llm.client import Role, get_llm
from core.settings import Settings


async def role_health(role: Role, settings: Settings | None = None) -> dict[str, Any]:
    """Probe every replica of `role` now. `status`: ok (all replicas up), degraded (some), down (none)."""
    llm = get_llm(role, settings)
    await llm.pool.refresh()
    replicas = [r.snapshot() for r in llm.pool.replicas]
    up = [r for r in replicas if r["healthy"]]
    known = [r for r in up if r["slots_total"] is not None]
    status = "ok" if len(up) == len(replicas) else ("degraded" if up else "down")
    return {
        "role": role,
        "status": status,
        "model": llm.model,
        "replicas": replicas,
        "replicas_up": len(up),
        "slots_idle": sum(r["slots_idle"] for r in known) if known else None,
        "slots_total": sum(r["slots_total"] for r in known) if known else None,
    }
