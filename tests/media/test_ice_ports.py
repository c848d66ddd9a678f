"""MEDIA_UDP_PORT_MIN/MAX: every ICE host candidate binds inside the range compose publishes."""

from __future__ import annotations

from collections.abc import Iterator

import aioice
import aioice.ice
import pytest

from core.errors import ConfigError
from media.ice_ports import restrict_udp_ports


@pytest.fixture
def restore_aioice() -> Iterator[None]:
    original_asyncio, original_hosts = aioice.ice.__dict__["asyncio"], aioice.ice.get_host_addresses
    yield
    aioice.ice.__dict__["asyncio"] = original_asyncio
    aioice.ice.get_host_addresses = original_hosts


async def test_candidates_bind_inside_the_range(restore_aioice: None) -> None:
    aioice.ice.get_host_addresses = lambda use_ipv4, use_ipv6: ["127.0.0.1"]
    restrict_udp_ports(41000, 41003)
    connections = [aioice.Connection(ice_controlling=True) for _ in range(4)]
    try:
        ports = []
        for conn in connections:
            await conn.gather_candidates()
            ports += [c.port for c in conn.local_candidates]
        assert sorted(ports) == [41000, 41001, 41002, 41003]  # four peers, four distinct ports in range
        fifth = aioice.Connection(ice_controlling=True)
        await fifth.gather_candidates()  # the range is full: aioice logs it and gathers nothing
        assert fifth.local_candidates == []
        await fifth.close()
    finally:
        for conn in connections:
            await conn.close()


def test_bad_range_names_the_setting() -> None:
    with pytest.raises(ConfigError, match="MEDIA_UDP_PORT_MIN"):
        restrict_udp_ports(5000, 4000)
    restrict_udp_ports(0, 0)  # default: unrestricted, no change
