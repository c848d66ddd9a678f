"""Reusable pytest fixtures and helpers for tests that build and run the project's real container images.

tests/deploy/conftest.py makes them available to every test under tests/deploy; elsewhere, import them by name
into a conftest.py::

    from tests.deploy.docker_fixtures import docker_engine, project_images, standin_images  # noqa: F401

- `docker_engine` (session): a Docker engine to talk to. A running one (`docker info` answers) is used as it is;
  otherwise `dockerd` is started in its own process group (log in var/dockerd.log) and exactly that process group
  is stopped at the end of the session. Docker itself is installed by `make docker-deps` (Debian's docker.io, the
  Compose v2 plugin): a missing `docker` fails the test with that hint instead of skipping it.
- `standin_images` (session): the local stand-ins for the official base images (infra/docker/standins.py), built
  or reused from the image store; `{official image: stand-in}`.
- `project_images` (session): every project image (api, worker-evaluation, worker-vision, media, frontend) built
  from the repository root exactly as compose.yaml's build sections say, on the stand-in bases, tagged
  `rehearsal/<name>:<IMAGE_TAG>`; each build is timed, then timed again with nothing changed (the warm rebuild).
  Set COMPOSE_TEST_COLD=1 to build without the layer cache, as on a fresh machine (a fresh machine, CI's
  included, has no cache anyway; a reused one keeps the layers of earlier runs).
- `compose(...)`: the `docker compose` v2 command line for a project; `compose_env(...)`: its environment.

Images are kept between runs (they are the build cache); containers, networks and volumes belong to the test that
made them and are removed by it.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
IMAGE_TAG = "compose-test"
# The project's images: compose service that builds it → the build argument naming each base image.
PROJECT_IMAGES = {
    "api": ("api/Dockerfile", {"PYTHON_IMAGE": "python:3.11-slim-bookworm"}),
    "worker-evaluation": ("worker/evaluation.Dockerfile", {"PYTHON_IMAGE": "python:3.11-slim-bookworm"}),
    "worker-vision": ("worker/vision.Dockerfile", {"PYTHON_IMAGE": "python:3.11-slim-bookworm"}),
    "media": ("media/Dockerfile", {"PYTHON_IMAGE": "python:3.11-slim-bookworm"}),
    "frontend": (
        "frontend/Dockerfile",
        {"NODE_IMAGE": "node:20-bookworm-slim", "NGINX_IMAGE": "nginxinc/nginx-unprivileged:1.27-alpine"},
    ),
}


def docker(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout, check=check)


def _engine_answers() -> bool:
    try:
        return docker("info", "--format", "{{.ServerVersion}}", timeout=20, check=False).returncode == 0
    except subprocess.TimeoutExpired:
        return False


@dataclass
class DockerEngine:
    server_version: str
    compose_version: str
    started_here: bool


@pytest.fixture(scope="session")
def docker_engine() -> Iterator[DockerEngine]:
    if shutil.which("docker") is None or shutil.which("dockerd") is None:
        pytest.fail("Docker is not installed: `make docker-deps` installs Debian's docker.io and Compose v2")
    proc: subprocess.Popen[bytes] | None = None
    if not _engine_answers():
        log = ROOT / "var" / "dockerd.log"
        log.parent.mkdir(exist_ok=True)
        proc = subprocess.Popen(["dockerd"], stdout=log.open("ab"), stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 60
        while not _engine_answers():
            if proc.poll() is not None or time.monotonic() > deadline:
                _stop_group(proc)
                pytest.fail(f"dockerd did not start (see {log})")
            time.sleep(0.5)
    try:
        compose_version = subprocess.run(
            [*compose_cmd(), "version", "--short"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
        server = docker("version", "--format", "{{.Server.Version}}").stdout.strip()
        yield DockerEngine(server, compose_version, started_here=proc is not None)
    finally:
        if proc is not None:
            _stop_group(proc)


def _stop_group(proc: subprocess.Popen[bytes]) -> None:
    """dockerd and the containerd it spawned share the process group this fixture gave them."""
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with contextlib.suppress(ProcessLookupError):  # containerd may outlive dockerd by a moment
        os.killpg(proc.pid, signal.SIGTERM)


def compose_cmd() -> list[str]:
    """Compose v2 as the Docker CLI plugin (`docker compose`), which the test override's `!reset` needs."""
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        pytest.fail("`docker compose` (v2) is missing: `make docker-deps` installs the plugin")
    return ["docker", "compose"]


