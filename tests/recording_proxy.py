"""A TCP proxy on 127.0.0.1 that records what clients send upstream (to prove what the API really sent to the
model server) — plain bytes, no HTTP knowledge, so it cannot change what it observes. `hold()` holds the replies
back (never alters them) until `release()`, to keep a request in flight exactly as long as a test needs."""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator


class RecordingProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.sent = bytearray()
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._lock = threading.Lock()
        self._flowing: asyncio.Event | None = None  # created on the proxy's loop

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def requests_text(self) -> str:
        with self._lock:
            return self.sent.decode("utf-8", errors="replace")

    def clear(self) -> None:
        with self._lock:
            self.sent.clear()

    def hold(self) -> None:
        """From now on replies from upstream wait inside the proxy (requests still go through) until `release()`."""
        assert self._flowing is not None
        self._loop.call_soon_threadsafe(self._flowing.clear)

    def release(self) -> None:
        assert self._flowing is not None
        self._loop.call_soon_threadsafe(self._flowing.set)

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, record: bool) -> None:
        assert self._flowing is not None
        try:
            while chunk := await reader.read(65536):
                if record:
                    with self._lock:
                        self.sent.extend(chunk)
                else:
                    await self._flowing.wait()
                writer.write(chunk)
                await writer.drain()
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            with contextlib.suppress(Exception):
                writer.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        except OSError:
            writer.close()
            return
        await asyncio.gather(self._pipe(reader, up_writer, True), self._pipe(up_reader, writer, False))

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._flowing = asyncio.Event()
        self._flowing.set()
        server = self._loop.run_until_complete(asyncio.start_server(self._handle, "127.0.0.1", 0))
        self.port = server.sockets[0].getsockname()[1]
        self._server = server
        self._ready.set()
        self._loop.run_forever()
        server.close()
        self._loop.run_until_complete(server.wait_closed())

    def start(self) -> RecordingProxy:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)


@contextlib.contextmanager
def recording_proxy(host: str, port: int) -> Iterator[RecordingProxy]:
    proxy = RecordingProxy(host, port).start()
    try:
        yield proxy
    finally:
        proxy.stop()
