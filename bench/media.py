"""Media server benchmark: server CPU per 640×480@15 fps WebRTC stream (1 and 3 streams), offline STT speed.

CPU anchor: a bare aiortc "sink" server started in the same run — it accepts the same offers and reads every frame
of every track (which makes aiortc decode VP8 and Opus) and does nothing else. The media server's ratio to it is the
cost of what we add on top (token/DB checks, resampling + silence detection, JPEG sampling every 2 s, question
tracking, end-of-turn detection); the decode itself is irreducible for any aiortc ingest. Audio is silence, so no
transcription runs during the CPU runs, and the turn detector's voice-activity model is skipped on every window
(quieter than -60 dBFS: media/turn.py) — what the detector costs a *speaking* candidate is bench/turn.py's row;
STT cost is the separate real-time factor row (whisper-base int8 on an espeak-ng sentence,
anchored on the audio's own duration: ratio < 1 is faster than real time).

`python -m bench.media` prints the rows. Needs `espeak-ng`, and about 2 minutes.
"""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import psutil

from bench._support import seed_interviews

ROOT = Path(__file__).resolve().parent.parent
WARM_S = 4.0
MEASURE_S = 12.0
TARGET_PCT = 10.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _raw_sink(port: int) -> None:
    """The anchor server: accept offers, read every frame, nothing else."""
    import uvicorn
    from aiortc import MediaStreamTrack, RTCConfiguration, RTCPeerConnection, RTCSessionDescription
    from aiortc.mediastreams import MediaStreamError
    from fastapi import FastAPI

    from media.app import restrict_host_addresses

    restrict_host_addresses(["127.0.0.1"])
    app = FastAPI()
    peers: set[RTCPeerConnection] = set()
    tasks: set[asyncio.Task[None]] = set()

    async def drain(track: MediaStreamTrack) -> None:
        try:
            while True:
                await track.recv()
        except MediaStreamError:
            pass

    @app.post("/offer")
    async def offer(body: dict[str, str]) -> dict[str, str]:
        pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
        peers.add(pc)

        @pc.on("track")
        def on_track(track: MediaStreamTrack) -> None:
            task = asyncio.create_task(drain(track))
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        await pc.setRemoteDescription(RTCSessionDescription(sdp=body["sdp"], type="offer"))
        await pc.setLocalDescription(await pc.createAnswer())
        return {"sdp": pc.localDescription.sdp, "type": "answer"}

    @app.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning")


