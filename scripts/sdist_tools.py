"""Shared steps of the set-up scripts that compile native tools from a pinned PyPI sdist.

``scripts/build_kenlm.py`` (KenLM's lmplz/build_binary) and ``scripts/build_fasttext.py`` (fastText's CLI) both
download one sdist with pip, check it against a pinned sha256, and unpack it into a fresh source folder.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path


def sha256(path: Path) -> str:
    """Hex sha256 of a file."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def run(cmd: list[str], log: Callable[[str], None], **kwargs: object) -> None:
    """Run a command, echoing it through ``log`` first; raise on a non-zero exit."""
    log("$ " + " ".join(cmd))
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def fetch_sdist(package: str, version: str, pinned_sha256: str, dest: Path, log: Callable[[str], None]) -> Path:
    """The pinned, hash-checked sdist of ``package==version`` in ``dest``, downloaded with pip only if missing."""
    sdist = dest / f"{package}-{version}.tar.gz"
    if not (sdist.is_file() and sha256(sdist) == pinned_sha256):
        dest.mkdir(parents=True, exist_ok=True)
        sdist.unlink(missing_ok=True)
        run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", package,
             f"{package}=={version}", "-d", str(dest)],
            log,
        )  # fmt: skip
    got = sha256(sdist)
    if got != pinned_sha256:
        raise SystemExit(f"{sdist}: sha256 {got} != pinned {pinned_sha256}")
    return sdist


def unpack(sdist: Path, dest: Path) -> None:
    """Unpack ``sdist`` into ``dest``, emptied first."""
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    with tarfile.open(sdist) as tar:
        tar.extractall(dest, filter="data")
