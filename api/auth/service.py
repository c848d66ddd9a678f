"""Password hashing (argon2id, off the event loop), browser sessions and sign-in rate limiting."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

import anyio
import redis.asyncio as aioredis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from core.db.models import User, utcnow
from core.errors import Conflict, RateLimited
from core.repositories.users import UserRepository
from core.settings import Settings

_hasher = PasswordHasher()
# Verifying against this keeps sign-in timing the same whether or not the email exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class EmailTaken(Conflict):
    def __init__(self) -> None:
        super().__init__("an account with this email already exists")


class SignInRateLimited(RateLimited):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after_s} s", retry_after_s)


async def hash_password(password: str) -> str:
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str, password: str) -> bool:
    def check() -> bool:
        try:
            return _hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    return await anyio.to_thread.run_sync(check)


async def sign_up(session: AsyncSession, email: str, password: str, display_name: str, locale: str) -> User:
    repo = UserRepository(session)
    if await repo.get_by_email(email) is not None:
        raise EmailTaken
    user = repo.add(
        User(email=email.lower(), password_hash=await hash_password(password), display_name=display_name, locale=locale)
    )
    try:
        await session.flush()
    except IntegrityError:  # a concurrent sign-up with the same email won the race
        await session.rollback()
        raise EmailTaken from None
    return user


async def authenticate(session: AsyncSession, email: str, password: str) -> User | None:
    user = await UserRepository(session).get_by_email(email)
    ok = await verify_password(user.password_hash if user else _DUMMY_HASH, password)
    return user if user and ok else None


async def open_session(session: AsyncSession, user: User, settings: Settings) -> str:
    token = secrets.token_urlsafe(32)
    UserRepository(session).add_session(user.id, token, utcnow() + timedelta(seconds=settings.session_ttl_s))
    return token


def _limit_key(email: str, client_ip: str) -> str:
    digest = hashlib.sha256(f"{email.lower()}|{client_ip}".encode()).hexdigest()[:32]  # no emails in Redis keys
    return f"rehearsal:login-failures:{digest}"


async def check_rate_limit(client: aioredis.Redis, settings: Settings, email: str, client_ip: str) -> None:
    key = _limit_key(email, client_ip)
    failures = int(await client.get(key) or 0)
    if failures >= settings.login_rate_limit:
        ttl = await client.ttl(key)
        raise SignInRateLimited(max(int(ttl), 1))


async def record_failure(client: aioredis.Redis, settings: Settings, email: str, client_ip: str) -> None:
    key = _limit_key(email, client_ip)
    async with client.pipeline(transaction=True) as pipe:
        # The window starts at the first failure (SET NX EX, not EXPIRE NX: that needs Redis 7).
        pipe.set(key, 0, ex=settings.login_rate_window_s, nx=True)
        pipe.incr(key)
        await pipe.execute()


async def clear_failures(client: aioredis.Redis, email: str, client_ip: str) -> None:
    await client.delete(_limit_key(email, client_ip))
