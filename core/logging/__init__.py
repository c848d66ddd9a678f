"""Structured logs for every service: one JSON object per line, tagged with the service, request and interview.

`configure_logging("api")` at start-up installs one stdout handler on the root logger, with two filters:
`context.ContextFilter` stamps the service and the request and interview ids (contextvars bound by `log_context`,
`bind_interview`, the HTTP middleware in `http` and the Dramatiq middleware in `jobs`), and
`redaction.RedactingFilter` keeps candidate content and secrets out of every line.
"""

from __future__ import annotations

import logging
import sys
from typing import Any, Literal

from pythonjsonlogger.json import JsonFormatter

from core.logging.context import ContextFilter, bind_interview, interview_id_var, log_context, request_id_var
from core.logging.jobs import JobLogContext
from core.logging.redaction import REDACTED, RedactingFilter, redact_text, redact_value

__all__ = [
    "REDACTED",
    "ContextFilter",
    "JobLogContext",
    "RedactingFilter",
    "bind_interview",
    "build_handler",
    "configure_logging",
    "interview_id_var",
    "log_context",
    "redact_text",
    "redact_value",
    "request_id_var",
]


class _ConsoleFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [f"{k}={v}" for k in ("request_id", "interview_id") if (v := getattr(record, k, None))]
        return f"{line} [{' '.join(ids)}]" if ids else line


def build_handler(service: str, log_format: Literal["json", "console"], stream: Any = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stdout)
    if log_format == "json":
        handler.setFormatter(
            JsonFormatter(
                "{asctime}{levelname}{name}{message}",
                style="{",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(_ConsoleFormatter("%(asctime)s %(levelname)-7s %(service)s %(name)s: %(message)s"))
    # Filters on the handler (not the logger) also cover records propagated from child loggers.
    handler.addFilter(ContextFilter(service))
    handler.addFilter(RedactingFilter())
    handler.set_name("rehearsal")
    return handler


def configure_logging(
    service: str,
    *,
    level: str | None = None,
    log_format: Literal["json", "console"] | None = None,
    stream: Any = None,
) -> None:
    """Install the service's single stdout handler on the root logger (idempotent; settings fill the defaults)."""
    if level is None or log_format is None:
        from core.settings import get_settings

        settings = get_settings()
        level = level or settings.log_level
        log_format = log_format or settings.log_format
    root = logging.getLogger()
    # Ours is the only handler: Dramatiq's CLI installs its own in each worker process, which would print every
    # line twice (once unredacted).
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(build_handler(service, log_format, stream))
    root.setLevel(level.upper())
    # Access logs repeat what the metrics already count and can carry query strings (media tokens): keep them out.
    logging.getLogger("uvicorn.access").disabled = True
    for noisy in ("httpx", "httpcore", "openai", "aioice", "aiortc"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
