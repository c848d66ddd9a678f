"""/api/health with a model role spread over replicas: one replica down (or still loading after a scale-out) leaves
the role degraded, not down, so the api stays ready (its Kubernetes readiness probe is this endpoint)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from launcher.llama import LlamaServer, free_port
from tests.api.conftest import start_api


@pytest.mark.usefixtures("eval_worker")
def test_one_replica_down_is_degraded_not_down(
    api_env: dict[str, str], llama_smol: LlamaServer, tmp_path: Path
) -> None:
    dead = f"http://127.0.0.1:{free_port()}"  # a replica not running (yet): nothing listens
    server = start_api(api_env, tmp_path, LLM_EVALUATOR__BASE_URLS=f"{llama_smol.base_url},{dead}")
    try:
        health = httpx.get(f"{server.base_url}/api/health", timeout=30)
        body = health.json()
        evaluator = body["components"]["evaluator_model"]
        assert evaluator["status"] == "degraded" and evaluator["replicas_up"] == 1, evaluator
        assert health.status_code == 200, body
        assert body["status"] == "degraded"
    finally:
        server.stop()
