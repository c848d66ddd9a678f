"""models/fetch.py against a real HTTP server on 127.0.0.1 serving a small file: full download, resume with Range,
a dropped connection resumed automatically, a server ignoring Range, checksum mismatch, and the server-published
hash used when no SHA-256 is pinned. Never touches the internet."""

from __future__ import annotations

import hashlib
import http.server
import importlib.util
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAYLOAD = os.urandom(3 * 1024 * 1024 + 123)  # a few chunks, not a multiple of the chunk size
SHA = hashlib.sha256(PAYLOAD).hexdigest()


def _load_fetch() -> ModuleType:
    spec = importlib.util.spec_from_file_location("models_fetch", ROOT / "models/fetch.py")
    assert spec
    assert spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["models_fetch"] = module
    spec.loader.exec_module(module)
    return module


fetch_mod = _load_fetch()


@dataclass
class ServerState:
    ignore_range: bool = False
    drop_after: int | None = None  # close the first response after this many bytes
    publish_sha: str | None = None  # X-Linked-Etag on the redirect
    range_headers: list[str | None] = field(default_factory=list)
    requests: int = 0


class _Handler(http.server.BaseHTTPRequestHandler):
    state: ServerState

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        state = self.server.state  # type: ignore[attr-defined]
        if self.path == "/redirect/model.gguf":
            self.send_response(302)
            self.send_header("Location", "/model.gguf")
            if state.publish_sha:
                self.send_header("X-Linked-Etag", f'"{state.publish_sha}"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.path != "/model.gguf":
            self.send_error(404)
            return
        state.requests += 1
        header = self.headers.get("Range")
        state.range_headers.append(header)
        start = 0
        if header and not state.ignore_range:
            start = int(header.removeprefix("bytes=").split("-")[0])
            if start >= len(PAYLOAD):
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(PAYLOAD)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{len(PAYLOAD) - 1}/{len(PAYLOAD)}")
        else:
            self.send_response(200)
        body = PAYLOAD[start:]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if state.drop_after is not None and state.requests == 1:
            self.wfile.write(body[: state.drop_after])
            self.wfile.flush()
            self.close_connection = True
            return
        self.wfile.write(body)


@pytest.fixture
def server() -> Iterator[tuple[str, ServerState]]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.state = ServerState()  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", httpd.state  # type: ignore[attr-defined]
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def _entry(url: str, sha: str | None = SHA) -> Any:
    return fetch_mod.Entry(name="test", file="model.gguf", url=url, sha256=sha)


def _fetch(entry: Any, dest: Path) -> tuple[Path, str]:
    result: tuple[Path, str] = fetch_mod.fetch(
        entry, dest, retries=2, timeout_s=10, progress=True, stream=io.StringIO(), sleep=lambda s: None
    )
    return result


def test_full_download_is_verified_and_installed(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    path, sha = _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert path.read_bytes() == PAYLOAD
    assert sha == SHA
    assert not (tmp_path / "model.gguf.part").exists()
    assert state.range_headers == [None]
    # a second run checks the existing file and downloads nothing
    _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert state.requests == 1


def test_resume_sends_a_range_request_and_appends(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    half = len(PAYLOAD) // 2
    (tmp_path / "model.gguf.part").write_bytes(PAYLOAD[:half])
    path, _ = _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert state.range_headers == [f"bytes={half}-"]
    assert path.read_bytes() == PAYLOAD


def test_dropped_connection_is_resumed_automatically(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.drop_after = 1_000_000
    path, _ = _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert path.read_bytes() == PAYLOAD
    assert state.range_headers == [None, "bytes=1000000-"]


def test_server_ignoring_range_restarts_cleanly(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.ignore_range = True
    (tmp_path / "model.gguf.part").write_bytes(b"stale bytes from another file")
    path, _ = _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert path.read_bytes() == PAYLOAD


def test_complete_part_file_is_finished_without_downloading(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    (tmp_path / "model.gguf.part").write_bytes(PAYLOAD)
    path, _ = _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert path.read_bytes() == PAYLOAD
    assert state.range_headers == [f"bytes={len(PAYLOAD)}-"]


def test_checksum_mismatch_installs_nothing(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(fetch_mod.FetchError, match="SHA-256 mismatch"):
        _fetch(_entry(f"{base}/model.gguf", sha="0" * 64), tmp_path)
    assert not (tmp_path / "model.gguf").exists()
    assert not (tmp_path / "model.gguf.part").exists()


def test_corrupt_resumed_prefix_is_caught(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    (tmp_path / "model.gguf.part").write_bytes(b"\0" * 1000)  # wrong bytes, right length for a resume
    with pytest.raises(fetch_mod.FetchError, match="SHA-256 mismatch"):
        _fetch(_entry(f"{base}/model.gguf"), tmp_path)
    assert not (tmp_path / "model.gguf").exists()


def test_unpinned_file_is_checked_against_the_published_hash(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, state = server
    state.publish_sha = SHA
    path, sha = _fetch(_entry(f"{base}/redirect/model.gguf", sha=None), tmp_path)
    assert path.read_bytes() == PAYLOAD
    assert sha == SHA

    state.publish_sha = "f" * 64
    other = tmp_path / "other"
    with pytest.raises(fetch_mod.FetchError, match="published by the server"):
        _fetch(_entry(f"{base}/redirect/model.gguf", sha=None), other)
    assert not (other / "model.gguf").exists()


def test_unpinned_file_without_a_published_hash_is_refused(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(fetch_mod.FetchError, match="refusing to install an unverified file"):
        _fetch(_entry(f"{base}/model.gguf", sha=None), tmp_path)
    assert not (tmp_path / "model.gguf").exists()


def test_http_errors_are_clear(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    with pytest.raises(fetch_mod.FetchError, match="HTTP 404"):
        _fetch(_entry(f"{base}/missing.gguf"), tmp_path)


def test_cli_downloads_from_a_manifest_and_reports_errors(server: tuple[str, ServerState], tmp_path: Path) -> None:
    base, _ = server
    manifest = tmp_path / "manifest.json"
    manifest.write_text(
        json.dumps({"models": {"tiny": {"file": "model.gguf", "url": f"{base}/model.gguf", "sha256": SHA}}})
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, str(ROOT / "models/fetch.py"), "--manifest", str(manifest), *args],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )

    ok = run("all", "--dest", str(tmp_path / "out"))
    assert ok.returncode == 0, ok.stderr
    assert (tmp_path / "out/model.gguf").read_bytes() == PAYLOAD
    assert "SHA-256 verified" in ok.stderr
    assert "100.0%" in ok.stderr

    unknown = run("nope", "--dest", str(tmp_path / "out"))
    assert unknown.returncode == 2
    assert "unknown model" in unknown.stderr

    manifest.write_text(json.dumps({"models": {"tiny": {"file": "../x", "url": "ftp://x", "sha256": None}}}))
    bad = run("--list")
    assert bad.returncode == 2
    assert "plain file name" in bad.stderr


def test_production_manifest_is_well_formed() -> None:
    entries = fetch_mod.load_manifest(ROOT / "models/manifest.json")
    assert set(entries) == {"question", "evaluator"}
    assert entries["question"].file == "Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf"
    assert entries["evaluator"].file == "solar-10.7b-instruct-v1.0.Q8_0.gguf"
    assert all(e.url.startswith("https://huggingface.co/") for e in entries.values())
    assert "NC" in entries["evaluator"].license
