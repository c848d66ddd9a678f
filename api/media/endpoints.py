"""Media tokens and WebRTC signaling, proxied to the media server under the app's own origin."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import responses
from api.interviews.service import get_owned
from core import media_tokens
from core.db.models import InterviewStatus
from core.signaling import MAX_SDP_CHARS, media_sections_problem

router = APIRouter(tags=["media"])


class IceServer(BaseModel):
    urls: list[str]
    username: str | None = None
    credential: str | None = None


class MediaTokenOut(BaseModel):
    token: str
    expires_at: datetime
    offer_url: str = "/api/media/offer"
    ice_servers: list[IceServer]
    camera_analysis: bool


class OfferIn(BaseModel):
    sdp: str = Field(min_length=1, max_length=MAX_SDP_CHARS)
    type: str = Field(pattern="^offer$")
    token: str = Field(min_length=1, max_length=2048)


class AnswerSdp(BaseModel):
    sdp: str
    type: str


@router.post("/interviews/{interview_id}/media-token", response_model=MediaTokenOut, responses=responses(401, 404, 409))
async def media_token(
    interview_id: uuid.UUID, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> MediaTokenOut:
    """A short-lived token that lets this browser connect its camera/microphone to the media server for this
    interview. Frames are sampled only if the candidate consented to camera analysis."""
    interview = await get_owned(session, interview_id, user)
    if interview.status != InterviewStatus.active:
        raise HTTPException(status.HTTP_409_CONFLICT, "the interview is finished")
    expires = time.time() + settings.media_token_ttl_s
    grant = media_tokens.MediaGrant(
        user_id=user.id,
        interview_id=interview.id,
        camera=interview.consent_camera,
        language=interview.language,
        expires_at=expires,
    )
    ice: list[IceServer] = []
    if settings.ice_servers:
        ice.append(
            IceServer(
                urls=settings.ice_servers,
                username=settings.ice_username or None,
                credential=settings.ice_credential.get_secret_value() or None,
            )
        )
    return MediaTokenOut(
        token=media_tokens.issue(settings.secret_key.get_secret_value(), grant),
        expires_at=datetime.fromtimestamp(expires, UTC),
        ice_servers=ice,
        camera_analysis=interview.consent_camera,
    )


@router.post("/media/offer", response_model=AnswerSdp, responses=responses(400, 401, 403, 503))
async def media_offer(body: OfferIn, request: Request, user: CurrentUser, settings: SettingsDep) -> Any:
    """Forward the browser's SDP offer (with its media token) to the media server and return its answer."""
    try:
        grant = media_tokens.verify(settings.secret_key.get_secret_value(), body.token)
    except media_tokens.MediaTokenError as exc:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, str(exc)) from None
    if grant.user_id != user.id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this media token belongs to another account")
    problem = media_sections_problem(body.sdp)  # the media server checks too; refused here without a round trip
    if problem is not None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, problem)
    # The media server answers within MEDIA_OFFER_TIMEOUT_S (or installs nothing): wait a little longer than that.
    timeout = httpx.Timeout(settings.media_offer_timeout_s + 5.0, connect=3.0)
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            upstream = await client.post(f"{settings.media_url}/offer", json=body.model_dump())
    except httpx.TimeoutException:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the media server did not answer in time") from None
    except httpx.HTTPError:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the media server is unavailable") from None
    if upstream.status_code >= 500:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "the media server failed to answer the offer")
    return JSONResponse(upstream.json(), status_code=upstream.status_code)
