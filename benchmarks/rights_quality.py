"""Licence detection quality of ``crawlforge.lib.rights`` on a labelled set of real pages.

The set is every HTML page of the shared extraction fixtures (``<shared>/extraction/*/html/*.html.gz``: 181
scrapinghub + 350 WCXB pages), labelled by hand in ``tests/lib/rights_labelled.py`` (the licence each page
declares for its own text, or none). Three levels, each with precision and recall over pages:

* **detection**: a page has a licence (any) vs none;
* **type**: the detected licence type (``cc-by-sa``, ``cc0``, ``gfdl``, ``cc``, ``other``...) equals the label's;
* **exact**: type and version both equal the label (a label without a version wants none predicted);

plus the ``noai`` opt-out directive (``rights_noai``) on the same pages. A page is a false positive at a level when
something is predicted that does not match, a false negative when a labelled licence is not matched.

Read the numbers as optimistic: the detector was written while looking at these pages.

Usage::

    python benchmarks/rights_quality.py [--show-errors]
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import sys
import time
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from crawlforge.lib.rights import page_rights
from crawlforge.lib.robots_txt import DEFAULT_AI_AGENTS
from tests.lib.rights_labelled import NOAI, label, pages


SHARED = Path(os.environ.get("CRAWLFORGE_SHARED_DATA", "/work/shared/data"))


def licence_type(licence: str) -> str:
    return re.sub(r"-\d+(\.\d+)?$", "", licence)


def pr(tp: int, fp: int, fn: int) -> tuple[float, float]:
    return (tp / (tp + fp) if tp + fp else 1.0), (tp / (tp + fn) if tp + fn else 1.0)


def evaluate(shared: Path) -> dict[str, object]:
    """Per-level (tp, fp, fn), the error list and timing over every labelled page."""
    counts = {k: [0, 0, 0] for k in ("detection", "type", "exact", "noai")}
    errors: list[str] = []
    t0 = time.perf_counter()
    names = pages(shared)
    for page in names:
        html = gzip.decompress((shared / "extraction" / page).read_bytes())
        got = page_rights(html, ai_agents=DEFAULT_AI_AGENTS)
        want = label(page)
        pred = got.licence
        checks = {
            "detection": (pred != "none", want != "none", (pred != "none") == (want != "none")),
            "type": (pred != "none", want != "none", licence_type(pred) == licence_type(want)),
            "exact": (pred != "none", want != "none", pred == want),
            "noai": (got.noai, page in NOAI, got.noai == (page in NOAI)),
        }
        for level, (predicted, labelled, match) in checks.items():
            c = counts[level]
            if predicted and labelled and match:
                c[0] += 1
            else:
                c[1] += int(predicted)
                c[2] += int(labelled)
        if pred != want:
            errors.append(f"{page}: predicted {pred} ({got.licence_source}), labelled {want}")
    return {"counts": counts, "errors": errors, "pages": len(names), "seconds": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--show-errors", action="store_true", help="list every page whose licence is not exact")
    args = ap.parse_args(argv)
    if not (SHARED / "extraction").is_dir():
        print(f"shared fixtures not found at {SHARED} (set CRAWLFORGE_SHARED_DATA)", file=sys.stderr)
        return 2
    res = evaluate(SHARED)
    counts = res["counts"]
    positives = sum(1 for p in pages(SHARED) if label(p) != "none")
    print(f"{res['pages']} pages, {positives} with a labelled licence, {len(NOAI)} with noai; "
          f"{res['pages'] / res['seconds']:.0f} pages/s")  # fmt: skip
    print(f"{'level':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for level, (tp, fp, fn) in counts.items():  # type: ignore[attr-defined]
        p, r = pr(tp, fp, fn)
        print(f"{level:<10} {tp:>4} {fp:>4} {fn:>4} {p:>10.3f} {r:>8.3f}")
    if args.show_errors:
        for line in res["errors"]:  # type: ignore[attr-defined]
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
