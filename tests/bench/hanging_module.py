"""A benchmark module that misbehaves the way a real one can: it starts servers in sessions of their own (one of
them daemonised: double fork, re-parented away from the module), lets them inherit its output, then hangs.
Once they are all started it writes $HANG_READY_FILE. Every process it starts inherits its environment (the test
finds them by the token in it: inside a PID namespace the module's own pids mean nothing outside)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

SLEEPER = [sys.executable, "-c", "import time; time.sleep(3600)"]


def run() -> list[dict[str, Any]]:
    # A "server" in its own session, holding the module's stdout and stderr (as llama-server, PostgreSQL, the API).
    subprocess.Popen(SLEEPER, start_new_session=True)
    # A daemon: started by a short-lived parent in a new session, so it is nobody's child once the parent exits.
    daemoniser = f"import subprocess; subprocess.Popen({SLEEPER!r}, start_new_session=True)"
    subprocess.run([sys.executable, "-c", daemoniser], check=True)
    Path(os.environ["HANG_READY_FILE"]).write_text("started\n")
    time.sleep(3600)  # the hang: only the runner's timeout ends this
    return []
