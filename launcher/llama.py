"""Run the real llama.cpp `llama-server` locally, one supervised process per model role.

The role's configuration is `model-servers/<role>.env` — the very file the production containers read with
`env_file:` — in llama-server's own `LLAMA_ARG_*` variables. Locally the container paths are mapped
(`/models/…` → the repo's `models/`, then `<var_dir>/models/`; `/templates/…` → `model-servers/templates/`),
`model-servers/local.env` swaps in the small default model unless `LLAMA_MODELS=production`, and the server is
bound to 127.0.0.1 on the role's port with one thread per server on small machines (two servers competing for
2 cores with several threads each collapse to seconds per token).

    server = LlamaServer.for_role("evaluator", settings)
    server.start(); server.wait_healthy()
    ... server.ensure_running()   # from a supervisor loop: restarts a dead server
    server.stop()
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Literal

from core.errors import ConfigError
from core.settings import ROOT_DIR, Settings

Role = Literal["question", "evaluator"]
ROLES: tuple[Role, ...] = ("question", "evaluator")
CONFIG_DIR = ROOT_DIR / "model-servers"
TEMPLATES_DIR = CONFIG_DIR / "templates"
BUILD_SCRIPT = CONFIG_DIR / "build-llama-server.sh"
LLAMA_BUILD = "b11434"
SMALL_MACHINE_CORES = 4  # at or below this, every server gets one thread


def read_env_file(path: Path) -> dict[str, str]:
    """`KEY=value` lines (comments and blanks ignored, optional quotes stripped) — the subset of the env-file
    syntax both compose and this launcher understand."""
    values: dict[str, str] = {}
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip():
            raise ConfigError(f"{_rel(path)}:{lineno}", "expected KEY=value")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[key.strip()] = value
    return values


def _rel(path: Path) -> str:
    try:
        return str(path.relative_to(ROOT_DIR))
    except ValueError:
        return str(path)


def role_env(role: Role, settings: Settings) -> dict[str, str]:
    """The role's LLAMA_ARG_* values as the local run uses them (before path mapping)."""
    path = CONFIG_DIR / f"{role}.env"
    if not path.is_file():
        raise ConfigError("model-servers", f"{role} model server: config file {_rel(path)} is missing")
    env = read_env_file(path)
    if settings.llama_models == "local":
        env.update(read_env_file(CONFIG_DIR / "local.env"))
        per_role = CONFIG_DIR / f"local.{role}.env"  # what the bundled model needs for this role only
        if per_role.is_file():
            env.update(read_env_file(per_role))
    return env


def configured_alias(role: Role, settings: Settings) -> str:
    """The alias the role's local server reports as its model id (from its env files)."""
    try:
        return role_env(role, settings).get("LLAMA_ARG_ALIAS", "") or role
    except (ConfigError, OSError):
        return role


def map_container_path(value: str, settings: Settings) -> list[Path]:
    """Candidate local paths for a container path from the env file, most specific first."""
    if value.startswith("/models/"):
        name = value.removeprefix("/models/")
        return [ROOT_DIR / "models" / name, settings.var_dir / "models" / name]
    if value.startswith("/templates/"):
        return [TEMPLATES_DIR / value.removeprefix("/templates/")]
    path = Path(value)
    return [path if path.is_absolute() else ROOT_DIR / path]


def _resolve_file(role: Role, key: str, value: str, settings: Settings, source: str, hint: str) -> Path:
    candidates = map_container_path(value, settings)
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    looked = ", ".join(_rel(c) for c in candidates)
    raise ConfigError(f"{key} ({source})", f"{role} model server: {value} not found (looked in {looked}); {hint}")


def cache_dir() -> Path:
    base = os.environ.get("REHEARSAL_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "rehearsal"
    )
    return Path(base)