def _wait_http(url: str, proc: subprocess.Popen[bytes], timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{url} exited with {proc.returncode}")
        try:
            httpx.get(f"{url}/health", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not start")


async def _measure(url: str, pid: int, streams: int, tokens: list[str]) -> tuple[float, float]:
    """Server CPU % of one core per stream, and the frame rate the clients actually achieved."""
    from tests.media.client import FaceVideoTrack, SpeechAudioTrack, connect, wait_connected

    proc = psutil.Process(pid)
    videos = [FaceVideoTrack(fps=15) for _ in range(streams)]
    pcs = []
    try:
        for i in range(streams):
            pcs.append(await connect(url, tokens[i], video=videos[i], audio=SpeechAudioTrack()))
        for pc in pcs:
            await wait_connected(pc)
        await asyncio.sleep(WARM_S)
        cpu0, frames0, t0 = proc.cpu_times(), sum(v._count for v in videos), time.monotonic()
        await asyncio.sleep(MEASURE_S)
        cpu1, frames1, t1 = proc.cpu_times(), sum(v._count for v in videos), time.monotonic()
    finally:
        for pc in pcs:
            await pc.close()
    used = (cpu1.user + cpu1.system) - (cpu0.user + cpu0.system)
    return 100.0 * used / (t1 - t0) / streams, (frames1 - frames0) / (t1 - t0) / streams


def _stt_rtf(model_dir: Path) -> tuple[float, float]:
    import av
    import numpy as np

    from core.settings import Settings
    from media.stt import whisper

    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "speech.wav"
        subprocess.run(
            [
                "espeak-ng",
                "-v",
                "en-us",
                "-w",
                str(wav),
                "Thank you for the question. In my last project I "
                "designed a queue based system that processed payments reliably, and I learned to measure first.",
            ],
            check=True,
        )
        container = av.open(str(wav))
        resampler = av.AudioResampler(format="s16", layout="mono", rate=16_000)
        frames = [out.to_ndarray().reshape(-1) for f in container.decode(audio=0) for out in resampler.resample(f)]
        container.close()
        samples = np.concatenate(frames)
    settings = Settings(whisper_model_dir=model_dir)
    whisper._warm(settings, "base")
    pcm = samples.tobytes()
    started = time.monotonic()
    whisper.transcribe(settings, "base", pcm, "en")
    return time.monotonic() - started, len(samples) / 16_000


def run() -> list[dict[str, Any]]:
    from core.settings import Settings
    from launcher.embedded import EmbeddedPostgres, EmbeddedRedis
    from launcher.models_whisper import provision

    model_dir = ROOT / "var" / "models" / "whisper-base"
    provision(Settings(whisper_model_dir=model_dir))
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-media-") as tmp:
        pg, rd = EmbeddedPostgres(Path(tmp) / "pg"), EmbeddedRedis(Path(tmp) / "redis", persist=False)
        procs: list[subprocess.Popen[bytes]] = []
        try:
            db_url, redis_url = pg.start(), rd.start()
            env = dict(
                os.environ,
                PYTHONPATH=str(ROOT),
                DATABASE_URL=db_url,
                REDIS_URL=redis_url,
                SECRET_KEY="bench-secret",  # noqa: S106 - throwaway database of this run
                VAR_DIR=str(Path(tmp) / "var"),
                LOG_LEVEL="WARNING",
                MEDIA_HOST_ADDRESSES="127.0.0.1",
                STT_PROVIDER="whisper",
                WHISPER_MODEL_DIR=str(model_dir),
            )
            os.environ.update({k: env[k] for k in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")})
            from core.settings import get_settings

            get_settings.cache_clear()
            from core.db.migrate import upgrade

            upgrade(db_url)
            tokens = asyncio.run(_tokens(3))

            media_port, sink_port = _free_port(), _free_port()
            media = subprocess.Popen(
                [sys.executable, "-m", "media"], cwd=ROOT, env=dict(env, MEDIA_PORT=str(media_port))
            )
            procs.append(media)
            sink = subprocess.Popen(
                [sys.executable, "-m", "bench.media", "--raw-sink", str(sink_port)], cwd=ROOT, env=env
            )
            procs.append(sink)
            media_url, sink_url = f"http://127.0.0.1:{media_port}", f"http://127.0.0.1:{sink_port}"
            _wait_http(media_url, media)
            _wait_http(sink_url, sink)
            # Let the whisper warm-up finish so it is not billed to the stream.
            while httpx.get(f"{media_url}/health").json()["stt"]["status"] == "loading":
                time.sleep(0.5)

            for streams in (1, 3):
                anchor, _ = asyncio.run(_measure(sink_url, sink.pid, streams, tokens))
                value, fps = asyncio.run(_measure(media_url, media.pid, streams, tokens))
                rows.append(
                    {
                        "benchmark": f"media_cpu_{streams}_stream{'s' if streams > 1 else ''}",
                        "metric": "server_cpu_pct_of_core_per_stream",
                        "value": round(value, 2),
                        "anchor": "bare aiortc sink server (decode only), same clients, same run",
                        "anchor_value": round(anchor, 2),
                        "ratio": round(value / anchor, 3) if anchor else float("nan"),
                        "target": f"value <= {TARGET_PCT:.0f} % of a core per stream (client sent {fps:.1f} fps)",
                        "unit": "%",
                    }
                )
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    p.kill()
            rd.stop()
            pg.stop()

    seconds, duration = _stt_rtf(model_dir)
    rows.append(
        {
            "benchmark": "stt_offline_whisper_base",
            "metric": "transcription_seconds",
            "value": round(seconds, 3),
            "anchor": "duration of the same audio (real time)",
            "anchor_value": round(duration, 3),
            "ratio": round(seconds / duration, 3),
            "target": "ratio (real-time factor) < 1.0",
            "unit": "s",
        }
    )
    return rows


async def _tokens(count: int) -> list[str]:
    from core.media_tokens import MediaGrant, issue

    seeded = await seed_interviews(count, camera=True, voice=True)
    return [issue("bench-secret", MediaGrant(u, i, True, "en", time.time() + 3600)) for u, i in seeded]


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--raw-sink":
        _raw_sink(int(sys.argv[2]))
    else:
        for row in run():
            print(json.dumps(row, ensure_ascii=False))
