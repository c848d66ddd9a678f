"""Deepgram live streaming (nova-2 on `listen.v1`) with the official SDK.

The connection is owned by one task per peer: it connects, pumps 100 ms chunks (KeepAlive while the candidate is
silent, since Deepgram hangs up after 10 s without either), and on a dropped socket reconnects with backoff while
buffering the most recent audio. A rejected key (401/403) is reported once and not retried: it cannot fix itself.
Deepgram times restart at 0 on each connection, so segment times are shifted by the audio sent before it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from typing import Any

from deepgram import AsyncDeepgramClient
from deepgram.core.api_error import ApiError
from deepgram.core.events import EventType
from deepgram.environment import DeepgramClientEnvironment
from deepgram.listen.v1.types import ListenV1Error, ListenV1Results, ListenV1UtteranceEnd

from core.settings import Settings
from media.stt.base import BYTES_PER_SECOND, Segment, SttProvider, TranscriptSink

log = logging.getLogger(__name__)

CHUNK_BYTES = BYTES_PER_SECOND // 10  # 100 ms, Deepgram's recommended streaming granularity


def environment_for(base_url: str) -> DeepgramClientEnvironment:
    """The SDK wants four base URLs; live streaming uses `production`. ws(s):// and http(s):// both accepted."""
    base = base_url.rstrip("/")
    if base.startswith("http"):
        ws, http = "ws" + base.removeprefix("http"), base
    else:
        ws, http = base, "http" + base.removeprefix("ws")
    return DeepgramClientEnvironment(base=http, production=ws, agent=ws, agent_rest=http)


class DeepgramProvider(SttProvider):
    name = "deepgram"

    def __init__(self, settings: Settings, language: str, sink: TranscriptSink, *, api_key: str) -> None:
        self.settings = settings
        self.language = language
        self.sink = sink
        self.client = AsyncDeepgramClient(api_key=api_key, environment=environment_for(settings.deepgram_base_url))
        max_chunks = max(1, int(settings.deepgram_buffer_s * 10))
        self._chunks: deque[bytes] = deque(maxlen=max_chunks)  # oldest audio is dropped during a long outage
        self._pending = bytearray()
        self._has_data = asyncio.Event()
        self._closing = False
        self._task: asyncio.Task[None] | None = None
        self._sent_s = 0.0  # audio seconds sent over all connections
        self._offset_s = 0.0  # `_sent_s` when the current connection opened
        self._degraded = False
        self.connections = 0

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="deepgram-stream")

    async def feed(self, pcm: bytes) -> None:
        if self._closing:
            return
        self._pending += pcm
        while len(self._pending) >= CHUNK_BYTES:
            self._chunks.append(bytes(self._pending[:CHUNK_BYTES]))
            del self._pending[:CHUNK_BYTES]
            self._has_data.set()

    async def close(self) -> None:
        if self._closing:
            return
        self._closing = True
        if self._pending:
            self._chunks.append(bytes(self._pending))
            self._pending.clear()
        self._has_data.set()
        if self._task is None:
            return
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=self.settings.stt_close_timeout_s)
        except TimeoutError:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        except asyncio.CancelledError:
            self._task.cancel()
            raise

    async def _run(self) -> None:
        attempt = 0
        while not self._closing or self._chunks:
            try:
                finished = await self._stream_once()
                attempt = 0
                if finished:
                    return
                problem = "connection to Deepgram lost"
            except ApiError as exc:
                if exc.status_code in (401, 403):
                    log.error("Deepgram rejected the API key (HTTP %s)", exc.status_code)
                    await self.sink.status(
                        "down", f"Deepgram rejected the API key (HTTP {exc.status_code}); check DEEPGRAM_API_KEY"
                    )
                    return
                problem = f"Deepgram refused the connection (HTTP {exc.status_code})"
            except (OSError, TimeoutError) as exc:
                problem = f"cannot reach Deepgram ({type(exc).__name__})"
            except Exception as exc:  # websockets' handshake errors etc.: retry like a network error
                problem = f"Deepgram stream error ({type(exc).__name__})"
            if self._closing:
                return  # finalising and the socket is gone: nothing left to send it to
            log.warning("%s; reconnecting", problem)
            if not self._degraded:
                self._degraded = True
                await self.sink.status("degraded", f"{problem}; reconnecting")
            await asyncio.sleep(min(self.settings.deepgram_reconnect_max_s, 0.25 * 2**attempt))
            attempt += 1

    async def _stream_once(self) -> bool:
        """One connection. True when the stream was finalised and closed on purpose, False when it dropped."""
        async with self.client.listen.v1.connect(
            model=self.settings.deepgram_model,
            language=self.language,
            encoding="linear16",
            sample_rate=16000,
            channels=1,
            interim_results="true",
            utterance_end_ms="1000",
            endpointing=300,
            vad_events="true",
            smart_format="true",
            punctuate="true",
        ) as conn:
            self.connections += 1
            self._offset_s = self._sent_s
            if self._degraded:
                self._degraded = False
                await self.sink.status("ok", "speech-to-text reconnected")
            offset = self._offset_s

            async def on_message(message: Any) -> None:
                await self._handle(message, offset)

            conn.on(EventType.MESSAGE, on_message)
            listener = asyncio.create_task(conn.start_listening(), name="deepgram-listen")
            try:
                return await self._pump(conn, listener)
            finally:
                if not listener.done():
                    listener.cancel()
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await listener

    async def _pump(self, conn: Any, listener: asyncio.Task[None]) -> bool:
        keepalive_s = self.settings.deepgram_keepalive_s
        while True:
            if self._chunks:
                chunk = self._chunks[0]
                await conn.send_media(chunk)
                self._chunks.popleft()  # only once sent: a chunk lost in a drop is re-sent after reconnecting
                self._sent_s += len(chunk) / BYTES_PER_SECOND
                continue
            if self._closing:
                await conn.send_finalize()
                await conn.send_close_stream()
                # Deepgram answers with the last finals and then closes; wait for them, bounded.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(listener), timeout=self.settings.stt_close_timeout_s)
                return True
            self._has_data.clear()
            waiter = asyncio.create_task(self._has_data.wait())
            done, _ = await asyncio.wait({waiter, listener}, timeout=keepalive_s, return_when=asyncio.FIRST_COMPLETED)
            if waiter not in done:
                waiter.cancel()
            if listener in done:
                return False  # the server went away while we were streaming
            if not done:
                await conn.send_keep_alive()

    async def _handle(self, message: Any, offset: float) -> None:
        if isinstance(message, ListenV1Results):
            alternatives = message.channel.alternatives
            if not alternatives or not alternatives[0].transcript.strip():
                return
            best = alternatives[0]
            segment = Segment(
                best.transcript.strip(),
                round(offset + message.start, 3),
                round(offset + message.start + message.duration, 3),
                float(best.confidence),
            )
            if message.is_final:
                await self.sink.final(segment)
            else:
                await self.sink.partial(segment)
        elif isinstance(message, ListenV1Error):
            log.warning("Deepgram error message: %s", message.description)
        elif isinstance(message, ListenV1UtteranceEnd):
            pass  # finals for the utterance have already been reported (is_final results)
