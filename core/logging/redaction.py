"""Privacy, enforced where logs are written rather than left to call sites: `RedactingFilter` runs on every record
before it is formatted, drops the values of fields that carry candidate content (answers, transcripts, frames,
résumé text) or secrets, and masks secret-looking fragments (bearer tokens, passwords in URLs, `key=value` secrets,
base64 images) in the message."""

from __future__ import annotations

import logging
import re
from typing import Any

REDACTED = "[redacted]"

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
