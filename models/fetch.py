#!/usr/bin/env python3
"""Download the production model files listed in models/manifest.json, resumably, with SHA-256 checks.

    python3 models/fetch.py all                 # both GGUFs into models/
    python3 models/fetch.py evaluator --dest /srv/models
    python3 models/fetch.py --list

- Resumable: bytes land in `<file>.part`; a rerun (or an automatic retry after a dropped connection) continues
  with an HTTP Range request. A server that ignores Range makes it start over, never corrupt the file.
- Verified: the SHA-256 of the whole file must equal the manifest's pin. With no pin yet it must equal the
  SHA-256 the host publishes for the object (Hugging Face's `X-Linked-Etag`), and the value to pin is printed.
  On a mismatch the partial file is deleted and nothing is installed under the final name.
- Standard library only, so it runs with any Python ≥ 3.11 before the project is installed.

Exit status: 0 all files present and verified, 1 a download or check failed, 2 bad arguments or manifest.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

HERE = Path(__file__).resolve().parent
DEFAULT_MANIFEST = HERE / "manifest.json"
CHUNK = 1024 * 1024
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CONTENT_RANGE = re.compile(r"^bytes (\d+)-(\d+)/(\d+|\*)$")


class FetchError(Exception):
    """A download or verification failure, with a message meant for the operator."""


@dataclass(frozen=True)
class Entry:
    name: str
    file: str
    url: str
    sha256: str | None
    approx_size_gb: float | None = None
    license: str = ""


def load_manifest(path: Path) -> dict[str, Entry]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FetchError(f"manifest not found: {path}") from None
    except json.JSONDecodeError as exc:
        raise FetchError(f"manifest {path} is not valid JSON: {exc}") from None
    models = raw.get("models") if isinstance(raw, dict) else None
    if not isinstance(models, dict) or not models:
        raise FetchError(f"manifest {path}: expected a non-empty 'models' object")
    entries: dict[str, Entry] = {}
    for name, spec in models.items():
        if not isinstance(spec, dict):
            raise FetchError(f"manifest {path}: models.{name} must be an object")
        file, url, sha = spec.get("file"), spec.get("url"), spec.get("sha256")
        if not isinstance(file, str) or not file or "/" in file or file.startswith("."):
            raise FetchError(f"manifest {path}: models.{name}.file must be a plain file name")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            raise FetchError(f"manifest {path}: models.{name}.url must be an http(s) URL")
        if sha is not None and (not isinstance(sha, str) or not _SHA256.match(sha.lower())):
            raise FetchError(f"manifest {path}: models.{name}.sha256 must be 64 hex digits or null")
        entries[name] = Entry(
            name=name,
            file=file,
            url=url,
            sha256=sha.lower() if isinstance(sha, str) else None,
            approx_size_gb=spec.get("approx_size_gb"),
            license=str(spec.get("license", "")),
        )
    return entries


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


class _RecordingRedirects(urllib.request.HTTPRedirectHandler):
    """Follows redirects like urllib does, remembering the object hash a redirecting host publishes.

    Hugging Face answers `resolve/` with a redirect to its CDN carrying `X-Linked-Etag: "<sha256>"`, the LFS object
    id, which the final CDN response no longer has.
    """

    def __init__(self) -> None:
        self.published_sha256: str | None = None

    def redirect_request(
        self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        _remember_published_hash(self, headers)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _remember_published_hash(holder: _RecordingRedirects, headers: Any) -> None:
    for header in ("X-Linked-Etag", "X-Linked-ETag", "ETag"):
        value = (headers.get(header) or "").strip().strip('"').lower()
        if value.startswith("w/"):
            continue
        if _SHA256.match(value):
            holder.published_sha256 = value
            return


class Progress:
    """A one-line progress bar on a terminal; a line per 10 % otherwise (logs, CI)."""

    def __init__(self, label: str, total: int | None, done: int, stream: IO[str], enabled: bool) -> None:
        self.label, self.total, self.stream, self.enabled = label, total, stream, enabled
        self.start_bytes, self.done = done, done
        self.started = time.monotonic()
        self.tty = enabled and stream.isatty()
        self._last_draw = 0.0
        self._last_decile = -1

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if self.tty and now - self._last_draw < 0.2:
            return
        self._last_draw = now
        self._draw(final=False)

    def finish(self) -> None:
        if self.enabled:
            self._draw(final=True)

    def _draw(self, final: bool) -> None:
        elapsed = max(time.monotonic() - self.started, 1e-6)
        rate = (self.done - self.start_bytes) / elapsed
        if self.total:
            fraction = min(self.done / self.total, 1.0)
            eta = (self.total - self.done) / rate if rate > 0 else float("inf")
            eta_text = "--:--" if eta == float("inf") else f"{int(eta // 60):02d}:{int(eta % 60):02d}"
            if self.tty:
                bar = "#" * int(fraction * 30)
                line = (
                    f"\r{self.label} [{bar:<30}] {fraction * 100:5.1f}% {_human(self.done)}/{_human(self.total)} "
                    f"{_human(rate)}/s ETA {eta_text}"
                )
                self.stream.write(line + ("\n" if final else ""))
            else:
                decile = int(fraction * 10)
                if decile != self._last_decile or final:
                    self._last_decile = decile
                    self.stream.write(
                        f"{self.label}: {fraction * 100:5.1f}% {_human(self.done)}/{_human(self.total)} "
                        f"{_human(rate)}/s\n"
                    )
        else:
            text = f"{self.label}: {_human(self.done)} {_human(rate)}/s"
            self.stream.write(("\r" + text + ("\n" if final else "")) if self.tty else text + "\n")
        self.stream.flush()


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if abs(n) < 1000 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1000
    return f"{n:.2f} GB"


def _open(url: str, offset: int, timeout_s: float, redirects: _RecordingRedirects) -> Any:
    headers = {"User-Agent": "rehearsal-models-fetch/1", "Accept-Encoding": "identity"}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    opener = urllib.request.build_opener(redirects)
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (scheme checked by load_manifest)
    return opener.open(request, timeout=timeout_s)


def _download_once(
    entry: Entry,
    part: Path,
    *,
    timeout_s: float,
    redirects: _RecordingRedirects,
    progress_enabled: bool,
    stream: IO[str],
) -> tuple[int | None, hashlib._Hash]:
    """One HTTP request, appending to `part` (resumed if possible). Returns (expected total size, running hash)."""
    offset = part.stat().st_size if part.exists() else 0
    try:
        response = _open(entry.url, offset, timeout_s, redirects)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset:
            # Nothing left to send from this offset: the part file is already complete (or longer than the file).
            return offset, _hash_file(part)
        if exc.code >= 500 or exc.code == 429:
            raise ConnectionError(f"HTTP {exc.code} {exc.reason}") from None  # transient: retried
        raise FetchError(f"{entry.name}: {entry.url} answered HTTP {exc.code} {exc.reason}") from None
    with response:
        _remember_published_hash(redirects, response.headers)
        status = response.status
        total: int | None = None
        if status == 206:
            match = _CONTENT_RANGE.match(response.headers.get("Content-Range", ""))
            if not match or int(match.group(1)) != offset:
                raise FetchError(
                    f"{entry.name}: server sent an unexpected range ({response.headers.get('Content-Range')})"
                )
            total = int(match.group(3)) if match.group(3) != "*" else None
            digest = _hash_file(part)
            mode = "ab"
        elif status == 200:
            # Fresh download, or a server that ignores Range: (re)start from byte 0.
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            offset = 0
            digest = hashlib.sha256()
            mode = "wb"
        else:
            raise FetchError(f"{entry.name}: unexpected HTTP {status} from {entry.url}")
        if total is not None:
            _check_disk_space(part.parent, total - offset)
        bar = Progress(entry.file, total, offset, stream, progress_enabled)
        with part.open(mode) as fh:
            while block := response.read(CHUNK):
                fh.write(block)
                digest.update(block)
                bar.update(len(block))
        bar.finish()
    return total, digest


def _hash_file(path: Path) -> hashlib._Hash:
    digest = hashlib.sha256()
    if path.exists():
        with path.open("rb") as fh:
            while block := fh.read(CHUNK):
                digest.update(block)
    return digest


def _check_disk_space(directory: Path, needed: int) -> None:
    free = shutil.disk_usage(directory).free
    if needed > free:
        raise FetchError(f"not enough disk space in {directory}: {_human(needed)} needed, {_human(free)} free")


def fetch(
    entry: Entry,
    dest: Path,
    *,
    retries: int = 5,
    timeout_s: float = 60.0,
    progress: bool = True,
    stream: IO[str] = sys.stderr,
    sleep: Callable[[float], None] = time.sleep,
) -> tuple[Path, str]:
    """Make `dest/entry.file` present and verified. Returns (path, sha256)."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / entry.file
    part = dest / (entry.file + ".part")
    if target.exists():
        if entry.sha256 is None:
            stream.write(f"{entry.file}: present (no SHA-256 pinned to check it against)\n")
            return target, sha256_of(target)
        actual = sha256_of(target)
        if actual != entry.sha256:
            raise FetchError(
                f"{entry.file}: the existing file does not match the pinned SHA-256 "
                f"(expected {entry.sha256}, found {actual}); move it away and run again"
            )
        stream.write(f"{entry.file}: present, SHA-256 verified\n")
        return target, actual

    redirects = _RecordingRedirects()
    attempt = 0
    while True:
        try:
            total, digest = _download_once(
                entry, part, timeout_s=timeout_s, redirects=redirects, progress_enabled=progress, stream=stream
            )
            size = part.stat().st_size
            if total is not None and size != total:
                raise ConnectionError(f"connection closed at {size} of {total} bytes")
            break
        except OSError as exc:  # URLError, ConnectionError, TimeoutError: resumable
            attempt += 1
            if attempt > retries:
                kept = part.stat().st_size if part.exists() else 0
                raise FetchError(
                    f"{entry.file}: download failed after {retries} retries ({exc}); "
                    f"{_human(kept)} kept in {part.name}, run again to resume"
                ) from None
            delay = min(2.0**attempt, 30.0)
            stream.write(f"{entry.file}: {exc}; resuming in {delay:.0f} s (retry {attempt}/{retries})\n")
            sleep(delay)

    actual = digest.hexdigest()
    expected = entry.sha256 or redirects.published_sha256
    if expected is None:
        part.unlink(missing_ok=True)
        raise FetchError(
            f"{entry.file}: no SHA-256 pinned in the manifest and none published by the server; "
            "refusing to install an unverified file (pin models.<name>.sha256 in the manifest)"
        )
    if actual != expected:
        part.unlink(missing_ok=True)
        source = "pinned" if entry.sha256 else "published by the server"
        raise FetchError(
            f"{entry.file}: SHA-256 mismatch (expected {expected} {source}, got {actual}); "
            "the download was deleted, run again to retry"
        )
    os.replace(part, target)
    if entry.sha256 is None:
        stream.write(f'{entry.file}: verified against the server\'s SHA-256; pin it in the manifest: "{actual}"\n')
    else:
        stream.write(f"{entry.file}: downloaded, SHA-256 verified\n")
    return target, actual


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Download the production GGUF models with SHA-256 checks.")
    parser.add_argument("names", nargs="*", help="model names from the manifest, or 'all'")
    parser.add_argument("--dest", type=Path, default=HERE, help="target directory (default: models/)")
    parser.add_argument("--manifest", type=Path, default=DEFAULT_MANIFEST)
    parser.add_argument("--retries", type=int, default=5, help="automatic resumes after a dropped connection")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds without data before a retry")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--list", action="store_true", help="show the manifest and exit")
    args = parser.parse_args(argv)
    try:
        entries = load_manifest(args.manifest)
    except FetchError as exc:
        sys.stderr.write(f"fetch: {exc}\n")
        return 2
    if args.list:
        for entry in entries.values():
            size = f"~{entry.approx_size_gb} GB" if entry.approx_size_gb else "size unknown"
            pinned = "pinned" if entry.sha256 else "not pinned"
            sys.stdout.write(f"{entry.name}: {entry.file} ({size}, SHA-256 {pinned}; licence: {entry.license})\n")
        return 0
    names = list(entries) if not args.names or "all" in args.names else args.names
    unknown = [n for n in names if n not in entries]
    if unknown:
        sys.stderr.write(f"fetch: unknown model(s) {unknown}; choose from {sorted(entries)} or 'all'\n")
        return 2
    failed = False
    for name in names:
        try:
            fetch(
                entries[name],
                args.dest,
                retries=args.retries,
                timeout_s=args.timeout,
                progress=not args.no_progress,
            )
        except FetchError as exc:
            sys.stderr.write(f"fetch: {exc}\n")
            failed = True
        except KeyboardInterrupt:
            sys.stderr.write(f"\nfetch: interrupted; run again to resume {entries[name].file}\n")
            return 1
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
