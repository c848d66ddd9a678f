"""Short-lived media tokens: the API issues one for a user's interview; the media server accepts an SDP offer
only with a valid one. HMAC-SHA256 over a compact JSON payload with SECRET_KEY — no shared session store needed."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from dataclasses import dataclass


class MediaTokenError(Exception):
    """Token missing, malformed, forged or expired (the message says which, without echoing the token)."""


@dataclass(frozen=True)
class MediaGrant:
    user_id: uuid.UUID
    interview_id: uuid.UUID
    camera: bool  # the candidate consented to expression analysis: only then are frames sampled
    language: str
    expires_at: float


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _sign(secret: str, payload: str) -> str:
    return _b64(hmac.new(secret.encode(), b"media:" + payload.encode(), hashlib.sha256).digest())


def issue(secret: str, grant: MediaGrant) -> str:
    body = {
        "u": str(grant.user_id),
        "i": str(grant.interview_id),
        "c": grant.camera,
        "l": grant.language,
        "e": int(grant.expires_at),
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_sign(secret, payload)}"


def verify(secret: str, token: str, *, now: float | None = None) -> MediaGrant:
    payload, sep, signature = token.partition(".")
    if not sep or not payload or not signature:
        raise MediaTokenError("malformed media token")
    if not hmac.compare_digest(signature, _sign(secret, payload)):
        raise MediaTokenError("invalid media token signature")
    try:
        body = json.loads(_unb64(payload))
        grant = MediaGrant(
            user_id=uuid.UUID(body["u"]),
            interview_id=uuid.UUID(body["i"]),
            camera=bool(body["c"]),
            language=str(body["l"]),
            expires_at=float(body["e"]),
        )
    except (ValueError, KeyError, TypeError) as exc:
        raise MediaTokenError("malformed media token") from exc
    if grant.expires_at < (now if now is not None else time.time()):
        raise MediaTokenError("media token expired")
    return grant
