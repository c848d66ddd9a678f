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
from core.repositories.users import UserRepository
from core.settings import Settings

_hasher = PasswordHasher()
# Verifying against this keeps sign-in timing the same whether or not the email exists.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


class EmailTaken(Exception):
    pass


class RateLimited(Exception):
    def __init__(self, retry_after_s: int) -> None:
        super().__init__(f"too many sign-in attempts; try again in {retry_after_s} s")
        self.retry_after_s = retry_after_s


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


def _limit_keys(email: str, client_ip: str) -> tuple[str, str]:
    """The account's budget (whatever address the guesses come from) and the address's (whatever account)."""
    account = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:32]  # no emails in Redis keys
    address = hashlib.sha256(client_ip.encode()).hexdigest()[:32]
    return f"rehearsal:login-failures:account:{account}", f"rehearsal:login-failures:address:{address}"


async def reserve_attempt(client: aioredis.Redis, settings: Settings, email: str, client_ip: str) -> None:
    """Count this attempt against both budgets before the password is checked, so parallel guesses cannot all slip
    in before the first failure is recorded; raise RateLimited once either budget is spent. A successful sign-in
    gives its attempt back (`attempt_succeeded`)."""
    account_key, address_key = _limit_keys(email, client_ip)
    async with client.pipeline(transaction=True) as pipe:
        # The window starts at the first attempt (SET NX EX, not EXPIRE NX: that needs Redis 7).
        for key in (account_key, address_key):
            pipe.set(key, 0, ex=settings.login_rate_window_s, nx=True)
            pipe.incr(key)
        pipe.ttl(account_key)
        pipe.ttl(address_key)
        _, account_n, _, address_n, account_ttl, address_ttl = await pipe.execute()
    over = [
        ttl
        for n, limit, ttl in (
            (account_n, settings.login_rate_limit, account_ttl),
            (address_n, settings.login_rate_limit_per_address, address_ttl),
        )
        if int(n) > limit
    ]
    if over:
        raise RateLimited(max(*(int(t) for t in over), 1))


async def attempt_succeeded(client: aioredis.Redis, email: str, client_ip: str) -> None:
    """The right password: the account's failures are forgotten; the address gets this attempt back but keeps its
    failures (a guesser cannot reset its budget by signing in to an account of its own)."""
    account_key, address_key = _limit_keys(email, client_ip)
    async with client.pipeline(transaction=True) as pipe:
        pipe.delete(account_key)
        pipe.decr(address_key)
        await pipe.execute()
