"""The media server's HTTP side: SDP offer/answer signaling and health.

The API proxies the browser's `POST /api/media/offer` here unchanged. aiortc does not trickle ICE, so the answer
is returned once gathering is complete (on loopback or with host addresses pinned that takes milliseconds).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, Literal

from aiortc import RTCConfiguration, RTCIceServer, RTCPeerConnection, RTCSessionDescription
from aiortc.sdp import SessionDescription
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import SQLAlchemyError

from core.db.engine import dispose_engine, get_sessionmaker
from core.db.models import Interview, InterviewStatus
from core.media_tokens import MediaGrant, MediaTokenError, verify
from core.redis_client import close_async_redis
from core.settings import Settings, get_settings
from core.signaling import MAX_SDP_CHARS, media_sections_problem
from media.ice_ports import restrict_udp_ports
from media.session import MediaSession, close_connection
from media.sink import stt_state
from media.turn import model_status as turn_model_status
from media.turn import warm_up as warm_up_turns

log = logging.getLogger(__name__)


class OfferIn(BaseModel):
    sdp: str = Field(min_length=1, max_length=MAX_SDP_CHARS)
    type: Literal["offer"]
    token: str = Field(min_length=1, max_length=2_000)


class AnswerOut(BaseModel):
    sdp: str
    type: Literal["answer"]


def rtc_configuration(settings: Settings) -> RTCConfiguration:
    """STUN/TURN from settings. Without any, an explicit empty list: aiortc's default is a public STUN server."""
    servers = [
        RTCIceServer(
            urls=url,
            username=settings.ice_username or None if url.startswith("turn") else None,
            credential=settings.ice_credential.get_secret_value() or None if url.startswith("turn") else None,
        )
        for url in settings.ice_servers
    ]
    return RTCConfiguration(iceServers=servers)


def restrict_host_addresses(addresses: list[str]) -> None:
    """Pin the host candidates aioice gathers (it has no option for it and skips 127.0.0.1 on its own)."""
    if not addresses:
        return
    import aioice.ice

    def pinned(use_ipv4: bool, use_ipv6: bool) -> list[str]:
        return [a for a in addresses if (use_ipv6 if ":" in a else use_ipv4)]

    aioice.ice.get_host_addresses = pinned


def check_offer(sdp: str) -> None:
    """Reject garbage, offers with other or more tracks than a microphone and a camera, and offers without a
    microphone, before a peer connection is ever made."""
    problem = media_sections_problem(sdp)
    if problem is not None:
        raise HTTPException(400, problem)
    try:
        parsed = SessionDescription.parse(sdp)
    except Exception:
        raise HTTPException(400, "malformed SDP offer") from None
    if not parsed.media:
        raise HTTPException(400, "malformed SDP offer: no media sections")
    if not any(m.kind == "audio" and m.direction in (None, "sendrecv", "sendonly") and m.port for m in parsed.media):
        raise HTTPException(400, "the offer has no audio track: the microphone is required for the interview")


class PeerRegistry:
    """One live peer per interview: a new offer replaces (and closes) the previous connection. Also counts every
    peer connection this server made that is not closed yet, installed or not (`live_connections`)."""

    def __init__(self) -> None:
        self.sessions: dict[uuid.UUID, MediaSession] = {}
        self._locks: dict[uuid.UUID, asyncio.Lock] = {}
        self._connections: set[RTCPeerConnection] = set()
        self._watchers: set[asyncio.Task[None]] = set()

    def lock(self, interview_id: uuid.UUID) -> asyncio.Lock:
        return self._locks.setdefault(interview_id, asyncio.Lock())

    def new_connection(self, settings: Settings) -> RTCPeerConnection:
        pc = RTCPeerConnection(rtc_configuration(settings))
        self._connections.add(pc)
        return pc

    def live_connections(self) -> int:
        self._connections = {pc for pc in self._connections if pc.connectionState != "closed"}
        return len(self._connections)

    async def replace(self, session: MediaSession) -> None:
        old = self.sessions.get(session.interview_id)
        self.sessions[session.interview_id] = session
        # Forgotten as soon as it closes, whatever closes it.
        watcher = asyncio.create_task(session.wait_closed(), name=f"media-{session.id}-forget")
        self._watchers.add(watcher)
        watcher.add_done_callback(self._watchers.discard)
        watcher.add_done_callback(lambda _: self.forget(session))
        if old is not None:
            await old.close("replaced by a new connection")

    def forget(self, session: MediaSession) -> None:
        if self.sessions.get(session.interview_id) is session:
            del self.sessions[session.interview_id]
            lock = self._locks.get(session.interview_id)
            if lock is not None and not lock.locked():
                del self._locks[session.interview_id]

    async def close_all(self) -> None:
        await asyncio.gather(*(s.close("server shutting down") for s in list(self.sessions.values())))
        self.sessions.clear()
        await asyncio.gather(*(close_connection(pc) for pc in list(self._connections)))


