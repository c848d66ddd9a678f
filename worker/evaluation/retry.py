"""Retry policy shared by both actors: which failures retry, how long to wait, when to give up."""

from __future__ import annotations

from core.llm import LLMError, LLMRequestError, LLMUnavailable

UNAVAILABLE_MAX_RETRIES = 32  # 1+2+4+8+16 s, then 30 s each: ≈ 15 min of a model server being down
UNAVAILABLE_MAX_BACKOFF_S = 30.0
BAD_OUTPUT_MAX_BACKOFF_S = 8.0


def backoff_s(kind: str, failures: int) -> float:
    if kind == "unavailable":
        return min(UNAVAILABLE_MAX_BACKOFF_S, 2.0 ** (failures - 1))
    return min(BAD_OUTPUT_MAX_BACKOFF_S, 0.5 * 2.0 ** (failures - 1))


def is_final(kind: str, failures: int, max_retries: int) -> bool:
    limit = UNAVAILABLE_MAX_RETRIES if kind == "unavailable" else max_retries
    return failures > limit


def retry_temperature(base: float, bad_outputs: int) -> float:
    """Sample a little more freely after each unusable reply: at the same low temperature a model that looped or
    broke the format once tends to do exactly the same again (its prompt is even cached)."""
    return round(min(1.0, base + 0.3 * bad_outputs), 2)


def classify(exc: LLMError) -> str:
    return "unavailable" if isinstance(exc, LLMUnavailable) else "bad_output"


def failure_reason(exc: LLMError) -> str:
    """A message for the candidate and the row: what went wrong, never the model's raw text or the answer."""
    if isinstance(exc, LLMUnavailable):
        return f"the evaluator model is unavailable: {exc.message}"
    if isinstance(exc, LLMRequestError):
        return f"the evaluator model rejected the request: {exc.message}"
    return f"the evaluator model returned an invalid reply: {exc.message}"
