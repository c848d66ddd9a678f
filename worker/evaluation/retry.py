"""Retry policy shared by both actors: which failures retry, how long to wait, when to give up."""

from __future__ import annotations

import httpx
import openai

from core.llm import LLMError, LLMRequestError, LLMUnavailable

UNAVAILABLE_MAX_RETRIES = 32  # 1+2+4+8+16 s, then 30 s each: ≈ 15 min of a model server being down
# A reply that did not come within the evaluator's read timeout (LLM_EVALUATOR__READ_TIMEOUT_S: a stuck server, or
# a machine so busy that the whole reply takes longer) is asked for once more, then the evaluation fails with
# error_code "timeout": the same work is never started more than 1 + TIMEOUT_MAX_RETRIES times because of timeouts
# (before: retried as "unavailable", up to 32 times — 16–18 minutes for one answer on a busy machine).
TIMEOUT_MAX_RETRIES = 1
UNAVAILABLE_MAX_BACKOFF_S = 30.0
BAD_OUTPUT_MAX_BACKOFF_S = 8.0


def backoff_s(kind: str, failures: int) -> float:
    if kind in ("unavailable", "timeout"):
        return min(UNAVAILABLE_MAX_BACKOFF_S, 2.0 ** (failures - 1))
    return min(BAD_OUTPUT_MAX_BACKOFF_S, 0.5 * 2.0 ** (failures - 1))


def is_final(kind: str, failures: int, max_retries: int) -> bool:
    limits = {"unavailable": UNAVAILABLE_MAX_RETRIES, "timeout": TIMEOUT_MAX_RETRIES}
    return failures > limits.get(kind, max_retries)


def retry_temperature(base: float, bad_outputs: int) -> float:
    """Sample a little more freely after each unusable reply: at the same low temperature a model that looped or
    broke the format once tends to do exactly the same again (its prompt is even cached)."""
    return round(min(1.0, base + 0.3 * bad_outputs), 2)


def classify(exc: LLMError) -> str:
    """The failure kind, also the `error_code` the candidate's UI gets: "timeout" | "unavailable" | "bad_output"."""
    if isinstance(exc, LLMUnavailable):
        timed_out = isinstance(exc.__cause__, openai.APITimeoutError | httpx.TimeoutException)
        return "timeout" if timed_out else "unavailable"
    return "bad_output"


def failure_reason(exc: LLMError) -> str:
    """A message for the candidate and the row: what went wrong, never the model's raw text or the answer."""
    if classify(exc) == "timeout":
        return f"the evaluator model stopped answering (the machine may be busy): {exc.message}"
    if isinstance(exc, LLMUnavailable):
        return f"the evaluator model is unavailable: {exc.message}"
    if isinstance(exc, LLMRequestError):
        return f"the evaluator model rejected the request: {exc.message}"
    return f"the evaluator model returned an invalid reply: {exc.message}"
