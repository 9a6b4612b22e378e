"""How long deployment takes: building the wheel and the packed environment, and the pipeline on a real
standalone cluster (master + 2 workers x 1 core on loopback, spark-submit of scripts/submit.py) against local
mode, one after the other on the same generated input. Prints a table.

    .venv/bin/python benchmarks/deploy_timings.py [--pages 80] [--files 2] [--skip-package] [--skip-env]

Uses the cluster helpers of tests/jobs/test_cluster.py (run from the repository root). The local-mode run is a
subprocess (``crawlforge pipeline``) so both runs pay a JVM start; numbers depend on the machine's load.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.jobs.test_cluster import cluster_env, start_cluster, stop_cluster, submit_command  # noqa: E402


def timed(cmd: list[str], **kwargs: object) -> float:
    t0 = time.time()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **kwargs)  # type: ignore[call-overload]
    return time.time() - t0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=80)
    parser.add_argument("--files", type=int, default=2)
    parser.add_argument("--skip-package", action="store_true")
    parser.add_argument("--skip-env", action="store_true", help="build only the wheel")
    args = parser.parse_args()
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        if not args.skip_package:
            out = base / "dist"
            cmd = [sys.executable, str(REPO / "scripts" / "package.py"), "--out", str(out)]
            if args.skip_env:
                cmd.append("--wheel-only")
            seconds = timed(cmd)
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:.1f} MB" for p in sorted(out.iterdir()))
            rows.append(("package (wheel" + ("" if args.skip_env else " + venv-pack env") + ")", f"{seconds:.0f}s"))
            rows.append(("  artifacts", sizes))
        sets = [f"sample.pages={args.pages}", f"sample.files={args.files}", f"sample.output_dir={base / 'input'}"]
        job = ["pipeline", "--config", "local"]
        for s in sets:
            job += ["--set", s]
        local = [sys.executable, "-m", "crawlforge", *job, "--set", f"lake.root={base / 'lake_local'}"]
        rows.append((f"pipeline, local mode local[2] ({args.pages} pages)", f"{timed(local, cwd=REPO):.0f}s"))
        t0 = time.time()
        cluster = start_cluster(base / "standalone")
        rows.append(("standalone cluster start (master + 2 workers)", f"{time.time() - t0:.0f}s"))
        try:
            cmd = submit_command(cluster.master_url, [*job, "--set", f"lake.root={base / 'lake_cluster'}"])
            seconds = timed(cmd, cwd=base, env=cluster_env(base / "submit"))
            rows.append((f"pipeline, spark-submit to the cluster ({args.pages} pages)", f"{seconds:.0f}s"))
        finally:
            stop_cluster(cluster)
    width = max(len(r[0]) for r in rows)
    print(f"{'step':<{width}}  time / size")
    print("-" * (width + 30))
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
