"""`python -m bench` ends by itself when a module hangs, and no process the module started is left — neither after
the module's timeout nor when the runner itself is ended by a signal (SIGTERM, or SIGKILL where the machine lets
the module run in a PID namespace)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import psutil
import pytest

from bench.__main__ import _isolation
from tests.conftest import ROOT

MODULE = "tests.bench.hanging_module"
# The runner's own start plus the module's (imports, three interpreters), on a busy machine; then its timeout.
START_DEADLINE_S = 120


def _start(tmp_path: Path, *args: str, namespace: bool = True) -> tuple[subprocess.Popen[bytes], str]:
    token = f"bench-runner-test-{uuid.uuid4().hex}"
    env = dict(os.environ, PYTHONPATH=str(ROOT), HANG_READY_FILE=str(tmp_path / "ready"), HANG_TOKEN=token)
    if not namespace:
        env["BENCH_PID_NAMESPACE"] = "0"
    cmd = [sys.executable, "-m", "bench", "--only", MODULE, "--no-write", *args]
    log = (tmp_path / "runner.log").open("wb")
    runner = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + START_DEADLINE_S
    while not (tmp_path / "ready").exists():
        assert runner.poll() is None, "the runner ended before the module started its processes"
        assert time.monotonic() < deadline, "the module never started its processes"
        time.sleep(0.1)
    return runner, token


def _living(token: str, but: int | None = None) -> list[psutil.Process]:
    """Every living process with the token in its environment (the runner, its module and all they started)."""
    found = []
    for proc in psutil.process_iter():
        with contextlib.suppress(psutil.Error):
            if proc.pid != but and proc.status() != psutil.STATUS_ZOMBIE and proc.environ().get("HANG_TOKEN") == token:
                found.append(proc)
    return found


def _none_left(token: str) -> list[str]:
    # Killed processes may take a moment to be reaped by whoever inherits them: wait for that, not for a clock.
    deadline = time.monotonic() + 30
    while (left := _living(token)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [" ".join(p.cmdline())[:120] for p in left]


def _kill_all(token: str) -> None:
    for proc in _living(token):
        with contextlib.suppress(psutil.Error):
            proc.kill()


@pytest.mark.parametrize("namespace", [True, False], ids=["pid-namespace", "subreaper-only"])
def test_a_module_that_times_out_leaves_no_process(tmp_path: Path, namespace: bool) -> None:
    runner, token = _start(tmp_path, "--timeout", "10", namespace=namespace)
    try:
        assert len(_living(token, but=runner.pid)) >= 3  # the module, its server and its daemon
        # Ends by itself: the module's timeout, then its processes are killed and the report printed.
        runner.wait(timeout=START_DEADLINE_S + 60)
        log = (tmp_path / "runner.log").read_text()
        assert runner.returncode == 1, log
        assert "timed out after 10 s" in log
        assert _none_left(token) == [], log
    finally:
        _kill_all(token)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGKILL], ids=["TERM", "INT", "KILL"])
def test_ending_the_runner_ends_every_module_process(tmp_path: Path, signum: int) -> None:
    if signum == signal.SIGKILL and not _isolation():
        pytest.skip("no PID namespace here (unshare unavailable): a SIGKILLed runner cannot clean up")
    runner, token = _start(tmp_path)
    try:
        runner.send_signal(signum)
        runner.wait(timeout=60)
        assert _none_left(token) == [], (tmp_path / "runner.log").read_text()
    finally:
        _kill_all(token)
