"""The Dockerfiles, read statically (no Docker engine here): same command as the native run, multi-stage, non-root,
only their own dependency group, and every file they copy exists."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
import yaml  # type: ignore[import-untyped]

from launcher.services import SERVICES

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "infra/docker"))
from deps import requirements  # noqa: E402

PYTHON_DOCKERFILES = {
    "api": ("api/Dockerfile", "api"),
    "worker-evaluation": ("worker/evaluation.Dockerfile", "worker"),
    "worker-vision": ("worker/vision.Dockerfile", "vision"),
    "media": ("media/Dockerfile", "media"),
}
# Heavy stacks that must stay out of the images that do not use them.
FORBIDDEN = {
    "api": ("deepface", "opencv", "onnxruntime", "langchain", "aiortc", "faster-whisper"),
    "worker": ("fastapi", "uvicorn", "deepface", "opencv", "aiortc"),
    "vision": ("fastapi", "uvicorn", "langchain", "aiortc", "faster-whisper"),
    "media": ("deepface", "opencv", "langchain"),
}


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with line continuations joined and comments dropped."""
    text = re.sub(r"\\\n", " ", path.read_text())
    out = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        op, _, rest = line.partition(" ")
        out.append((op.upper(), rest.strip()))
    return out


def _final_stage(instrs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    starts = [i for i, (op, _) in enumerate(instrs) if op == "FROM"]
    return instrs[starts[-1] :]


@pytest.mark.parametrize("service", sorted(PYTHON_DOCKERFILES))
def test_cmd_is_the_native_command(service: str) -> None:
    dockerfile, _ = PYTHON_DOCKERFILES[service]
    cmds = [args for op, args in _instructions(ROOT / dockerfile) if op == "CMD"]
    assert len(cmds) == 1, f"{dockerfile}: exactly one CMD"
    assert json.loads(cmds[0]) == SERVICES[service], f"{dockerfile} CMD differs from launcher/services.py"


def test_every_service_command_has_a_dockerfile_and_compose_uses_it() -> None:
    assert set(SERVICES) == set(PYTHON_DOCKERFILES)
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    for service, (dockerfile, _) in PYTHON_DOCKERFILES.items():
        assert compose[service]["build"]["dockerfile"] == dockerfile
        assert "command" not in compose[service], f"{service}: compose must not override the image's CMD"
    assert compose["migrate"]["command"] == ["python", "-m", "core.db.migrate"]


@pytest.mark.parametrize("service", sorted(PYTHON_DOCKERFILES))
def test_multi_stage_slim_non_root_with_healthcheck(service: str) -> None:
    dockerfile, group = PYTHON_DOCKERFILES[service]
    instrs = _instructions(ROOT / dockerfile)
    froms = [args for op, args in instrs if op == "FROM"]
    assert len(froms) >= 2, "multi-stage"
    args = dict(a.split("=", 1) for op, a in instrs if op == "ARG" and "=" in a)
    assert "slim" in args["PYTHON_IMAGE"]
    final = _final_stage(instrs)
    users = [a for op, a in final if op == "USER"]
    assert users, "runs as a non-root user"
    assert users[-1] not in ("root", "0"), "runs as a non-root user"
    assert any(op == "HEALTHCHECK" for op, _ in final)
    # the final stage gets the venv from the build stage, never runs pip itself
    assert not any(op == "RUN" and "pip install" in a for op, a in final)
    installs = " ".join(a for op, a in instrs if op == "RUN" and "deps.py" in a)
    assert f"deps.py {group} " in installs + " ", f"{dockerfile} must install only the `{group}` group"
    assert "-c requirements/constraints.txt" in installs


@pytest.mark.parametrize("group", sorted(FORBIDDEN))
def test_dependency_groups_keep_stacks_apart(group: str) -> None:
    reqs = " ".join(requirements([group])).lower()
    for name in FORBIDDEN[group]:
        assert name not in reqs, f"the {group} image would get {name}"


def test_frontend_dockerfile_builds_static_files_served_by_unprivileged_nginx() -> None:
    instrs = _instructions(ROOT / "frontend/Dockerfile")
    assert len([a for op, a in instrs if op == "FROM"]) >= 2
    args = dict(a.split("=", 1) for op, a in instrs if op == "ARG" and "=" in a)
    assert "nginx-unprivileged" in args["NGINX_IMAGE"]
    final = _final_stage(instrs)
    assert any(op == "COPY" and "nginx.conf" in a for op, a in final)
    assert any(op == "HEALTHCHECK" for op, _ in final)


@pytest.mark.parametrize(
    "dockerfile", [*(d for d, _ in PYTHON_DOCKERFILES.values()), "frontend/Dockerfile"], ids=lambda d: d
)
def test_copied_sources_exist_and_are_not_dockerignored(dockerfile: str) -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith(("#", "!"))
    ]
    for op, args in _instructions(ROOT / dockerfile):
        if op != "COPY" or args.startswith("--from"):
            continue
        *sources, _dest = args.split()
        for src in sources:
            path = ROOT / src.rstrip("/")
            assert path.exists(), f"{dockerfile}: COPY source {src} missing"
            top = src.rstrip("/").split("/")[0]
            assert top not in ignored, f"{src} is excluded by .dockerignore"
            assert src.rstrip("/") not in ignored, f"{src} is excluded by .dockerignore"


def test_dockerignore_keeps_secrets_weights_and_state_out() -> None:
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", "var", "models/*.gguf", "frontend/node_modules", "infra/postgres/data"} <= ignored
