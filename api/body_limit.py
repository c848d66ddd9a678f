"""A request-body limit for every route: 413 with a JSON `detail` naming the limit.

Decided from Content-Length before any of the body is read (nothing is parsed, the connection is not held reading
megabytes); a streamed (chunked) body is counted as it arrives and refused as soon as it passes the limit.
(FastAPI's own `max_body_size` answers an announced oversize body with a bare text/plain "Content Too Large" from
outside every user middleware, which the UI cannot show; this one answers like every other API error.)
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# An oversize body up to this size is read and dropped before the 413 goes out: a server that answers and closes
# while the client is still sending makes the client's TCP stack see a reset, and the client reports a connection
# error instead of the 413 (seen with a 600 KB upload). Larger bodies are answered at once (the connection closes).
DRAIN_MAX_BYTES = 4 * 1024 * 1024
DRAIN_IDLE_S = 0.5


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body too large: at most {limit} bytes")


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, *, default: int, per_path: Mapping[str, int]) -> None:
        self.app = app
        self.default = default
        self.per_path = dict(per_path)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.per_path.get(scope["path"], self.default)
        announced = Headers(scope=scope).get("content-length")
        # The server (h11/httptools) has already refused a malformed Content-Length with 400.
        if announced is not None and announced.isdigit() and int(announced) > limit:
            if int(announced) <= DRAIN_MAX_BYTES:
                await _drain(receive)
            await self._refuse(limit, scope, receive, send)
            return

        received = 0
        started = False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    # An HTTPException: FastAPI's body parsing passes it on to the exception handlers (a 413
                    # response) instead of turning it into "error parsing the body".
                    raise BodyTooLarge(limit)
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked)
        except BodyTooLarge:
            if started:  # a response is under way: nothing clean left to say
                raise
            await _drain(receive, received)
            await self._refuse(limit, scope, receive, send)

    @staticmethod
    async def _refuse(limit: int, scope: Scope, receive: Receive, send: Send) -> None:
        error = BodyTooLarge(limit)
        # Connection: close — the unread rest of the body must not be taken for the next request.
        response = JSONResponse({"detail": error.detail}, status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)


async def _drain(receive: Receive, already: int = 0) -> None:
    """Read and drop the rest of the request body, up to DRAIN_MAX_BYTES in all, while it keeps arriving (a client
    that only announced a length and sends nothing gets its 413 after DRAIN_IDLE_S)."""
    seen = already
    while seen <= DRAIN_MAX_BYTES:
        try:
            message = await asyncio.wait_for(receive(), DRAIN_IDLE_S)
        except TimeoutError:
            return
        if message["type"] != "http.request":
            return  # the client went away
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return
