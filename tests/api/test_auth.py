from __future__ import annotations

import httpx

from tests.api.conftest import ApiProcess


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
