"""Build KenLM's ``lmplz`` and ``build_binary`` into ``.cache/kenlm/bin/`` and install the ``kenlm`` module.

CCNet trains its language models with KenLM's command-line tools and scores documents with KenLM's Python
module (facebookresearch/cc_net@bda555bd ``Makefile`` targets ``bin/lmplz`` and ``%.arpa``;
``cc_net/perplexity.py`` ``DocLM``). Neither tool ships as a binary on a package registry, so this script
compiles them from the ``kenlm`` source distribution on PyPI, which carries the whole C++ tree (``lm/builder``
included):

1. Debian's build dependencies (``apt-get update`` then ``apt-get install -y`` of :data:`APT_PACKAGES`), only
   when one of them is missing. ``cmake`` and ``g++`` must already be on the machine.
2. ``pip download --no-deps --no-binary kenlm kenlm==<version>`` into ``.cache/kenlm/sdist/``, checked against
   :data:`KENLM_SDIST_SHA256`. (``--no-binary :all:`` would also refuse the wheels of the sdist's own build
   requirements and compile CMake from source just to read the metadata: ten-plus minutes for nothing.)
3. ``cmake`` + ``cmake --build --target lmplz build_binary`` in ``.cache/kenlm/build/``; the two executables
   are copied to ``.cache/kenlm/bin/`` through a temporary name, so an interrupted build never leaves a
   half-written binary behind.
4. ``pip install`` of the same sdist into the running interpreter's environment when ``import kenlm`` fails
   (pip compiles the extension from the sdist; about a minute on two cores).

Idempotent: a stamp file records the version and the sdist hash; when the stamp matches, both executables
run and ``kenlm`` imports, nothing is downloaded or built. ``--force`` rebuilds.

Usage: ``python scripts/build_kenlm.py [--force] [--no-apt] [--no-python] [--jobs N]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import sdist_tools  # scripts/ is on sys.path when a script runs


ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / ".cache" / "kenlm"
BIN_DIR = CACHE / "bin"
SDIST_DIR = CACHE / "sdist"
SRC_DIR = CACHE / "src"
BUILD_DIR = CACHE / "build"
STAMP = BIN_DIR / ".stamp"

KENLM_VERSION = "0.3.0"
KENLM_SDIST_SHA256 = "c4628bb9fb63c8a6f9240035b8b037385cfc404cb72e933cf48878291edac1e8"
#: KenLM's compile-time maximum n-gram order; CCNet uses 5-grams. Same as the Python module's default.
KENLM_MAX_ORDER = 6
BINARIES = ("lmplz", "build_binary")
APT_PACKAGES = (
    "libboost-program-options-dev",
    "libboost-system-dev",
    "libboost-thread-dev",
    "libboost-test-dev",
    "zlib1g-dev",
    "libbz2-dev",
    "liblzma-dev",
)


def log(msg: str) -> None:
    """Print a progress line on stderr (stdout stays free for callers that parse it)."""
    print(f"[build_kenlm] {msg}", file=sys.stderr, flush=True)


def run(cmd: list[str], **kwargs: object) -> None:
    """Run a command, echoing it first; raise on a non-zero exit."""
    sdist_tools.run(cmd, log, **kwargs)


def run_logged(cmd: list[str], logfile: Path) -> None:
    """Run a noisy build command with its output appended to ``logfile``; on failure show the log's tail."""
    log("$ " + " ".join(cmd) + f"  (output in {logfile})")
    with logfile.open("ab") as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
    if proc.returncode != 0:
        tail = logfile.read_text(errors="replace").splitlines()[-40:]
        raise SystemExit("\n".join([*tail, f"command failed with exit code {proc.returncode}: {' '.join(cmd)}"]))


def stamp_text() -> str:
    """What the stamp file holds when the binaries in ``bin/`` were built from the pinned sdist."""
    return f"kenlm=={KENLM_VERSION} sha256={KENLM_SDIST_SHA256} max_order={KENLM_MAX_ORDER}\n"


def smoke_test(bin_dir: Path) -> str | None:
    """Train a 3-gram ARPA on three lines with ``lmplz`` and compile it with ``build_binary``.

    Returns ``None`` when both tools work, else a one-line reason. Takes a few milliseconds.
    """
    with tempfile.TemporaryDirectory(prefix="kenlm-smoke-") as tmp:
        corpus = "a b c d\nb c d e\na c d e\n"
        arpa, binary = Path(tmp) / "smoke.arpa", Path(tmp) / "smoke.bin"
        lmplz = [str(bin_dir / "lmplz"), "-o", "3", "-S", "32M", "--vocab_estimate", "64", "-T", tmp]
        with arpa.open("wb") as out:
            proc = subprocess.run(
                [*lmplz, "--discount_fallback"], input=corpus.encode(), stdout=out, stderr=subprocess.PIPE, check=False
            )
        if proc.returncode != 0 or b"\\data\\" not in arpa.read_bytes():
            return f"lmplz failed ({proc.returncode}): {proc.stderr.decode(errors='replace')[-300:]}"
        proc = subprocess.run(
            [str(bin_dir / "build_binary"), str(arpa), str(binary)], capture_output=True, check=False
        )
        if proc.returncode != 0 or not binary.is_file():
            return f"build_binary failed ({proc.returncode}): {proc.stdout.decode(errors='replace')[-300:]}"
    return None


def binaries_ok() -> bool:
    """True when both executables exist, match the stamp, and pass :func:`smoke_test`."""
    if not STAMP.is_file() or STAMP.read_text() != stamp_text():
        return False
    if not all((BIN_DIR / name).is_file() and os.access(BIN_DIR / name, os.X_OK) for name in BINARIES):
        return False
    reason = smoke_test(BIN_DIR)
    if reason:
        log(reason)
    return reason is None


