"""Licence detection quality of ``crawlforge.lib.rights`` on a labelled set of real pages.

Two sets, labelled by hand in ``tests/lib/rights_labelled.py`` (the licence each page declares for its own text,
or none): the development set, every HTML page of the shared extraction fixtures
(``<shared>/extraction/*/html/*.html.gz``: 181 scrapinghub + 350 WCXB pages), and a held-out set, every HTML
record of the shared WARC fixtures (35 pages, labelled before the detector first ran on them). Three levels, each
with precision and recall over pages:

* **detection**: a page has a licence (any) vs none;
* **type**: the detected licence type (``cc-by-sa``, ``cc0``, ``gfdl``, ``cc``, ``other``...) equals the label's;
* **exact**: type and version both equal the label (a label without a version wants none predicted);

plus the ``noai`` opt-out directive (``rights_noai``) on the same pages. A page is a false positive at a level when
something is predicted that does not match, a false negative when a labelled licence is not matched.

Read the development numbers as optimistic: the detector was written while looking at those pages. The held-out
set is small (2 positives).

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
from tests.lib.rights_labelled import HELD_OUT, NOAI, held_out_pages, label, pages


SHARED = Path(os.environ.get("CRAWLFORGE_SHARED_DATA", "/work/shared/data"))


def licence_type(licence: str) -> str:
    return re.sub(r"-\d+(\.\d+)?$", "", licence)


def pr(tp: int, fp: int, fn: int) -> tuple[str, str]:
    """Precision and recall as text; ``n/a`` when nothing was predicted / nothing is labelled."""
    return (f"{tp / (tp + fp):.3f}" if tp + fp else "n/a"), (f"{tp / (tp + fn):.3f}" if tp + fn else "n/a")


Case = tuple[str, bytes, dict[str, str] | None, str | None, str, bool]
"""(page key, payload, HTTP headers, charset, labelled licence, labelled noai)."""


def development_cases(shared: Path) -> list[Case]:
    return [
        (page, gzip.decompress((shared / "extraction" / page).read_bytes()), None, None, label(page), page in NOAI)
        for page in pages(shared)
    ]


def held_out_cases(shared: Path) -> list[Case]:
    return [(k, body, h, cs, HELD_OUT.get(k, "none"), False) for k, body, h, cs in held_out_pages(shared)]


def evaluate(cases: list[Case]) -> dict[str, object]:
    """Per-level (tp, fp, fn), the error list and timing over labelled pages."""
    counts = {k: [0, 0, 0] for k in ("detection", "type", "exact", "noai")}
    errors: list[str] = []
    t0 = time.perf_counter()
    for page, payload, headers, charset, want, noai in cases:
        got = page_rights(payload, headers, charset, ai_agents=DEFAULT_AI_AGENTS)
        pred = got.licence
        checks = {
            "detection": (pred != "none", want != "none", (pred != "none") == (want != "none")),
            "type": (pred != "none", want != "none", licence_type(pred) == licence_type(want)),
            "exact": (pred != "none", want != "none", pred == want),
            "noai": (got.noai, noai, got.noai == noai),
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
    return {"counts": counts, "errors": errors, "pages": len(cases), "seconds": time.perf_counter() - t0}


def report(title: str, cases: list[Case], show_errors: bool) -> None:
    res = evaluate(cases)
    positives = sum(1 for c in cases if c[4] != "none")
    noai = sum(1 for c in cases if c[5])
    print(f"\n{title}: {res['pages']} pages, {positives} with a labelled licence, {noai} with noai; "
          f"{res['pages'] / max(res['seconds'], 1e-9):.0f} pages/s (detector only)")  # fmt: skip
    print(f"{'level':<10} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for level, (tp, fp, fn) in res["counts"].items():  # type: ignore[attr-defined]
        p, r = pr(tp, fp, fn)
        print(f"{level:<10} {tp:>4} {fp:>4} {fn:>4} {p:>10} {r:>8}")
    if show_errors:
        for line in res["errors"]:  # type: ignore[attr-defined]
            print("  " + line)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--show-errors", action="store_true", help="list every page whose licence is not exact")
    args = ap.parse_args(argv)
    if not (SHARED / "extraction").is_dir():
        print(f"shared fixtures not found at {SHARED} (set CRAWLFORGE_SHARED_DATA)", file=sys.stderr)
        return 2
    report("extraction pages (development set)", development_cases(SHARED), args.show_errors)
    report("WARC fixture pages (held out)", held_out_cases(SHARED), args.show_errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