@pytest.fixture(scope="session")
def standin_images(docker_engine: DockerEngine) -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "infra" / "docker"))
    try:
        import standins  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    mapping: dict[str, str] = standins.build_all()
    return mapping


@dataclass
class ImageBuild:
    service: str
    image: str
    seconds: float  # this run's build (cold when built without the cache)
    warm_seconds: float  # the same build again with nothing changed
    size_bytes: int
    cold: bool
    user: str = field(default="")


@dataclass
class ProjectImages:
    tag: str
    builds: dict[str, ImageBuild]

    def image(self, service: str) -> str:
        return self.builds[service].image


def build_image(service: str, tag: str, standins: dict[str, str], *, no_cache: bool) -> float:
    dockerfile, bases = PROJECT_IMAGES[service]
    cmd = ["docker", "build", "--network", "host", "-q", "-f", dockerfile, "-t", f"rehearsal/{service}:{tag}"]
    for arg, official in bases.items():
        cmd += ["--build-arg", f"{arg}={standins[official]}"]
    if no_cache:
        cmd.append("--no-cache")
    start = time.monotonic()
    result = subprocess.run([*cmd, "."], cwd=ROOT, capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        pytest.fail(f"docker build -f {dockerfile} . failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return time.monotonic() - start


@pytest.fixture(scope="session")
def project_images(standin_images: dict[str, str]) -> ProjectImages:
    cold = os.environ.get("COMPOSE_TEST_COLD", "") not in ("", "0")
    builds = {}
    for service in PROJECT_IMAGES:
        seconds = build_image(service, IMAGE_TAG, standin_images, no_cache=cold)
        warm = build_image(service, IMAGE_TAG, standin_images, no_cache=False)
        image = f"rehearsal/{service}:{IMAGE_TAG}"
        info = json.loads(docker("image", "inspect", image).stdout)[0]
        builds[service] = ImageBuild(service, image, seconds, warm, info["Size"], cold, info["Config"].get("User", ""))
    return ProjectImages(IMAGE_TAG, builds)


def compose_env(**extra: str) -> dict[str, str]:
    """Only what the stack needs: a developer's own .env or exports must not change what the test runs."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "DOCKER_HOST") if k in os.environ}
    env.update(extra)
    return env


def compose(
    project: str,
    env: dict[str, str],
    *args: str,
    files: tuple[Path, ...] = (),
    timeout: float = 600,
    check: bool = True,
) -> subprocess.CompletedProcess[str]:
    cmd = [*compose_cmd(), "--project-name", project, "--project-directory", str(ROOT), "-f", str(COMPOSE_FILE)]
    for extra in files:
        cmd += ["-f", str(extra)]
    result = subprocess.run(
        [*cmd, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout, check=False
    )
    if check and result.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return result


def containers(project: str, env: dict[str, str], files: tuple[Path, ...] = ()) -> list[dict[str, Any]]:
    """`docker compose ps --all` as a list of dicts (Service, Name, State, Health, ExitCode, …)."""
    out = compose(project, env, "ps", "--all", "--format", "json", files=files).stdout.strip()
    if not out:
        return []
    if out.startswith("["):
        rows: list[dict[str, Any]] = json.loads(out)
        return rows
    return [json.loads(line) for line in out.splitlines() if line.strip()]
