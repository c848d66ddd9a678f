"""Keep WebRTC's UDP sockets inside MEDIA_UDP_PORT_MIN..MAX, so a container can publish exactly that range.

aioice binds every host candidate to port 0 (any port) and has no option for a range. Its module looks the event
loop up through `asyncio.get_running_loop()`; we give that module a view of asyncio whose loop binds port-0 UDP
endpoints to a free port in the range instead. Nothing else in the process is affected.
"""

from __future__ import annotations

import asyncio
import errno
import random
import types
from collections.abc import Callable
from typing import Any

from core.errors import ConfigError


class _PortRangeLoop:
    def __init__(self, loop: asyncio.AbstractEventLoop, low: int, high: int) -> None:
        self._loop = loop
        self._ports = range(low, high + 1)

    async def create_datagram_endpoint(
        self, protocol_factory: Callable[[], asyncio.DatagramProtocol], local_addr: Any = None, **kwargs: Any
    ) -> tuple[asyncio.DatagramTransport, asyncio.DatagramProtocol]:
        if local_addr is None or local_addr[1] != 0:
            return await self._loop.create_datagram_endpoint(protocol_factory, local_addr=local_addr, **kwargs)
        # Random order: concurrent peers don't all race for the lowest port.
        for port in random.sample(self._ports, len(self._ports)):
            try:
                return await self._loop.create_datagram_endpoint(
                    protocol_factory, local_addr=(local_addr[0], port), **kwargs
                )
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
        raise OSError(errno.EADDRINUSE, f"no free UDP port in {self._ports.start}-{self._ports.stop - 1}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._loop, name)


class _AsyncioView(types.ModuleType):
    def __init__(self, low: int, high: int) -> None:
        super().__init__("asyncio")
        self._low, self._high = low, high

    def get_running_loop(self) -> Any:
        return _PortRangeLoop(asyncio.get_running_loop(), self._low, self._high)

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)


def restrict_udp_ports(low: int, high: int) -> None:
    """Apply the configured range (0/0 = any port, aioice's default)."""
    if low == 0 and high == 0:
        return
    if not (1024 <= low <= high <= 65535):
        raise ConfigError("MEDIA_UDP_PORT_MIN", f"invalid UDP port range {low}-{high} (need 1024 ≤ MIN ≤ MAX ≤ 65535)")
    import aioice.ice

    aioice.ice.asyncio = _AsyncioView(low, high)  # type: ignore[attr-defined]
