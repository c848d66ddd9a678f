"""Request-body limit on every route (MAX_REQUEST_BODY_BYTES; the résumé upload's own, larger one): 413 with a
clear message, decided from Content-Length before any of the body is read, and counted on streamed (chunked)
bodies too. Against a real API process with the default limits."""

from __future__ import annotations

import contextlib
import json
import socket
import uuid
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx

from core.settings import Settings
from tests.api.conftest import INTERVIEW, ApiProcess

DEFAULTS = Settings()
LIMIT = DEFAULTS.max_request_body_bytes
# Wait for the answer: on a busy machine a refusal may take a while, but a server waiting for a body that never
# comes would never answer at all.
ANSWER_DEADLINE_S = 60


@contextlib.contextmanager
def _signed_in(api: ApiProcess) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=api.base_url, timeout=60) as client:
        email = f"body-{uuid.uuid4().hex[:10]}@example.com"
        r = client.post("/api/auth/signup", json={"email": email, "password": "body limit pw 1"})
        assert r.status_code == 201, r.text
        yield client


def _announce_only(api: ApiProcess, method: str, path: str, length: int, cookie: str = "") -> tuple[int, bytes]:
    """Send the request head announcing `length` bytes of JSON and none of the body: a server that refuses before
    reading answers now; one that reads first waits forever (until the deadline fails the test)."""
    url = urlsplit(api.base_url)
    head = (
        f"{method} {path} HTTP/1.1\r\nHost: {url.netloc}\r\nContent-Type: application/json\r\n"
        f"Content-Length: {length}\r\nCookie: rehearsal_session={cookie}\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection((url.hostname, url.port), timeout=ANSWER_DEADLINE_S) as sock:
        sock.sendall(head.encode() + b"[")
        data = b""
        while b"\r\n\r\n" not in data or not data.endswith(b"}"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    status = int(data.split(b" ", 2)[1])
    return status, data.split(b"\r\n\r\n", 1)[1]


def test_large_json_with_unknown_field_is_refused(plain_api: ApiProcess) -> None:
    with _signed_in(plain_api) as client:
        body = {**INTERVIEW, "padding": "x" * 10_000_000}  # the probe's finding 5: 201 before
        r = client.post("/api/interviews", json=body)
        assert r.status_code == 413, r.text[:300]
        assert r.json()["detail"] == f"request body too large: at most {LIMIT} bytes"
        assert client.get("/api/interviews").json() == []  # nothing was created


def test_oversized_body_is_refused_before_it_is_read(plain_api: ApiProcess) -> None:
    with _signed_in(plain_api) as client:
        cookie = client.cookies["rehearsal_session"]
    status, body = _announce_only(plain_api, "POST", "/api/interviews", 5_000_000, cookie)
    assert status == 413
    assert json.loads(body)["detail"] == f"request body too large: at most {LIMIT} bytes"


def test_streamed_body_is_counted(plain_api: ApiProcess) -> None:
    def array() -> Iterator[bytes]:  # a 5 MB JSON array sent chunked, with no Content-Length to go by
        yield b"["
        for _ in range(5_000):
            yield b"1," * 500
        yield b"1]"

    with _signed_in(plain_api) as client:
        try:
            r = client.post("/api/interviews", content=array(), headers={"Content-Type": "application/json"})
        except httpx.WriteError:
            return  # the server answered and closed while the rest was still being sent: refused mid-stream
        assert r.status_code == 413, r.text[:300]


def test_every_route_has_a_body_limit(plain_api: ApiProcess) -> None:
    spec = httpx.get(f"{plain_api.base_url}/api/openapi.json").json()
    upload_limit = DEFAULTS.max_upload_bytes + 64 * 1024
    tried = {}
    for path, ops in spec["paths"].items():
        url = path.replace("{interview_id}", "00000000-0000-0000-0000-000000000000").replace(
            "{question_id}", "00000000-0000-0000-0000-000000000000"
        )
        for method in ops:
            length = (upload_limit if path == "/api/uploads/resume" else LIMIT) + 1
            tried[f"{method.upper()} {path}"] = _announce_only(plain_api, method.upper(), url, length)[0]
    tried["POST /api/no-such-route"] = _announce_only(plain_api, "POST", "/api/no-such-route", LIMIT + 1)[0]
    assert len(tried) >= 15
    assert tried == {k: 413 for k in tried}, tried


def test_resume_upload_keeps_its_own_larger_limit(plain_api: ApiProcess) -> None:
    with _signed_in(plain_api) as client:
        # Just under MAX_UPLOAD_BYTES: through the body limit, then judged as a PDF (a broken one here).
        near = b"%PDF-1.4\n" + b"0" * (DEFAULTS.max_upload_bytes - 1024)
        r = client.post("/api/uploads/resume", files={"file": ("cv.pdf", near, "application/pdf")})
        assert r.status_code == 422, r.text[:300]
        over = b"%PDF-1.4\n" + b"0" * (DEFAULTS.max_upload_bytes + 1024)
        r = client.post("/api/uploads/resume", files={"file": ("cv.pdf", over, "application/pdf")})
        assert r.status_code == 413
