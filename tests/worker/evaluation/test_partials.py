"""`evaluation.partial`: the evaluator's reply is streamed and its scores reach the interview's event stream while
it is still being written — in a real worker process against real llama-server, Redis and PostgreSQL. A reply that
fails validation after partials were shown ends with `evaluation.failed` (the UI drops the partials), never with a
stored score."""

from __future__ import annotations

from pathlib import Path

import redis

from core.db.models import JobStatus
from launcher.llama import LlamaServer
from tests.llm_fixtures import StartServer
from tests.worker.evaluation.helpers import (
    create_answer,
    enqueue_evaluation,
    evaluation_worker,
    events_of,
    wait_for_event,
)
from tests.worker.evaluation.test_evaluate_answer import ANSWER, evaluation_row, wait_for_status
from worker.evaluation.schemas import CRITERIA
from worker.evaluation.scoring import displayable_partial


def test_only_finished_parts_are_displayable() -> None:
    growing = {"relevance": 4, "depth": 3, "strengths": ["Clear timeline.", "Named the met"]}
    assert displayable_partial(growing) == {"rubric": {"relevance": 4, "depth": 3}, "strengths": ["Clear timeline."]}
    later = {**growing, "improvements": []}
    assert displayable_partial(later)["strengths"] == ["Clear timeline.", "Named the met"]
    assert displayable_partial({"relevance": 9, "overall_score": True}) == {"rubric": {}}


async def test_partials_arrive_before_the_outcome(
    llama_factory: StartServer, service_env, db_session, redis_client: redis.Redis, tmp_path: Path
) -> None:
    smol: LlamaServer = llama_factory("smol", parallel=2, ctx=8192, alias="smollm2-135m-instruct")
    interview, _, answer = await create_answer(db_session, ANSWER)
    with evaluation_worker(
        service_env,
        tmp_path / "logs",
        LLM_EVALUATOR__BASE_URLS=smol.base_url,
        EVALUATION_MAX_RETRIES="0",  # one attempt: SmolLM2's reply may fail the content checks, which is fine here
        EVALUATION_PARTIAL_INTERVAL_S="0",
    ):
        enqueue_evaluation(answer.id)
        wait_for_event(
            redis_client, interview.id, lambda e: e["type"] in ("evaluation.ready", "evaluation.failed"), 600
        )
    row = await wait_for_status(answer.id, {JobStatus.ready, JobStatus.failed})
    events = events_of(redis_client, interview.id)
    kinds = [e["type"] for e in events]
    assert kinds[-1] in ("evaluation.ready", "evaluation.failed")  # nothing provisional after the outcome
    partials = [e for e in events if e["type"] == "evaluation.partial"]
    assert partials  # the grammar makes the scores come first: they were shown while the rest was written
    assert all(p["answer_id"] == str(answer.id) for p in partials)
    scores = [p["rubric"] for p in partials]
    assert all(set(s) <= set(CRITERIA) and all(1 <= v <= 5 for v in s.values()) for s in scores)
    assert [len(s) for s in scores] == sorted(len(s) for s in scores)  # the rubric only grows
    if row.status == JobStatus.ready:
        assert kinds[-1] == "evaluation.ready"
        assert scores[-1] == row.rubric  # what was shown is what was stored
    else:  # a failed evaluation is never shown as final: no score stored, the UI drops the partials
        assert "evaluation.ready" not in kinds
        assert row.overall_score is None and row.rubric == {}


async def test_a_reply_cut_after_partials_ends_failed_and_stores_no_score(
    llama_factory: StartServer, service_env, db_session, redis_client: redis.Redis, tmp_path: Path
) -> None:
    tiny: LlamaServer = llama_factory("tiny", parallel=2)
    interview, _, answer = await create_answer(db_session, ANSWER)
    with evaluation_worker(
        service_env,
        tmp_path / "logs",
        LLM_EVALUATOR__BASE_URLS=tiny.base_url,
        LLM_EVALUATOR__MODEL="tiny",
        LLM_EVALUATOR__MAX_TOKENS="40",  # the scores fit, the rest of the object does not
        EVALUATION_MAX_RETRIES="0",
        EVALUATION_PARTIAL_INTERVAL_S="0",
    ):
        enqueue_evaluation(answer.id)
        final = wait_for_event(redis_client, interview.id, lambda e: e["type"] == "evaluation.failed", 120)
    assert final["final"] is True
    kinds = [e["type"] for e in events_of(redis_client, interview.id)]
    assert "evaluation.partial" in kinds
    assert kinds.index("evaluation.partial") < kinds.index("evaluation.failed")
    assert "evaluation.ready" not in kinds
    row = await evaluation_row(answer.id)
    assert row.status == JobStatus.failed
    assert row.overall_score is None and row.rubric == {}
