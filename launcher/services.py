"""The command line of every application service — the one source of truth shared by `make run`'s supervisor
and the production Dockerfiles (a test checks each Dockerfile's CMD against this table)."""

from __future__ import annotations

SERVICES: dict[str, list[str]] = {
    "api": ["python", "-m", "api"],
    "worker-evaluation": ["python", "-m", "worker", "evaluation"],
    "worker-vision": ["python", "-m", "worker", "vision"],
    "media": ["python", "-m", "media"],
}
