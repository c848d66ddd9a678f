"""Real `llama-server` processes for tests (a pytest plugin, loaded from tests/conftest.py).

- `llama_tiny`: the tiny generated GGUF (loads in ~0.1 s; nonsense text, valid JSON under a schema).
- `llama_smol`: SmolLM2-135M-Instruct with 4 slots (sensible English, follows JSON schemas).
- `llama_factory`: start extra servers (replicas, restarts, fault injection); all stopped at session end.

Every server binds 127.0.0.1 on a free port and runs with one thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from launcher.llama import LlamaServer, free_port
from launcher.models_llm import smollm2_model, tiny_model

StartServer = Callable[..., LlamaServer]


@pytest.fixture(scope="session")
def llm_settings(services: dict[str, str]) -> Settings:
    return Settings()  # VAR_DIR etc. from the session's environment (see tests/conftest.py)


@pytest.fixture(scope="session")
def llm_model_files(llm_settings: Settings) -> dict[str, Path]:
    return {"tiny": tiny_model(llm_settings), "smol": smollm2_model(llm_settings)}


@pytest.fixture(scope="session")
def llama_factory(llm_settings: Settings, llm_model_files: dict[str, Path]) -> Iterator[StartServer]:
    started: list[LlamaServer] = []

    def start(
        model: str = "tiny",
        *,
        role: str = "evaluator",
        parallel: int = 2,
        ctx: int | None = None,
        alias: str | None = None,
        port: int | None = None,
        wait: bool = True,
    ) -> LlamaServer:
        overrides = {
            "LLAMA_ARG_MODEL": str(llm_model_files[model]),
            "LLAMA_ARG_ALIAS": alias or f"{model}-{role}",
            "LLAMA_ARG_N_PARALLEL": str(parallel),
            "LLAMA_ARG_CTX_SIZE": str(ctx or (8192 if model == "tiny" else 2048) * parallel),
            "LLAMA_ARG_THREADS": "1",
        }
        server = LlamaServer.for_role(
            role,  # type: ignore[arg-type]
            llm_settings,
            port or free_port(),
            overrides=overrides,
            build=False,
        )
        started.append(server)
        server.start()
        if wait:
            server.wait_healthy(timeout_s=60)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def llama_tiny(llama_factory: StartServer) -> LlamaServer:
    return llama_factory("tiny", parallel=2, alias="tiny")


@pytest.fixture(scope="session")
def llama_smol(llama_factory: StartServer) -> LlamaServer:
    return llama_factory("smol", parallel=4, ctx=8192, alias="smollm2-135m-instruct")
