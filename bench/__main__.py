"""`python -m bench` (`make bench`): every benchmark module side by side, one table, written to docs/benchmarks/.

Each module (`bench/<name>.py`, exposing `run() -> list[dict]`) runs in its own subprocess, one after the other:
memory is returned between modules, a crash or a hang is reported as a failed row instead of ending the run, and
no process a module starts outlives it or this runner, whatever ends them (see `ModuleProcess`).

Every module runs, even on a slow or busy machine: the runner measures the machine's speed against the development
machine's and exports `BENCH_SCALE` (≤ 1), by which modules shorten their loops (`bench._support.scaled`); it is
lowered further when earlier modules ran late. Fewer iterations, never a skipped module.

    python -m bench                      # all modules
    python -m bench --only llm,api       # some
    python -m bench --no-write           # print only
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import datetime as dt
import functools
import hashlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "docs" / "benchmarks"
# Cheap and independent first; the ones that start the whole product last.
ORDER = ("observability", "turn", "llm", "api", "evaluation", "vision", "media", "stt", "load", "cold_start")
# api: a validated question may take two attempts (and the bank question) per request, at up to 8 at a time;
# evaluation: two worker processes and a server start even at the smallest scale (over 300 s at load ≈ 20 on 2 cores)
MODULE_TIMEOUT_S = {"default": 300.0, "api": 900.0, "evaluation": 600.0, "vision": 360.0, "media": 360.0, "stt": 480.0}
TOTAL_BUDGET_S = 15 * 60  # what a full run should take; a slow machine gets fewer iterations, not skipped modules
MIN_SCALE = 0.2
# Seconds the calibration workload takes on the development machine (2 shared cores, idle), best of 3.
CALIBRATION_REFERENCE_S = 0.12
MARKER = "@@BENCH-ROWS@@"
FIELDS = ("benchmark", "metric", "value", "anchor", "anchor_value", "ratio", "target", "unit")

_CHILD = f"""
import json, os, sys, importlib
name = sys.argv[1]
if os.getpid() == 1:
    # PID 1 of the module's own PID namespace: orphans (a daemonised PostgreSQL, a stopped stack's children) are
    # re-parented here and must be reaped, or they linger as zombies that `kill(pid, 0)` still finds alive and a
    # restart waits on. So PID 1 only reaps; the module runs in its child. (tini does this too, but would be one
    # more system package for these lines.)
    module = os.fork()
    while module:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            sys.exit(1)
        if pid == module:
            sys.exit(os.waitstatus_to_exitcode(status) & 0xFF)
