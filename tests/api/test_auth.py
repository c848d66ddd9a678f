from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.api.conftest import ApiProcess, start_api


async def test_signup_login_me_logout(api: ApiProcess, unique_email: str) -> None:
    async with httpx.AsyncClient(base_url=api.base_url) as c:
        r = await c.post("/api/auth/signup", json={"email": unique_email, "password": "long enough pw", "locale": "ko"})
        assert r.status_code == 201
        cookie = r.headers["set-cookie"]
        assert "httponly" in cookie.lower() and "samesite=lax" in cookie.lower()
        assert (await c.get("/api/auth/me")).json()["email"] == unique_email
        assert (await c.post("/api/auth/logout")).status_code == 204
        assert (await c.get("/api/auth/me")).status_code == 401
        r = await c.post("/api/auth/login", json={"email": unique_email.upper(), "password": "long enough pw"})
        assert r.status_code == 200 and r.json()["locale"] == "ko"
        assert (await c.get("/api/auth/me")).status_code == 200


async def test_signup_rejects_duplicates_and_bad_input(api: ApiProcess, unique_email: str) -> None:
    async with httpx.AsyncClient(base_url=api.base_url) as c:
        assert (
            await c.post("/api/auth/signup", json={"email": unique_email, "password": "long enough"})
        ).status_code == 201
        dup = await c.post("/api/auth/signup", json={"email": unique_email, "password": "long enough"})
        assert dup.status_code == 409 and "already exists" in dup.json()["detail"]
        short = await c.post("/api/auth/signup", json={"email": "x" + unique_email, "password": "short"})
        assert short.status_code == 422
        assert short.json()["detail"][0]["loc"] == ["body", "password"]
        bad = await c.post("/api/auth/signup", json={"email": "not-an-email", "password": "long enough"})
        assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "email"]


async def test_login_is_rate_limited(api: ApiProcess, unique_email: str) -> None:
    async with httpx.AsyncClient(base_url=api.base_url) as c:
        await c.post("/api/auth/signup", json={"email": unique_email, "password": "right password"})
        codes = [
            (await c.post("/api/auth/login", json={"email": unique_email, "password": f"wrong {i}"})).status_code
            for i in range(7)
        ]
        assert codes[:5] == [401] * 5  # LOGIN_RATE_LIMIT=5 in the test API
        assert codes[5:] == [429, 429]
        limited = await c.post("/api/auth/login", json={"email": unique_email, "password": "right password"})
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) > 0


async def test_unauthenticated_requests_get_401(api: ApiProcess) -> None:
    async with httpx.AsyncClient(base_url=api.base_url) as c:
        assert (await c.get("/api/interviews")).status_code == 401
        assert (await c.post("/api/interviews", json={})).status_code == 401
        assert (await c.get("/api/nope")).status_code == 404


@pytest.fixture(scope="module")
def second_api(api_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    """Another API process on the same PostgreSQL and Redis (as with API_WORKERS > 1 or several replicas)."""
    proc = start_api(api_env, tmp_path_factory.mktemp("api2"))
    yield proc
    proc.stop()


async def test_sign_out_and_account_deletion_revoke_the_session_in_every_api_process(
    api: ApiProcess, second_api: ApiProcess, unique_email: str
) -> None:
    async with (
        httpx.AsyncClient(base_url=api.base_url) as a,
        httpx.AsyncClient(base_url=second_api.base_url) as b,
        httpx.AsyncClient(base_url=second_api.base_url) as b2,
    ):
        r = await a.post("/api/auth/signup", json={"email": unique_email, "password": "long enough pw"})
        assert r.status_code == 201
        b.cookies = a.cookies
        assert (await a.get("/api/auth/me")).status_code == 200
        assert (await b.get("/api/auth/me")).json()["email"] == unique_email  # now cached for this session

        assert (await a.post("/api/auth/logout")).status_code == 204
        assert (await b.get("/api/auth/me")).status_code == 401  # the other process does not serve the cache

        # A second browser of the same account, cached, then the account is deleted from the first process.
        r = await b2.post("/api/auth/login", json={"email": unique_email, "password": "long enough pw"})
        assert r.status_code == 200 and (await b2.get("/api/interviews")).status_code == 200
        async with httpx.AsyncClient(base_url=api.base_url, cookies=b2.cookies) as c:
            assert (await c.delete("/api/auth/me")).status_code == 204
        assert (await b2.get("/api/interviews")).status_code == 401
        relogin = await b2.post("/api/auth/login", json={"email": unique_email, "password": "long enough pw"})
        assert relogin.status_code == 401
