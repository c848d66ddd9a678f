"""Cold start: the whole product the way `make run` starts it (launcher.stack.Stack), on a fresh state directory.

Cold = model provisioning for the new directory (`launcher.models_llm.provision`; the vision and speech weights are
cached machine-wide by `make models`) + embedded PostgreSQL initdb + Redis + migrations + both `llama-server`s +
API, workers and media server, until `/api/health` answers 200 (every required component up). The anchor is a warm
start of the same stack right after (data directory, models and migrations already there), measured in the same run.
A second row times "fully ready" (health status `ok`: speech-to-text model loaded, vision workers beating too).

`python -m bench.cold_start` prints the rows (about 1–2 minutes).
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from bench._support import free_port, row

READY_TIMEOUT_S = 240.0


def _start(var_dir: Path) -> tuple[Any, float, float]:
    """Start the stack; returns it, seconds to health 200 and seconds to health status ok."""
    from core.settings import Settings
    from launcher.models_llm import provision
    from launcher.stack import Stack

    overrides = {
        "VAR_DIR": str(var_dir),
        "API_PORT": str(free_port()),
        "MEDIA_PORT": (media_port := str(free_port())),
        "MEDIA_URL": f"http://127.0.0.1:{media_port}",
        "MEDIA_HOST_ADDRESSES": "127.0.0.1",
        "LLAMA_QUESTION_PORT": str(free_port()),
        "LLAMA_EVALUATOR_PORT": str(free_port()),
        "LOG_LEVEL": "WARNING",
        "DATABASE_URL": "",
        "REDIS_URL": "",
        "LLM_QUESTION__BASE_URLS": "",
        "LLM_EVALUATOR__BASE_URLS": "",
    }
    saved = dict(os.environ)
    os.environ.update(overrides)
    try:
        started = time.monotonic()
        settings = Settings()
        provision(settings)
        stack = Stack(settings, env_overrides=overrides, echo=False)
        stack.start(timeout_s=READY_TIMEOUT_S)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    usable = ready = 0.0
    deadline = started + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            r = httpx.get(f"{stack.base_url}/api/health", timeout=5)
        except httpx.HTTPError:
            r = None
        now = time.monotonic() - started
        if r is not None and r.status_code == 200:
            usable = usable or now
            if r.json()["status"] == "ok":
                ready = now
                break
        time.sleep(0.1)
    if not usable:
        stack.stop()
        raise RuntimeError("the stack never reported healthy")
    return stack, usable, ready or float("nan")


def run() -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="bench-cold-") as tmp:
        var_dir = Path(tmp) / "var"
        stack, cold_usable, cold_ready = _start(var_dir)
        stack.stop()
        stack, warm_usable, warm_ready = _start(var_dir)
        stack.stop()
    anchor = "warm start of the same stack (state already there)"
    return [
        row("cold_start.usable", "to_health_200", cold_usable, anchor, warm_usable, "< 60 s", "s"),
        row("cold_start.ready", "to_health_ok", cold_ready, anchor, warm_ready, "< 90 s", "s"),
    ]


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r, ensure_ascii=False))