async def _load_interview(grant: MediaGrant) -> Interview:
    try:
        async with get_sessionmaker()() as session:
            interview = await session.get(Interview, grant.interview_id)
    except (SQLAlchemyError, OSError):
        raise HTTPException(503, "the database is unavailable; try again shortly") from None
    if interview is None or interview.user_id != grant.user_id:
        raise HTTPException(403, "this media token is not valid for this interview")
    if interview.status != InterviewStatus.active:
        raise HTTPException(409, "this interview has ended")
    return interview


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    registry = PeerRegistry()
    background: set[asyncio.Task[Any]] = set()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        restrict_host_addresses(settings.media_host_addresses)
        restrict_udp_ports(settings.media_udp_port_min, settings.media_udp_port_max)
        if settings.effective_stt_provider == "whisper":
            from media.stt.whisper import warm_up

            task = asyncio.create_task(warm_up(settings), name="whisper-warm-up")
            background.add(task)
            task.add_done_callback(background.discard)
        if settings.turn_detection_enabled:
            turns = asyncio.create_task(warm_up_turns(settings.turn_threads), name="turn-warm-up")
            background.add(turns)
            turns.add_done_callback(background.discard)
        try:
            yield
        finally:
            await registry.close_all()
            for task in background:
                task.cancel()
            await close_async_redis()
            await dispose_engine()

    app = FastAPI(title="Rehearsal media server", lifespan=lifespan, docs_url=None, redoc_url=None)
    app.state.registry = registry

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code)

    @app.post("/offer", response_model=AnswerOut)
    async def offer(body: OfferIn) -> AnswerOut:
        try:
            grant = verify(settings.secret_key.get_secret_value(), body.token)
        except MediaTokenError as exc:
            raise HTTPException(401, str(exc)) from None
        check_offer(body.sdp)
        interview = await _load_interview(grant)
        if grant.interview_id not in registry.sessions and len(registry.sessions) >= settings.media_max_peers:
            raise HTTPException(503, "the media server is at capacity; try again shortly")

        # One deadline for negotiation and start-up: past it the offer installs nothing (503), so a slow ICE
        # gathering (an unreachable STUN/TURN server) or a huge offer cannot hold the caller or leave a peer behind.
        # The API waits a little longer than this (MEDIA_OFFER_TIMEOUT_S + 5 s).
        deadline = asyncio.get_running_loop().time() + settings.media_offer_timeout_s
        too_slow = HTTPException(
            503, f"negotiating the offer took longer than {settings.media_offer_timeout_s:g} s; try again"
        )
        async with registry.lock(grant.interview_id):
            pc = registry.new_connection(settings)
            session = MediaSession(
                settings, grant, pc, voice=interview.consent_voice, camera=grant.camera and interview.consent_camera
            )
            try:
                async with asyncio.timeout_at(deadline):
                    await pc.setRemoteDescription(RTCSessionDescription(sdp=body.sdp, type="offer"))
                    answer = await pc.createAnswer()
                    await pc.setLocalDescription(answer)
            except TimeoutError:
                await close_connection(pc)
                log.warning("offer not negotiated within %.0f s", settings.media_offer_timeout_s)
                raise too_slow from None
            except Exception as exc:
                await close_connection(pc)
                log.info("offer rejected: %s", type(exc).__name__)
                raise HTTPException(400, f"cannot negotiate this offer: {exc}") from None
            await registry.replace(session)
            try:
                async with asyncio.timeout_at(deadline):
                    await session.start()
            except BaseException as exc:
                await session.close("could not start")
                registry.forget(session)
                if isinstance(exc, TimeoutError):
                    raise too_slow from None
                raise

        local = pc.localDescription
        return AnswerOut(sdp=local.sdp, type="answer")

    @app.get("/health")
    async def health() -> dict[str, Any]:
        provider = settings.effective_stt_provider
        if provider == "whisper":
            from media.stt.whisper import model_status

            status = model_status()
            ok = status != "error"
        else:
            status = stt_state["state"]
            ok = status == "ok"
        return {
            "status": "ok" if ok else "degraded",
            "stt": {"provider": provider, "status": status},
            # Hands-free turns; an error here only means the candidate finishes answers with the button.
            "turn": {"enabled": settings.turn_detection_enabled, "status": turn_model_status()},
            "peers": len(registry.sessions),  # installed sessions, one per interview at most
            "peer_connections": registry.live_connections(),  # every peer connection not closed yet
            "tasks": len(asyncio.all_tasks()),
        }

    return app
