"""A local server speaking Deepgram's live `/v1/listen` protocol, for driving the real SDK in tests.

It checks what a real Deepgram would (the `Authorization: Token …` header, the query parameters), answers 401 to
a wrong key, and replies with interim and final `Results` and `UtteranceEnd` as audio arrives. `drop_after_final`
aborts the first connection's socket right after its first final, like a network drop.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

BYTES_PER_S = 32_000


@dataclass
class FakeDeepgram:
    api_key: str
    transcript: str = "안녕하세요 저는 개발자입니다"
    drop_after_final: bool = False
    connections: list[dict[str, Any]] = field(default_factory=list)  # query params of each accepted connection
    rejected: int = 0
    keepalives: int = 0
    audio_bytes: int = 0
    server: Server | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = next(iter(self.server.sockets)).getsockname()[:2]
        return f"ws://{host}:{port}"

    async def start(self) -> None:
        self.server = await serve(self._handler, "127.0.0.1", 0, process_request=self._check)

    async def stop(self) -> None:
        if self.server is not None:
            self.server.close()
            await self.server.wait_closed()

    def _check(self, connection: ServerConnection, request: Request) -> Response | None:
        if urlsplit(request.path).path != "/v1/listen":
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if request.headers.get("Authorization") != f"Token {self.api_key}":
            self.rejected += 1
            return connection.respond(HTTPStatus.UNAUTHORIZED, '{"err_code":"INVALID_AUTH"}\n')
        return None

    def _results(self, start: float, duration: float, is_final: bool) -> str:
        return json.dumps(
            {
                "type": "Results",
                "channel_index": [0, 1],
                "duration": duration,
                "start": start,
                "is_final": is_final,
                "speech_final": is_final,
                "channel": {
                    "alternatives": [
                        {
                            "transcript": self.transcript if is_final else self.transcript.split()[0],
                            "confidence": 0.93,
                            "words": [],
                        }
                    ]
                },
                "metadata": {
                    "request_id": str(uuid.uuid4()),
                    "model_info": {"name": "2-general-nova", "version": "2024-01-09", "arch": "nova-2"},
                    "model_uuid": str(uuid.uuid4()),
                },
                "from_finalize": False,
            }
        )

    async def _handler(self, ws: ServerConnection) -> None:
        assert ws.request is not None
        params = {k: v[0] for k, v in parse_qs(urlsplit(ws.request.path).query).items()}
        self.connections.append(params)
        first_connection = len(self.connections) == 1
        received = 0
        sent_interim = sent_final = False
        async for message in ws:
            if isinstance(message, bytes):
                received += len(message)
                self.audio_bytes += len(message)
                if not sent_interim and received >= BYTES_PER_S:
                    sent_interim = True
                    await ws.send(self._results(0.0, received / BYTES_PER_S, is_final=False))
                if not sent_final and received >= 2 * BYTES_PER_S:
                    sent_final = True
                    await ws.send(self._results(0.0, received / BYTES_PER_S, is_final=True))
                    await ws.send(json.dumps({"type": "UtteranceEnd", "channel": [0, 1], "last_word_end": 1.9}))
                    if first_connection and self.drop_after_final:
                        ws.transport.abort()  # no close frame: a dropped network connection
                        return
                continue
            body = json.loads(message)
            if body.get("type") == "KeepAlive":
                self.keepalives += 1
            elif body.get("type") == "CloseStream":
                await ws.send(
                    json.dumps(
                        {
                            "type": "Metadata",
                            "transaction_key": "deprecated",
                            "request_id": str(uuid.uuid4()),
                            "sha256": "0" * 64,
                            "created": "2026-11-24T00:00:00.000Z",
                            "duration": received / BYTES_PER_S,
                            "channels": 1,
                        }
                    )
                )
                await ws.close()
                return
        await asyncio.sleep(0)
