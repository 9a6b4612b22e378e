"""The report job on small hand-made tables: the HTML opens in headless Chromium and every image loads; the data
card names the recipe, the counts and the removal procedure; a missing table is named, never an error."""

from __future__ import annotations

import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawlforge.jobs import delta_io
from crawlforge.jobs import report as report_job
from crawlforge.jobs.tables import CORPUS, DECISIONS, DROP_SAMPLES, PII_TYPES, STAGE_STATS
from tests.helpers import make_config


pytestmark = pytest.mark.spark

SOURCE, SNAP = "common-crawl", "TEST-2026-04"
CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
KEEP_DIR = Path(__file__).resolve().parents[2] / "benchmarks" / "out"


def _save(spark, lake: str, name: str, rows: list[dict], schema=None) -> None:
    df = spark.createDataFrame(rows, schema) if schema is not None else spark.createDataFrame(rows)
    df.write.format("delta").mode("overwrite").save(delta_io.table_path(lake, name))


def _build_lake(spark, lake: str) -> None:
    now = datetime.now(UTC)
    n = 40
    key = [{"source": SOURCE, "snapshot": SNAP, "doc_id": f"d{i:02d}", "file_id": "f0"} for i in range(n)]
    langs = ["en"] * 30 + ["fr"] * 6 + ["de"] * 4
    _save(spark, lake, "signals", [{**k, "language": langs[i], "language_score": 0.9} for i, k in enumerate(key)])
    _save(
        spark,
        lake,
        "signals_ccnet",
        [
            {**k, "perplexity": 50.0 + 40 * i, "perplexity_bucket": ["head", "middle", "tail"][i % 3]}
            for i, k in enumerate(key)
        ],
    )
    _save(
        spark,
        lake,
        "signals_quality",
        [{**k, "quality_fasttext": i / n, "quality_ensemble_bucket": str(i % 4)} for i, k in enumerate(key)],
    )
    keep = [i % 4 != 0 for i in range(n)]
    rule = "gopher_rep/top_2_gram"
    recipe = {"recipe": "fineweb", "recipe_version": "1", "recipe_hash": "h", "run_id": "sel"}
    dec = [
        {**k, **recipe, "language": langs[i], "keep": keep[i], "first_failing_version": None,
         "first_failing_rule": None if keep[i] else rule, "failing_rules": [] if keep[i] else [rule]}
        for i, k in enumerate(key)
    ]  # fmt: skip
    _save(spark, lake, "decisions", dec, DECISIONS.schema)
    text = "<script>alert('x')</script> spam spam spam"
    samples = [
        {**recipe, "source": SOURCE, "snapshot": SNAP, "first_failing_rule": rule, "sample_rank": r + 1,
         "doc_id": f"d{4 * r:02d}", "file_id": "f0", "url": f"https://x.example/{r}", "language": "en",
         "text": text, "failing_rules": [rule]}
        for r in range(3)
    ]  # fmt: skip
    _save(spark, lake, "drop_samples", samples, DROP_SAMPLES.schema)
    stats = [
        {"source": SOURCE, "snapshot": SNAP, "run_id": "sel", "job": "select", "stage": "select", "language": "en",
         "rule": name, "docs_in": 40, "docs_out": 40 - d, "docs_dropped": d, "recorded_at": now}
        for name, d in (("kept", 10), (rule, 10), ("lid/score", 0))
    ]  # fmt: skip
    _save(spark, lake, "stage_stats", stats, STAGE_STATS.schema)
    _save(
        spark,
        lake,
        "duplicates",
        [{**k, "cluster_id": f"c{i // 3}", "cluster_size": 3, "survivor": i % 3 == 0} for i, k in enumerate(key[:12])],
    )
    corpus = [{**k, "language": langs[i], "bucket": "all", "url": f"https://x.example/{i}", "host": "x.example",
               "title": None, "text": "published text", "text_sha256": None, "text_chars": 14, "warc_record_id": None,
               "warc_date": now, "file_path": None, "offset": None, "length": None, "payload_digest": None,
               "language_score": 0.9, "perplexity": None, "perplexity_bucket": None, "quality_bucket": None,
               "decontam_hits": 0, "dup_cluster_size": None, **{f"pii_{t}": int(t == "email") for t in PII_TYPES},
               "pii_mode": "placeholder", "recipe": "fineweb", "recipe_version": "1", "recipe_hash": "h",
               "published_at": now, "run_id": "pub"} for i, k in enumerate(key) if keep[i]]  # fmt: skip
    _save(spark, lake, "corpus", corpus, CORPUS.schema)


def test_report_renders_and_every_image_loads_in_chromium(spark, tmp_path):
    lake = str(tmp_path / "lake")
    _build_lake(spark, lake)
    cfg = make_config(lake, ingest__source=SOURCE, scope__snapshot=SNAP)
    index = report_job.run(spark, cfg, run_id="rep-1")
    out = Path(index).parent
    page = Path(index).read_text(encoding="utf-8")
    images = sorted(p.name for p in (out / "img").glob("*.png"))
    assert {"funnel.png", "dropped_by_rule.png", "languages.png", "perplexity.png", "quality_fasttext.png",
            "cluster_sizes.png", "corpus_languages.png"} <= set(images)  # fmt: skip
    assert page.count("<img ") == len(images)
    assert "&lt;script&gt;alert(" in page and "<script>alert(" not in page  # samples are escaped
    assert "Tables not in the lake" in page and "raw" in page  # missing tables are named
    card = (out / "datacard.md").read_text(encoding="utf-8")
    assert "### Recipe: fineweb v1" in card and "| published (corpus) | 30 |" in card
    assert "| email | 30 |" in card and "publish.remove" in card

    if not (os.path.exists(CHROMIUM) and os.path.exists(DRIVER)):
        pytest.skip("chromium/chromedriver missing: run `python scripts/install_browser.py` (make setup does)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--disable-gpu",
        "--window-size=1200,3000",
    ):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    try:
        driver.get(Path(index).as_uri())
        loaded = driver.execute_script(
            "return Array.from(document.images).map(i => [i.getAttribute('src'), i.complete, i.naturalWidth]);"
        )
        assert len(loaded) == len(images)
        assert all(complete and width > 0 for _, complete, width in loaded), loaded
        assert driver.title == cfg.report.dataset_name
        shot = tmp_path / "report.png"
        assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000
    finally:
        driver.quit()
    KEEP_DIR.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, KEEP_DIR / "report_screenshot.png")
    print(f"screenshot: {shot} (copied to {KEEP_DIR / 'report_screenshot.png'})")