def python_module_ok() -> bool:
    """True when ``import kenlm`` works in this interpreter and the installed distribution is the pinned one."""
    check = f"import kenlm, importlib.metadata as m; assert m.version('kenlm') == {KENLM_VERSION!r}"
    return subprocess.run([sys.executable, "-c", check], capture_output=True, check=False).returncode == 0


def missing_apt_packages() -> list[str]:
    """The build dependencies that dpkg does not report as installed."""
    if shutil.which("dpkg-query") is None:
        return []  # not Debian: trust the machine and let cmake say what is missing
    missing = []
    for pkg in APT_PACKAGES:
        proc = subprocess.run(["dpkg-query", "-W", "-f=${Status}", pkg], capture_output=True, text=True, check=False)
        if "install ok installed" not in proc.stdout:
            missing.append(pkg)
    return missing


def install_apt_packages(allow: bool) -> None:
    """``apt-get update`` + ``apt-get install -y`` the missing build dependencies (root only)."""
    missing = missing_apt_packages()
    if not missing:
        return
    if not allow:
        raise SystemExit(f"missing build dependencies (apt): {' '.join(missing)}; install them or drop --no-apt")
    if os.geteuid() != 0:
        raise SystemExit(f"missing build dependencies and not root: apt-get install -y {' '.join(missing)}")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    run(["apt-get", "update", "-qq"], env=env)
    run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], env=env)


def fetch_sdist() -> Path:
    """The pinned, hash-checked ``kenlm`` sdist, downloaded with pip only if it is not cached yet."""
    return sdist_tools.fetch_sdist("kenlm", KENLM_VERSION, KENLM_SDIST_SHA256, SDIST_DIR, log)


def extract(sdist: Path) -> Path:
    """Unpack the sdist into ``.cache/kenlm/src/`` (fresh each time) and return the source root."""
    sdist_tools.unpack(sdist, SRC_DIR)
    src = SRC_DIR / f"kenlm-{KENLM_VERSION}"
    if not (src / "CMakeLists.txt").is_file() or not (src / "lm" / "builder" / "lmplz_main.cc").is_file():
        raise SystemExit(f"{sdist} does not contain KenLM's CMake tree with lm/builder")
    return src


def build_binaries(src: Path, jobs: int) -> None:
    """Configure and build ``lmplz`` and ``build_binary``, then move them into ``bin/`` atomically."""
    for tool in ("cmake", "g++", "make"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} is required to build KenLM")
    shutil.rmtree(BUILD_DIR, ignore_errors=True)
    BUILD_DIR.mkdir(parents=True)
    build_log = CACHE / "build.log"
    build_log.unlink(missing_ok=True)
    run_logged(
        [
            "cmake",
            "-S",
            str(src),
            "-B",
            str(BUILD_DIR),
            "-DCMAKE_BUILD_TYPE=Release",
            f"-DKENLM_MAX_ORDER={KENLM_MAX_ORDER}",
            "-DCOMPILE_TESTS=OFF",
            "-DENABLE_PYTHON=OFF",
        ],
        build_log,
    )
    run_logged(["cmake", "--build", str(BUILD_DIR), "--target", *BINARIES, "-j", str(jobs)], build_log)
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    STAMP.unlink(missing_ok=True)
    for name in BINARIES:
        built = BUILD_DIR / "bin" / name
        if not built.is_file():
            raise SystemExit(f"the build did not produce {built}")
        tmp = BIN_DIR / f".{name}.tmp"
        shutil.copy2(built, tmp)
        tmp.chmod(0o755)
        os.replace(tmp, BIN_DIR / name)
    STAMP.write_text(stamp_text())


def install_python_module(sdist: Path, force: bool) -> None:
    """``pip install`` the sdist into this interpreter's environment (pip compiles the extension)."""
    extra = ["--force-reinstall"] if force else []
    run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", *extra, str(sdist)])


def main(argv: list[str] | None = None) -> int:
    """Build what is missing; return 0 when ``lmplz``, ``build_binary`` and ``import kenlm`` all work."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--force", action="store_true", help="rebuild even when the stamp matches")
    parser.add_argument("--no-apt", action="store_true", help="never call apt-get; fail if a dependency is missing")
    parser.add_argument("--no-python", action="store_true", help="do not pip-install the kenlm Python module")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 2, help="parallel compile jobs")
    args = parser.parse_args(argv)

    need_bins = args.force or not binaries_ok()
    need_py = not args.no_python and (args.force or not python_module_ok())
    if not need_bins and not need_py:
        module = "" if args.no_python else f" and the kenlm module (kenlm=={KENLM_VERSION})"
        log(f"up to date: {BIN_DIR}/{{{','.join(BINARIES)}}}{module}")
        return 0

    started = time.monotonic()
    sdist = fetch_sdist()
    if need_bins:
        install_apt_packages(allow=not args.no_apt)
        build_binaries(extract(sdist), args.jobs)
        shutil.rmtree(BUILD_DIR, ignore_errors=True)
        shutil.rmtree(SRC_DIR, ignore_errors=True)
        if not binaries_ok():
            raise SystemExit(f"built binaries in {BIN_DIR} do not run")
        log(f"built {', '.join(BINARIES)} into {BIN_DIR}")
    if need_py:
        install_python_module(sdist, args.force)
        if not python_module_ok():
            raise SystemExit("pip installed kenlm but `import kenlm` still fails")
        log("installed the kenlm Python module")
    log(f"done in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
