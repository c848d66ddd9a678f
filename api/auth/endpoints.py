from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request, Response, status

from api.auth import service, sessions
from api.auth.schemas import SignInIn, SignUpIn, UserOut
from api.deletion import erase
from api.deps import SESSION_COOKIE, CurrentUser, RedisDep, SessionDep, SettingsDep
from api.errors import responses
from core.repositories.users import UserRepository, token_digest
from core.settings import Settings

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
    return request.client.host if request.client else "unknown"


@router.post("/signup", status_code=status.HTTP_201_CREATED, response_model=UserOut, responses=responses(409))
async def sign_up(body: SignUpIn, response: Response, session: SessionDep, settings: SettingsDep) -> UserOut:
    user = await service.sign_up(session, body.email, body.password, body.display_name, body.locale)
    token = await service.open_session(session, user, settings)
    await session.commit()
    _set_cookie(response, token, settings)
    return UserOut.model_validate(user)


@router.post("/login", response_model=UserOut, responses=responses(401, 429))
async def sign_in(
    body: SignInIn, request: Request, response: Response, session: SessionDep, settings: SettingsDep, redis: RedisDep
) -> UserOut:
    ip = _client_ip(request)
    await service.check_rate_limit(redis, settings, body.email, ip)
    user = await service.authenticate(session, body.email, body.password)
    if user is None:
        await service.record_failure(redis, settings, body.email, ip)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "wrong email or password")
    await service.clear_failures(redis, body.email, ip)
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
    evaluations, reports, sessions, live event streams and stored frames."""
    await erase(session, redis, settings, user_id=user.id)
    response.delete_cookie(SESSION_COOKIE, path="/")
