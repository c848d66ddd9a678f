"""Which model server a qualification run talks to: the one the role is configured to.

`LLM_<ROLE>__BASE_URLS` if set (any OpenAI-compatible server, e.g. a production llama-server); else the local
launcher's server on `LLAMA_<ROLE>_PORT` if one is answering (`make run` is up); else that same server — the role's
`model-servers/<role>.env` (+ `local.env` unless `LLAMA_MODELS=production`) — started for the run on a free port
by the launcher's own `LlamaServer` and stopped afterwards. A launcher server is reached through the role's port
setting, as the product reaches it, so settings that apply to the bundled model (`bundled_max_tokens`) apply here too.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from core.llm import Role, role_base_urls
from core.settings import Settings


@dataclass(frozen=True)
class Endpoint:
    settings: Settings  # the caller's settings, with the role pointed at the live server
    base_url: str
    how: str  # where it came from, for the report

    @property
    def model(self) -> str:
        return server_model_id(self.base_url)


def healthy(root: str) -> bool:
    with contextlib.suppress(httpx.HTTPError):
        return httpx.get(f"{root}/health", timeout=3).status_code == 200
    return False


def server_model_id(root: str) -> str:
    """The model id the server reports (llama-server: its alias)."""
    with contextlib.suppress(httpx.HTTPError, KeyError, IndexError, ValueError):
        return str(httpx.get(f"{root}/v1/models", timeout=5).json()["data"][0]["id"])
    return "unknown"


@contextlib.contextmanager
def role_endpoint(role: Role, settings: Settings) -> Iterator[Endpoint]:
    configured = settings.llm_question.base_urls if role == "question" else settings.llm_evaluator.base_urls
    if configured:
        yield Endpoint(settings, role_base_urls(role, settings)[0].rstrip("/"), f"LLM_{role.upper()}__BASE_URLS")
        return
    local = role_base_urls(role, settings)[0]
    if healthy(local):
        yield Endpoint(settings, local, "the local launcher's running server")
        return
    from launcher.llama import LlamaServer, free_port

    server = LlamaServer.for_role(role, settings, free_port(), build=False)
    server.start()
    try:
        server.wait_healthy(120)
        source = f"model-servers/{role}.env" + (" + local.env" if settings.llama_models == "local" else "")
        how = (
            f"{source}, started for this run ({server.env.get('LLAMA_ARG_THREADS', '?')} thread(s), "
            f"{server.env.get('LLAMA_ARG_N_PARALLEL', '?')} slots, ctx {server.env.get('LLAMA_ARG_CTX_SIZE', '?')})"
        )
        on_port = settings.model_copy(update={f"llama_{role}_port": server.port})
        yield Endpoint(on_port, server.base_url, how)
    finally:
        server.stop()
