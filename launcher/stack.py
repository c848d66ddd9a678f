"""The whole product on one machine, the way `make run` starts it — also used by end-to-end tests.

Start order: embedded PostgreSQL/Redis (only for unset URLs) → migrations → one `llama-server` per local model
role → the application services from `launcher/services.py` (API, workers, media), each its own process group with
output prefixed and copied to `var/logs/<name>.log`. A service that dies is restarted with backoff; `stop()` sends
SIGTERM to every group, then SIGKILL after a grace period, so nothing is left behind.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import httpx

from core.preflight import check_database, check_redis
from core.settings import ROOT_DIR, Settings
from launcher.embedded import EmbeddedPostgres, EmbeddedRedis
from launcher.services import SERVICES

# A service is started only if its code is in this checkout (the module its command runs).
_ENTRY_MODULES = {
    "api": "api.__main__",
    "worker-evaluation": "worker.evaluation.actors",
    "worker-vision": "worker.vision.actors",
    "media": "media.__main__",
}


@dataclass
class ManagedProcess:
    name: str
    argv: list[str]
    env: dict[str, str]
    log_dir: Path
    echo: bool = True
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    _pump: threading.Thread | None = field(default=None, repr=False)

    def start(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            self.argv,
            env=self.env,
            cwd=ROOT_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() reaches the service's children too
        )
        self._pump = threading.Thread(target=self._copy_output, args=(self.proc.stdout,), daemon=True)
        self._pump.start()

    def _copy_output(self, stream: IO[bytes] | None) -> None:
        if stream is None:
            return
        with (self.log_dir / f"{self.name}.log").open("ab") as log:
            for line in iter(stream.readline, b""):
                log.write(line)
                log.flush()
                if self.echo:
                    sys.stdout.write(f"{self.name:>18} | {line.decode(errors='replace')}")
                    sys.stdout.flush()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def signal_group(self, sig: int) -> None:
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, sig)

    def wait(self, timeout_s: float) -> bool:
        if self.proc is None:
            return True
        try:
            self.proc.wait(timeout=timeout_s)
            return True
        except subprocess.TimeoutExpired:
            return False


@dataclass
class Stack:
    settings: Settings
    env_overrides: dict[str, str] = field(default_factory=dict)
    echo: bool = True
    services: list[str] = field(default_factory=lambda: list(SERVICES))
    env: dict[str, str] = field(default_factory=dict)
    processes: dict[str, ManagedProcess] = field(default_factory=dict)
    _pg: EmbeddedPostgres | None = None
    _redis: EmbeddedRedis | None = None
    _llama: dict[str, object] = field(default_factory=dict)
    _stopping: threading.Event = field(default_factory=threading.Event)
    _monitor: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return self.settings.api_url

    def log(self, message: str) -> None:
        if self.echo:
            print(f"{'rehearsal':>18} | {message}", flush=True)

    def start(self, timeout_s: float = 180.0) -> None:
        try:
            self._start(timeout_s)
        except BaseException:
            self.stop()
            raise

    def _start(self, timeout_s: float) -> None:
        s = self.settings
        env = dict(os.environ)
        env.update(self.env_overrides)
        env["PYTHONPATH"] = str(ROOT_DIR) + os.pathsep + env.get("PYTHONPATH", "")
        env.setdefault("PYTHONUNBUFFERED", "1")
        var = Path(s.var_dir)
        if not s.database_url:
            self._pg = EmbeddedPostgres(var / "postgres")
            env["DATABASE_URL"] = self._pg.start()
            self.log(f"embedded PostgreSQL ready ({var / 'postgres'})")
        if not s.redis_url:
            self._redis = EmbeddedRedis(var / "redis")
            env["REDIS_URL"] = self._redis.start()
            self.log(f"embedded Redis ready ({self._redis.socket_path})")
        resolved = s.model_copy(update={"database_url": env.get("DATABASE_URL"), "redis_url": env.get("REDIS_URL")})
        check_database(resolved)
        check_redis(resolved)
        from core.db.migrate import upgrade

        upgrade(resolved.database_url)
        self.log("database migrated to head")

        from launcher import llama

        for role, server in llama.start_local_servers(s, timeout_s=timeout_s).items():
            self._llama[role] = server
            env[f"LLM_{role.upper()}__BASE_URLS"] = server.base_url
            self.log(f"{role} model server ready: {server.alias} at {server.base_url}")
        self.env = env

        for name in self.services:
            if importlib.util.find_spec(_ENTRY_MODULES[name]) is None:
                self.log(f"{name}: not in this checkout, skipped")
                continue
            argv = [sys.executable if SERVICES[name][0] == "python" else SERVICES[name][0], *SERVICES[name][1:]]
            proc = ManagedProcess(name, argv, env, var / "logs", echo=self.echo)
            proc.start()
            self.processes[name] = proc
        self._wait_for_api(timeout_s)
        self._monitor = threading.Thread(target=self._supervise, name="supervisor", daemon=True)
        self._monitor.start()
        self.log(f"ready: {self.base_url}  (API docs {self.base_url}/api/docs)")

    def _wait_for_api(self, timeout_s: float) -> None:
        if "api" not in self.processes:
            return
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            api = self.processes["api"]
            if not api.alive():
                raise RuntimeError(f"the API exited during start-up; see {self.settings.var_dir}/logs/api.log")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.base_url}/api/health", timeout=5).status_code in (200, 503):
                    return
            time.sleep(0.2)
        raise TimeoutError(f"the API did not answer within {timeout_s:.0f} s")

    def _supervise(self) -> None:
        backoff: dict[str, float] = {}
        while not self._stopping.wait(1.0):
            for name, proc in list(self.processes.items()):
                if self._stopping.is_set() or proc.alive():
                    continue
                code = proc.proc.returncode if proc.proc else None
                if code == 2:  # configuration error: restarting cannot help
                    self.log(f"{name} exited with a configuration error; not restarting")
                    del self.processes[name]
                    continue
                delay = backoff.get(name, 1.0)
                self.log(f"{name} exited ({code}); restarting in {delay:.0f} s")
                if self._stopping.wait(delay):
                    return
                proc.restarts += 1
                proc.start()
                backoff[name] = min(delay * 2, 30.0)

    def stop(self, grace_s: float = 10.0) -> None:
        self._stopping.set()
        procs = list(self.processes.values())
        for proc in procs:
            proc.signal_group(signal.SIGTERM)
        deadline = time.monotonic() + grace_s
        for proc in procs:
            if not proc.wait(max(0.1, deadline - time.monotonic())):
                proc.signal_group(signal.SIGKILL)
                proc.wait(5)
        self.processes.clear()
        for server in self._llama.values():
            stop = getattr(server, "stop_watchdog", None)
            if stop:
                stop()
            server.stop()  # type: ignore[attr-defined]
        self._llama.clear()
        if self._redis is not None:
            self._redis.stop()
            self._redis = None
        if self._pg is not None:
            self._pg.stop()
            self._pg = None