rows = importlib.import_module(name if "." in name else "bench." + name).run()
print({MARKER!r} + json.dumps(rows, ensure_ascii=False, default=float), flush=True)
"""


def discover() -> list[str]:
    """The benchmark modules: bench/*.py that expose `run()`. Stand-alone studies (`python -m bench.question_sources
    …`, with their own arguments and reports) have no `run()` and are not part of `make bench`."""
    found = {
        p.stem
        for p in (ROOT / "bench").glob("*.py")
        if not p.stem.startswith("_") and re.search(r"^def run\(", p.read_text(), re.MULTILINE)
    }
    return [m for m in ORDER if m in found] + sorted(found - set(ORDER))


def _failed(module: str, message: str, seconds: float) -> dict[str, Any]:
    return {
        "benchmark": module,
        "metric": "run",
        "value": math.nan,
        "anchor": "",
        "anchor_value": math.nan,
        "ratio": math.nan,
        "target": "module completes",
        "unit": "",
        "status": "FAIL",
        "error": message[-500:],
        "module": module,
        "seconds": round(seconds, 1),
    }


def calibrate() -> float:
    """The machine's speed relative to the development machine: the best of three runs of a fixed CPU workload.
    1.0 (or more) = as fast; 0.5 = half as fast (a busy machine counts as a slow one)."""
    payload = bytes(range(256)) * 4096  # 1 MiB
    best = math.inf
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(64):
            hashlib.sha256(payload).digest()
        best = min(best, time.perf_counter() - started)
    return CALIBRATION_REFERENCE_S / best


class ModuleProcess:
    """One module's subprocess, and every process it starts — in its own session or not, daemonised or not.

    Where the machine allows it (root, or unprivileged user namespaces), the module runs in its own PID namespace
    (`unshare --pid --fork --kill-child`): when the namespace's first process dies, the kernel kills every process
    in it. That first process dies with this runner whatever signal ends it, SIGKILL included (PR_SET_PDEATHSIG).
    Elsewhere this runner is a child subreaper: orphans of the module are re-parented to it instead of init, so
    `stop` finds and kills them among its descendants; SIGTERM/SIGINT/SIGHUP end the runner through `stop` too.
    Output goes to files, not pipes: a leftover process holding a pipe cannot hang the runner."""

    def __init__(self, module: str, env: dict[str, str]) -> None:
        self.stdout = tempfile.TemporaryFile()  # noqa: SIM115 - closed in stop()
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115
        self.proc = subprocess.Popen(
            [*_isolation(), sys.executable, "-c", _CHILD, module],
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.stdout,
            stderr=self.stderr,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # one prctl call via libc loaded beforehand; this runner has one thread
        )

    def wait(self, timeout_s: float) -> int:
        return self.proc.wait(timeout_s)

    def output(self) -> tuple[str, str]:
        texts = []
        for fh in (self.stdout, self.stderr):
            fh.seek(0)
            texts.append(fh.read().decode(errors="replace"))
        return texts[0], texts[1]

    def stop(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        kill_descendants()
        self.proc.wait()
        self.stdout.close()
        self.stderr.close()


def kill_descendants(grace_s: float = 10.0) -> None:
    """SIGKILL every living descendant of this process (orphans included: it is their subreaper) and reap them."""
    import psutil

    me = psutil.Process()
    for _ in range(3):  # a dying parent may re-parent its children to us meanwhile: look again
        procs = me.children(recursive=True)
        if not procs:
            return
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                proc.kill()
        psutil.wait_procs(procs, timeout=grace_s)


_PR_SET_PDEATHSIG = 1
_PR_SET_CHILD_SUBREAPER = 36


_LIBC = ctypes.CDLL(None, use_errno=True) if sys.platform == "linux" else None


def _prctl(option: int, value: int) -> None:
    if _LIBC is not None:
        _LIBC.prctl(option, value, 0, 0, 0)


def _die_with_parent() -> None:
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


@functools.cache
def _isolation() -> list[str]:
    """The `unshare` prefix that works here, or [] (BENCH_PID_NAMESPACE=0 forces the subreaper alone)."""
    # --mount-proc: the module's /proc shows its own namespace, so psutil finds the PIDs its Popen objects hold.
    cmd = ["unshare", "--pid", "--fork", "--kill-child", "--mount-proc"]
    if shutil.which("unshare") is None or os.environ.get("BENCH_PID_NAMESPACE") == "0":
        return []
    for prefix in (cmd, [*cmd[:1], "--user", "--map-root-user", *cmd[1:]]):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
    return []


class _Stopped(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _on_signal(signum: int, _frame: object) -> None:
    raise _Stopped(signum)


def run_module(module: str, timeout_s: float, scale: float = 1.0) -> list[dict[str, Any]]:
    started = time.monotonic()
    env = dict(
        os.environ,
        PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""),
        BENCH_SCALE=f"{scale:.3f}",
    )
    child = ModuleProcess(module, env)
    try:
        try:
            returncode = child.wait(timeout_s)
        except subprocess.TimeoutExpired:
            return [_failed(module, f"timed out after {timeout_s:.0f} s", time.monotonic() - started)]
        text, err = child.output()
    finally:
        child.stop()  # the module's leftovers (a server it forgot to stop) go now, timed out or not
    seconds = time.monotonic() - started
    payload = next((line[len(MARKER) :] for line in text.splitlines() if line.startswith(MARKER)), None)
    if returncode != 0 or payload is None:
        tail = err.strip().splitlines()
        return [_failed(module, " | ".join(tail[-3:]) or f"exit code {returncode}", seconds)]
    rows: list[dict[str, Any]] = json.loads(payload)
    for row in rows:
        row["module"] = module
        row["seconds"] = round(seconds, 1)
        row["status"] = row.get("status") or judge(row)
    return rows


_CLAUSE = re.compile(r"(≤|<=|<|≥|>=|>)\s*([0-9][0-9,]*(?:\.[0-9]+)?)\s*(x|×)?", re.IGNORECASE)
_OPS = {
    "≤": lambda x, y: x <= y,
    "<=": lambda x, y: x <= y,
    "<": lambda x, y: x < y,
    "≥": lambda x, y: x >= y,
    ">=": lambda x, y: x >= y,
    ">": lambda x, y: x > y,
}


def judge(row: dict[str, Any]) -> str:
    """PASS / FAIL / info from the row's free-text target, e.g. "ratio ≤ 1.10", "< 50 ms", ">= 5 fps and >= 2x".

    Clauses are separated by "and" or ";". A clause compares the ratio when the word "ratio" comes before its
    comparison or the number ends in "x"/"×", otherwise the value."""
    target = str(row.get("target", ""))
    if not target or target.lower().startswith("informational"):
        return "info"
    verdicts = []
    for part in re.split(r"\band\b|;", target):
        match = _CLAUSE.search(part)
        if not match:
            continue
        op, number, times = match.groups()
        use_ratio = bool(times) or "ratio" in part[: match.start()].lower()
        try:
            x, limit = float(row.get("ratio" if use_ratio else "value")), float(number.replace(",", ""))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return "FAIL"
        verdicts.append(not math.isnan(x) and _OPS[op](x, limit))
    if not verdicts:
        return "info"
    return "PASS" if all(verdicts) else "FAIL"


def machine() -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        kib = next(int(x.split()[1]) for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith("MemT"))
        ram_gib = round(kib / 1024 / 1024, 1)
    except (OSError, StopIteration, ValueError):
        ram_gib = math.nan
    return {
        "nproc": os.cpu_count(),
        "ram_gib": ram_gib,
        "cpu": cpu,
        "python": platform.python_version(),
        "kernel": platform.release(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
    }


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "—"
        return f"{value:,.3f}".rstrip("0").rstrip(".") if abs(value) < 1000 else f"{value:,.0f}"
    return str(value)


def table(rows: list[dict[str, Any]]) -> list[list[str]]:
    head = ["benchmark", "metric", "value", "unit", "anchor", "anchor value", "ratio", "target", "result"]
    body = [
        [
            _fmt(r["benchmark"]),
            _fmt(r["metric"]),
            _fmt(r["value"]),
            _fmt(r.get("unit", "")),
            _fmt(r.get("anchor", "")),
            _fmt(r.get("anchor_value", math.nan)),
            _fmt(r.get("ratio", math.nan)),
            _fmt(r.get("target", "")),
            r["status"],
        ]
        for r in rows
    ]
    return [head, *body]


def render_text(rows: list[dict[str, Any]]) -> str:
    cells = table(rows)
    widths = [min(max(len(row[i]) for row in cells), 48) for i in range(len(cells[0]))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c[:48].ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def render_markdown(rows: list[dict[str, Any]], info: dict[str, Any], modules: dict[str, float]) -> str:
    cells = table(rows)

    def md(row: list[str]) -> str:
        return "| " + " | ".join(c.replace("|", "\\|") for c in row) + " |"

    passed = sum(r["status"] == "PASS" for r in rows)
    failed = sum(r["status"] == "FAIL" for r in rows)
    lines = [
        "# Benchmarks (generated by `make bench`)",
        "",
        f"Machine: {info['nproc']} CPUs ({info['cpu']}), {info['ram_gib']} GiB RAM, Python {info['python']}, "
        f"Linux {info['kernel']}; run {info['date']}. No GPU. Each anchor is measured in the same run, side by "
        "side with the value it is compared to; the cores are shared, so expect ±30 % noise between runs.",
        "",
        f"**{passed} pass, {failed} fail**, {len(rows) - passed - failed} informational. "
        "Per module wall time: " + ", ".join(f"{m} {s:.0f} s" for m, s in modules.items()) + ".",
        "",
        md(cells[0]),
        "|" + "---|" * len(cells[0]),
        *(md(row) for row in cells[1:]),
        "",
        "Failures and their messages are in `latest.json` (`error`). How each figure is measured: the docstring of "
        "`bench/<module>.py`. Load and fault figures: [docs/hardening.md](../hardening.md).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument(
        "--only", default="", help="comma-separated module names (default: all); a dotted name is imported as is"
    )
    parser.add_argument("--no-write", action="store_true", help="do not write docs/benchmarks/")
    parser.add_argument("--timeout", type=float, default=None, help="seconds per module (default: per module)")
    args = parser.parse_args(argv)
    available = discover()
    modules = [m.strip() for m in args.only.split(",") if m.strip()] or available
    unknown = [m for m in modules if m not in available and "." not in m]
    if unknown:
        parser.error(f"unknown module(s): {', '.join(unknown)} (available: {', '.join(available)})")

    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    speed = calibrate()
    print(f"bench: machine speed {speed:.2f}× the development machine's", file=sys.stderr, flush=True)
    run_started = time.monotonic()
    rows: list[dict[str, Any]] = []
    durations: dict[str, float] = {}
    try:
        for n, module in enumerate(modules):
            # Behind schedule (modules so far took longer than their share of the budget): scale down the rest.
            share_used = (time.monotonic() - run_started) / TOTAL_BUDGET_S
            share_planned = n / len(modules)
            scale = max(MIN_SCALE, min(1.0, speed, (1 - share_used) / max(1e-9, 1 - share_planned)))
            timeout = args.timeout or MODULE_TIMEOUT_S.get(module, MODULE_TIMEOUT_S["default"])
            print(f"bench: {module} (scale {scale:.2f}) …", file=sys.stderr, flush=True)
            started = time.monotonic()
            got = run_module(module, timeout, scale)
            durations[module] = time.monotonic() - started
            failed = [r for r in got if r["status"] == "FAIL" and r["metric"] == "run"]
            status = f"failed ({failed[0]['error']})" if failed else "done"
            print(f"bench: {module} {status} in {durations[module]:.0f} s", file=sys.stderr, flush=True)
            rows.extend(got)
    except _Stopped as stopped:
        kill_descendants()
        print(f"bench: stopped by {stopped}; every module process is gone", file=sys.stderr, flush=True)
        return 128 + stopped.signum

    info = machine()
    print(render_text(rows))
    if not args.no_write:
        OUT_DIR.mkdir(parents=True, exist_ok=True)
        clean = [{k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()} for r in rows]
        doc = {"machine": info, "modules": {m: round(s, 1) for m, s in durations.items()}, "rows": clean}
        (OUT_DIR / "latest.json").write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
        (OUT_DIR / "latest.md").write_text(render_markdown(rows, info, durations))
        print(f"written: {OUT_DIR / 'latest.md'} and latest.json", file=sys.stderr)
    return 1 if any(r["status"] == "FAIL" and r["metric"] == "run" for r in rows) else 0


if __name__ == "__main__":
    raise SystemExit(main())
