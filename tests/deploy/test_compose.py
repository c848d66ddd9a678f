"""compose.yaml, checked without a Docker engine: Debian's `docker-compose config` validates and resolves it,
then the resolved file is checked against the code (Settings, service commands, model-server config)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "compose.yaml"
APP_SERVICES = {"migrate", "api", "worker-evaluation", "worker-vision", "media"}
ONE_SHOT = {"migrate"}
SCALABLE = {"llm-evaluator", "worker-evaluation", "worker-vision"}
REQUIRED_ENV = {"POSTGRES_PASSWORD": "pw-for-validation", "SECRET_KEY": "secret-for-validation"}


def _compose_env(**extra: str) -> dict[str, str]:
    # Only PATH and the variables under test: a developer's own .env/exports must not make the test pass.
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.environ.get("HOME", "/root")}
    env.update(extra)
    return env


def _docker_compose() -> str:
    exe = shutil.which("docker-compose")
    if exe is None:
        pytest.fail("docker-compose is not installed (make system-deps installs Debian's docker-compose package)")
    return exe


def _config(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_docker_compose(), "--project-directory", str(ROOT), "-f", str(COMPOSE), *args, "config"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    result = _config(_compose_env(**REQUIRED_ENV), "--profile", "observability")
    assert result.returncode == 0, result.stderr
    data: dict[str, Any] = yaml.safe_load(result.stdout)
    return data


@pytest.fixture(scope="module")
def services(resolved: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = resolved["services"]
    return found


def test_compose_config_validates(services: dict[str, dict[str, Any]]) -> None:
    expected = {
        "postgres",
        "redis",
        "llm-question",
        "llm-evaluator",
        "migrate",
        "api",
        "worker-evaluation",
        "worker-vision",
        "media",
        "frontend",
        "prometheus",
    }
    assert expected <= set(services)


def test_missing_secrets_fail_with_a_message_naming_them() -> None:
    result = _config(_compose_env())
    assert result.returncode != 0
    assert "POSTGRES_PASSWORD" in result.stderr or "SECRET_KEY" in result.stderr


def test_every_long_running_service_has_a_healthcheck(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        if name in ONE_SHOT:
            assert svc.get("restart") == "no", name
            continue
        check = svc.get("healthcheck")
        assert check, f"{name} has no healthcheck"
        assert not check.get("disable"), f"{name} disables its healthcheck"
        assert check["test"][0] in ("CMD", "CMD-SHELL"), name


def test_dependencies_wait_for_health_and_for_migrations(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        assert isinstance(deps, dict), f"{name}: depends_on must use conditions"
        for dep, spec in deps.items():
            assert dep in services, f"{name} depends on unknown service {dep}"
            wanted = "service_completed_successfully" if dep in ONE_SHOT else "service_healthy"
            assert spec["condition"] == wanted, f"{name} → {dep}: {spec}"
    for name in APP_SERVICES - ONE_SHOT:
        deps = services[name]["depends_on"]
        assert "migrate" in deps, f"{name} must start after migrations"
        assert {"postgres", "redis"} <= set(deps), name
    assert "llm-evaluator" in services["worker-evaluation"]["depends_on"]
    assert {"llm-question", "llm-evaluator"} <= set(services["api"]["depends_on"])
    assert "api" in services["frontend"]["depends_on"]


def test_scaled_services_have_no_fixed_names_or_host_ports(services: dict[str, dict[str, Any]]) -> None:
    for name in SCALABLE:
        assert "container_name" not in services[name], name
        assert not services[name].get("ports"), f"{name} publishes host ports: it could not be scaled"


def test_question_server_reserves_a_gpu_and_uses_the_cuda_image(services: dict[str, dict[str, Any]]) -> None:
    q = services["llm-question"]
    assert re.search(r"ggml-org/llama\.cpp:server-cuda-b\d+$", q["image"])
    devices = q["deploy"]["resources"]["reservations"]["devices"]
    assert any("gpu" in d["capabilities"] for d in devices)
    e = services["llm-evaluator"]
    assert re.search(r"ggml-org/llama\.cpp:server-b\d+$", e["image"])
    # both roles run the same llama.cpp build as the local launcher (model-servers/build-llama-server.sh)
    build = re.search(r'BUILD_NUMBER="(\d+)"', (ROOT / "model-servers/build-llama-server.sh").read_text())
    assert build
    assert q["image"].endswith(f"-b{build.group(1)}")
    assert e["image"].endswith(f"-b{build.group(1)}")


def _env_file(path: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip()
    return values


def test_model_servers_read_the_shared_config_files(services: dict[str, dict[str, Any]]) -> None:
    import json

    manifest = json.loads((ROOT / "models/manifest.json").read_text())["models"]
    for service, role in (("llm-question", "question"), ("llm-evaluator", "evaluator")):
        raw = yaml.safe_load(COMPOSE.read_text())["services"][service]
        assert (ROOT / raw["env_file"]).resolve() == ROOT / f"model-servers/{role}.env"
        env = _env_file(str(ROOT / raw["env_file"]))
        # `config` inlines the file: the container gets exactly these values, nothing overrides them
        assert {k: str(v) for k, v in services[service]["environment"].items()} == env
        # the model file the server loads is the one models/fetch.py downloads
        assert env["LLAMA_ARG_MODEL"] == f"/models/{manifest[role]['file']}"
        assert env.get("LLAMA_ARG_ENDPOINT_METRICS") == "1", "Prometheus scrapes llama-server's /metrics"
        template = env["LLAMA_ARG_CHAT_TEMPLATE_FILE"]
        assert (ROOT / "model-servers/templates" / Path(template).name).is_file()
        mounts = {v.split(":")[1]: v.split(":")[0] for v in _volume_strings(services[service])}
        assert Path(mounts["/models"]) == ROOT / "models"
        assert Path(mounts["/templates"]) == ROOT / "model-servers/templates"
        port = env["LLAMA_ARG_PORT"]
        assert port in " ".join(services[service]["healthcheck"]["test"])
        # the app addresses this server by the alias it serves and the port it listens on
        for app in APP_SERVICES:
            app_env = services[app]["environment"]
            key = "LLM_QUESTION" if role == "question" else "LLM_EVALUATOR"
            assert app_env[f"{key}__BASE_URLS"] == f"http://{service}:{port}"
            assert app_env[f"{key}__MODEL"] == env["LLAMA_ARG_ALIAS"]


def _volume_strings(svc: dict[str, Any]) -> list[str]:
    out = []
    for v in svc.get("volumes", []):
        if isinstance(v, str):
            out.append(v)
        else:
            out.append(f"{v['source']}:{v['target']}")
    return out


def test_every_build_and_bind_mount_exists(services: dict[str, dict[str, Any]]) -> None:
    for name, svc in services.items():
        assert svc.get("image") or svc.get("build"), name
        if "build" in svc:
            context = Path(svc["build"]["context"])
            assert context.is_dir(), f"{name}: build context {context} missing"
            assert (context / svc["build"]["dockerfile"]).is_file(), f"{name}: Dockerfile missing"
        else:
            assert ":" in svc["image"], f"{name}: pin the image tag"
            assert not svc["image"].endswith(":latest"), f"{name}: pin the image tag"
        for volume in _volume_strings(svc):
            source = volume.split(":")[0]
            if source.startswith("/"):
                assert Path(source).exists(), f"{name}: bind-mount source {source} missing"


def test_settings_load_from_each_app_services_environment(
    services: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> None:
    fields = set(Settings.model_fields)
    for name in APP_SERVICES:
        env = {k: "" if v is None else str(v) for k, v in services[name]["environment"].items()}
        # every variable compose sets is one the code reads (catches typos like LLM_EVALUATOR_BASE_URLS)
        for key in env:
            top = key.lower().split("__")[0]
            assert top in fields, f"{name}: {key} is not a Settings field"
        with monkeypatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            settings = Settings(_env_file=None)  # type: ignore[call-arg]
        assert settings.environment == "production"
        assert settings.log_format == "json"
        assert settings.database_url
        assert "@postgres:5432/" in settings.database_url
        assert settings.redis_url == "redis://redis:6379/0"
        assert settings.secret_key.get_secret_value() == REQUIRED_ENV["SECRET_KEY"]
        assert settings.llm_question.base_urls
        assert settings.llm_evaluator.base_urls
        assert settings.media_url == "http://media:8001"


def test_servers_listen_where_their_neighbours_connect(services: dict[str, dict[str, Any]]) -> None:
    api_env = services["api"]["environment"]
    assert api_env["API_HOST"] == "0.0.0.0"
    assert api_env["API_PORT"] == "8000"
    assert "8000/api/health" in " ".join(services["api"]["healthcheck"]["test"])
    media_env = services["media"]["environment"]
    assert media_env["MEDIA_HOST"] == "0.0.0.0"
    assert services["api"]["environment"]["MEDIA_URL"].endswith(f":{media_env['MEDIA_PORT']}")
    assert f"{media_env['MEDIA_PORT']}/health" in " ".join(services["media"]["healthcheck"]["test"])
    # the WebRTC UDP range is published 1:1 (ICE candidates carry the container's port numbers)
    lo, hi = int(media_env["MEDIA_UDP_PORT_MIN"]), int(media_env["MEDIA_UDP_PORT_MAX"])
    udp = [p for p in services["media"]["ports"] if p.get("protocol") == "udp"]
    assert len(udp) == hi - lo + 1
    assert all(int(p["published"]) == int(p["target"]) for p in udp)
    assert {int(p["target"]) for p in udp} == set(range(lo, hi + 1))


def test_prometheus_is_optional_and_scrapes_every_exporter(services: dict[str, dict[str, Any]]) -> None:
    # opt-in: `docker compose --profile observability up` (only Prometheus is behind a profile)
    assert services["prometheus"]["profiles"] == ["observability"]
    assert [n for n, s in services.items() if s.get("profiles")] == ["prometheus"]

    config = yaml.safe_load((ROOT / "infra/prometheus/prometheus.yml").read_text())
    targets: dict[str, tuple[str, int, str]] = {}
    for job in config["scrape_configs"]:
        for sd in job.get("dns_sd_configs", []):
            for host in sd["names"]:
                targets[host] = (job["job_name"], int(sd["port"]), job.get("metrics_path", "/metrics"))
    assert targets["api"][1:] == (8000, "/api/metrics")
    for llm in ("llm-question", "llm-evaluator"):
        assert targets[llm][1:] == (8080, "/metrics")
    for worker in ("worker-evaluation", "worker-vision"):
        port = int(services[worker]["environment"]["WORKER_METRICS_PORT"])
        assert targets[worker][1] == port
    assert set(targets) <= set(services)
