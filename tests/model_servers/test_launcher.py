"""The local launcher runs the real llama-server from the shared model-servers/ config, and fails clearly."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import httpx
import pytest

from core.errors import ConfigError
from core.settings import Settings
from launcher.llama import CONFIG_DIR, ROLES, TEMPLATES_DIR, LlamaServer, read_env_file, role_env
from tests.llm_fixtures import StartServer

REQUIRED = {
    "LLAMA_ARG_MODEL",
    "LLAMA_ARG_ALIAS",
    "LLAMA_ARG_CTX_SIZE",
    "LLAMA_ARG_N_PARALLEL",
    "LLAMA_ARG_THREADS",
    "LLAMA_ARG_N_GPU_LAYERS",
    "LLAMA_ARG_CHAT_TEMPLATE_FILE",
    "LLAMA_ARG_ENDPOINT_METRICS",
    "LLAMA_ARG_HOST",
    "LLAMA_ARG_PORT",
}


@pytest.mark.parametrize("role", ROLES)
def test_role_files_use_llama_server_variables_and_container_paths(role: str) -> None:
    env = read_env_file(CONFIG_DIR / f"{role}.env")
    assert env.keys() >= REQUIRED
    assert all(key.startswith("LLAMA_ARG_") for key in env)
    assert env["LLAMA_ARG_MODEL"].startswith("/models/")
    template = env["LLAMA_ARG_CHAT_TEMPLATE_FILE"]
    assert template.startswith("/templates/")
    assert (TEMPLATES_DIR / template.removeprefix("/templates/")).is_file()


def test_local_profile_swaps_only_the_model_and_production_is_one_setting(llm_settings: Settings) -> None:
    local = role_env("evaluator", llm_settings)
    production = role_env("evaluator", llm_settings.model_copy(update={"llama_models": "production"}))
    assert local["LLAMA_ARG_MODEL"] == "/models/SmolLM2-135M-Instruct.Q4_1.gguf"
    assert production["LLAMA_ARG_MODEL"] == read_env_file(CONFIG_DIR / "evaluator.env")["LLAMA_ARG_MODEL"]
    assert local["LLAMA_ARG_ENDPOINT_METRICS"] == production["LLAMA_ARG_ENDPOINT_METRICS"]


def test_local_evaluator_profile_applies_to_the_evaluator_only(llm_settings: Settings) -> None:
    """local.evaluator.env: a Korean rubric prompt plus its reply does not fit SmolLM2's 2,048-token slot."""
    evaluator, question = role_env("evaluator", llm_settings), role_env("question", llm_settings)
    assert int(evaluator["LLAMA_ARG_CTX_SIZE"]) // int(evaluator["LLAMA_ARG_N_PARALLEL"]) >= 4096
    assert question["LLAMA_ARG_CTX_SIZE"] == read_env_file(CONFIG_DIR / "local.env")["LLAMA_ARG_CTX_SIZE"]
    production = role_env("evaluator", llm_settings.model_copy(update={"llama_models": "production"}))
    assert production == read_env_file(CONFIG_DIR / "evaluator.env")


def test_default_local_server_resolves_paths_and_binds_loopback(llm_settings: Settings, llm_model_files) -> None:
    server = LlamaServer.for_role("question", llm_settings, build=False)
    assert server.model_path.resolve() == llm_model_files["smol"].resolve()
    assert Path(server.env["LLAMA_ARG_CHAT_TEMPLATE_FILE"]) == TEMPLATES_DIR / "chatml.jinja"
    assert server.port == llm_settings.llama_question_port
    assert server._process_env()["LLAMA_ARG_HOST"] == "127.0.0.1"
    assert server.env["LLAMA_ARG_THREADS"] == "1"  # 2-core machine


def test_missing_model_file_names_role_and_setting(llm_settings: Settings) -> None:
    with pytest.raises(ConfigError) as info:
        LlamaServer.for_role("evaluator", llm_settings.model_copy(update={"llama_models": "production"}), build=False)
    message = str(info.value)
    assert "LLAMA_ARG_MODEL" in message
    assert "evaluator" in message
    assert "solar-10.7b-instruct-v1.0.Q8_0.gguf" in message


def test_wrong_chat_template_names_role_and_setting(llm_settings: Settings) -> None:
    with pytest.raises(ConfigError) as info:
        LlamaServer.for_role(
            "question", llm_settings, overrides={"LLAMA_ARG_CHAT_TEMPLATE_FILE": "/templates/nope.jinja"}, build=False
        )
    assert "LLAMA_ARG_CHAT_TEMPLATE_FILE" in str(info.value)
    assert "question" in str(info.value)


def test_port_in_use_names_role_and_port_setting(llm_settings: Settings) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        server = LlamaServer.for_role("evaluator", llm_settings, port, build=False)
        with pytest.raises(ConfigError) as info:
            server.start()
    assert "LLAMA_EVALUATOR_PORT" in str(info.value)
    assert "evaluator" in str(info.value)
    assert server.proc is None


@pytest.mark.parametrize("template", sorted(p.name for p in TEMPLATES_DIR.glob("*.jinja")))
def test_every_chat_template_is_accepted_by_llama_server(llama_factory: StartServer, template: str) -> None:
    server = llama_factory("tiny", parallel=1)
    server.stop()
    server.env["LLAMA_ARG_CHAT_TEMPLATE_FILE"] = str(TEMPLATES_DIR / template)
    server.start()
    server.wait_healthy(timeout_s=60)
    body = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "hi"}], "max_tokens": 4}
    resp = httpx.post(f"{server.base_url}/v1/chat/completions", json=body, timeout=30)
    assert resp.status_code == 200
    server.stop()


def test_supervisor_restarts_a_dead_server_and_stops_cleanly(llama_factory: StartServer) -> None:
    server = llama_factory("tiny", parallel=1)
    server.start_watchdog(interval_s=0.2)
    first_pid = server.proc.pid if server.proc else None
    server.kill()  # SIGKILL, as a crash would
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (server.restarts >= 1 and server.healthy()):
        time.sleep(0.1)
    assert server.restarts >= 1
    assert server.healthy()
    assert server.proc is not None
    assert server.proc.pid != first_pid
    proc = server.proc
    server.stop()
    assert proc.poll() is not None  # the whole process group is gone
    assert not server.healthy()
    assert server.poll() == -1
