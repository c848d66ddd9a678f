"""Server-Sent Events framing."""

from __future__ import annotations

import json
from typing import Any

SSE_HEADERS = {
    "Cache-Control": "no-cache",
    "X-Accel-Buffering": "no",  # nginx: pass events through as they are produced
    "Connection": "keep-alive",
}


def frame(event: str, data: Any, event_id: str | None = None) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {event}\ndata: {payload}\n\n".encode()


def comment(text: str = "keep-alive") -> bytes:
    return f": {text}\n\n".encode()