def find_binary(settings: Settings, *, build: bool = True) -> Path:
    """settings.llama_server_bin, else the cached build, else build it now (first time only, several minutes)."""
    if settings.llama_server_bin:
        path = settings.llama_server_bin
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ConfigError("LLAMA_SERVER_BIN", f"{path} is not an executable file")
        return path
    cached = cache_dir() / f"llama-server-{LLAMA_BUILD}" / "llama-server"
    if cached.is_file() and os.access(cached, os.X_OK):
        return cached
    if not build:
        raise ConfigError("LLAMA_SERVER_BIN", f"unset and no cached build at {cached}; run `make llama-server`")
    if shutil.which("cmake") is None:
        raise ConfigError("LLAMA_SERVER_BIN", "unset, no cached build, and cmake is missing to build llama-server")
    python = str(ROOT_DIR / ".venv" / "bin" / "python")
    env = {**os.environ, "PYTHON": python if os.path.exists(python) else "python3"}
    result = subprocess.run(["bash", str(BUILD_SCRIPT)], env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        tail = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise ConfigError("LLAMA_SERVER_BIN", f"building llama-server failed: {tail}")
    built = Path(result.stdout.strip().splitlines()[-1])
    if not built.is_file():
        raise ConfigError("LLAMA_SERVER_BIN", f"build script reported {built}, which does not exist")
    return built


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # As llama-server itself does: connections of a just-stopped server in TIME_WAIT do not block a restart,
        # a listener does.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


def default_threads(configured: str | None) -> str:
    if (os.cpu_count() or 1) <= SMALL_MACHINE_CORES:
        return "1"
    return configured or "4"


@dataclass
class LlamaServer:
    """One supervised `llama-server` process bound to 127.0.0.1."""

    role: str
    binary: Path
    env: dict[str, str]  # LLAMA_ARG_* with local paths
    port: int
    host: str = "127.0.0.1"
    log_path: Path | None = None
    port_setting: str = "port"  # the setting to name when the port is taken
    extra_args: list[str] = field(default_factory=list)
    proc: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    restarts: int = 0
    _log: IO[bytes] | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _watch_stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _watcher: threading.Thread | None = field(default=None, repr=False)

    # --- construction ------------------------------------------------------------------------------------
    @classmethod
    def for_role(
        cls,
        role: Role,
        settings: Settings,
        port: int | None = None,
        *,
        overrides: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        build: bool = True,
    ) -> LlamaServer:
        """The role's server from `model-servers/<role>.env` (+ local.env), validated: a missing model file or
        chat template raises ConfigError naming the role and the variable. `overrides` replace LLAMA_ARG_*
        values (tests use it for the tiny model and extra slots)."""
        if role not in ROLES:
            raise ConfigError("role", f"unknown model role {role!r} (expected one of {', '.join(ROLES)})")
        env = role_env(role, settings)
        env.update(overrides or {})
        source = f"model-servers/{role}.env" + (", model-servers/local.env" if settings.llama_models == "local" else "")
        if not env.get("LLAMA_ARG_MODEL"):
            raise ConfigError(f"LLAMA_ARG_MODEL ({source})", f"{role} model server: no model file configured")
        model = _resolve_file(
            role,
            "LLAMA_ARG_MODEL",
            env["LLAMA_ARG_MODEL"],
            settings,
            source,
            "run `make models` for the local models or models/fetch for the production ones",
        )
        env["LLAMA_ARG_MODEL"] = str(model)
        if env.get("LLAMA_ARG_CHAT_TEMPLATE_FILE"):
            template = _resolve_file(
                role,
                "LLAMA_ARG_CHAT_TEMPLATE_FILE",
                env["LLAMA_ARG_CHAT_TEMPLATE_FILE"],
                settings,
                source,
                "templates live in model-servers/templates/",
            )
            env["LLAMA_ARG_CHAT_TEMPLATE_FILE"] = str(template)
        port_setting = f"LLAMA_{role.upper()}_PORT"
        if port is None:
            port = settings.llama_port(role)
        env["LLAMA_ARG_THREADS"] = default_threads(env.get("LLAMA_ARG_THREADS"))
        if log_path is None:
            log_path = settings.var_dir / "logs" / f"llama-{role}-{port}.log"
        return cls(
            role=role,
            binary=find_binary(settings, build=build),
            env=env,
            port=port,
            log_path=log_path,
            port_setting=port_setting,
        )

    # --- properties --------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        """The server root (`/health`, `/slots`); OpenAI clients use `base_url + "/v1"`."""
        return f"http://{self.host}:{self.port}"

    @property
    def alias(self) -> str:
        return self.env.get("LLAMA_ARG_ALIAS", self.role)

    @property
    def model_path(self) -> Path:
        return Path(self.env["LLAMA_ARG_MODEL"])

    # --- lifecycle ---------------------------------------------------------------------------------------
    def _process_env(self) -> dict[str, str]:
        # Only the essentials of our environment: a stray LLAMA_ARG_* from the shell must not change the server.
        env = {k: v for k, v in os.environ.items() if not k.startswith("LLAMA_ARG_")}
        env.update(self.env)
        env["LLAMA_ARG_HOST"] = self.host
        env["LLAMA_ARG_PORT"] = str(self.port)
        env.pop("LLAMA_ARG_API_KEY_FILE", None)
        return env

    def start(self) -> None:
        with self._lock:
            if self.proc is not None and self.proc.poll() is None:
                return
            if not port_is_free(self.host, self.port):
                raise ConfigError(
                    self.port_setting,
                    f"{self.role} model server: port {self.port} on {self.host} is already in use",
                )
            if self.log_path is not None:
                self.log_path.parent.mkdir(parents=True, exist_ok=True)
                if self._log is None:
                    self._log = self.log_path.open("ab")
            self.proc = subprocess.Popen(
                [str(self.binary), *self.extra_args],
                env=self._process_env(),
                stdin=subprocess.DEVNULL,
                stdout=self._log or subprocess.DEVNULL,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: stop() signals the group, never us
            )

    def poll(self) -> int | None:
        """None while running, else the exit code (also when never started: -1)."""
        if self.proc is None:
            return -1
        return self.proc.poll()

    def healthy(self, timeout_s: float = 2.0) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/health", timeout=timeout_s) as resp:  # noqa: S310
                return bool(resp.status == 200)
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def wait_healthy(self, timeout_s: float = 120.0) -> None:
        """Block until `/health` answers 200 (503 while the model loads); ConfigError if the process exits."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            code = self.poll()
            if code is not None:
                raise ConfigError(
                    f"model-servers/{self.role}.env",
                    f"{self.role} model server exited with code {code} while starting: {self.log_tail()}",
                )
            if self.healthy():
                return
            time.sleep(0.1)
        raise TimeoutError(f"{self.role} model server not healthy after {timeout_s:.0f} s: {self.log_tail()}")

    def log_tail(self, lines: int = 3) -> str:
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        with self.log_path.open("rb") as fh:
            fh.seek(max(0, fh.seek(0, os.SEEK_END) - 4096))
            text = fh.read().decode("utf-8", "replace")
        tail = [ln.strip() for ln in text.splitlines() if ln.strip()][-lines:]
        return " | ".join(tail) or "(empty log)"

    def stop(self, timeout_s: float = 10.0) -> None:
        """SIGTERM to the process group, SIGKILL after `timeout_s`."""
        self.stop_watchdog()
        with self._lock:
            proc, self.proc = self.proc, None
            if proc is not None and proc.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(timeout=timeout_s)
                except subprocess.TimeoutExpired:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=5)
            if self._log is not None:
                self._log.close()
                self._log = None

    def kill(self) -> None:
        """SIGKILL, as a crash would (fault-injection tests)."""
        if self.proc is not None and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=5)

    def restart(self, timeout_s: float = 120.0) -> None:
        self.stop()
        self.restarts += 1
        self.start()
        self.wait_healthy(timeout_s)

    def ensure_running(self, timeout_s: float = 120.0) -> bool:
        """Restart the server if its process died. Returns True if a restart happened."""
        if self.poll() is None:
            return False
        with self._lock:
            proc, self.proc = self.proc, None
            if proc is not None:
                proc.wait()
        self.restarts += 1
        self.start()
        self.wait_healthy(timeout_s)
        return True

    def start_watchdog(self, interval_s: float = 1.0, max_backoff_s: float = 30.0) -> None:
        """Restart the server in a background thread whenever it dies (with backoff on repeated failures)."""
        if self._watcher is not None and self._watcher.is_alive():
            return
        self._watch_stop.clear()

        def loop() -> None:
            backoff = interval_s
            while not self._watch_stop.wait(backoff):
                try:
                    self.ensure_running()
                    backoff = interval_s
                except (ConfigError, TimeoutError, OSError):
                    backoff = min(max_backoff_s, backoff * 2)

        self._watcher = threading.Thread(target=loop, name=f"llama-{self.role}-watchdog", daemon=True)
        self._watcher.start()

    def stop_watchdog(self) -> None:
        self._watch_stop.set()
        watcher, self._watcher = self._watcher, None
        if watcher is not None and watcher is not threading.current_thread():
            watcher.join(timeout=5)


def local_roles(settings: Settings) -> list[Role]:
    """Roles with no external endpoint configured: the local run starts a server for each."""
    return [role for role in ROLES if not getattr(settings, f"llm_{role}").base_urls]


def start_local_servers(settings: Settings, *, timeout_s: float = 120.0) -> dict[str, LlamaServer]:
    """Start (and health-check) a server for every local role; on any failure stop those already started.
    The caller exports `LLM_<ROLE>__BASE_URLS=<server.base_url>` to the app processes."""
    servers: dict[str, LlamaServer] = {}
    try:
        for role in local_roles(settings):
            server = LlamaServer.for_role(role, settings)
            server.start()
            servers[role] = server
        for server in servers.values():
            server.wait_healthy(timeout_s)
            server.start_watchdog()
    except BaseException:
        for server in servers.values():
            server.stop()
        raise
    return servers
