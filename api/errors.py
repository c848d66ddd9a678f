"""Error responses: one JSON shape (`{"detail": ...}`) for every 4xx/5xx, documented in OpenAPI."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from core.errors import Conflict, DomainError, NotFound, RateLimited


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


# The one place a domain error becomes an HTTP status. An unmapped DomainError subclass is a bug: 500 says so.
STATUS_OF: dict[type[DomainError], int] = {NotFound: 404, Conflict: 409, RateLimited: 429}


def status_of(exc: DomainError) -> int:
    for kind in type(exc).__mro__:
        if kind in STATUS_OF:
            return STATUS_OF[kind]  # type: ignore[index]
    return 500


def install_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, DomainError)
        headers = {"Retry-After": str(exc.retry_after_s)} if isinstance(exc, RateLimited) else None
        return JSONResponse({"detail": exc.message}, status_code=status_of(exc), headers=headers)

    app.add_exception_handler(DomainError, on_domain_error)
