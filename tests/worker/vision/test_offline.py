"""No network, ever, and no deep-learning framework: the vision worker runs in a subprocess whose outbound
sockets are blocked (a `sitecustomize` that refuses every non-loopback connection and DNS lookup)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import ROOT

SITECUSTOMIZE = textwrap.dedent(
    """
    import ipaddress, json, os, socket

    _LOG = os.environ["BLOCKED_LOG"]
    _real_connect, _real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    _real_getaddrinfo = socket.getaddrinfo

    def _loopback(host):
        if host in ("localhost", "", None):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def _record(what, target):
        with open(_LOG, "a") as fh:
            fh.write(json.dumps([what, repr(target)]) + "\\n")
        raise OSError(f"network blocked by the test: {what} {target!r}")

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _record("connect", address)
        return _real_connect(self, address)

    def connect_ex(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address[0]):
            _record("connect", address)
        return _real_connect_ex(self, address)

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if not _loopback(name):
            _record("dns", name)
        return _real_getaddrinfo(host, *args, **kwargs)

    socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo = connect, connect_ex, getaddrinfo
    """
)

SCRIPT = textwrap.dedent(
    """
    import json, socket, sys
    from pathlib import Path

    # The guard works: a non-loopback connection is refused.
    probe = socket.socket()
    try:
        probe.connect(("93.184.216.34", 443))
        guard = "open"
    except OSError as exc:
        guard = str(exc)
    finally:
        probe.close()

    import worker.vision.actors  # noqa: F401  - the module the worker CLI imports
    heavy = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "torch", "keras", "tf_keras"))

    from core.settings import get_settings
    from worker.vision.analyzer import get_analyzer

    analyzer = get_analyzer(get_settings())
    results = {}
    for name, path in json.loads(sys.argv[1]).items():
        r = analyzer.analyze_jpeg(Path(path).read_bytes())
        results[name] = [r.face_found, r.dominant]
    heavy_after = sorted(m for m in sys.modules if m.split(".")[0] in ("tensorflow", "torch", "keras", "tf_keras"))
    print(json.dumps({"guard": guard, "heavy": heavy, "heavy_after": heavy_after, "results": results,
                      "deepface_loaded": "deepface" in sys.modules}))
    """
)


def test_vision_worker_runs_offline_without_tf_or_torch(
    tmp_path: Path,
    service_env: dict[str, str],
    deepface_home: Path,
    astronaut_jpeg: bytes,
    grace_hopper_jpeg: bytes,
    coffee_jpeg: bytes,
) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "sitecustomize.py").write_text(SITECUSTOMIZE)
    blocked_log = tmp_path / "blocked.jsonl"
    frames = {}
    for name, data in (("astronaut", astronaut_jpeg), ("grace", grace_hopper_jpeg), ("coffee", coffee_jpeg)):
        frames[name] = str(tmp_path / f"{name}.jpg")
        Path(frames[name]).write_bytes(data)
    env = dict(service_env)
    env.update(
        {
            "PYTHONPATH": f"{tmp_path / 'site'}:{ROOT}",
            "BLOCKED_LOG": str(blocked_log),
            "DEEPFACE_HOME": str(deepface_home),
            "VISION_WEIGHTS": "fer",
        }
    )
    env.pop("DEEPFACE_BACKEND_ENGINE", None)  # the worker must force the ONNX engine itself
    proc = subprocess.run(
        [sys.executable, "-c", SCRIPT, json.dumps(frames)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "network blocked by the test" in out["guard"]
    assert out["heavy"] == []
    assert out["heavy_after"] == []
    assert out["deepface_loaded"]
    assert out["results"] == {
        "astronaut": [True, "happy"],
        "grace": [True, "neutral"],
        "coffee": [False, None],
    }
    # Only the guard's own probe was refused: nothing in the vision path tried the network.
    attempts = [json.loads(line) for line in blocked_log.read_text().splitlines()] if blocked_log.exists() else []
    assert attempts == [["connect", "('93.184.216.34', 443)"]]
