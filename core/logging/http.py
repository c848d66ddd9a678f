"""Request ids for the HTTP services: asgi-correlation-id's pure ASGI middleware (safe for SSE streaming) reads
`X-Request-ID`, keeps it if it is a short safe token (it is echoed and logged), else makes a fresh one, binds it for
the request's log lines (`core.logging.context`) and echoes it on the response. Route handlers run in the same task,
so one that calls `bind_interview` tags the rest of its request."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from asgi_correlation_id import CorrelationIdMiddleware

REQUEST_ID_HEADER = "X-Request-ID"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")


def new_request_id() -> str:
    return uuid.uuid4().hex


def is_safe_request_id(value: str) -> bool:
    return bool(_SAFE_REQUEST_ID.match(value))


@dataclass
class RequestIdMiddleware(CorrelationIdMiddleware):
    """asgi-correlation-id with this project's header, id format and check of incoming ids."""

    header_name: str = REQUEST_ID_HEADER
    generator: Callable[[], str] = field(default=new_request_id)
    validator: Callable[[str], bool] | None = field(default=is_safe_request_id)
