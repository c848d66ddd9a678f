"""A Python WebRTC client for the media server: a real face (scikit-image's astronaut), gently moving, and
speech from an espeak-ng WAV, over aiortc on 127.0.0.1 — what a browser sends, without a browser."""

from __future__ import annotations

import asyncio
import fractions
import time
from pathlib import Path

import av
import httpx
import numpy as np
from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from skimage import data, transform

VIDEO_CLOCK = 90_000
AUDIO_RATE = 48_000
AUDIO_PTIME = 0.02


def face_frames(width: int = 640, height: int = 480) -> np.ndarray:
    """The astronaut photo scaled into a 640×480 canvas (RGB uint8)."""
    photo = data.astronaut()  # type: ignore[no-untyped-call]
    face = (transform.resize(photo, (height, height), anti_aliasing=True) * 255).astype(np.uint8)  # type: ignore[no-untyped-call]
    canvas = np.full((height, width, 3), 40, dtype=np.uint8)
    canvas[:, (width - height) // 2 : (width - height) // 2 + height] = face
    return canvas


class FaceVideoTrack(MediaStreamTrack):
    kind = "video"

    def __init__(self, fps: int = 15, width: int = 640, height: int = 480) -> None:
        super().__init__()
        self.fps = fps
        self.image = face_frames(width, height)
        self._start: float | None = None
        self._count = 0

    async def recv(self) -> av.VideoFrame:
        if self._start is None:
            self._start = time.monotonic()
        target = self._start + self._count / self.fps
        await asyncio.sleep(max(0.0, target - time.monotonic()))
        # Animate: the face drifts a few pixels back and forth, so every frame is a real new picture.
        shift = int(8 * np.sin(self._count / 6))
        frame = av.VideoFrame.from_ndarray(np.roll(self.image, shift, axis=1), format="rgb24")
        frame.pts = self._count * VIDEO_CLOCK // self.fps
        frame.time_base = fractions.Fraction(1, VIDEO_CLOCK)
        self._count += 1
        return frame


def load_wav_48k(path: Path) -> np.ndarray:
    """Mono s16 samples at 48 kHz (espeak-ng writes 22.05 kHz)."""
    container = av.open(str(path))
    resampler = av.AudioResampler(format="s16", layout="mono", rate=AUDIO_RATE)
    chunks = [out.to_ndarray().reshape(-1) for frame in container.decode(audio=0) for out in resampler.resample(frame)]
    chunks += [out.to_ndarray().reshape(-1) for out in resampler.resample(None)]
    container.close()
    return np.concatenate(chunks).astype(np.int16)


class SpeechAudioTrack(MediaStreamTrack):
    """Silence, the speech, then silence forever, paced in real time in 20 ms frames."""

    kind = "audio"

    def __init__(self, samples: np.ndarray | None = None, lead_s: float = 0.5) -> None:
        super().__init__()
        lead = np.zeros(int(lead_s * AUDIO_RATE), dtype=np.int16)
        self.samples = np.concatenate([lead, samples]) if samples is not None else lead
        self._start: float | None = None
        self._count = 0
        self.per_frame = int(AUDIO_RATE * AUDIO_PTIME)

    @property
    def speech_done(self) -> bool:
        return self._count * self.per_frame >= len(self.samples)

    async def recv(self) -> av.AudioFrame:
        if self._start is None:
            self._start = time.monotonic()
        target = self._start + self._count * AUDIO_PTIME
        await asyncio.sleep(max(0.0, target - time.monotonic()))
        begin = self._count * self.per_frame
        chunk = self.samples[begin : begin + self.per_frame]
        if len(chunk) < self.per_frame:
            chunk = np.concatenate([chunk, np.zeros(self.per_frame - len(chunk), dtype=np.int16)])
        frame = av.AudioFrame.from_ndarray(chunk.reshape(1, -1), format="s16", layout="mono")
        frame.sample_rate = AUDIO_RATE
        frame.pts = begin
        frame.time_base = fractions.Fraction(1, AUDIO_RATE)
        self._count += 1
        return frame


async def wait_ice_complete(pc: RTCPeerConnection) -> None:
    # aiortc gathers inside setLocalDescription; kept explicit for readers coming from browser code.
    while pc.iceGatheringState != "complete":
        await asyncio.sleep(0.01)


async def connect(
    base_url: str,
    token: str,
    *,
    video: MediaStreamTrack | None = None,
    audio: MediaStreamTrack | None = None,
) -> RTCPeerConnection:
    """Offer, POST it, apply the answer; returns the peer connection (caller closes it)."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    if video is not None:
        pc.addTrack(video)
    if audio is not None:
        pc.addTrack(audio)
    await pc.setLocalDescription(await pc.createOffer())
    await wait_ice_complete(pc)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        response = await client.post("/offer", json={"sdp": pc.localDescription.sdp, "type": "offer", "token": token})
    if response.status_code != 200:
        await pc.close()
        raise OfferRejected(response.status_code, response.json().get("detail", ""))
    answer = response.json()
    await pc.setRemoteDescription(RTCSessionDescription(sdp=answer["sdp"], type=answer["type"]))
    return pc


async def offer_sdp(*, video: bool, audio: bool) -> str:
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    if video:
        pc.addTrack(FaceVideoTrack())
    if audio:
        pc.addTrack(SpeechAudioTrack())
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def wait_connected(pc: RTCPeerConnection, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while pc.connectionState != "connected":
        if pc.connectionState in ("failed", "closed") or time.monotonic() > deadline:
            raise AssertionError(f"peer connection {pc.connectionState}")
        await asyncio.sleep(0.05)


class OfferRejected(Exception):
    def __init__(self, status: int, detail: str) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail
