"""Signaling limits and peer lifetime against the real media server: an offer is bounded in size, m-lines and media
kinds and negotiated under a deadline; an offer that fails or times out installs nothing; every peer is closed when
its interview is finished, deleted or replaced, or when it never connects. After each path the server's count of
live peer connections (registered or not) returns to 0."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from aiortc import RTCConfiguration, RTCPeerConnection

from core.db.engine import get_sessionmaker
from core.db.models import Interview, InterviewStatus
from tests.media.client import FaceVideoTrack, SpeechAudioTrack, connect, offer_sdp, wait_connected
from tests.media.conftest import free_port, media_process, token_for

pytestmark = pytest.mark.slow

# How long teardown may take: the offline STT finishes the last utterance first (STT_CLOSE_TIMEOUT_S, 20 s) and
# the status poll runs every second in these servers; generous for a loaded machine.
CLOSE_DEADLINE_S = 60


async def health(url: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=url, timeout=30) as client:
        body: dict[str, Any] = (await client.get("/health")).json()
        return body


async def peers_back_to_zero(url: str) -> dict[str, Any]:
    deadline = time.monotonic() + CLOSE_DEADLINE_S
    while True:
        body = await health(url)
        if body["peers"] == 0 and body["peer_connections"] == 0:
            return body
        assert time.monotonic() < deadline, f"peers left: {body}"
        await asyncio.sleep(0.25)


async def post_offer(url: str, sdp: str, token: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        return await client.post("/offer", json={"sdp": sdp, "type": "offer", "token": token})


async def multi_track_offer(*, audio: int, video: int, data: bool = False) -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    for _ in range(audio):
        pc.addTrack(SpeechAudioTrack())
    for _ in range(video):
        pc.addTrack(FaceVideoTrack())
    if data:
        pc.createDataChannel("chat")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def test_offers_over_the_limits_are_refused_and_install_nothing(media_server, make_interview) -> None:
    url = str(media_server["url"])
    ids = await make_interview()
    token = token_for(ids)
    good = await offer_sdp(video=True, audio=True)
    head, _, body = good.partition("m=")
    # The probe's finding 3: 500 m-lines (≈56 KB) were accepted after 13.5 s.
    many = head + "".join("m=" + body for _ in range(500))
    r = await post_offer(url, many, token)
    assert r.status_code == 422, r.text[:300]  # over the size limit, refused before parsing
    # Under the size limit but too many sections, or kinds that are not one microphone and one camera.
    for audio, video, data, words in [
        (1, 3, False, "3 video"),
        (2, 1, False, "2 audio"),
        (1, 1, True, "application"),
    ]:
        r = await post_offer(url, await multi_track_offer(audio=audio, video=video, data=data), token)
        assert r.status_code == 400, r.text[:300]
        assert words in r.json()["detail"], r.json()
    assert (await health(url))["peers"] == 0
    await peers_back_to_zero(url)
    # The interview still takes a good offer afterwards.
    pc = await connect(url, token, video=FaceVideoTrack(), audio=SpeechAudioTrack())
    try:
        await wait_connected(pc, timeout=60)
    finally:
        await pc.close()
    await peers_back_to_zero(url)


async def test_replaced_peer_is_closed(media_server, make_interview) -> None:
    url = str(media_server["url"])
    ids = await make_interview()
    first = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
    second = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
    try:
        await wait_connected(second, timeout=60)
        body = await health(url)
        assert body["peers"] == 1
    finally:
        await first.close()
        await second.close()
    await peers_back_to_zero(url)


@pytest.mark.parametrize("ending", ["finished", "deleted"])
async def test_peer_is_closed_when_its_interview_ends(media_server, make_interview, ending: str) -> None:
    url = str(media_server["url"])
    ids = await make_interview()
    pc = await connect(url, token_for(ids), video=FaceVideoTrack(), audio=SpeechAudioTrack())
    try:
        await wait_connected(pc, timeout=60)
        async with get_sessionmaker()() as session:
            interview = await session.get(Interview, ids["interview_id"])
            assert interview is not None
            if ending == "deleted":
                await session.delete(interview)
            else:
                interview.status = InterviewStatus.finished
            await session.commit()
        # The client keeps its side open: the server alone must close the peer.
        await peers_back_to_zero(url)
    finally:
        await pc.close()


async def test_peer_that_never_connects_is_closed(media_server, make_interview) -> None:
    # An answer that is never applied (the tab was closed, the API timed out): nobody ever connects.
    url = str(media_server["url"])
    ids = await make_interview()
    r = await post_offer(url, await offer_sdp(video=True, audio=True), token_for(ids))
    assert r.status_code == 200
    assert (await health(url))["peers"] == 1
    await peers_back_to_zero(url)


@pytest.fixture(scope="module")
def slow_stun_media_server(service_env: dict[str, str]) -> Iterator[str]:
    """A media server whose STUN server never answers (a black-holed UDP port): gathering outlasts the offer
    deadline, as with an unreachable STUN/TURN server in production."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as blackhole:
        blackhole.bind(("127.0.0.1", 0))
        env = {
            **service_env,
            "MEDIA_HOST_ADDRESSES": "127.0.0.1",
            "ICE_SERVERS": f"stun:127.0.0.1:{blackhole.getsockname()[1]}",
            "MEDIA_OFFER_TIMEOUT_S": "2",
            "STT_PROVIDER": "deepgram",  # never reached: no session starts here
            "DEEPGRAM_API_KEY": "not-used",
            "DEEPGRAM_BASE_URL": f"ws://127.0.0.1:{free_port()}",
        }
        with media_process(env, lambda health: True) as (url, _pid):
            yield url


async def test_offer_past_its_deadline_installs_nothing(slow_stun_media_server: str, make_interview) -> None:
    url = slow_stun_media_server
    ids = await make_interview()
    r = await post_offer(url, await offer_sdp(video=True, audio=True), token_for(ids))
    assert r.status_code == 503, r.text[:300]
    assert "took longer than 2 s" in r.json()["detail"]
    body = await peers_back_to_zero(url)
    assert body["peers"] == 0
