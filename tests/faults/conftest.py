"""Fault injection against the whole product (launcher.stack.Stack) on 127.0.0.1.

The stack here has its *own* PostgreSQL and Redis (so they can be restarted without disturbing the session's), its
own two SmolLM2 `llama-server`s (question and evaluator, so they can be killed), and the API, evaluation worker,
vision workers and media server as `make run` starts them, supervised (a killed worker is restarted).

Every scenario records one row: what the user saw, and how many acknowledged answers, evaluations and final
transcripts were lost. The rows are printed as one table at the end of the run (and written to
test-artifacts/faults/table.md). `make test` runs the fast scenarios; `--faults-full` (`make faults`) adds the slow
ones marked `faults_full`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from launcher.embedded import EmbeddedPostgres, EmbeddedRedis
from launcher.llama import LlamaServer, free_port
from launcher.stack import Stack
from tests.llm_fixtures import StartServer

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "faults"
ROWS: list[dict[str, Any]] = []
COLUMNS = ("scenario", "user sees", "answers lost", "evaluations lost", "transcripts lost", "checked")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--faults-full", action="store_true", default=False, help="run the slow fault scenarios too")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "faults_full: slow fault scenario, run with --faults-full (make faults)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # The option is registered only when this conftest is loaded at start-up (pytest tests/faults …).
    if config.getoption("--faults-full", default=False):
        return
    skip = pytest.mark.skip(reason="slow fault scenario: run with --faults-full (make faults)")
    for item in items:
        if "faults_full" in item.keywords:
            item.add_marker(skip)


def record(scenario: str, user_sees: str, lost: dict[str, int], checked: str) -> None:
    ROWS.append(
        {
            "scenario": scenario,
            "user sees": user_sees,
            "answers lost": lost["answers"],
            "evaluations lost": lost["evaluations"],
            "transcripts lost": lost["transcripts"],
            "checked": checked,
        }
    )


def render_table() -> str:
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(str(r[c]).replace("|", "/") for c in COLUMNS) + " |" for r in ROWS]
    return "\n".join(lines)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if not ROWS:
        return
    terminalreporter.section("fault table (lost items must all be 0)")
    for line in render_table().splitlines():
        terminalreporter.write_line(line)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "table.md").write_text(render_table() + "\n")


@dataclass
class FaultStack:
    stack: Stack
    pg: EmbeddedPostgres
    redis: EmbeddedRedis
    question: LlamaServer
    evaluator: LlamaServer
    database_url: str
    redis_url: str
    media_url: str
    log_dir: Path

    @property
    def base_url(self) -> str:
        return self.stack.base_url


@pytest.fixture(scope="session")
def fault_stack(
    services: dict[str, str], llama_factory: StartServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FaultStack]:
    from core.settings import Settings
    from launcher.models_vision import provision as provision_vision
    from launcher.models_whisper import provision as provision_whisper

    base = tmp_path_factory.mktemp("fault-stack")
    deepface_home = base / "deepface"
    provision_vision(Settings(deepface_home=deepface_home, vision_weights="fer"))
    whisper_dir = ROOT / "var" / "models" / "whisper-base"  # git-ignored, shared with `make models`
    provision_whisper(Settings(whisper_model_dir=whisper_dir))

    question = llama_factory("smol", role="question", parallel=2, alias="smol-question")
    evaluator = llama_factory("smol", role="evaluator", parallel=2, ctx=8192, alias="smol-evaluator")
    pg = EmbeddedPostgres(base / "postgres")
    rd = EmbeddedRedis(base / "redis", persist=True)  # append-only file: queued jobs survive a restart
    database_url, redis_url = pg.start(), rd.start()
    api_port, media_port = free_port(), free_port()
    media_url = f"http://127.0.0.1:{media_port}"
    overrides = {
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "VAR_DIR": str(base / "var"),
        "API_PORT": str(api_port),
        "MEDIA_PORT": str(media_port),
        "MEDIA_HOST_ADDRESSES": "127.0.0.1",
        "MEDIA_STATUS_POLL_S": "1",
        "STT_PROVIDER": "whisper",
        "WHISPER_MODEL_DIR": str(whisper_dir),
        "DEEPFACE_HOME": str(deepface_home),
        "LLM_QUESTION__BASE_URLS": question.base_url,
        "LLM_QUESTION__MAX_TOKENS": "96",
        "LLM_EVALUATOR__BASE_URLS": evaluator.base_url,
        "LLM_QUESTION__HEALTH_INTERVAL_S": "1",
        "LLM_EVALUATOR__HEALTH_INTERVAL_S": "1",
        "WORKER_THREADS": "2",
        "SECRET_KEY": "fault-suite-secret",
    }
    saved = dict(os.environ)
    os.environ.update(overrides)
    stack: Stack | None = None
    try:
        stack = Stack(Settings(), env_overrides=overrides, echo=False)
        stack.start(timeout_s=180)
    except BaseException:
        rd.stop()
        pg.stop()
        raise
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        yield FaultStack(stack, pg, rd, question, evaluator, database_url, redis_url, media_url, base / "var" / "logs")
    finally:
        stack.stop()
        rd.stop()
        pg.stop()
