"""Which request, job and interview a log line belongs to: ids in contextvars, stamped on every record.

The request id is asgi-correlation-id's contextvar where that library is installed (the API: its middleware binds
one per HTTP request, see `core.logging.http`), so there is one variable whoever sets it; a worker without the
library gets a variable of its own, bound per job (`core.logging.jobs`, `log_context`).
"""

from __future__ import annotations

import contextvars
import logging
from collections.abc import Iterator
from contextlib import contextmanager

try:
    from asgi_correlation_id import correlation_id as request_id_var
except ImportError:  # a worker image without the HTTP stack
    request_id_var = contextvars.ContextVar("request_id", default=None)  # type: ignore[misc,unused-ignore]
interview_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("interview_id", default=None)

__all__ = ["ContextFilter", "bind_interview", "interview_id_var", "log_context", "request_id_var"]


class ContextFilter(logging.Filter):
    """Stamp each record with the service name and the current request and interview ids."""

    def __init__(self, service: str) -> None:
        super().__init__()
        self.service = service

    def filter(self, record: logging.LogRecord) -> bool:
        record.service = self.service
        if getattr(record, "request_id", None) is None:
            record.request_id = request_id_var.get()
        if getattr(record, "interview_id", None) is None:
            record.interview_id = interview_id_var.get()
        return True


@contextmanager
def log_context(*, request_id: str | None = None, interview_id: object | None = None) -> Iterator[None]:
    """Bind ids for the duration of a block (a job, a WebRTC session); restores the previous values after."""
    tokens: list[tuple[contextvars.ContextVar[str | None], contextvars.Token[str | None]]] = []
    if request_id is not None:
        tokens.append((request_id_var, request_id_var.set(request_id)))
    if interview_id is not None:
        tokens.append((interview_id_var, interview_id_var.set(str(interview_id))))
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def bind_interview(interview_id: object) -> None:
    """Tag the rest of the current request/task with an interview id (call from a route handler)."""
    interview_id_var.set(str(interview_id))
