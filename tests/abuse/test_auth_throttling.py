"""Sign-in throttling cannot be dodged by the client address: per-account limits hold from any address, per-address
limits key on the address the API believes, and forwarding headers are believed only from TRUSTED_PROXIES.

Two real API processes (no model needed): one with the default configuration (trust no proxy), one that trusts
127.0.0.1 as its proxy (as compose.yaml trusts the nginx network). The test client always connects from 127.0.0.1.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
import redis
from pydantic import ValidationError

from core.settings import Settings
from launcher.llama import free_port
from tests.api.conftest import ApiProcess, start_api

ACCOUNT_LIMIT = 3
ADDRESS_LIMIT = 6
PASSWORD = "throttle password 1"


def _env(service_env: dict[str, str], **extra: str) -> dict[str, str]:
    dead = f"http://127.0.0.1:{free_port()}"  # sign-in needs no model and no media server
    return {
        **service_env,
        "LLM_QUESTION__BASE_URLS": dead,
        "LLM_EVALUATOR__BASE_URLS": dead,
        "MEDIA_URL": dead,
        "LOGIN_RATE_LIMIT": str(ACCOUNT_LIMIT),
        "LOGIN_RATE_LIMIT_PER_ADDRESS": str(ADDRESS_LIMIT),
        **extra,
    }


@pytest.fixture(scope="module")
def direct_api(service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    env = _env(service_env)
    env.pop("TRUSTED_PROXIES", None)  # the default: no proxy is trusted
    server = start_api(env, tmp_path_factory.mktemp("api-direct"))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def proxied_api(service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    server = start_api(_env(service_env, TRUSTED_PROXIES="127.0.0.1/32,::1"), tmp_path_factory.mktemp("api-proxied"))
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def fresh_budgets(redis_client: redis.Redis) -> None:
    """Each test starts with no failures counted (the two APIs share one Redis and the test client's address)."""
    keys = list(redis_client.scan_iter(match="rehearsal:login-*"))
    if keys:
        redis_client.delete(*keys)


def _account(base_url: str) -> str:
    email = f"throttle-{uuid.uuid4().hex[:10]}@example.com"
    r = httpx.post(f"{base_url}/api/auth/signup", json={"email": email, "password": PASSWORD}, timeout=30)
    assert r.status_code == 201, r.text
    return email


def _login(base_url: str, email: str, password: str, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    body = {"email": email, "password": password}
    return httpx.post(f"{base_url}/api/auth/login", json=body, headers=headers, timeout=30)


def test_locked_account_stays_locked_whatever_the_forwarded_address(direct_api: ApiProcess) -> None:
    email = _account(direct_api.base_url)
    codes = [_login(direct_api.base_url, email, f"wrong {i}").status_code for i in range(ACCOUNT_LIMIT)]
    assert codes == [401] * ACCOUNT_LIMIT
    # The right password with a made-up forwarding header: still locked (the probe's finding 4 got 200 here).
    spoofed = _login(direct_api.base_url, email, PASSWORD, forwarded_for="203.0.113.7")
    assert spoofed.status_code == 429, spoofed.text
    assert int(spoofed.headers["Retry-After"]) > 0


def test_rotating_addresses_cannot_spread_guesses_over_the_account_limit(proxied_api: ApiProcess) -> None:
    # Even through a trusted proxy, every guess counts against the account, whatever address it claims.
    email = _account(proxied_api.base_url)
    codes = [
        _login(proxied_api.base_url, email, f"wrong {i}", forwarded_for=f"198.51.100.{i + 1}").status_code
        for i in range(ACCOUNT_LIMIT + 2)
    ]
    assert codes == [401] * ACCOUNT_LIMIT + [429, 429]
    assert _login(proxied_api.base_url, email, PASSWORD, forwarded_for="198.51.100.200").status_code == 429


def test_per_address_limit_uses_the_address_a_trusted_proxy_forwards(proxied_api: ApiProcess) -> None:
    base = proxied_api.base_url
    attacker = "192.0.2.66"
    # One failure on each of many accounts from one address: no account reaches its own limit…
    victims = [_account(base) for _ in range(ADDRESS_LIMIT)]
    assert [_login(base, v, "guess", forwarded_for=attacker).status_code for v in victims] == [401] * ADDRESS_LIMIT
    # …but the address has used its budget: any further attempt from it is refused, even a right password.
    bystander = _account(base)
    blocked = _login(base, bystander, PASSWORD, forwarded_for=attacker)
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) > 0
    # Another client behind the same proxy is unaffected, and so is every account the attacker touched.
    assert _login(base, bystander, PASSWORD, forwarded_for="192.0.2.67").status_code == 200
    assert _login(base, victims[0], PASSWORD, forwarded_for="192.0.2.67").status_code == 200


def test_untrusted_peer_forwarding_headers_are_ignored(direct_api: ApiProcess) -> None:
    # With no trusted proxy, the per-address budget is the connecting peer's, not what a header claims: guesses
    # from "different" forwarded addresses all land on 127.0.0.1's budget.
    base = direct_api.base_url
    victims = [_account(base) for _ in range(ADDRESS_LIMIT)]
    codes = [_login(base, v, "guess", forwarded_for=f"192.0.2.{i + 10}").status_code for i, v in enumerate(victims)]
    assert codes == [401] * ADDRESS_LIMIT
    assert _login(base, _account(base), PASSWORD, forwarded_for="192.0.2.99").status_code == 429


def test_trusted_proxies_setting_is_validated() -> None:
    assert Settings(trusted_proxies="10.0.0.0/8, 172.18.0.1 ,::1").trusted_proxies == [  # type: ignore[arg-type]
        "10.0.0.0/8",
        "172.18.0.1/32",
        "::1/128",
    ]
    assert Settings().trusted_proxies == []
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="nginx")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="TRUSTED_PROXIES"):
        Settings(trusted_proxies="10.0.0.1/33")  # type: ignore[arg-type]
