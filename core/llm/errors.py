"""Typed LLM failures the API and the workers map to their own responses (503 / retry / "failed")."""

from __future__ import annotations


class LLMError(Exception):
    """Base class; `role` names the model role (question / evaluator)."""

    def __init__(self, role: str, message: str) -> None:
        super().__init__(f"{role} model: {message}")
        self.role = role
        self.message = message


class LLMUnavailable(LLMError):
    """Every replica is down, loading, timed out or refused the request: try again later."""


class LLMBadOutput(LLMError):
    """The model answered, but not with what was asked (invalid JSON, schema mismatch, empty reply).

    `raw` is the model's text (never logged: it may quote the candidate's answer)."""

    def __init__(self, role: str, message: str, raw: str = "") -> None:
        super().__init__(role, message)
        self.raw = raw


class LLMRequestError(LLMError):
    """The server rejected the request itself (HTTP 4xx other than 408/429): a bug or a misconfiguration."""
