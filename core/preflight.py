"""Fail fast, in one line, on configuration that cannot work: every entry point calls `run_or_exit`."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable
from typing import TypeVar

import redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from core.broker import require_redis_url
from core.db.engine import require_database_url, sqlalchemy_url
from core.errors import ConfigError, config_error_from_validation
from core.settings import Settings, get_settings

T = TypeVar("T")


def load_settings() -> Settings:
    try:
        return get_settings()
    except Exception as exc:  # pydantic ValidationError: bad value in env/.env
        raise config_error_from_validation(exc) from None


def check_redis(settings: Settings) -> None:
    url = require_redis_url(settings)
    try:
        redis.Redis.from_url(url, socket_connect_timeout=3, socket_timeout=3).ping()
    except (redis.RedisError, OSError, ValueError) as exc:
        raise ConfigError("REDIS_URL", f"cannot reach Redis at {_safe(url)}: {exc}") from None


def check_database(settings: Settings) -> None:
    url = require_database_url(settings)

    async def probe() -> None:
        engine = create_async_engine(sqlalchemy_url(url), connect_args={"connect_timeout": 3})
        try:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
        finally:
            await engine.dispose()

    try:
        asyncio.run(probe())
    except Exception as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise ConfigError("DATABASE_URL", f"cannot connect to PostgreSQL at {_safe(url)}: {reason}") from None


def _safe(url: str) -> str:
    """The URL without its password, for messages and logs."""
    from sqlalchemy.engine import make_url

    try:
        if url.startswith("postgresql"):
            return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<unparsable>"
    if "@" in url:
        scheme, _, rest = url.partition("://")
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


def run_or_exit(check: Callable[[], T], service: str) -> T:
    """Run startup checks; on a ConfigError print `<service>: configuration error: VAR: problem` and exit 2."""
    try:
        return check()
    except ConfigError as exc:
        print(f"{service}: configuration error: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
