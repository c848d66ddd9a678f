"""The whole product started the way `make run` starts it (launcher.stack.Stack), for end-to-end tests.

It reuses the session's PostgreSQL/Redis and provisioned models, picks free ports, keeps every socket on
127.0.0.1, and stops every process at the end of the session.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings
from launcher.llama import free_port
from launcher.stack import Stack


# Module scope: the stack's workers consume the shared queues, so they must be gone before other modules run.
@pytest.fixture(scope="module")
def stack(services: dict[str, str], llm_model_files: dict[str, Path]) -> Iterator[Stack]:
    api_port, media_port = free_port(), free_port()
    overrides = {
        "API_PORT": str(api_port),
        "MEDIA_PORT": str(media_port),
        "MEDIA_HOST_ADDRESSES": "127.0.0.1",
        "LLAMA_QUESTION_PORT": str(free_port()),
        "LLAMA_EVALUATOR_PORT": str(free_port()),
        "LLM_QUESTION__MAX_TOKENS": "96",
        "WORKER_THREADS": "2",
    }
    saved = dict(os.environ)
    os.environ.update(overrides)
    try:
        settings = Settings()
        the_stack = Stack(settings, env_overrides=overrides, echo=False)
        the_stack.start(timeout_s=180)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    yield the_stack
    the_stack.stop()
