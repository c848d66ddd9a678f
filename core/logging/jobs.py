"""Dramatiq middleware: a job's log lines carry its message id (as request id) and its interview id."""

from __future__ import annotations

import contextvars
from typing import Any

from dramatiq.middleware import Middleware

from core.logging.context import interview_id_var, request_id_var


class JobLogContext(Middleware):  # type: ignore[misc]
    """Dramatiq middleware: tag a job's log lines with its message id (as request id) and its interview id.

    Works for thread actors. Dramatiq runs `async def` actors on a separate event-loop thread without copying
    contextvars, so async actors wrap their body in `log_context(...)` themselves.
    """

    def __init__(self) -> None:
        self._tokens: dict[str, tuple[contextvars.Token[str | None], contextvars.Token[str | None]]] = {}

    def before_process_message(self, broker: Any, message: Any) -> None:
        kwargs = message.kwargs if isinstance(message.kwargs, dict) else {}
        interview_id = kwargs.get("interview_id")
        self._tokens[message.message_id] = (
            request_id_var.set(str(message.message_id)),
            interview_id_var.set(str(interview_id) if interview_id is not None else None),
        )

    def after_process_message(
        self, broker: Any, message: Any, *, result: Any = None, exception: BaseException | None = None
    ) -> None:
        tokens = self._tokens.pop(message.message_id, None)
        if tokens:
            interview_id_var.reset(tokens[1])
            request_id_var.reset(tokens[0])

    def after_skip_message(self, broker: Any, message: Any) -> None:
        self.after_process_message(broker, message)
