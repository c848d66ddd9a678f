"""Structured logs for every service: one JSON object per line, tagged with the service, request and interview.

`configure_logging("api")` at start-up installs one stdout handler on the root logger. Request and interview ids
travel in contextvars (`bind_request`, `bind_interview`, `log_context`), so a line logged deep inside a repository
still says which request and interview it belongs to.

Privacy is enforced here, not left to call sites: `RedactingFilter` runs on every record before it is formatted and
drops fields that carry candidate content (answers, transcripts, frames, résumé text) or secrets, and masks
secret-looking fragments (bearer tokens, passwords in URLs, `key=value` secrets, base64 images) in the message.
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
import uuid
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, Literal

from dramatiq.middleware import Middleware
from pythonjsonlogger.json import JsonFormatter

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
interview_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("interview_id", default=None)

REDACTED = "[redacted]"
REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")

# Extra fields whose *values* are candidate content or secrets; the key stays (so the shape of the log is visible)
# but the value never leaves the process. Compared case-insensitively on the normalised key.
SENSITIVE_KEYS = frozenset(
    {
        "answer",
        "answer_text",
        "text",
        "transcript",
        "content",
        "prompt",
        "messages",
        "completion",
        "question_text",
        "resume",
        "resume_text",
        "job_description",
        "frame",
        "frames",
        "image",
        "jpeg",
        "audio",
        "body",
        "password",
        "passwd",
        "secret",
        "secret_key",
        "token",
        "access_token",
        "refresh_token",
        "media_token",
        "api_key",
        "apikey",
        "authorization",
        "cookie",
        "set_cookie",
        "session",
        "session_id",
        "credential",
        "ice_credential",
        "deepgram_api_key",
    }
)

_MESSAGE_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # data: URIs (JPEG frames sent as base64) — never log image bytes
    (re.compile(r"data:[\w/+.-]+;base64,[A-Za-z0-9+/=]+"), "data:" + REDACTED),
    # long base64 runs (raw frames/audio) even without a data: prefix
    (re.compile(r"[A-Za-z0-9+/]{200,}={0,2}"), REDACTED),
    # Authorization headers
    (re.compile(r"(?i)\b(bearer|token|basic)\s+[A-Za-z0-9._~+/=-]{8,}"), r"\1 " + REDACTED),
    # user:password@ in URLs (database, redis, TURN)
    (re.compile(r"(?i)([a-z][a-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@"), r"\1" + REDACTED + "@"),
    # key=value / key: value pairs whose key names a secret
    (
        re.compile(
            r"(?i)\b((?:password|passwd|secret(?:_key)?|api[_-]?key|access[_-]?token|token|credential|cookie)"
            r"\s*[=:]\s*)(\"[^\"]*\"|'[^']*'|[^\s,;&]+)"
        ),
        r"\1" + REDACTED,
    ),
)


def _normalise_key(key: str) -> str:
    return key.lower().replace("-", "_")


def redact_text(text: str) -> str:
    """Mask secret-looking fragments and embedded images in free text."""
    for pattern, replacement in _MESSAGE_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(key: str, value: Any) -> Any:
    """The value to log for an extra field: redacted if the key names content or a secret, recursing into dicts."""
    if _normalise_key(key) in SENSITIVE_KEYS:
        return REDACTED
    if isinstance(value, dict):
        return {k: redact_value(str(k), v) for k, v in value.items()}
    if isinstance(value, bytes | bytearray | memoryview):
        return f"<{len(value)} bytes>"
    if isinstance(value, str):
        return redact_text(value)
    return value


_STANDARD_ATTRS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class RedactingFilter(logging.Filter):
    """Drop candidate content and secrets from a record before any handler formats it.

    The message is rendered once with its arguments, masked, and frozen (args cleared), so a `%s` argument that
    happens to be an answer or a token goes through the same masking as the message text.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string must not lose the log line
            message = f"{record.msg!s} {record.args!r}"
        record.msg = redact_text(message)
        record.args = None
        for key in list(record.__dict__):
            if key in _STANDARD_ATTRS or key.startswith("_"):
                continue
            record.__dict__[key] = redact_value(key, record.__dict__[key])
        return True


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


def new_request_id() -> str:
    return uuid.uuid4().hex


def clean_request_id(value: str | None) -> str:
    """An incoming X-Request-ID if it is a short safe token (it is echoed and logged), else a fresh one."""
    if value and _SAFE_REQUEST_ID.match(value):
        return value
    return new_request_id()


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


Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class RequestContextMiddleware:
    """Pure ASGI middleware (safe for SSE streaming): a request id per HTTP request, echoed as `X-Request-ID`.

    Route handlers run in the same task, so a handler that calls `bind_interview` tags the rest of the request.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = None
        for name, value in scope.get("headers", ()):
            if name == REQUEST_ID_HEADER.encode():
                incoming = value.decode("latin-1")
                break
        request_id = clean_request_id(incoming)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != REQUEST_ID_HEADER.encode()]
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message["headers"] = headers
            await send(message)

        with log_context(request_id=request_id):
            await self.app(scope, receive, send_with_id)


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
