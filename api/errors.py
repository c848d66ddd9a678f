"""Error responses: one JSON shape (`{"detail": ...}`) for every 4xx/5xx, documented in OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorOut(BaseModel):
    detail: str


class ValidationIssue(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(BaseModel):
    """422: field-level issues from request validation, or one message from the endpoint's own checks."""

    detail: str | list[ValidationIssue]


def responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    descriptions = {
        400: "Bad request",
        401: "Not signed in",
        403: "Forbidden",
        404: "Not found (or not yours)",
        409: "Conflict with the interview's current state",
        413: "Too large",
        415: "Unsupported media type",
        429: "Too many attempts",
        502: "Upstream service failed",
        503: "A required service is unavailable",
    }
    return {
        code: {"model": ValidationErrorOut if code == 422 else ErrorOut, "description": descriptions.get(code, "Error")}
        for code in codes
    }
