from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from api.auth import service, sessions
from api.auth.schemas import SignInIn, SignUpIn, UserOut
from api.deps import SESSION_COOKIE, CurrentUser, RedisDep, SessionDep, SettingsDep
from api.errors import responses
from core.events import delete_stream
from core.privacy import delete_stored_frames
from core.repositories.interviews import InterviewRepository
from core.repositories.users import UserRepository, token_digest
from core.settings import Settings, get_settings

router = APIRouter(prefix="/auth", tags=["auth"])


def _set_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=settings.session_ttl_s,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )


def _client_ip(request: Request) -> str:
    # The connecting peer, or what a proxy named in TRUSTED_PROXIES forwarded (api/app.py): never a header alone.
    return request.client.host if request.client else "unknown"


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=UserOut, responses=responses(409))
async def sign_up(body: SignUpIn, response: Response, session: SessionDep, settings: SettingsDep) -> UserOut:
    try:
        user = await service.sign_up(session, body.email, body.password, body.display_name, body.locale)
    except service.EmailTaken:
        raise HTTPException(status.HTTP_409_CONFLICT, "an account with this email already exists") from None
    token = await service.open_session(session, user, settings)
    await session.commit()
    _set_cookie(response, token, settings)
    return UserOut.model_validate(user)


@router.post("/login", response_model=UserOut, responses=responses(401, 429))
async def sign_in(
    body: SignInIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep, redis: RedisDep
) -> UserOut:
    ip = _client_ip(request)
    try:
        await service.reserve_attempt(redis, settings, body.email, ip)
    except service.RateLimited as exc:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS, str(exc), headers={"Retry-After": str(exc.retry_after_s)}
        ) from None
    user = await service.authenticate(session, body.email, body.password)
    if user is None:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    await service.attempt_succeeded(redis, body.email, ip)
    token = await service.open_session(session, user, settings)
    await session.commit()
    _set_cookie(response, token, settings)
    return UserOut.model_validate(user)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def sign_out(
    request: Request, response: Response, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> None:
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await UserRepository(session).delete_session(token)
        await session.commit()
        await sessions.revoke(redis, settings, [token_digest(token)])
    response.delete_cookie(SESSION_COOKIE, path="/")


@router.get("/me", response_model=UserOut, responses=responses(401))
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, responses=responses(401))
async def delete_account(
    user: CurrentUser, response: Response, session: SessionDep, redis: RedisDep, settings: SettingsDep
) -> None:
    """Delete the account and everything derived from it: interviews, answers, transcripts, expression samples,
    evaluations, reports, sessions and live event streams."""
    interviews = await InterviewRepository(session).list_for_user(user.id, limit=100_000)
    digests = await UserRepository(session).session_digests(user.id)
    await UserRepository(session).delete(user.id)
    await session.commit()
    await sessions.revoke(redis, settings, digests)
    for interview, _ in interviews:
        await delete_stream(redis, interview.id)
    await delete_stored_frames(get_settings(), [interview.id for interview, _ in interviews])
    response.delete_cookie(SESSION_COOKIE, path="/")
